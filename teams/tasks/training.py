"""Beat tasks of the people side: the automatic *away* status and training reminders."""

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from teams.services.status import agent_status_sweep
from teams.services.training import (
    training_reminder_email_send,
    training_reminders_send,
    training_requirements_sync,
)


@shared_task(
    name="teams.agent_status_sweep",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def agent_status_sweep_task() -> None:
    """Every minute: agents outside their shifts go *away* (and come back; see the service)."""
    agent_status_sweep(now=timezone.now())


@shared_task(
    name="teams.training_reminders",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def training_reminders_task() -> None:
    """Hourly: bring requirements in line with teams and skills, then send due reminders."""
    today = timezone.localdate()
    training_requirements_sync(today=today)
    training_reminders_send(today=today)


@shared_task(
    name="teams.training_reminder_email",
    ignore_result=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def training_reminder_email(reminder_id: int) -> None:
    """Email one training reminder (retried with backoff when the mail server fails)."""
    training_reminder_email_send(reminder_id=reminder_id)
