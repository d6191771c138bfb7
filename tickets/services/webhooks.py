"""Outbound webhooks: registration (administrators), the ticket-change listener that records
deliveries, and the delivery itself (signed, SSRF-checked, retried by Celery).

How an event travels
--------------------
1. A ticket write service announces its change (``tickets.hooks``) inside its transaction.
2. ``webhooks_on_ticket_change`` (registered in ``TicketsConfig.ready``) works out the events
   (``ticket.created``; else ``ticket.updated``, plus ``ticket.escalated`` and
   ``ticket.resolved`` when they happened) with the ticket as it is now, without a query, and
   queues them **on commit** as one ``tickets.webhooks_dispatch`` task per transaction — a
   rolled-back change (or savepoint) sends nothing. The task records one ``WebhookDelivery``
   per subscribed active webhook and queues a delivery task for each.
3. The task ``tickets.webhook_deliver`` calls ``webhook_deliver``: it re-checks the target, POSTs
   the JSON body with ``X-SupportDesk-Timestamp`` and ``X-SupportDesk-Signature: sha256=<hex>``
   (HMAC-SHA256 with the webhook's secret over ``"<timestamp>.<body>"``), and records the outcome.
   A non-2xx answer or a network error raises ``WebhookDeliveryFailed``; the task retries with
   exponential backoff (``webhook_retry_delay``) up to ``WEBHOOK_MAX_ATTEMPTS`` attempts, then
   the delivery is marked failed. A delivery already delivered is never sent again.

Events that are not ticket changes are queued the same way, inside the caller's transaction:
``sla.warning`` / ``sla.breached`` (``webhooks_announce``, with the ticket) from the SLA sweep,
and ``report.generated`` (``webhooks_announce_event``) when a weekly report's PDF is stored.

SSRF: a target whose host resolves to any private, loopback, link-local, multicast, reserved or
unspecified address is refused (at registration and before every attempt), unless
``settings.WEBHOOK_ALLOW_PRIVATE_TARGETS``; redirects are never followed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, NotAllowed
from teams import access
from tickets.hooks import TicketChange
from tickets.lifecycle import interpolate_lazy
from tickets.models import Ticket, Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

USER_AGENT = "SupportDesk-Webhooks/1"
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 6 * 60 * 60
ERROR_MAX_LENGTH = 500
Event = Webhook.Event


class WebhookDeliveryFailed(Exception):
    """An attempt failed in a way worth retrying (network error or non-2xx answer)."""


class WebhookTargetRefused(ApplicationError):
    """The URL points at an address this desk must not call (HTTP 400)."""

    code = "webhook_target_refused"


# --- Registration ---------------------------------------------------------------------------


def _clean_events(events: Iterable[str]) -> list[str]:
    cleaned = sorted({str(event) for event in events})
    if not cleaned or any(event not in Event.values for event in cleaned):
        raise ApplicationError(
            _("Choose one or more events from the list."), details={"field": "events"}
        )
    return cleaned


def webhook_target_check(url: str) -> None:
    """Refuse a URL that is not http(s) or whose host resolves to a non-public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookTargetRefused(_("Enter an http:// or https:// URL."), details={"field": "url"})
    if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise WebhookTargetRefused(
            interpolate_lazy(_("The host “%(host)s” cannot be resolved."), host=parts.hostname),
            details={"field": "url"},
        ) from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise WebhookTargetRefused(
                interpolate_lazy(
                    _(
                        "The host “%(host)s” resolves to a private, loopback or link-local "
                        "address (%(address)s): webhooks only call public addresses."
                    ),
                    host=parts.hostname,
                    address=str(address),
                ),
                details={"field": "url"},
            )


@transaction.atomic
def webhook_create(
    *, actor: Any, url: str, events: Iterable[str], description: str = ""
) -> Webhook:
    """Register a webhook (administrators only); the target is checked against SSRF first."""
    if not access.can_manage_webhooks(actor):
        raise NotAllowed(_("Only administrators can manage webhooks."))
    url = (url or "").strip()
    if len(url) > 500:
        raise ApplicationError(_("The URL is too long."), details={"field": "url"})
    webhook_target_check(url)
    webhook = Webhook.objects.create(
        url=url,
        events=_clean_events(events),
        description=(description or "").strip()[:200],
        created_by=actor,
    )
    logger.info("webhook.created", extra={"webhook_id": webhook.pk})
    return webhook


