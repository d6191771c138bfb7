"""The Celery application. Fixed cadences are declared in code below; schedules that people edit
at run time (the weekly report) live in django-celery-beat's database scheduler."""

import os
from pathlib import Path

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")

app = Celery("supportdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Outgoing mail to clients: queue again what the broker lost or SMTP refused (every 5 minutes).
app.conf.beat_schedule = {
    **(app.conf.beat_schedule or {}),
    "tickets.outbound_resend": {
        "task": "tickets.outbound_resend",
        "schedule": 5 * 60,
        "options": {"expires": 7 * 60},
    },
}


@worker_init.connect
def _prepare_filesystem_broker(**_kwargs: object) -> None:
    """kombu's filesystem transport needs its folders to exist before the first message."""
    ensure_filesystem_broker_folders()


def ensure_filesystem_broker_folders() -> None:
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
