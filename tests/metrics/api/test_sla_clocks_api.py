"""The SLA clocks endpoint (``/api/v1/tickets/{id}/sla-clocks``) and the ``sla.warning`` /
``sla.breached`` webhook events raised by the sweep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine

from metrics.models import Metric
from metrics.services.sla_sweep import sla_breach_sweep
from tests.api_clients import token_client
from tests.factories import CategoryFactory, ClientFactory
from tests.metrics.factories import policy_with_targets
from tickets.models import Webhook, WebhookDelivery
from tickets.services.tickets import ticket_create
from tickets.services.webhooks import webhooks_dispatch

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 7, 6, 1, 0, tzinfo=UTC)


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _ticket(agent, team, client=None):
    return ticket_create(
        actor=agent,
        client=client or ClientFactory(),
        subject="Order stuck",
        description="My order is stuck in pending.",
        category=CategoryFactory(),
        team=team,
        assignee=agent,
    )


def test_clocks_with_state_due_elapsed_remaining_and_events(
    agent, team_a, traveller, django_assert_max_num_queries
):
    policy_with_targets(resolution=None)
    ticket = _ticket(agent, team_a)
    sla_breach_sweep(now=NOW + timedelta(minutes=45))
    traveller.move_to(NOW + timedelta(minutes=50))
    api = token_client(agent)
    with django_assert_max_num_queries(8):
        response = api.get(f"/api/v1/tickets/{ticket.pk}/sla-clocks")
    assert response.status_code == 200, response.content
    clocks = {clock["metric"]: clock for clock in response.json()["results"]}
    first = clocks[Metric.FIRST_RESPONSE]
    assert first["state"] == "running"
    assert first["tone"] == "warn"
    assert first["target_seconds"] == 3600
    assert first["elapsed_seconds"] == 50 * 60
    assert first["remaining_seconds"] == 10 * 60
    assert first["due_at"].startswith("2026-07-06T10:00:00")  # 02:00 UTC in Hong Kong time
    assert [event["kind"] for event in first["events"]] == ["started", "warning"]
    assert first["events"][1]["elapsed_seconds"] == 45 * 60


def test_clocks_are_internal_data(agent, outsider, client_user, team_a, traveller):
    policy_with_targets()
    ticket = _ticket(agent, team_a, client=client_user.client_profile)
    assert (
        token_client(client_user).get(f"/api/v1/tickets/{ticket.pk}/sla-clocks").status_code == 404
    )
    assert token_client(outsider).get(f"/api/v1/tickets/{ticket.pk}/sla-clocks").status_code == 404
    assert token_client(agent).get("/api/v1/tickets/abc/sla-clocks").status_code == 404
    assert token_client(agent).get("/api/v1/tickets/999999/sla-clocks").status_code == 404


def test_the_sweep_sends_sla_warning_and_breach_webhooks(
    agent, team_a, administrator, traveller, django_capture_on_commit_callbacks
):
    hook = Webhook.objects.create(
        url="https://hooks.example.com/sd", events=["sla.warning", "sla.breached"]
    )
    policy_with_targets(resolution=None, next_response=None, periodic_update=None)
    ticket = _ticket(agent, team_a)
    with (
        mock.patch(
            "tickets.tasks.webhooks.webhooks_dispatch_task.delay",
            side_effect=lambda events: webhooks_dispatch(events=events),
        ),
        mock.patch("tickets.tasks.webhooks.webhook_deliver_task.delay"),
        mock.patch("metrics.tasks.sla.sla_send_emails_task.delay"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sla_breach_sweep(now=NOW + timedelta(minutes=45))
    with (
        mock.patch(
            "tickets.tasks.webhooks.webhooks_dispatch_task.delay",
            side_effect=lambda events: webhooks_dispatch(events=events),
        ),
        mock.patch("tickets.tasks.webhooks.webhook_deliver_task.delay"),
        mock.patch("metrics.tasks.sla.sla_send_emails_task.delay"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sla_breach_sweep(now=NOW + timedelta(minutes=61))
    deliveries = list(WebhookDelivery.objects.filter(webhook=hook).order_by("id"))
    assert [d.event for d in deliveries] == ["sla.warning", "sla.breached"]
    payload = deliveries[1].payload
    assert payload["ticket"]["id"] == ticket.pk
    assert payload["sla"]["metric"] == Metric.FIRST_RESPONSE
    assert payload["occurred_at"].startswith("2026-07-06T02:00:00")
