"""Outbound webhooks: what ticket changes send, signatures, retries with backoff, SSRF refusal,
the administration page. A real HTTP server on 127.0.0.1 stands in for the receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import ResolutionCodeFactory, TicketFactory
from tickets.models import Webhook, WebhookDelivery
from tickets.services import tickets as ticket_services
from tickets.services.webhooks import (
    WebhookDeliveryFailed,
    WebhookTargetRefused,
    webhook_create,
    webhook_deliver,
    webhook_retry_delay,
    webhook_target_check,
    webhooks_dispatch,
)
from tickets.tasks.webhooks import webhook_deliver_task

pytestmark = pytest.mark.django_db


class Receiver:
    """A local HTTP server that answers with the queued statuses (then 200) and keeps what it
    received."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.received: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": self.headers, "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def hook(receiver, administrator):
    return webhook_create(
        actor=administrator,
        url=receiver.url,
        events=["ticket.created", "ticket.updated", "ticket.escalated", "ticket.resolved"],
    )


def test_ticket_changes_are_delivered_signed(
    hook, receiver, agent, team_a, django_capture_on_commit_callbacks, celery_eager
):
    ticket = TicketFactory(team=team_a, status="open")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.ticket_escalate(actor=agent, ticket=ticket, reason="Orders stuck")
    events = sorted(WebhookDelivery.objects.values_list("event", "status"))
    assert events == [("ticket.escalated", "succeeded"), ("ticket.updated", "succeeded")]
    request = receiver.received[0]
    headers = request["headers"]
    timestamp = headers["X-SupportDesk-Timestamp"]
    expected = hmac.new(
        hook.secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256
    ).hexdigest()
    assert headers["X-SupportDesk-Signature"] == f"sha256={expected}"
    payload = json.loads(request["body"])
    assert payload["ticket"]["id"] == ticket.pk
    assert payload["ticket"]["escalation_level"] == 1


def _dispatch_inline():
    """Run the dispatch task inline (its delivery tasks are only recorded)."""
    return mock.patch(
        "tickets.tasks.webhooks.webhooks_dispatch_task.delay",
        side_effect=lambda events: webhooks_dispatch(events=events),
    )


def test_events_follow_the_change(hook, agent, team_a, django_capture_on_commit_callbacks):
    with (
        _dispatch_inline(),
        mock.patch("tickets.tasks.webhooks.webhook_deliver_task.delay") as deliver,
        django_capture_on_commit_callbacks(execute=True),
    ):
        ticket = ticket_services.ticket_create(
            actor=agent,
            client=TicketFactory(team=team_a).client_id,
            subject="Login fails",
            description="Since 9:00",
            category=TicketFactory(team=team_a).category_id,
            team=team_a,
        )
        ticket_services.ticket_transition(
            actor=agent,
            ticket=ticket,
            to_status="resolved",
            resolution_code=ResolutionCodeFactory().pk,
            resolution_summary="Reset the password.",
        )
    assert list(WebhookDelivery.objects.order_by("id").values_list("event", flat=True)) == [
        "ticket.created",
        "ticket.updated",
        "ticket.resolved",
    ]
    assert deliver.call_count == 3


def test_a_ticket_change_runs_no_webhook_query_in_its_transaction(
    hook, agent, team_a, django_assert_num_queries
):
    ticket = TicketFactory(team=team_a, status="open")
    ticket_services.ticket_update(
        actor=agent, ticket=ticket, changes={"priority": 1}, expected_version=1
    )
    ticket.refresh_from_db()
    with CaptureQueriesContext(connection) as queries:
        ticket_services.ticket_update(
            actor=agent, ticket=ticket, changes={"priority": 2}, expected_version=2
        )
    assert not [query for query in queries if "webhook" in query["sql"]]


def test_a_rolled_back_savepoint_sends_nothing(
    hook, agent, team_a, django_capture_on_commit_callbacks
):
    ticket = TicketFactory(team=team_a, status="open")
    with _dispatch_inline() as dispatch, django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            ticket_services.ticket_update(
                actor=agent, ticket=ticket, changes={"priority": 1}, expected_version=1
            )
            raise RuntimeError("undo")
    dispatch.assert_not_called()
    assert not WebhookDelivery.objects.exists()


