"""The Celery application. Fixed cadences are declared in code below; schedules that people edit
at run time (the weekly report) live in django-celery-beat's database scheduler."""

import os
from pathlib import Path

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")

app = Celery("supportdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Fixed cadences, declared once the configuration is loaded (reading ``app.conf`` at import
# time would load Django's settings, and with them the embedded database, on every import).
# django-celery-beat's database scheduler installs these entries at start-up.
FIXED_SCHEDULES = {
    # Every minute: agents outside their shifts go away (and come back when set automatically).
    "teams.agent_status_sweep": {
        "task": "teams.agent_status_sweep",
        "schedule": 60.0,
        "options": {"expires": 90},
    },
    # Hourly: training requirements in step with teams and skills, reminders before due dates.
    "teams.training_reminders": {
        "task": "teams.training_reminders",
        "schedule": crontab(minute=7),
        "options": {"expires": 5400},
    },
    # Every minute; expires after 90 s so a backlog never runs stale sweeps in a burst.
    "metrics.sla_breach_sweep": {
        "task": "metrics.sla_breach_sweep",
        "schedule": 60.0,
        "options": {"expires": 90},
    },
    # Every minute: redistribute away agents' tickets, retry waiting tickets (tickets.routing).
    "tickets.routing_sweep": {
        "task": "tickets.routing_sweep",
        "schedule": 60.0,
        "options": {"expires": 90},
    },
    # Every minute: poll the active IMAP mailboxes (tickets.mail).
    "tickets.inbound_poll": {
        "task": "tickets.inbound_poll",
        "schedule": 60.0,
        "options": {"expires": 90},
    },
    # Outgoing mail to clients: queue again what the broker lost or SMTP refused (every 5 minutes).
    "tickets.outbound_resend": {
        "task": "tickets.outbound_resend",
        "schedule": 5 * 60,
        "options": {"expires": 7 * 60},
    },
}


@app.on_after_configure.connect
def _declare_fixed_schedules(sender: Celery, **_kwargs: object) -> None:
    sender.conf.beat_schedule = {**(sender.conf.beat_schedule or {}), **FIXED_SCHEDULES}
    # Any process that sends a task (web, management commands such as the demo seeds) needs
    # the filesystem broker's folders, not only the worker.
    ensure_filesystem_broker_folders()


@worker_init.connect
def _prepare_filesystem_broker(**_kwargs: object) -> None:
    """kombu's filesystem transport needs its folders to exist before the first message."""
    ensure_filesystem_broker_folders()


def ensure_filesystem_broker_folders() -> None:
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
