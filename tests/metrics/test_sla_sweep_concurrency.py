"""Exactly once under concurrency, against PostgreSQL: two sweeps at once in separate
connections, and the beat task executed by a real Celery worker through Redis."""

import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from metrics.models import Metric, SlaClock, SlaClockEvent
from metrics.services.sla_sweep import sla_breach_sweep
from tests.factories import TicketFactory
from tests.metrics.factories import SlaCalendarFactory, SlaPolicyFactory
from tickets.models import Notification

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("SLA_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
CLOCKS = 300


def _due_clocks(team, count: int) -> list[SlaClock]:
    """``count`` running first-response clocks, all past their warning and due times."""
    calendar = SlaCalendarFactory()
    policy = SlaPolicyFactory()
    now = timezone.now()
    tickets = TicketFactory.create_batch(count, team=team, status="open")
    return SlaClock.objects.bulk_create(
        SlaClock(
            ticket=ticket,
            policy=policy,
            calendar=calendar,
            metric=Metric.FIRST_RESPONSE,
            state=SlaClock.State.RUNNING,
            target=timedelta(hours=1),
            started_at=now - timedelta(hours=2),
            since=now - timedelta(hours=2),
            due_at=now - timedelta(hours=1) + timedelta(seconds=index % 60),
            warn_at=now - timedelta(minutes=75),
        )
        for index, ticket in enumerate(tickets)
    )


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_record_each_breach_once(team_a, supervisor, monkeypatch):
    queued: list[list[int]] = []
    monkeypatch.setattr("metrics.tasks.sla.sla_send_emails_task.delay", queued.append)
    _due_clocks(team_a, CLOCKS)
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []
    now = timezone.now()

    def sweep() -> None:
        try:
            barrier.wait()
            # Small batches so that the two sweeps interleave over many statements.
            for _round in range(CLOCKS):
                result = sla_breach_sweep(now=now, limit=7)
                results.append(result.breaches)
                if not result.breaches:
                    break
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sum(results) == CLOCKS
    per_clock = (
        SlaClockEvent.objects.filter(kind=SlaClockEvent.Kind.BREACHED)
        .values("clock")
        .annotate(n=Count("id"))
    )
    assert {row["n"] for row in per_clock} == {1}
    assert per_clock.count() == CLOCKS
    assert not SlaClockEvent.objects.filter(kind=SlaClockEvent.Kind.WARNING).exists()
    assert Notification.objects.filter(kind="sla").count() == CLOCKS  # the team's supervisor
    assert SlaClock.objects.filter(state="breached").count() == CLOCKS
    assert sum(len(ids) for ids in queued) == CLOCKS


def _worker_database_url() -> str:
    """The test database, as a URL for the worker process."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgresql://{db['USER']}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.mark.timeout_sensitive
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_runs_on_a_real_celery_worker_with_redis(team_a, supervisor, tmp_path):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    _due_clocks(team_a, 20)
    queue = f"sla-test-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    environment = {
        **os.environ,
        "DATABASE_URL": _worker_database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "supportdesk.test_settings",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "supportdesk",
            "worker",
            "--pool",
            "solo",
            "-Q",
            f"{queue},celery",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "info",
        ],
        cwd=BASE_DIR,
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        from supportdesk.celery import app

        with app.connection_for_write(REDIS_URL) as broker:
            # The same message twice: a redelivery must not record anything twice.
            for _ in range(2):
                app.send_task("metrics.sla_breach_sweep", connection=broker, queue=queue)
        deadline = time.monotonic() + 90
        events = SlaClockEvent.objects.filter(kind=SlaClockEvent.Kind.BREACHED)
        while events.filter(emailed_at__isnull=False).count() < 20:
            assert worker.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
        time.sleep(1)
        assert events.count() == 20
        assert events.values("clock").distinct().count() == 20
        assert "metrics.sla_breach_sweep" in log.read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