@transaction.atomic
def webhook_delete(*, actor: Any, webhook: Webhook) -> None:
    """Remove a webhook and its delivery log (administrators only)."""
    if not access.can_manage_webhooks(actor):
        raise NotAllowed(_("Only administrators can manage webhooks."))
    Webhook.objects.filter(pk=webhook.pk).delete()
    logger.info("webhook.deleted", extra={"webhook_id": webhook.pk})


# --- Recording deliveries (the tickets.hooks listener) --------------------------------------


def events_of(change: TicketChange) -> list[str]:
    """The webhook events one ticket change raises."""
    if change.created:
        return [Event.TICKET_CREATED]
    events = [Event.TICKET_UPDATED]
    if "escalated" in change.actions():
        events.append(Event.TICKET_ESCALATED)
    status_change = change.status_change()
    if status_change and status_change[1] == Ticket.Status.RESOLVED:
        events.append(Event.TICKET_RESOLVED)
    return events


def _ticket_payload(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.pk,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "team_id": ticket.team_id,
        "assignee_id": ticket.assignee_id,
        "client_id": ticket.client_id,
        "escalation_level": ticket.escalation_level,
        "version": ticket.version,
        "updated_at": ticket.updated_at,
        "url": settings.SITE_URL.rstrip("/") + reverse("tickets:detail", args=[ticket.pk]),
    }


