"""Benchmark the SLA breach sweep: 100,000 running clocks of which 1,000 are due (target < 1 s).

Everything is written inside one transaction that is rolled back at the end, so the database
is left as it was. Tickets for the clocks are the database's own (cloned in bulk, inside the
same transaction, when there are fewer than clocks / 4).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from metrics.models import SlaCalendar, SlaPolicy
from metrics.services.sla_sweep import sla_breach_sweep
from tickets.models import Ticket

METRICS = ("first_response", "next_response", "periodic_update", "resolution")

_INSERT_CLOCKS = """
INSERT INTO metrics_slaclock (ticket_id, policy_id, calendar_id, metric, state, target,
    pause_statuses, warning_percent, started_at, since, elapsed, paused_total, due_at, warn_at,
    pause_reason)
SELECT t.id, %(policy)s, %(calendar)s, m.metric, 'running', interval '8 hours', '{}', 75,
       %(now)s - interval '1 hour', %(now)s - interval '1 hour', interval '0', interval '0',
       CASE WHEN n.k <= %(due)s THEN %(now)s - (n.k * interval '1 second')
            ELSE %(now)s + (n.k * interval '5 seconds') END,
       CASE WHEN n.k <= %(due)s THEN %(now)s - interval '2 hours'
            ELSE %(now)s + (n.k * interval '4 seconds') END,
       ''
FROM (SELECT id, row_number() OVER (ORDER BY id) AS r FROM tickets_ticket
      WHERE id = ANY(%(tickets)s)) AS t
CROSS JOIN unnest(%(metrics)s::text[]) WITH ORDINALITY AS m(metric, i)
CROSS JOIN LATERAL (SELECT ((t.r - 1) * 4 + m.i) AS k) AS n
WHERE n.k <= %(clocks)s
"""


class Command(BaseCommand):
    help = "Time one SLA sweep over N running clocks of which D are due (rolled back after)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--clocks", type=int, default=100_000)
        parser.add_argument("--due", type=int, default=1_000)

    def handle(self, *args: Any, **options: Any) -> None:
        clocks, due = options["clocks"], options["due"]
        with transaction.atomic():
            self._run(clocks, due)
            transaction.set_rollback(True)

    def _run(self, clocks: int, due: int) -> None:
        now = timezone.now()
        needed = -(-clocks // len(METRICS))
        ticket_ids = list(
            Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES)
            .exclude(sla_clocks__state__in=("running", "paused", "breached"))
            .order_by("pk")
            .values_list("pk", flat=True)[:needed]
        )
        if len(ticket_ids) < needed:
            template = Ticket.objects.order_by("pk").first()
            clones = []
            for _ in range(needed - len(ticket_ids)):
                clone = Ticket(
                    **{
                        field.attname: getattr(template, field.attname)
                        for field in Ticket._meta.concrete_fields
                        if not field.primary_key
                    }
                )
                clone.status, clone.resolution_code_id, clone.merged_into_id = "open", None, None
                clones.append(clone)
            ticket_ids += [ticket.pk for ticket in Ticket.objects.bulk_create(clones, 5000)]
        calendar = SlaCalendar.objects.create(
            name=f"bench {now.timestamp()}", always_open=True, holiday_source="none"
        )
        policy = SlaPolicy.objects.create(
            family=2_000_000_000, name="bench", position=0, created_at=now, is_active=False
        )
        with connection.cursor() as cursor:
            cursor.execute(
                _INSERT_CLOCKS,
                {
                    "policy": policy.pk,
                    "calendar": calendar.pk,
                    "now": now,
                    "due": due,
                    "tickets": ticket_ids,
                    "metrics": list(METRICS),
                    "clocks": clocks,
                },
            )
            inserted = cursor.rowcount
            cursor.execute("ANALYZE metrics_slaclock")
        began = time.perf_counter()
        result = sla_breach_sweep(now=now)
        first = time.perf_counter() - began
        began = time.perf_counter()
        again = sla_breach_sweep(now=now)
        second = time.perf_counter() - began
        self.stdout.write(
            f"sla sweep: {inserted:,} running clocks, {result.breaches:,} due: "
            f"{first:.2f} s (target < 1 s); rerun {again.breaches} new in {second * 1000:.0f} ms"
        )
