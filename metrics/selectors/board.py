"""Reads for the supervisor's board, computed in SQL: a fixed number of queries whatever the
size of the desk (each panel is one query with a limit; counts are one aggregate).

The panels read only the columns their rows show (``values_list`` into small row objects, no
model instances): at the board's budget (about 10 ms per request, refreshed every 5 seconds by
every supervisor) building 60 tickets with their client, team and assignee instances costs more
than the queries themselves."""

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


@dataclass(slots=True)
class BoardTicket:
    """One ticket row of a panel. The escalation fields are set in the two escalation panels
    (``escalated_by_name`` is None when nobody is recorded, "" for a user without a name)."""

    id: int
    priority: int
    subject: str
    team_id: int
    team_name: str
    assignee_id: int | None
    assignee_name: str | None
    sla_due_at: datetime | None
    sla_breached: bool
    created_at: datetime
    escalated_at: datetime | None = None
    escalated_by_name: str | None = None
    reason: str = ""
    internal_team_name: str = ""
    handed_off_at: datetime | None = None

    @property
    def reference(self) -> str:
        return f"SD-{self.id:06d}"


@dataclass(slots=True)
class BoardAgent:
    """One member of a supervised team: status and capacity come from the agent profile (None
    without one), ``open_count`` counts their open tickets in every team."""

    user_id: int
    team_id: int
    team_name: str
    role: str
    full_name: str
    email: str
    status: str | None
    capacity: int | None
    open_count: int
    current_ticket_ids: list[int]
    is_on_shift: bool


@dataclass
class BoardData:
    """Everything the board shows for the teams one user supervises."""

    teams: list[tuple[int, str]]
    counts: dict[str, int] = field(default_factory=dict)
    escalations: list[BoardTicket] = field(default_factory=list)
    at_risk: list[BoardTicket] = field(default_factory=list)
    at_risk_has_sla: bool = True
    unassigned: list[BoardTicket] = field(default_factory=list)
    internal_waiting: list[BoardTicket] = field(default_factory=list)
    agents: list[BoardAgent] = field(default_factory=list)
    internal_teams: list[tuple[int, str]] = field(default_factory=list)

    @property
    def team_ids(self) -> list[int]:
        return [pk for pk, _name in self.teams]


_TICKET_COLUMNS = (
    "id",
    "priority",
    "subject",
    "team_id",
    "team__name",
    "assignee_id",
    "assignee__full_name",
    "sla_due_at",
    "sla_breached",
    "created_at",
)
_ESCALATION_TICKET_COLUMNS = tuple(f"ticket__{name}" for name in _TICKET_COLUMNS)


def _ticket_rows(queryset: QuerySet[Ticket]) -> list[BoardTicket]:
    return [BoardTicket(*row) for row in queryset.values_list(*_TICKET_COLUMNS)]


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


def board_escalations_waiting(*, team_ids: list[int]) -> list[BoardTicket]:
    """Open tier-2 escalations: waiting for the supervisors, oldest first."""
    rows = (
        Escalation.objects.filter(
            level=Escalation.Level.TIER2,
            de_escalated_at__isnull=True,
            ticket__team_id__in=team_ids,
        )
        .order_by("escalated_at", "id")
        .values_list(
            *_ESCALATION_TICKET_COLUMNS,
            "escalated_at",
            "escalated_by_id",
            "escalated_by__full_name",
            "reason",
        )[:PANEL_LIMIT]
    )
    return [
        BoardTicket(
            *row[:-4],
            escalated_at=row[-4],
            escalated_by_name=None if row[-3] is None else row[-2],
            reason=row[-1],
        )
        for row in rows
    ]


def board_at_risk(*, team_ids: list[int], now: datetime) -> tuple[list[BoardTicket], bool]:
    """Breached tickets and those due within ``AT_RISK_WINDOW``, by time to breach (then
    priority, age). Until SLA clocks exist (no due time anywhere in the window), the most urgent
    and oldest open tickets instead; the flag says which."""
    # Two halves, each the first rows of an index walk (ticket_team_sla_due_idx up to the
    # window; metrics_ticket_open_breached_idx for breached tickets due later or never), rather
    # than "breached OR due soon", which reads every open ticket of the teams.
    cutoff = now + AT_RISK_WINDOW
    order = (F("sla_due_at").asc(nulls_last=True), "priority", "created_at", "id")
    due_soon = _open_tickets(team_ids).filter(sla_due_at__lte=cutoff).order_by(*order)
    breached_later = (
        _open_tickets(team_ids)
        .filter(Q(sla_due_at__gt=cutoff) | Q(sla_due_at__isnull=True), sla_breached=True)
        .order_by(*order)
    )
    with_clock = [
        BoardTicket(*row)
        for row in due_soon.values_list(*_TICKET_COLUMNS)[:PANEL_LIMIT]
        .union(breached_later.values_list(*_TICKET_COLUMNS)[:PANEL_LIMIT], all=True)
        .order_by(*order)[:PANEL_LIMIT]
    ]
    if with_clock:
        return with_clock, True
    by_priority = _ticket_rows(_open_tickets(team_ids).order_by("priority", "id")[:PANEL_LIMIT])
    return by_priority, False


def board_unassigned(*, team_ids: list[int]) -> list[BoardTicket]:
    """Open tickets nobody owns, most urgent and oldest first."""
    return _ticket_rows(
        _open_tickets(team_ids)
        .filter(assignee__isnull=True)
        .order_by("priority", "id")[:PANEL_LIMIT]
    )


def board_internal_waiting(*, team_ids: list[int]) -> list[BoardTicket]:
    """Tickets handed off to internal teams and not answered yet, longest waiting first."""
    rows = (
        Escalation.objects.filter(
            level=Escalation.Level.INTERNAL,
            de_escalated_at__isnull=True,
            answered_at__isnull=True,
            ticket__team_id__in=team_ids,
        )
        .order_by("handed_off_at", "id")
        .values_list(*_ESCALATION_TICKET_COLUMNS, "internal_team__name", "handed_off_at")[
            :PANEL_LIMIT
        ]
    )
    return [
        BoardTicket(*row[:-2], internal_team_name=row[-2], handed_off_at=row[-1]) for row in rows
    ]


def board_agents(*, team_ids: list[int], now: datetime) -> list[BoardAgent]:
    """Every member of the teams with status, capacity, whether on shift, their open tickets
    (all teams: capacity is per person) and the ids of up to five of them, most urgent first."""
    current = (
        Ticket.objects.filter(assignee_id=OuterRef("user_id"), status__in=OPEN_STATUS_VALUES)
        .order_by("priority", "id")
        .values("id")[:CURRENT_TICKETS_SHOWN]
    )
    rows = (
        TeamMembership.objects.filter(team_id__in=team_ids)
        .annotate(
            open_count=open_ticket_count(OuterRef("user_id")),
            current_ticket_ids=ArraySubquery(current),
            is_on_shift=_member_on_shift(now),
        )
        .order_by("team__name", "role", "user__full_name", "user_id")
        .values_list(
            "user_id",
            "team_id",
            "team__name",
            "role",
            "user__full_name",
            "user__email",
            "user__agent_profile__status",
            "user__agent_profile__capacity",
            "open_count",
            "current_ticket_ids",
            "is_on_shift",
        )
    )
    return [BoardAgent(*row) for row in rows]


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
        internal_teams=list(
            InternalTeam.objects.filter(is_active=True).order_by("name").values_list("pk", "name")
        ),
    )
