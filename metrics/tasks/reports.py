"""Celery tasks of the weekly report: thin, retried with back-off, idempotent."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from metrics.services import reports as services


@shared_task(
    name="metrics.report_generate",
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=False,
    max_retries=3,
    ignore_result=True,
)
def report_generate_task(report_id: int) -> None:
    """Render one report (a failure is stored on the report, then retried)."""
    services.report_generate(report_id=report_id)


@shared_task(name="metrics.weekly_reports", ignore_result=True)
def weekly_reports_task() -> None:
    """Queue last week's reports for the desk and every team (beat, editable schedule)."""
    services.weekly_reports_queue(now=timezone.now())
