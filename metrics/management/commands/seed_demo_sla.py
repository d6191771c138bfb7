"""``manage.py seed_demo_sla``: SLA calendars, policies and clocks for the demo desk.

Creates three calendars and three policies, then replays each demo ticket's recorded history
(creation, status changes, client messages and public replies, in time order) through the same
clock listener the ticket services call, so every clock, pause and fulfilment is what the live
system would have recorded. Finally records the breaches and warnings that are due now (without
notifications: they are history). Idempotent: does nothing when any SLA policy exists.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from metrics.models import SlaCalendar, SlaClock, SlaClockEvent, SlaPolicy, SlaTicketPolicy
from metrics.services.sla_clocks import (
    sla_apply_change,
    sla_clocks_for_new_ticket,
    sla_policies_in_order,
    sla_policy_matching,
    sla_ticket_columns,
)
from metrics.services.sla_config import (
    TargetInput,
    sla_calendar_save,
    sla_policy_save,
)
from metrics.services.sla_sweep import sla_breach_sweep
from teams.models import User
from tickets import hooks
from tickets.models import Client, Message, Ticket, TicketEvent

OFFICE = {str(day): [["09:00", "18:00"]] for day in range(5)}
HKEX = {str(day): [["09:00", "12:00"], ["13:00", "16:00"]] for day in range(5)}
PENDING = ["pending_client", "on_hold"]


def _targets(calendar: SlaCalendar, minutes: dict[str, int]) -> list[TargetInput]:
    return [
        TargetInput(
            metric=metric,
            minutes=value,
            calendar=calendar,
            pause_statuses=PENDING if metric == "resolution" else (),
        )
        for metric, value in minutes.items()
    ]


class Command(BaseCommand):
    help = "Create demo SLA calendars and policies and replay the demo tickets' clocks."

    def handle(self, *args: Any, **options: Any) -> None:
        if SlaPolicy.objects.exists():
            self.stdout.write("SLA demo data already present; nothing to do.")
            return
        actor = User.objects.filter(groups__name="Administrator", is_active=True).first()
        if actor is None:
            raise CommandError("No administrator: run manage.py seed_demo first.")
        with transaction.atomic():
            self._configure(actor)
        replayed = self._replay()
        now = timezone.now()
        while sla_breach_sweep(now=now, notify=False).breaches:
            pass
        self._report(replayed)

    def _configure(self, actor: Any) -> None:
        office = sla_calendar_save(
            actor=actor,
            calendar=None,
            name="Hong Kong office hours",
            time_zone="Asia/Hong_Kong",
            always_open=False,
            weekly_hours=OFFICE,
            holiday_source=SlaCalendar.HolidaySource.PUBLIC,
        )
        always = sla_calendar_save(
            actor=actor,
            calendar=None,
            name="24×7",
            time_zone="Asia/Hong_Kong",
            always_open=True,
            weekly_hours={},
            holiday_source=SlaCalendar.HolidaySource.NONE,
        )
        sla_calendar_save(
            actor=actor,
            calendar=None,
            name="HKEX trading hours",
            time_zone="Asia/Hong_Kong",
            always_open=False,
            weekly_hours=HKEX,
            holiday_source=SlaCalendar.HolidaySource.MARKET,
            holiday_market="XHKG",
        )
        sla_policy_save(
            actor=actor,
            family=None,
            name="P1 urgent (24×7)",
            position=10,
            priorities=[1],
            warning_percent=75,
            reassign_to_supervisor=True,
            notify_email="dealing-desk@supportdesk.example",
            targets=_targets(
                always,
                {
                    "first_response": 60,
                    "next_response": 120,
                    "periodic_update": 240,
                    "resolution": 24 * 60,
                },
            ),
        )
        sla_policy_save(
            actor=actor,
            family=None,
            name="Institutional clients",
            position=20,
            client_tiers=[Client.Tier.INSTITUTIONAL],
            warning_percent=75,
            raise_priority=True,
            targets=_targets(
                office,
                {
                    "first_response": 120,
                    "next_response": 240,
                    "periodic_update": 9 * 60,
                    "resolution": 4 * 9 * 60,
                },
            ),
        )
        sla_policy_save(
            actor=actor,
            family=None,
            name="Standard",
            position=100,
            warning_percent=80,
            targets=_targets(
                office,
                {
                    "first_response": 4 * 60,
                    "next_response": 9 * 60,
                    "periodic_update": 2 * 9 * 60,
                    "resolution": 10 * 9 * 60,
                },
            ),
        )

    def _replay(self) -> int:
        """Replay every ticket's history in memory, 500 tickets per transaction, and write each
        batch's clocks, events and ticket columns in bulk (the listener would take one round
        trip per change)."""
        policies = sla_policies_in_order()
        ticket_ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ticket_ids), 500):
            with transaction.atomic():
                self._replay_batch(ticket_ids[start : start + 500], policies)
        return len(ticket_ids)

    def _replay_batch(self, ticket_ids: list[int], policies: list[SlaPolicy]) -> None:
        steps: dict[int, dict[Any, dict[str, list]]] = defaultdict(
            lambda: defaultdict(lambda: {"events": [], "messages": []})
        )
        for event in TicketEvent.objects.filter(ticket_id__in=ticket_ids, field="status"):
            steps[event.ticket_id][event.created_at]["events"].append(
                (event.action, "status", event.old_value, event.new_value)
            )
        for message in Message.objects.filter(ticket_id__in=ticket_ids).exclude(kind="note"):
            steps[message.ticket_id][message.created_at]["messages"].append(message)
        all_clocks: list[SlaClock] = []
        all_events: list[SlaClockEvent] = []
        assignments: list[SlaTicketPolicy] = []
        tickets = list(Ticket.objects.filter(pk__in=ticket_ids).select_related("client"))
        for ticket in tickets:
            policy = sla_policy_matching(ticket=ticket, policies=policies)
            if policy is None:
                continue
            final_status = ticket.status
            assignments.append(
                SlaTicketPolicy(ticket=ticket, policy=policy, applied_at=ticket.created_at)
            )
            targets = {target.metric: target for target in policy.targets.all()}
            ticket.status = Ticket.Status.NEW
            clocks = sla_clocks_for_new_ticket(
                ticket=ticket,
                policy=policy,
                at=ticket.created_at,
                events=all_events,
                persist=False,
            )
            for at in sorted(steps[ticket.pk]):
                if at < ticket.created_at:
                    continue
                step = steps[ticket.pk][at]
                for _action, _field, _old, new in step["events"]:
                    ticket.status = new
                change = hooks.TicketChange(
                    ticket=ticket,
                    actor=None,
                    source="web",
                    at=at,
                    events=tuple(step["events"]),
                    messages=tuple(step["messages"]),
                )
                sla_apply_change(
                    change,
                    clocks=clocks,
                    targets=targets,
                    policy=policy,
                    events=all_events,
                    touched=[],
                    persist=False,
                )
            ticket.status = final_status
            ticket.sla_due_at, ticket.sla_breached = sla_ticket_columns(clocks)
            all_clocks += clocks
        SlaTicketPolicy.objects.bulk_create(assignments)
        SlaClock.objects.bulk_create(all_clocks, batch_size=2000)
        for event in all_events:
            event.clock = event.clock  # the clock has its id now
        SlaClockEvent.objects.bulk_create(all_events, batch_size=2000)
        Ticket.objects.bulk_update(tickets, ["sla_due_at", "sla_breached"], batch_size=1000)

    def _report(self, replayed: int) -> None:
        now = timezone.now()
        counts = SlaClock.objects.aggregate(
            clocks=Count("id"),
            met=Count("id", filter=Q(state="fulfilled", breached_at__isnull=True)),
            met_late=Count("id", filter=Q(state="fulfilled", breached_at__isnull=False)),
            breached_open=Count("id", filter=Q(state="breached")),
            at_risk=Count(
                "id",
                filter=Q(state="running", warned_at__isnull=False, due_at__gt=now),
            ),
            due_within_hour=Count(
                "id",
                filter=Q(state="running", due_at__gt=now, due_at__lte=now + timedelta(hours=1)),
            ),
        )
        self.stdout.write(
            "SLA demo: {tickets} tickets replayed; {clocks} clocks: {met} met, "
            "{met_late} met late, "
            "{breached_open} breached and still open, {at_risk} at risk now (past the warning "
            "threshold), {due_within_hour} due within the hour.".format(tickets=replayed, **counts)
        )
