"""``manage.py bench_routing``: auto-assignment throughput with concurrent workers.

1. A scratch team ``bench-routing`` with ``--agents`` available agents (round-the-clock shifts,
   English and desktop skills, capacity enough for every ticket) and ``--tickets`` new,
   unassigned tickets; whatever an earlier run left is deleted first.
2. ``--workers`` processes (default 2) each call ``ticket_auto_assign`` — what the Celery task
   runs — for every ticket id in the same order, so they contend for the same rows
   (``SKIP LOCKED``): one assigns, the other skips.
3. Prints tickets per second (wall clock, all workers), then checks that every ticket is
   assigned exactly once (one *assigned* event each) and no agent exceeds capacity.
4. Deletes the scratch team's tickets, profiles and users again (``--keep`` leaves them).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import time as clock
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction
from django.utils import timezone

from teams.models import AgentProfile, AgentSkill, Shift, Skill, Team, TeamMembership, User
from tickets.models import Category, Client, Ticket, TicketEvent
from tickets.models.core import OPEN_STATUS_VALUES

TEAM_SLUG = "bench-routing"


def _work(ids_file: str, go_file: str) -> None:
    """Worker mode: say ready, wait for the go file, assign every ticket, print the counts."""
    from pathlib import Path

    from tickets.services.routing import ticket_auto_assign

    ids = json.loads(Path(ids_file).read_text())
    Ticket.objects.exists()  # connect before the clock starts
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while not Path(go_file).exists():
        time.sleep(0.005)
    results: Counter = Counter()
    statements = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    cpu_began = time.process_time()
    with connections["default"].execute_wrapper(count):
        for ticket_id in ids:
            results[ticket_auto_assign(ticket_id=ticket_id).result] += 1
    results["cpu_seconds"] = time.process_time() - cpu_began  # type: ignore[assignment]
    results["statements"] = statements
    sys.stdout.write(json.dumps(results) + "\n")


class Command(BaseCommand):
    help = "Measure auto-assignment throughput with concurrent workers against PostgreSQL."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--tickets", type=int, default=2000)
        parser.add_argument("--agents", type=int, default=20)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--keep", action="store_true")
        parser.add_argument("--worker", nargs=2, metavar=("IDS_FILE", "GO_FILE"), help="internal")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["worker"]:
            _work(*options["worker"])
            return
        self._clean()
        ids, capacity = self._prepare(options["tickets"], options["agents"])
        connections.close_all()
        seconds, total = self._run_workers(ids, options["workers"])
        assigned_events = Counter(
            TicketEvent.objects.filter(ticket_id__in=ids, action="assigned").values_list(
                "ticket_id", flat=True
            )
        )
        loads = Counter(
            Ticket.objects.filter(team__slug=TEAM_SLUG, status__in=OPEN_STATUS_VALUES)
            .exclude(assignee=None)
            .values_list("assignee_id", flat=True)
        )
        unassigned = Ticket.objects.filter(pk__in=ids, assignee=None).count()
        double = sum(1 for count in assigned_events.values() if count > 1)
        over = sum(1 for load in loads.values() if load > capacity)
        assigned = max(total["assigned"], 1)
        self.stdout.write(
            f"per assignment (all workers, skips included): "
            f"{total['statements'] / assigned:.1f} SQL statements (plus BEGIN/COMMIT), "
            f"{total['cpu_seconds'] * 1000 / assigned:.2f} ms CPU in the workers"
        )
        self.stdout.write(
            f"auto-assignment: {len(ids):,} tickets, {options['workers']} workers, "
            f"{options['agents']} agents: {seconds:.2f} s, {len(ids) / seconds:.0f} tickets/s; "
            f"assigned {total['assigned']:,}, skipped {total['skipped']:,}, "
            f"waiting {total['waiting']:,}; double assignments {double}, over capacity {over}, "
            f"left unassigned {unassigned}"
        )
        if not options["keep"]:
            self._clean()
        if double or over or unassigned:
            raise CommandError("auto-assignment broke an invariant (see above)")

    def _run_workers(self, ids: list[int], workers: int) -> tuple[float, Counter]:
        """Start the worker processes, release them together, wait for all of them."""
        with tempfile.TemporaryDirectory() as folder:
            ids_file, go_file = f"{folder}/ids.json", f"{folder}/go"
            with open(ids_file, "w", encoding="utf-8") as handle:
                json.dump(ids, handle)
            command = [sys.executable, "manage.py", "bench_routing", "--worker", ids_file, go_file]
            processes = [
                subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
                for _ in range(workers)
            ]
            for process in processes:
                if process.stdout is None or process.stdout.readline().strip() != "ready":
                    raise CommandError("a worker did not start")
            began = time.perf_counter()
            open(go_file, "w").close()  # noqa: SIM115
            outputs = [process.communicate()[0] for process in processes]
            seconds = time.perf_counter() - began
        total: Counter = Counter()
        for output in outputs:
            total.update(json.loads(output.strip().splitlines()[-1]))
        return seconds, total

    def _clean(self) -> None:
        with transaction.atomic():
            Ticket.objects.filter(team__slug=TEAM_SLUG).delete()
            User.objects.filter(email__endswith="@bench-routing.example").delete()
            Client.objects.filter(email="client@bench-routing.example").delete()
            Team.objects.filter(slug=TEAM_SLUG).delete()

    @transaction.atomic
    def _prepare(self, tickets: int, agents: int) -> tuple[list[int], int]:
        now = timezone.now()
        team = Team.objects.create(name="Bench routing", slug=TEAM_SLUG)
        english, _ = Skill.objects.get_or_create(
            code="en",
            defaults={"kind": Skill.Kind.LANGUAGE, "name_en": "English", "name_zh_hant": "英語"},
        )
        category = Category.objects.filter(slug="desktop").first() or Category.objects.create(
            slug="desktop", name_en="Desktop trading platform", name_zh_hant="桌面交易平台"
        )
        desktop, _ = Skill.objects.get_or_create(
            code="desktop",
            defaults={"kind": Skill.Kind.PRODUCT, "name_en": "Desktop", "name_zh_hant": "桌面"},
        )
        capacity = tickets // agents + 10
        users = User.objects.bulk_create(
            User(email=f"agent{n}@bench-routing.example", full_name=f"Bench Agent {n}")
            for n in range(agents)
        )
        TeamMembership.objects.bulk_create(TeamMembership(team=team, user=user) for user in users)
        AgentProfile.objects.bulk_create(
            AgentProfile(user=user, capacity=capacity, status=AgentProfile.Status.AVAILABLE)
            for user in users
        )
        AgentSkill.objects.bulk_create(
            AgentSkill(user=user, skill=skill) for user in users for skill in (english, desktop)
        )
        Shift.objects.bulk_create(
            Shift(user=user, weekday=day, starts_at=start, ends_at=end)
            for user in users
            for day in range(7)
            for start, end in ((clock(0), clock(12)), (clock(12), clock(0)))
        )
        client = Client.objects.create(name="Bench client", email="client@bench-routing.example")
        created = Ticket.objects.bulk_create(
            Ticket(
                subject=f"Bench routing {n}",
                description="Auto-assignment benchmark.",
                client=client,
                category=category,
                team=team,
                language="en",
                created_at=now,
                updated_at=now,
            )
            for n in range(tickets)
        )
        return [ticket.pk for ticket in created], capacity
