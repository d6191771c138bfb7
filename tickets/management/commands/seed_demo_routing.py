"""Demo data for routing and escalations, on top of ``seed_demo``. Idempotent: every step adds
only what is missing, so running it twice changes nothing.

1. Internal teams (Platform Engineering, Trading Desk, Market Data, Account Operations,
   Compliance) with contact emails.
2. Ordered routing rules (when there are none): API, FIX and market data to Platform Tier 2;
   account, funding and statements to Account Services; institutional clients' connectivity to
   Platform Tier 2; everything else to Technical Assistance HK.
3. For agents without them: an agent profile (capacity, status: available when on shift now,
   else away) and weekly shifts in three rotations that cover 24 hours (07:00–15:00,
   15:00–23:00 and 23:00–07:00 overnight) in each agent's own time zone.
4. Escalations in every state (when there are none): tier 2 waiting for the supervisors, handed
   off to internal teams and waiting, answered, and de-escalated; tickets seeded as escalated
   get their tier-2 record.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from teams.models import AgentProfile, Shift, Team, TeamMembership, User
from teams.shifts import is_on_shift
from tickets.models import Category, Escalation, InternalTeam, RoutingRule, Ticket
from tickets.models.core import OPEN_STATUS_VALUES
from tickets.services import escalations as escalation_services
from tickets.services.tickets import ticket_escalate

INTERNAL_TEAMS = (
    ("Platform Engineering", "platform-eng@brokerage.example", "Trading platform, web and apps."),
    ("Trading Desk", "trading-desk@brokerage.example", "Orders, executions and trade breaks."),
    ("Market Data", "market-data@brokerage.example", "Quotes, feeds and exchange entitlements."),
    ("Account Operations", "account-ops@brokerage.example", "Account opening, KYC, funding."),
    ("Compliance", "compliance@brokerage.example", "Regulatory questions and complaints."),
)

# (name, category slug or "", language, client tier, channel, team slug)
RULES = (
    ("Trading API to Platform Tier 2", "api", "", "", "", "platform-t2"),
    ("FIX connectivity to Platform Tier 2", "connectivity", "", "", "", "platform-t2"),
    ("Market data to Platform Tier 2", "market-data", "", "", "", "platform-t2"),
    (
        "Institutional clients by phone to Platform Tier 2",
        "",
        "",
        "institutional",
        "phone",
        "platform-t2",
    ),
    ("Account setup to Account Services", "account-setup", "", "", "", "accounts"),
    ("Deposits and withdrawals to Account Services", "funding", "", "", "", "accounts"),
    ("Statements and tax to Account Services", "statements-tax", "", "", "", "accounts"),
    ("Everything else to Technical Assistance HK", "", "", "", "", "tech-hk"),
)

ROTATIONS = ((time(7), time(15)), (time(15), time(23)), (time(23), time(7)))


class Command(BaseCommand):
    help = "Add routing rules, internal teams, agent profiles and shifts, and escalations."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        teams = {team.slug: team for team in Team.objects.all()}
        if not teams:
            self.stdout.write("No teams yet: run seed_demo first.")
            return
        internal = self._internal_teams()
        self._rules(teams)
        self._profiles_and_shifts()
        self._escalations(internal)
        self.stdout.write(self.style.SUCCESS("Routing and escalation demo data ready."))

    def _internal_teams(self) -> dict[str, InternalTeam]:
        result = {}
        for name, email, description in INTERNAL_TEAMS:
            team, _created = InternalTeam.objects.get_or_create(
                name=name, defaults={"contact_email": email, "description": description}
            )
            result[name] = team
        return result

    def _rules(self, teams: dict[str, Team]) -> None:
        if RoutingRule.objects.exists():
            return
        categories = {category.slug: category for category in Category.objects.all()}
        RoutingRule.objects.bulk_create(
            RoutingRule(
                name=name,
                position=position,
                category=categories.get(slug) if slug else None,
                language=language,
                client_tier=tier,
                channel=channel,
                team=teams[team],
            )
            for position, (name, slug, language, tier, channel, team) in enumerate(RULES, 1)
            if team in teams and (not slug or slug in categories)
        )

    def _profiles_and_shifts(self) -> None:
        now = timezone.now()
        agents = (
            User.objects.filter(memberships__isnull=False, is_active=True)
            .distinct()
            .annotate(
                held=Count(
                    "assigned_tickets", filter=Q(assigned_tickets__status__in=OPEN_STATUS_VALUES)
                )
            )
            .order_by("email")
        )
        for index, user in enumerate(agents):
            if not Shift.objects.filter(user=user).exists():
                start, end = ROTATIONS[index % len(ROTATIONS)]
                Shift.objects.bulk_create(
                    Shift(user=user, weekday=day, starts_at=start, ends_at=end)
                    for day in range(7)
                    if day != (index % 7)  # one day off a week
                )
            if not AgentProfile.objects.filter(user=user).exists():
                on_shift = is_on_shift(user, now)
                AgentProfile.objects.create(
                    user=user,
                    capacity=max(10, user.held + index % 4),
                    status=AgentProfile.Status.AVAILABLE if on_shift else AgentProfile.Status.AWAY,
                    status_changed_at=now,
                    status_set_automatically=not on_shift,
                )

    def _escalations(self, internal: dict[str, InternalTeam]) -> None:
        if Escalation.objects.exists():
            return
        now = timezone.now()
        # Tickets seed_demo marked escalated get the record the board reads.
        Escalation.objects.bulk_create(
            Escalation(
                ticket=ticket,
                level=Escalation.Level.TIER2,
                reason="Escalated before routing records existed (demo history).",
                escalated_by=ticket.assignee,
                escalated_at=ticket.updated_at,
                returned_to=ticket.assignee,
            )
            for ticket in Ticket.objects.filter(
                escalation_level__gt=0, status__in=OPEN_STATUS_VALUES
            ).select_related("assignee")
        )
        candidates = list(
            Ticket.objects.filter(
                status__in=("open", "new"), escalation_level=0, assignee__isnull=False
            )
            .select_related("assignee", "team")
            .order_by("id")[:7]
        )
        if len(candidates) < 7:
            return
        plans = (
            (
                None,
                "Client says a fee was charged twice and wants it refunded today.",
                "waiting",
                3,
            ),
            (
                "Platform Engineering",
                "Orders stuck in 'pending' for this account since 09:30.",
                "waiting",
                5,
            ),
            (
                "Trading Desk",
                "Client disputes the execution price of an HKEX order.",
                "waiting",
                26,
            ),
            (
                "Market Data",
                "Level 2 quotes for HKEX missing in the desktop platform.",
                "answered",
                8,
            ),
            ("Compliance", "Client asks for all communications under the PDPO.", "closed", 48),
            ("Account Operations", "Deposit from HSBC not credited after two days.", "waiting", 2),
            (None, "VIP client unhappy with response times.", "closed", 30),
        )
        supervisors = {
            membership.team_id: membership.user
            for membership in TeamMembership.objects.filter(role=TeamMembership.Role.SUPERVISOR)
        }
        for ticket, (team_name, reason, state, hours_ago) in zip(candidates, plans, strict=True):
            target = internal.get(team_name) if team_name else None
            ticket_escalate(
                actor=ticket.assignee,
                ticket=ticket,
                reason=reason,
                internal_team=target,
                source="web",
            )
            escalation = Escalation.objects.get(ticket=ticket, de_escalated_at__isnull=True)
            back = now - timedelta(hours=hours_ago)
            Escalation.objects.filter(pk=escalation.pk).update(
                escalated_at=back, handed_off_at=back if target else None
            )
            supervisor = supervisors.get(ticket.team_id)
            if state == "waiting" and target is None and supervisor is not None:
                escalation_services.escalation_set_update_interval(
                    actor=supervisor, escalation=escalation, minutes=60
                )
            if state == "answered":
                escalation_services.escalation_record_answer(
                    actor=ticket.assignee,
                    escalation=escalation,
                    answer="Feed entitlement restored for the account; quotes flow again.",
                )
            if state == "closed" and (supervisor is not None or target is not None):
                escalation_services.escalation_de_escalate(
                    actor=supervisor if target is None else ticket.assignee,
                    escalation=escalation,
                    note="Handled; back to the agent.",
                )
