"""Reads for the supervisor's board, computed in SQL: a fixed number of queries whatever the
size of the desk (each panel is one query with a limit; counts are one aggregate)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from teams import access
from teams.models import TeamMembership, User
from teams.shifts import on_shift
from tickets.models import Escalation, InternalTeam, Ticket
from tickets.models.core import OPEN_STATUS_VALUES
from tickets.selectors.routing import open_ticket_count

PANEL_LIMIT = 15
CURRENT_TICKETS_SHOWN = 5
# A ticket whose next SLA deadline is this close is "at risk".
AT_RISK_WINDOW = timedelta(hours=2)

_TICKET_RELATED = ("client", "team", "assignee")


@dataclass
class BoardData:
    """Everything the board shows for the teams one user supervises."""

    teams: list[tuple[int, str]]
    counts: dict[str, int] = field(default_factory=dict)
    escalations: list[Escalation] = field(default_factory=list)
    at_risk: list[Ticket] = field(default_factory=list)
    at_risk_has_sla: bool = True
    unassigned: list[Ticket] = field(default_factory=list)
    internal_waiting: list[Escalation] = field(default_factory=list)
    agents: list[TeamMembership] = field(default_factory=list)
    internal_teams: list[InternalTeam] = field(default_factory=list)


def _open_tickets(team_ids: list[int]) -> QuerySet[Ticket]:
    return Ticket.objects.filter(team_id__in=team_ids, status__in=OPEN_STATUS_VALUES)


def board_counts(*, team_ids: list[int], now: datetime) -> dict[str, int]:
    """Open, unassigned, escalated and breached tickets of the teams (one aggregate query)."""
    return _open_tickets(team_ids).aggregate(
        open=Count("id"),
        unassigned=Count("id", filter=Q(assignee__isnull=True)),
        escalated=Count("id", filter=Q(escalation_level__gt=0)),
        breached=Count("id", filter=Q(sla_breached=True) | Q(sla_due_at__lt=now)),
    )


def board_escalations_waiting(*, team_ids: list[int]) -> list[Escalation]:
    """Open tier-2 escalations: waiting for the supervisors, oldest first."""
    return list(
        Escalation.objects.filter(
            level=Escalation.Level.TIER2,
            de_escalated_at__isnull=True,
            ticket__team_id__in=team_ids,
        )
        .select_related("escalated_by", *(f"ticket__{name}" for name in _TICKET_RELATED))
        .order_by("escalated_at", "id")[:PANEL_LIMIT]
    )


def board_at_risk(*, team_ids: list[int], now: datetime) -> tuple[list[Ticket], bool]:
    """Breached tickets and those due within ``AT_RISK_WINDOW``, by time to breach (then
    priority, age). Until SLA clocks exist (no due time anywhere in the window), the most urgent
    and oldest open tickets instead; the flag says which."""
    with_clock = list(
        _open_tickets(team_ids)
        .filter(Q(sla_breached=True) | Q(sla_due_at__lte=now + AT_RISK_WINDOW))
        .select_related(*_TICKET_RELATED)
        .order_by(F("sla_due_at").asc(nulls_last=True), "priority", "created_at", "id")[
            :PANEL_LIMIT
        ]
    )
    if with_clock:
        return with_clock, True
    by_priority = list(
        _open_tickets(team_ids)
        .select_related(*_TICKET_RELATED)
        .order_by("priority", "id")[:PANEL_LIMIT]
    )
    return by_priority, False


def board_unassigned(*, team_ids: list[int]) -> list[Ticket]:
    """Open tickets nobody owns, most urgent and oldest first."""
    return list(
        _open_tickets(team_ids)
        .filter(assignee__isnull=True)
        .select_related(*_TICKET_RELATED)
        .order_by("priority", "id")[:PANEL_LIMIT]
    )


def board_internal_waiting(*, team_ids: list[int]) -> list[Escalation]:
    """Tickets handed off to internal teams and not answered yet, longest waiting first."""
    return list(
        Escalation.objects.filter(
            level=Escalation.Level.INTERNAL,
            de_escalated_at__isnull=True,
            answered_at__isnull=True,
            ticket__team_id__in=team_ids,
        )
        .select_related("internal_team", *(f"ticket__{name}" for name in _TICKET_RELATED))
        .order_by("handed_off_at", "id")[:PANEL_LIMIT]
    )


def board_agents(*, team_ids: list[int], now: datetime) -> list[TeamMembership]:
    """Every member of the teams with status, capacity, whether on shift, their open tickets
    (all teams: capacity is per person) and the ids of up to five of them, most urgent first."""
    current = (
        Ticket.objects.filter(assignee_id=OuterRef("user_id"), status__in=OPEN_STATUS_VALUES)
        .order_by("priority", "id")
        .values("id")[:CURRENT_TICKETS_SHOWN]
    )
    return list(
        TeamMembership.objects.filter(team_id__in=team_ids)
        .select_related("user", "user__agent_profile", "team")
        .annotate(
            open_count=open_ticket_count(OuterRef("user_id")),
            current_ticket_ids=ArraySubquery(current),
            is_on_shift=_member_on_shift(now),
        )
        .order_by("team__name", "role", "user__full_name", "user_id")
    )


def _member_on_shift(now: datetime) -> Exists:
    # ``teams.shifts.on_shift`` is a condition on User rows; memberships reach it via user.
    return Exists(User.objects.filter(on_shift(now), pk=OuterRef("user_id")))


def board_for(*, user: Any, now: datetime | None = None) -> BoardData:
    """The board of ``user`` (the teams they supervise; every team for administrators)."""
    now = now or timezone.now()
    teams = list(access.teams_supervised_by(user).order_by("name").values_list("pk", "name"))
    team_ids = [pk for pk, _name in teams]
    at_risk, has_sla = board_at_risk(team_ids=team_ids, now=now)
    return BoardData(
        teams=teams,
        counts=board_counts(team_ids=team_ids, now=now),
        escalations=board_escalations_waiting(team_ids=team_ids),
        at_risk=at_risk,
        at_risk_has_sla=has_sla,
        unassigned=board_unassigned(team_ids=team_ids),
        internal_waiting=board_internal_waiting(team_ids=team_ids),
        agents=board_agents(team_ids=team_ids, now=now),
        internal_teams=list(InternalTeam.objects.filter(is_active=True).order_by("name")),
    )
