"""A webhook delivered end to end by a real Celery worker through the configured broker
(Redis in CI): a ticket is created, the delivery is queued on commit, the worker signs and sends
it to a local HTTP server and records the outcome in the database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.factories import CategoryFactory, ClientFactory
from tests.tickets.test_webhooks import Receiver
from tests.workers import database_url
from tickets.models import WebhookDelivery
from tickets.services.tickets import ticket_create
from tickets.services.webhooks import webhook_create

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.timeout_sensitive
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_a_signed_webhook(administrator, agent, team_a, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    receiver = Receiver()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        "DATABASE_URL": database_url(),
        "DATABASE_POOL": "0",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "WEBHOOK_ALLOW_PRIVATE_TARGETS": "1",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "supportdesk", "worker", "--pool", "solo",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "WARNING"],
        cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        hook = webhook_create(actor=administrator, url=receiver.url, events=["ticket.created"])
        ticket = ticket_create(
            actor=agent,
            client=ClientFactory(),
            subject="Quotes frozen",
            description="Since the open.",
            category=CategoryFactory(),
            team=team_a,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not receiver.received:
            assert worker.poll() is None, worker.stdout.read().decode()[-2000:]
            time.sleep(0.2)
        assert receiver.received, "the worker delivered nothing within 60 s"
        delivery = WebhookDelivery.objects.get(webhook=hook)
        for _ in range(50):
            delivery.refresh_from_db()
            if delivery.status == "succeeded":
                break
            time.sleep(0.1)
        assert (delivery.status, delivery.attempts, delivery.response_status) == (
            "succeeded", 1, 200,
        )  # fmt: skip
        headers = receiver.received[0]["headers"]
        assert headers["X-SupportDesk-Event"] == "ticket.created"
        assert headers["X-SupportDesk-Signature"].startswith("sha256=")
        assert str(ticket.pk).encode() in receiver.received[0]["body"]
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        receiver.close()
