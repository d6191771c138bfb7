"""A weekly report generated end to end by a real Celery worker through Redis: a manager's
request queues ``metrics.report_generate`` on commit, the worker process renders the PDF
(WeasyPrint, CJK fonts) into the shared media folder and marks the archived ``Report`` done."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from metrics.models import Report
from metrics.services.reports import report_request
from tests.metrics.conftest import WEEK
from tests.workers import database_url

BASE_DIR = Path(__file__).resolve().parents[2]


def _redis_url() -> str:
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        pytest.skip("CELERY_BROKER_URL is not Redis")
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {url}")
    return url


@pytest.mark.timeout_sensitive
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_generates_the_archived_report(
    week_tickets, manager, team_a, settings, tmp_path
):
    redis_url = _redis_url()
    media = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "supportdesk.test_settings",
        "DATABASE_URL": database_url(),
        "DATABASE_POOL": "0",
        "CELERY_BROKER_URL": redis_url,
        "MEDIA_ROOT": str(media),
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "supportdesk", "worker", "--pool", "solo",
         "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel", "INFO"],
        cwd=BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        # Outside a test transaction: the request commits and queues the task on commit.
        report = report_request(
            actor=manager, team=team_a, period_start=WEEK.start, language="zh-hant"
        )
        assert Report.objects.get(pk=report.pk).status == Report.Status.QUEUED
        deadline = time.monotonic() + 120
        while True:
            report.refresh_from_db()
            if report.status in (Report.Status.DONE, Report.Status.FAILED):
                break
            assert worker.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.5)
        assert (report.status, report.attempts, report.error) == (Report.Status.DONE, 1, "")
        assert report.generated_at is not None
        assert report.file.name.startswith("reports/")
        with report.file.open("rb") as handle:
            assert handle.read(5) == b"%PDF-"
        assert (media / report.file.name).stat().st_size > 10_000
        assert "metrics.report_generate" in log.read_text()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
