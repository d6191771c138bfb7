"""Reads for SLA pages: a ticket's clocks with their timelines, the configuration lists, and the
anti-gaming flags of the supervisor's board."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.db.models.expressions import RawSQL

from metrics.models import SlaCalendar, SlaClock, SlaClockEvent, SlaPolicy, SlaTarget
from teams import access
from tickets.models import Ticket

RUNNING = (SlaClock.State.RUNNING, SlaClock.State.BREACHED)


@dataclass(frozen=True)
class ClockView:
    """One clock as the ticket page shows it; ``tone`` is ok / warn / late / paused / done."""

    clock: SlaClock
    elapsed: timedelta
    remaining: timedelta
    tone: str
    events: list[SlaClockEvent]

    @property
    def overdue(self) -> timedelta:
        return -self.remaining if self.remaining < timedelta(0) else timedelta(0)


def _tone(clock: SlaClock, elapsed: timedelta) -> str:
    if clock.state == SlaClock.State.FULFILLED:
        return "done" if clock.breached_at is None else "late"
    if clock.state == SlaClock.State.STOPPED:
        return "done"
    if clock.breached_at is not None or elapsed >= clock.target:
        return "late"
    if clock.state == SlaClock.State.PAUSED:
        return "paused"
    if elapsed >= clock.target * clock.warning_percent / 100:
        return "warn"
    return "ok"


def sla_ticket_clocks(*, ticket: Ticket, now: datetime) -> list[ClockView]:
    """The ticket's clocks, oldest first, with elapsed/remaining business time at ``now`` and
    their event timelines (3 queries)."""
    clocks = (
        SlaClock.objects.filter(ticket=ticket)
        .select_related("calendar", "policy")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=SlaClockEvent.objects.select_related("actor").order_by("at", "id"),
            )
        )
        .order_by("started_at", "id")
    )
    views = []
    for clock in clocks:
        elapsed = clock.elapsed_at(now, clock.calendar.business_calendar())
        views.append(
            ClockView(
                clock=clock,
                elapsed=elapsed,
                remaining=clock.target - elapsed,
                tone=_tone(clock, elapsed),
                events=list(clock.events.all()),
            )
        )
    return views


def sla_calendars() -> QuerySet[SlaCalendar]:
    return SlaCalendar.objects.prefetch_related("closures").order_by("name")


def sla_current_policies() -> QuerySet[SlaPolicy]:
    """The ordered list of policies (current versions), with their targets and conditions."""
    return (
        SlaPolicy.objects.filter(is_current=True)
        .prefetch_related(
            Prefetch("targets", queryset=SlaTarget.objects.select_related("calendar")),
            "categories",
            "teams",
        )
        .order_by("position", "family")
    )


def sla_policy_current(*, family: int) -> SlaPolicy:
    return access.get_visible_or_404(sla_current_policies(), family=family)


def sla_calendar_get(*, calendar_id: int) -> SlaCalendar:
    return access.get_visible_or_404(SlaCalendar.objects.all(), pk=calendar_id)


# --- Anti-gaming flags -----------------------------------------------------------------------

PAUSED_PERCENTILE = 0.9
PAUSED_WINDOW_DAYS = 90
PAUSED_MIN_SAMPLES = 10
PAUSED_MIN = timedelta(hours=1)


# What the board's table of flagged tickets shows (metrics/views/board_rows.py).
_FLAG_TABLE_FIELDS = (
    "subject",
    "priority",
    "status",
    "language",
    "sla_due_at",
    "sla_breached",
    "created_at",
    "updated_at",
    "client__name",
    "category__name_en",
    "category__name_zh_hant",
    "team__name",
    "assignee__full_name",
)


# Per team, the oldest-updated Pending client tickets whose latest non-note message is the
# client's: a walk of metrics_ticket_pending_client_idx that stops at the limit. As an ORM
# filter on a "latest kind" subquery, PostgreSQL guesses the filter keeps 0.5 % of the rows and
# reads every Pending client ticket of the teams instead (300 ms at 1,000,000 tickets; 2 ms so).
_PENDING_AFTER_CLIENT_SQL = """
SELECT flagged.id FROM unnest(%s::integer[]) AS team(id) CROSS JOIN LATERAL (
    SELECT t.id, t.updated_at FROM tickets_ticket t CROSS JOIN LATERAL (
        SELECT m.kind FROM tickets_message m
        WHERE m.ticket_id = t.id AND m.kind <> 'note'
        ORDER BY m.created_at DESC, m.id DESC LIMIT 1
    ) latest
    WHERE t.team_id = team.id AND t.status = 'pending_client' AND latest.kind = 'client'
    ORDER BY t.updated_at, t.id LIMIT %s
) flagged
ORDER BY flagged.updated_at, flagged.id LIMIT %s
"""


def board_pending_after_client_message(
    *, user: Any, limit: int = 25, team_ids: list[int] | None = None
) -> QuerySet[Ticket]:
    """Tickets in Pending client whose latest message is the client's: someone set "waiting on
    the client" right after the client wrote, without a public reply (which would pause the
    resolution clock without answering); least recently updated first. ``team_ids``: the teams
    ``user`` supervises, when the caller has them already."""
    if team_ids is None:
        team_ids = list(access.teams_supervised_by(user).values_list("pk", flat=True))
    # Constant SQL, values as parameters.
    flagged = RawSQL(_PENDING_AFTER_CLIENT_SQL, (list(team_ids), limit, limit))  # noqa: S611
    return (
        Ticket.objects.filter(pk__in=flagged)
        .select_related("client", "category", "team", "assignee")
        .only(*_FLAG_TABLE_FIELDS)
        .order_by("updated_at", "id")
    )


# The 90th percentiles move slowly (90 days of clocks): computed for every category at most
# once per PAUSED_THRESHOLDS_SECONDS and shared through the cache, so that each board refresh
# only reads the open resolution clocks of the supervisor's teams.
PAUSED_THRESHOLDS_SECONDS = 300
_PAUSED = (
    "c.paused_total + CASE WHEN c.state = 'paused' THEN %(now)s - c.since ELSE interval '0' END"
)
_PAUSE_THRESHOLDS_SQL = f"""
SELECT t.category_id,
       percentile_cont(%(percentile)s) WITHIN GROUP (ORDER BY extract(epoch FROM {_PAUSED}))
