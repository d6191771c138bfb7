"""End to end with a real Celery worker on the Redis broker and the loopback SMTP server: a
reply committed by the web process is sent by the worker; with SMTP down the mail stays failed
with its error, and once SMTP is back the resend sweep gets it delivered exactly once."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from supportdesk.celery import app as celery_app
from tests.factories import CategoryFactory, ClientFactory
from tickets.mail import outbound
from tickets.models import OutboundEmail
from tickets.services import tickets as services

BASE_DIR = Path(__file__).resolve().parents[3]

pytestmark = [
    pytest.mark.timeout_sensitive,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not django_settings.CELERY_BROKER_URL.startswith("redis://"),
        reason="needs the Redis broker (CI and the developers' CELERY_BROKER_URL)",
    ),
]


def _database_url() -> str:
    info = connection.settings_dict
    password = f":{quote(info['PASSWORD'])}" if info.get("PASSWORD") else ""
    host = info.get("HOST") or "127.0.0.1"
    port = info.get("PORT") or 5432
    return f"postgresql://{quote(info['USER'])}{password}@{host}:{port}/{info['NAME']}"


@pytest.fixture
def worker(smtp_server, tmp_path):
    """``celery worker`` in a subprocess on the test database, mailing to the loopback SMTP."""
    celery_app.control.purge()
    log = tmp_path / "worker.log"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        "DATABASE_URL": _database_url(),
        "DATABASE_POOL": "0",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_server.port),
        "EMAIL_TIMEOUT": "5",
        "SUPPORTDESK_VAR_DIR": str(tmp_path / "var"),
        "SECRET_KEY": django_settings.SECRET_KEY,
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "supportdesk",
            "worker",
            "--pool",
            "solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        cwd=BASE_DIR,
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while "ready" not in log.read_text():
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.2)
    yield log
    process.terminate()
    process.wait(timeout=30)


def _wait_for(predicate, log: Path, seconds: int = 30) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.2)


def test_a_real_worker_sends_and_the_sweep_recovers_from_smtp_down(
    agent, team_a, smtp_server, worker
):
    ticket = services.ticket_create(
        actor=None,
        client=ClientFactory(email="wong@mail.example"),
        subject="Statement missing",
        description="Where is my October statement?",
        category=CategoryFactory(),
        team=team_a,
    )
    _wait_for(lambda: len(smtp_server.received) == 1, worker)
    assert OutboundEmail.objects.get(ticket=ticket).status == "sent"

    smtp_server.stop()
    reply = services.message_add_reply(actor=agent, ticket=ticket, body="It is online now.")
    email = OutboundEmail.objects.get(message=reply)
    _wait_for(lambda: OutboundEmail.objects.get(pk=email.pk).status == "failed", worker)
    email.refresh_from_db()
    assert "ConnectionRefusedError" in email.last_error

    smtp_server.start()
    later = timezone.now() + timedelta(minutes=30)
    assert outbound.outbound_resend_due(now=later) == 1
    _wait_for(lambda: OutboundEmail.objects.get(pk=email.pk).status == "sent", worker)
    assert [m["Message-ID"] for m in smtp_server.messages()] == [
        OutboundEmail.objects.get(ticket=ticket, kind="received").email_message_id,
        email.email_message_id,
    ]