class _Outbox:
    """The webhook events of one transaction (at one savepoint level), sent on commit."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def flush(self) -> None:
        from tickets.tasks.webhooks import webhooks_dispatch_task

        webhooks_dispatch_task.delay(self.events)


def _outbox() -> _Outbox:
    """This transaction's outbox, registered once per savepoint level with ``on_commit``: a
    rolled-back savepoint discards its callbacks, and so the events raised inside it."""
    connection = transaction.get_connection()
    savepoints = set(connection.savepoint_ids)
    for savepoint_ids, callback, *_rest in connection.run_on_commit:
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, _Outbox) and set(savepoint_ids) == savepoints:
            return owner
    outbox = _Outbox()
    transaction.on_commit(outbox.flush)
    return outbox


def webhooks_on_ticket_change(change: TicketChange) -> None:
    """Collect the change's events with the ticket as it is now; no query, so that a bulk edit
    of many tickets costs nothing more. After commit, one task per transaction records the
    deliveries of the subscribed webhooks (``webhooks_dispatch``)."""
    ticket = _ticket_payload(change.ticket)
    changes = [list(event) for event in change.events]
    outbox = _outbox()
    for event in events_of(change):
        outbox.events.append(
            json.loads(
                json.dumps(
                    {
                        "event": event,
                        "occurred_at": change.at,
                        "source": change.source,
                        "actor_id": change.actor.pk if change.actor else None,
                        "ticket": ticket,
                        "changes": changes,
                    },
                    cls=DjangoJSONEncoder,
                )
            )
        )


def webhooks_announce(*, event: str, ticket: Ticket, at: Any, data: dict[str, Any]) -> None:
    """Queue an event that is not a ticket change (``sla.warning``, ``sla.breached`` from the
    SLA sweep, which calls this inside its transaction): delivered after commit like the ticket
    events, with the ticket as it is now and ``data`` (JSON-serialisable) beside it."""
    if event not in Event.values:
        raise ValueError(f"Unknown webhook event {event!r}")
    payload = {
        "event": event,
        "occurred_at": at,
        "source": "automation",
        "actor_id": None,
        "ticket": _ticket_payload(ticket),
        **data,
    }
    _outbox().events.append(json.loads(json.dumps(payload, cls=DjangoJSONEncoder)))


def webhooks_announce_event(*, event: str, at: Any, data: dict[str, Any]) -> None:
    """Queue an event about something other than a ticket (``report.generated``, from
    ``metrics.services.reports``, which calls this inside its transaction): delivered after
    commit like the ticket events, with ``data`` (JSON-serialisable) as the payload's body.
    ``tickets`` never imports ``metrics``: the caller shapes ``data``."""
    if event not in Event.values:
        raise ValueError(f"Unknown webhook event {event!r}")
    payload = {"event": event, "occurred_at": at, "source": "automation", "actor_id": None, **data}
    _outbox().events.append(json.loads(json.dumps(payload, cls=DjangoJSONEncoder)))


@transaction.atomic
def webhooks_dispatch(*, events: list[dict[str, Any]]) -> list[int]:
    """Record one delivery per (event, subscribed active webhook) and queue each on commit;
    returns the delivery ids. One query to find the webhooks, one to write the deliveries."""
    names = sorted({str(payload.get("event")) for payload in events})
    webhooks = list(Webhook.objects.filter(is_active=True, events__overlap=names).only("events"))
    deliveries = [
        WebhookDelivery(webhook=webhook, event=payload["event"], payload=payload)
        for payload in events
        for webhook in webhooks
        if payload.get("event") in webhook.events
    ]
    ids = [delivery.pk for delivery in WebhookDelivery.objects.bulk_create(deliveries)]

    def enqueue() -> None:
        from tickets.tasks.webhooks import webhook_deliver_task

        for delivery_id in ids:
            webhook_deliver_task.delay(delivery_id)

    transaction.on_commit(enqueue)
    return ids


# --- Delivering -----------------------------------------------------------------------------


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 with the webhook's secret over ``"<timestamp>.<body>"``."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def webhook_retry_delay(attempt: int) -> int:
    """Seconds before retry number ``attempt`` (1, 2, …): 30 s, 60 s, 120 s … capped at 6 h."""
    return min(RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0), RETRY_MAX_SECONDS)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _record(delivery_id: int, **fields: Any) -> None:
    WebhookDelivery.objects.filter(pk=delivery_id).update(**fields)


def webhook_deliver(*, delivery_id: int, final_attempt: bool = False) -> WebhookDelivery | None:
    """Send one delivery (if not delivered yet) and record the outcome.

    Raises ``WebhookDeliveryFailed`` when the attempt failed and may be retried (the delivery is
    then *retrying*, or *failed* when ``final_attempt``). A refused target fails at once.
    Not one transaction on purpose: the attempt is recorded whatever happens to the request.
    """
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (
        WebhookDelivery.Status.SUCCEEDED,
        WebhookDelivery.Status.FAILED,
    ):
        return delivery
    webhook = delivery.webhook
    attempts = delivery.attempts + 1
    now = timezone.now()
    try:
        webhook_target_check(webhook.url)
    except WebhookTargetRefused as error:
        _record(
            delivery_id,
            status=WebhookDelivery.Status.FAILED,
            attempts=attempts,
            last_attempt_at=now,
            last_error=str(error.message)[:ERROR_MAX_LENGTH],
        )
        logger.warning("webhook.target_refused", extra={"delivery_id": delivery_id})
        return None
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 - scheme checked by webhook_target_check
        webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-SupportDesk-Event": delivery.event,
            "X-SupportDesk-Delivery": str(delivery.pk),
            "X-SupportDesk-Timestamp": timestamp,
            "X-SupportDesk-Signature": webhook_signature(
                secret=webhook.secret, timestamp=timestamp, body=body
            ),
        },
    )
    response_status: int | None = None
    error_text = ""
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            response_status = response.status
    except urllib.error.HTTPError as error:
        response_status = error.code
        error_text = f"HTTP {error.code}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        error_text = str(getattr(error, "reason", error))
    if response_status is not None and 200 <= response_status < 300:
        _record(
            delivery_id,
            status=WebhookDelivery.Status.SUCCEEDED,
            attempts=attempts,
            response_status=response_status,
            last_attempt_at=now,
            delivered_at=timezone.now(),
            last_error="",
        )
        logger.info("webhook.delivered", extra={"delivery_id": delivery_id})
        return WebhookDelivery.objects.get(pk=delivery_id)
    _record(
        delivery_id,
        status=WebhookDelivery.Status.FAILED if final_attempt else WebhookDelivery.Status.RETRYING,
        attempts=attempts,
        response_status=response_status,
        last_attempt_at=now,
        last_error=error_text[:ERROR_MAX_LENGTH],
    )
    logger.warning("webhook.attempt_failed", extra={"delivery_id": delivery_id})
    raise WebhookDeliveryFailed(error_text)