FROM metrics_slaclock c JOIN tickets_ticket t ON t.id = c.ticket_id
WHERE c.metric = 'resolution' AND c.started_at >= %(since)s
GROUP BY t.category_id HAVING count(*) >= %(min_samples)s
"""  # noqa: S608 - constant SQL, values as parameters
_HIGH_PAUSE_SQL = f"""
WITH stats (category_id, threshold) AS (
    SELECT * FROM unnest(%(categories)s::integer[], %(thresholds)s::double precision[])
), paused AS (
    SELECT c.ticket_id, t.category_id, {_PAUSED} AS paused
    FROM metrics_slaclock c JOIN tickets_ticket t ON t.id = c.ticket_id
    WHERE c.metric = 'resolution' AND c.started_at >= %(since)s
      AND c.state IN ('running', 'paused', 'breached') AND t.team_id = ANY(%(teams)s)
)
SELECT p.ticket_id, extract(epoch FROM p.paused), s.threshold
FROM paused p JOIN stats s ON s.category_id = p.category_id
WHERE extract(epoch FROM p.paused) > greatest(s.threshold, %(min_seconds)s)
ORDER BY p.paused DESC LIMIT %(limit)s
"""  # noqa: S608 - constant SQL, values as parameters


def _paused_thresholds(*, now: datetime) -> dict[int, float]:
    """Per category with enough samples, the 90th percentile of the paused time (seconds) of
    the resolution clocks started in the last 90 days; cached (see PAUSED_THRESHOLDS_SECONDS)."""
    key = "metrics.sla.paused_thresholds"
    thresholds = cache.get(key)
    if thresholds is None:
        with connection.cursor() as cursor:
            cursor.execute(
                _PAUSE_THRESHOLDS_SQL,
                {
                    "now": now,
                    "since": now - timedelta(days=PAUSED_WINDOW_DAYS),
                    "percentile": PAUSED_PERCENTILE,
                    "min_samples": PAUSED_MIN_SAMPLES,
                },
            )
            thresholds = {category: float(value) for category, value in cursor.fetchall()}
        cache.set(key, thresholds, PAUSED_THRESHOLDS_SECONDS)
    return thresholds


def board_unusual_paused_time(
    *, user: Any, now: datetime, limit: int = 25, team_ids: list[int] | None = None
) -> list[Ticket]:
    """Open tickets whose resolution clock has been paused for longer than the 90th percentile
    of their category's resolution clocks started in the last 90 days (at least 10 of them, and
    at least an hour). Each ticket gets ``paused_for`` and ``category_threshold`` (timedelta).
    ``team_ids``: the teams ``user`` supervises, when the caller has them already."""
    if team_ids is None:
        team_ids = list(access.teams_supervised_by(user).values_list("pk", flat=True))
    if not team_ids:
        return []
    thresholds = _paused_thresholds(now=now)
    if not thresholds:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            _HIGH_PAUSE_SQL,
            {
                "now": now,
                "since": now - timedelta(days=PAUSED_WINDOW_DAYS),
                "categories": list(thresholds),
                "thresholds": list(thresholds.values()),
                "teams": team_ids,
                "min_seconds": PAUSED_MIN.total_seconds(),
                "limit": limit,
            },
        )
        rows = cursor.fetchall()
    tickets = (
        Ticket.objects.select_related("client", "category", "team", "assignee")
        .only(*_FLAG_TABLE_FIELDS)
        .in_bulk([row[0] for row in rows])
    )
    flagged = []
    for ticket_id, paused, threshold in rows:
        ticket = tickets[ticket_id]
        ticket.paused_for = timedelta(seconds=round(float(paused)))
        ticket.category_threshold = timedelta(seconds=round(float(threshold)))
        flagged.append(ticket)
    return flagged


@dataclass(frozen=True)
class BoardFlags:
    pending_after_client: list[Ticket]
    unusual_pause: list[Ticket]


def sla_board_flags(*, user: Any, now: datetime, team_ids: list[int] | None = None) -> BoardFlags:
    """Both anti-gaming panels of the supervisor's board (2 or 3 queries; one more without
    ``team_ids``, the teams ``user`` supervises)."""
    if team_ids is None:
        team_ids = list(access.teams_supervised_by(user).values_list("pk", flat=True))
    return BoardFlags(
        pending_after_client=list(board_pending_after_client_message(user=user, team_ids=team_ids)),
        unusual_pause=board_unusual_paused_time(user=user, now=now, team_ids=team_ids),
    )
