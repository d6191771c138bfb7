"""Celery tasks of outgoing mail: send one stored mail, and the periodic resend sweep."""

from __future__ import annotations

import random

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from tickets.mail.outbound import outbound_email_send, outbound_resend_due
from tickets.models import OutboundEmail

BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600


def backoff_seconds(retries: int) -> int:
    """Exponential backoff with jitter: ~30 s, 60 s, 2 min … capped at an hour."""
    delay = min(BACKOFF_BASE_SECONDS * 2**retries, BACKOFF_MAX_SECONDS)
    return delay + random.randint(0, delay // 4)  # noqa: S311 - jitter, not security


@shared_task(name="tickets.outbound_send", bind=True, ignore_result=True, max_retries=None)
def outbound_send_task(self, email_id: int) -> None:
    """Send one ``OutboundEmail`` (idempotent: a sent mail is not sent again). A failure is
    recorded on the row and retried with exponential backoff up to ``OUTBOUND_MAX_ATTEMPTS``
    attempts; after that the resend sweep keeps trying."""
    email = outbound_email_send(email_id=email_id)
    if email is None or email.status != OutboundEmail.Status.FAILED:
        return
    if email.attempts >= settings.OUTBOUND_MAX_ATTEMPTS:
        return
    raise self.retry(countdown=backoff_seconds(self.request.retries))


@shared_task(name="tickets.outbound_resend", ignore_result=True, expires=60 * 7)
def outbound_resend_task() -> int:
    """Every five minutes: queue again unsent mail whose task was lost or gave up."""
    return outbound_resend_due(now=timezone.now())
