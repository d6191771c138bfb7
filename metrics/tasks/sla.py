"""SLA tasks: the every-minute breach sweep and the e-mails it queues (thin, idempotent)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from metrics.services.sla_mail import sla_events_email
from metrics.services.sla_sweep import sla_breach_sweep


@shared_task(
    name="metrics.sla_breach_sweep",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def sla_breach_sweep_task() -> dict[str, int]:
    """Run the sweep at the current time (safe to run twice at once or to redeliver: the
    database keeps each warning and breach to one)."""
    result = sla_breach_sweep(now=timezone.now())
    return {"warnings": result.warnings, "breaches": result.breaches}


@shared_task(
    name="metrics.sla_send_emails",
    ignore_result=True,
    autoretry_for=(OperationalError, OSError),
    retry_backoff=True,
    max_retries=5,
)
def sla_send_emails_task(event_ids: list[int]) -> int:
    """E-mail the warnings and breaches ``event_ids`` (each event is claimed once)."""
    return sla_events_email(event_ids=event_ids)