def test_a_rolled_back_change_sends_nothing(hook, agent, team_a):
    ticket = TicketFactory(team=team_a, status="open")
    with mock.patch("tickets.tasks.webhooks.webhooks_dispatch_task.delay") as delay:
        with pytest.raises(Exception, match="boom"):
            with transaction.atomic():
                ticket_services.ticket_update(
                    actor=agent, ticket=ticket, changes={"priority": 1}, expected_version=1
                )
                raise RuntimeError("boom")
    assert not WebhookDelivery.objects.exists()
    delay.assert_not_called()


def test_a_failed_attempt_is_retried_with_exponential_backoff(hook, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.statuses = [500, 503]
    delivery = WebhookDelivery.objects.create(webhook=hook, event="ticket.updated", payload={})
    with mock.patch(
        "tickets.tasks.webhooks.webhook_retry_delay", side_effect=webhook_retry_delay
    ) as delay:
        webhook_deliver_task.apply(args=[delivery.pk])
    countdowns = [delay.side_effect(*call.args) for call in delay.call_args_list]
    delivery.refresh_from_db()
    assert countdowns == [30, 60]
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 3, 200)
    assert len(receiver.received) == 3
    assert [webhook_retry_delay(n) for n in (1, 2, 3, 10, 20)] == [30, 60, 120, 15360, 21600]


def test_a_delivery_fails_for_good_after_the_last_attempt(hook, receiver):
    receiver.statuses = [500]
    delivery = WebhookDelivery.objects.create(webhook=hook, event="ticket.updated", payload={})
    with pytest.raises(WebhookDeliveryFailed):
        webhook_deliver(delivery_id=delivery.pk, final_attempt=True)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 1, 500)
    assert webhook_deliver(delivery_id=delivery.pk).status == "failed"
    assert len(receiver.received) == 1


def test_a_delivered_event_is_not_sent_again(hook, receiver):
    delivery = WebhookDelivery.objects.create(webhook=hook, event="ticket.updated", payload={})
    webhook_deliver(delivery_id=delivery.pk)
    webhook_deliver(delivery_id=delivery.pk)
    assert len(receiver.received) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8170/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "ftp://example.com/hook",
    ],
)
def test_private_targets_are_refused(url, administrator):
    with pytest.raises(WebhookTargetRefused):
        webhook_target_check(url)
    with pytest.raises(WebhookTargetRefused):
        webhook_create(actor=administrator, url=url, events=["ticket.created"])
    assert not Webhook.objects.exists()


def test_a_target_that_turned_private_is_not_called(hook, receiver, settings):
    delivery = WebhookDelivery.objects.create(webhook=hook, event="ticket.updated", payload={})
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False
    webhook_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert receiver.received == []


def test_a_public_address_is_accepted():
    with mock.patch("socket.getaddrinfo", return_value=[(2, 1, 6, "", ("93.184.215.14", 443))]):
        webhook_target_check("https://hooks.example.com/in")


@pytest.mark.parametrize("role, status", [("administrator", 200), ("manager", 403), ("agent", 403)])
def test_only_administrators_see_the_webhooks_page(request, role, status):
    public = mock.patch("socket.getaddrinfo", return_value=[(2, 1, 6, "", ("93.184.215.14", 443))])
    public.start()
    request.addfinalizer(public.stop)
    browser = Client()
    browser.force_login(request.getfixturevalue(role))
    assert browser.get("/tickets/webhooks/").status_code == status
    response = browser.post(
        "/tickets/webhooks/", {"url": "https://hooks.example.com/in", "events": ["ticket.created"]}
    )
    assert response.status_code in (302, 403)
    if status == 403:
        assert response.status_code == 403
        assert not Webhook.objects.exists()


def test_the_page_lists_deliveries_in_fixed_queries(
    hook, administrator, django_assert_max_num_queries
):
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(webhook=hook, event="ticket.updated", payload={}) for _ in range(5)
    )
    browser = Client()
    browser.force_login(administrator)
    with django_assert_max_num_queries(10):
        response = browser.get("/tickets/webhooks/")
    assert response.content.count(b"ticket.updated") >= 5


def test_the_page_refuses_a_private_target(administrator):
    browser = Client()
    browser.force_login(administrator)
    response = browser.post(
        "/tickets/webhooks/", {"url": "http://127.0.0.1/hook", "events": ["ticket.created"]}
    )
    assert response.status_code == 400
    assert not Webhook.objects.exists()
