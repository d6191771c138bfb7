"""Benchmark the SLA business-hours calendar engine (no database involved)."""

import random
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandParser

from metrics.calendars import hong_kong_business_calendar

HONG_KONG = ZoneInfo("Asia/Hong_Kong")
YEAR_START = datetime(2026, 1, 1, tzinfo=HONG_KONG)
YEAR_SECONDS = 365 * 24 * 3600


class Command(BaseCommand):
    help = (
        "Time add_business_time (random 1-200 business hours from random 2026 starts) and "
        "business_time_between (random spans of up to 60 days) on the Hong Kong calendar."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--calls", type=int, default=100_000, help="calls per method")
        parser.add_argument("--seed", type=int, default=2026, help="random seed for the inputs")

    def handle(self, *args: Any, **options: Any) -> None:
        calls: int = options["calls"]
        generator = random.Random(options["seed"])  # noqa: S311 - benchmark inputs, not secrets
        starts = [
            YEAR_START + timedelta(seconds=generator.randrange(YEAR_SECONDS)) for _ in range(calls)
        ]
        durations = [timedelta(seconds=generator.randint(3_600, 200 * 3_600)) for _ in range(calls)]
        ends = [start + timedelta(seconds=generator.randrange(60 * 86_400)) for start in starts]

        # A fresh calendar: the timings include building its per-year indexes.
        calendar = hong_kong_business_calendar()
        began = time.perf_counter()
        for start, duration in zip(starts, durations, strict=True):
            calendar.add_business_time(start, duration)
        self._report("add_business_time", calls, time.perf_counter() - began)

        began = time.perf_counter()
        for start, end in zip(starts, ends, strict=True):
            calendar.business_time_between(start, end)
        self._report("business_time_between", calls, time.perf_counter() - began)

    def _report(self, name: str, calls: int, seconds: float) -> None:
        rate = calls / seconds if seconds else float("inf")
        self.stdout.write(f"{name}: {calls} calls in {seconds:.2f} s ({rate:,.0f} calls/s)")
