"""Timings of the reporting pages at the database's current size (``make bench`` calls this).

* The desk dashboard for a 4-week range, rendered in-process through Django's test client as
  the demo manager (no HTTP server, so the figures are the view's own cost: SQL + Python +
  template), ``--runs`` times; p50 / p95 / max and the SQL queries of one page.
* The weekly desk PDF (the figures and the WeasyPrint rendering), ``--pdf-runs`` times.

Nothing is written except one report row of the benchmark's own (``language`` of the manager),
which is regenerated each run.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from metrics.models import Report
from metrics.services import reports as services
from teams.models import User

MANAGER_EMAIL = "manager@supportdesk.example"


class Command(BaseCommand):
    help = "Time the desk dashboard (4 weeks) and the weekly desk PDF."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--pdf-runs", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        manager = User.objects.filter(email=MANAGER_EMAIL).first()
        if manager is None:
            raise CommandError("No demo manager: run seed_demo first.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM tickets_ticket")
            tickets = cursor.fetchone()[0]
        client = Client(HTTP_HOST="localhost")
        client.force_login(manager)
        end = timezone.localdate() - timedelta(days=1)
        query = {"start": (end - timedelta(days=27)).isoformat(), "end": end.isoformat()}
        url = reverse("metrics:desk")
        # The request resets connection.queries at its start: read it after the request.
        connection.force_debug_cursor = True
        first = client.get(url, query)
        queries = list(connection.queries)
        connection.force_debug_cursor = False
        if first.status_code != 200:
            raise CommandError(f"desk dashboard answered {first.status_code}")
        timings = []
        for _ in range(options["runs"]):
            began = time.perf_counter()
            response = client.get(url, query)
            timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200  # noqa: S101 - a benchmark sanity check
        timings.sort()
        p95 = timings[max(0, round(0.95 * len(timings)) - 1)]
        verdict = "ok" if p95 <= 1000 else "MISSED"
        self.stdout.write(
            f"Desk dashboard, 4 weeks ({tickets:,} tickets, in-process, {len(queries)} SQL): "
            f"p50 {statistics.median(timings):.0f} ms, p95 {p95:.0f} ms, max {timings[-1]:.0f} "
            f"ms over {len(timings)} runs; target p95 ≤ 1000 ms {verdict}"
        )
        start, period_end = services.previous_week(timezone.localdate())
        report, _created = Report.objects.get_or_create(
            team=None, period_start=start, language="zh-hant", defaults={"period_end": period_end}
        )
        pdf_timings = []
        for _ in range(options["pdf_runs"]):
            Report.objects.filter(pk=report.pk).update(status=Report.Status.QUEUED)
            began = time.perf_counter()
            services.report_generate(report_id=report.pk)
            pdf_timings.append(time.perf_counter() - began)
        report.refresh_from_db()
        verdict = "ok" if max(pdf_timings) <= 15 else "MISSED"
        self.stdout.write(
            f"Weekly desk PDF (zh-hant, {report.file.size:,} bytes): "
            + ", ".join(f"{seconds:.1f} s" for seconds in pdf_timings)
            + f"; target ≤ 15 s {verdict}"
        )
