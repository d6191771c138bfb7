"""Delivery of outbound webhooks (see ``tickets.services.webhooks``)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from tickets.services.webhooks import (
    WebhookDeliveryFailed,
    webhook_deliver,
    webhook_retry_delay,
    webhooks_dispatch,
)


@shared_task(name="tickets.webhooks_dispatch", ignore_result=True)
def webhooks_dispatch_task(events: list[dict]) -> None:
    """Record the deliveries of one committed transaction's ticket events."""
    webhooks_dispatch(events=events)


@shared_task(bind=True, name="tickets.webhook_deliver", ignore_result=True, max_retries=None)
def webhook_deliver_task(self, delivery_id: int) -> None:  # type: ignore[no-untyped-def]
    """Send one delivery; on a retryable failure, retry with exponential backoff until
    ``WEBHOOK_MAX_ATTEMPTS`` attempts were made. Idempotent: a delivered one is not resent."""
    attempt = self.request.retries + 1
    final = attempt >= settings.WEBHOOK_MAX_ATTEMPTS
    try:
        webhook_deliver(delivery_id=delivery_id, final_attempt=final)
    except WebhookDeliveryFailed as error:
        if final:
            return
        raise self.retry(exc=error, countdown=webhook_retry_delay(attempt)) from error
