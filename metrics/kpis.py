"""The metric dictionary: every KPI of SupportDesk defined once, in words and in SQL.

Dashboards, exports, trends and the weekly PDF all read figures through :func:`kpi_table` and
:func:`kpi_series`, so a figure is the same wherever it appears.

How a figure is computed
------------------------
1. The period is a range of whole local days ``[start, end]`` in a time zone (the viewer's, or
   the report's); its bounds become instants at local midnight, so a ticket created on Sunday
   23:30 in Hong Kong belongs to that Monday-to-Sunday week whatever the server's zone.
2. ``base`` selects, in one SQL statement, the tickets of the scope (teams the viewer may read,
   then slice filters) that matter to the period: created in it, replied or resolved in it, or
   still open at its end. Per ticket it computes the *facts* of :data:`FACTS` (flags such as
   ``created_in``, durations such as ``frt_business``).
3. Each :class:`Kpi` is one SQL aggregate over those facts (``count(*) FILTER (…)``,
   ``percentile_cont(…) WITHIN GROUP (…)``), grouped by at most one :data:`DIMENSIONS` entry.
4. Agent-hours on shift come from ``teams.Shift`` in SQL (:func:`agent_hours`), with the same
   wall-clock semantics as ``teams.shifts``: local dates in the agent's zone, overnight shifts
   ending the next day, clipped to the period.

Business time joins ``BusinessDay`` rows on the instants' local dates (a hash join, see
:mod:`metrics.business_time`), equal to ``metrics_business_us`` and to the Python calendar.

Extending: SLA attainment and breaches, CSAT and QA score slot in as new :class:`Fact` entries
(their per-ticket SQL, e.g. a sub-select on the SLA clock table) and new :class:`Kpi` entries
aggregating them; nothing else changes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from metrics.business_time import business_day_join_sql, business_us_by_day_sql
from supportdesk.errors import ApplicationError
from tickets.models.core import OPEN_STATUS_VALUES

MAX_PERIOD_DAYS = 366
GRAINS = ("day", "week", "month")


class Unit(StrEnum):
    COUNT = "count"
    DURATION = "duration"  # seconds
    PERCENT = "percent"  # 0..100
    RATIO = "ratio"


@dataclass(frozen=True)
class Period:
    """Whole local days ``start``..``end`` (both included) in ``time_zone``."""

    start: date
    end: date
    time_zone: str = "Asia/Hong_Kong"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ApplicationError(_("The end date is before the start date."))
        if self.days > MAX_PERIOD_DAYS:
            raise ApplicationError(
                _("A period may cover at most %(days)s days.") % {"days": MAX_PERIOD_DAYS}
            )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=self.zone)

    @property
    def ends_at(self) -> datetime:
        """The instant just after the period (local midnight after ``end``)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=self.zone)

    def previous(self) -> Period:
        """The period of the same length just before this one (the comparison period)."""
        return Period(
            self.start - timedelta(days=self.days), self.start - timedelta(days=1), self.time_zone
        )

    def shifted_weeks(self, weeks: int) -> Period:
        delta = timedelta(weeks=weeks)
        return Period(self.start + delta, self.end + delta, self.time_zone)


@dataclass(frozen=True)
class Dimension:
    """A slice: the column tickets are filtered and grouped by."""

    key: str
    label: Promise
    sql: str


DIMENSIONS: dict[str, Dimension] = {
    dimension.key: dimension
    for dimension in (
        Dimension("team", _("Team"), "t.team_id"),
        Dimension("agent", _("Agent"), "t.assignee_id"),
        Dimension("category", _("Category"), "t.category_id"),
        Dimension("priority", _("Priority"), "t.priority"),
        Dimension("channel", _("Channel"), "t.channel"),
        Dimension("language", _("Language"), "t.language"),
        Dimension("tier", _("Client tier"), "c.tier"),
    )
}


@dataclass(frozen=True)
class Scope:
    """Which tickets: ``team_ids`` (``None`` = the whole desk) and slice filters
    (``{"category": 3, "channel": "email"}``; keys of :data:`DIMENSIONS`)."""

    team_ids: tuple[int, ...] | None = None
    filters: tuple[tuple[str, Any], ...] = ()

    def with_filter(self, key: str, value: Any) -> Scope:
        return Scope(self.team_ids, (*[f for f in self.filters if f[0] != key], (key, value)))

    def filter_value(self, key: str) -> Any:
        return dict(self.filters).get(key)


@dataclass(frozen=True)
class Fact:
    """A per-ticket value computed in ``base`` (SQL over ``t`` = ticket, ``c`` = client and the
    period bounds ``%(start)s`` / ``%(end)s``)."""

    name: str
    sql: str
    joins: tuple[str, ...] = ()
    # True when the fact is empty (false or NULL) for tickets not created in the period, so
    # that statements needing only such facts read just the period's tickets (created_at index).
    created_only: bool = False


# Business time: the BusinessDay rows of the instants' local dates, joined (hash join) once per
# instant column; see metrics.business_time.
BUSINESS_DAY_JOINS = {
    "bd_created": business_day_join_sql("t.created_at", "bd_created"),
    "bd_replied": business_day_join_sql("t.first_public_reply_at", "bd_replied"),
    "bd_resolved": business_day_join_sql("t.resolved_at", "bd_resolved"),
}


def _business(start: str, start_alias: str, end: str, end_alias: str) -> str:
    return (
        f"(({business_us_by_day_sql(end, end_alias)}"
        f" - {business_us_by_day_sql(start, start_alias)}) / 1e6)"
    )


_IN = "({col} >= %(start)s AND {col} < %(end)s)"
_RESOLVED_IN = _IN.format(col="t.resolved_at")
_REPLIED_IN = _IN.format(col="t.first_public_reply_at")
_INTERNAL_SECONDS = """(SELECT COALESCE(SUM(EXTRACT(EPOCH FROM
        COALESCE(s.next_at, t.resolved_at) - s.created_at)), 0)
      FROM (SELECT e.new_value, e.created_at,
                   lead(e.created_at) OVER (ORDER BY e.created_at, e.id) AS next_at
            FROM tickets_ticketevent e WHERE e.ticket_id = t.id AND e.field = 'status') s
      WHERE s.new_value = 'pending_internal')"""

SLA_METRICS = ("first_response", "next_response", "periodic_update", "resolution")
# Per ticket, the SLA clocks whose outcome fell in the period: met (fulfilled there, never
# breached) or breached (the breach was recorded there), per metric — one lateral sub-select.
_SLA_COUNTS = ",\n".join(
    [
        f"count(*) FILTER (WHERE k.metric = '{metric}' AND k.state = 'fulfilled'"
        " AND k.breached_at IS NULL AND k.stopped_at >= %(start)s AND k.stopped_at < %(end)s)"
        f" AS met_{metric},"
        f" count(*) FILTER (WHERE k.metric = '{metric}' AND k.breached_at >= %(start)s"
        f" AND k.breached_at < %(end)s) AS breached_{metric}"
        for metric in SLA_METRICS
    ]
)
BUSINESS_DAY_JOINS["sla"] = f"""
    LEFT JOIN LATERAL (SELECT {_SLA_COUNTS}
      FROM metrics_slaclock k WHERE k.ticket_id = t.id) sla ON TRUE"""

FACTS: list[Fact] = [
    Fact("created_in", _IN.format(col="t.created_at"), created_only=True),
    Fact("resolved_in", _RESOLVED_IN),
    Fact("replied_in", _REPLIED_IN),
    Fact(
        "open_at_end",
        "(t.created_at < %(end)s AND NOT (t.status IN ('resolved', 'closed')"
        " AND COALESCE(t.resolved_at, t.closed_at) < %(end)s))",
    ),
    Fact(
        "frt_calendar",
        f"CASE WHEN {_REPLIED_IN} THEN"
        " EXTRACT(EPOCH FROM t.first_public_reply_at - t.created_at) END",
    ),
    Fact(
        "frt_business",
        f"CASE WHEN {_REPLIED_IN} THEN "
        + _business("t.created_at", "bd_created", "t.first_public_reply_at", "bd_replied")
        + " END",
        joins=("bd_created", "bd_replied"),
    ),
    Fact(
        "resolution_calendar",
        f"CASE WHEN {_RESOLVED_IN} THEN EXTRACT(EPOCH FROM t.resolved_at - t.created_at) END",
    ),
    Fact(
        "resolution_business",
        f"CASE WHEN {_RESOLVED_IN} THEN "
        + _business("t.created_at", "bd_created", "t.resolved_at", "bd_resolved")
        + " END",
        joins=("bd_created", "bd_resolved"),
    ),
    Fact(
        "reopened",
        f"CASE WHEN {_RESOLVED_IN} THEN EXISTS (SELECT 1 FROM tickets_ticketevent e"
        " WHERE e.ticket_id = t.id AND e.action = 'reopened') END",
    ),
    Fact(
        "public_replies",
        f"CASE WHEN {_RESOLVED_IN} THEN (SELECT count(*) FROM tickets_message m"
        " WHERE m.ticket_id = t.id AND m.kind = 'reply') END",
    ),
    Fact(
        "escalated",
        "CASE WHEN " + _IN.format(col="t.created_at") + " THEN EXISTS (SELECT 1"
        " FROM tickets_ticketevent e WHERE e.ticket_id = t.id AND (e.action = 'escalated'"
        " OR (e.field = 'status' AND e.new_value = 'pending_internal'))) END",
        created_only=True,
    ),
    Fact(
        "internal_seconds",
        f"CASE WHEN {_RESOLVED_IN} THEN CASE WHEN EXISTS (SELECT 1 FROM tickets_ticketevent e"
        " WHERE e.ticket_id = t.id AND e.field = 'status' AND e.new_value = 'pending_internal')"
        f" THEN {_INTERNAL_SECONDS} ELSE 0 END END",
    ),
]


@dataclass(frozen=True)
class Kpi:
    """One metric: its key, name, definition in words, unit and SQL aggregate over the facts.

    ``drilldown`` names the ticket list behind the figure: ``created`` (created in the period),
    ``resolved`` (resolved in the period), ``open`` (open at the end of the period) or ``""``.
    ``per_hour`` KPIs are divided by the agent-hours on shift of the row (computed apart).
    ``better`` says which direction is good (``"up"``, ``"down"`` or ``""``), for the arrows.
    """

    key: str
    label: Promise
    definition: Promise
    unit: Unit
    sql: str
    drilldown: str = ""
    better: str = ""
    per_hour: bool = False
    headline: bool = True


def _median(column: str, flag: str) -> str:
    return f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {column}) FILTER (WHERE {flag})"


def _p90(column: str, flag: str) -> str:
    return f"percentile_cont(0.9) WITHIN GROUP (ORDER BY {column}) FILTER (WHERE {flag})"


def _rate(numerator: str, denominator: str) -> str:
    return (
        f"100.0 * count(*) FILTER (WHERE {numerator})"
        f" / NULLIF(count(*) FILTER (WHERE {denominator}), 0)"
    )


KPIS: list[Kpi] = [
    Kpi(
        "created",
        _("Tickets created"),
        _("Tickets created during the period."),
        Unit.COUNT,
        "count(*) FILTER (WHERE created_in)",
        drilldown="created",
    ),
    Kpi(
        "resolved",
        _("Tickets resolved"),
        _("Tickets whose (latest) resolution falls in the period."),
        Unit.COUNT,
        "count(*) FILTER (WHERE resolved_in)",
        drilldown="resolved",
        better="up",
    ),
    Kpi(
        "backlog",
        _("Backlog at period end"),
        _("Tickets created before the end of the period and not resolved or closed by then."),
        Unit.COUNT,
        "count(*) FILTER (WHERE open_at_end)",
        drilldown="open",
        better="down",
    ),
    Kpi(
        "frt_median_business",
        _("First response, median (business hours)"),
        _(
            "Median time from creation to the first public reply, counting Hong Kong office "
            "hours only (Mon–Fri 09:00–18:00, general holidays excluded), for tickets first "
            "answered in the period."
        ),
        Unit.DURATION,
        _median("frt_business", "replied_in"),
        better="down",
    ),
    Kpi(
        "frt_p90_business",
        _("First response, 90th percentile (business hours)"),
        _("90th percentile of the first response time in office hours (same tickets)."),
        Unit.DURATION,
        _p90("frt_business", "replied_in"),
        better="down",
    ),
    Kpi(
        "frt_median_calendar",
        _("First response, median (calendar time)"),
        _("Median time from creation to the first public reply, around the clock."),
        Unit.DURATION,
        _median("frt_calendar", "replied_in"),
        better="down",
    ),
    Kpi(
        "frt_p90_calendar",
        _("First response, 90th percentile (calendar time)"),
        _("90th percentile of the first response time, around the clock."),
        Unit.DURATION,
        _p90("frt_calendar", "replied_in"),
        better="down",
        headline=False,
    ),
    Kpi(
        "resolution_median_business",
        _("Resolution time, median (business hours)"),
        _(
            "Median time from creation to resolution in office hours, for tickets resolved "
            "in the period."
        ),
        Unit.DURATION,
        _median("resolution_business", "resolved_in"),
        drilldown="resolved",
        better="down",
    ),
    Kpi(
        "resolution_p90_business",
        _("Resolution time, 90th percentile (business hours)"),
        _("90th percentile of the resolution time in office hours (same tickets)."),
        Unit.DURATION,
        _p90("resolution_business", "resolved_in"),
        drilldown="resolved",
        better="down",
        headline=False,
    ),
    Kpi(
        "resolution_median_calendar",
        _("Resolution time, median (calendar time)"),
        _("Median time from creation to resolution, around the clock."),
        Unit.DURATION,
        _median("resolution_calendar", "resolved_in"),
        drilldown="resolved",
        better="down",
    ),
    Kpi(
        "resolution_p90_calendar",
        _("Resolution time, 90th percentile (calendar time)"),
        _("90th percentile of the resolution time, around the clock."),
        Unit.DURATION,
        _p90("resolution_calendar", "resolved_in"),
        drilldown="resolved",
        better="down",
        headline=False,
    ),
    Kpi(
        "reopen_rate",
        _("Reopen rate"),
        _("Share of the tickets resolved in the period that were reopened at least once."),
        Unit.PERCENT,
        _rate("resolved_in AND reopened", "resolved_in"),
        drilldown="resolved",
        better="down",
    ),
    Kpi(
        "fcr_rate",
        _("First-contact resolution"),
        _(
            "Share of the tickets resolved in the period that needed exactly one public reply "
            "and were never reopened."
        ),
        Unit.PERCENT,
        _rate("resolved_in AND public_replies = 1 AND NOT reopened", "resolved_in"),
        drilldown="resolved",
        better="up",
    ),
    Kpi(
        "escalation_rate",
        _("Escalation rate"),
        _(
            "Share of the tickets created in the period that were escalated or passed to an "
            "internal team (status Pending internal)."
        ),
        Unit.PERCENT,
        _rate("created_in AND escalated", "created_in"),
        drilldown="created",
        better="down",
    ),
    Kpi(
        "internal_median",
        _("Time with internal teams, median"),
        _(
            "For tickets resolved in the period that waited on an internal team: median total "
            "time in status Pending internal (calendar time)."
        ),
        Unit.DURATION,
        _median("internal_seconds", "resolved_in AND internal_seconds > 0"),
        drilldown="resolved",
        better="down",
    ),
    Kpi(
        "tickets_per_agent",
        _("Tickets resolved per agent"),
        _("Tickets resolved in the period divided by the number of agents who resolved any."),
        Unit.RATIO,
        "count(*) FILTER (WHERE resolved_in)::numeric / NULLIF(count(DISTINCT t_assignee)"
        " FILTER (WHERE resolved_in), 0)",
        better="up",
    ),
    Kpi(
        "tickets_per_agent_hour",
        _("Tickets resolved per agent-hour on shift"),
        _(
            "Tickets resolved in the period divided by the hours the team's members were on "
            "shift in it (their weekly shifts in their own time zones)."
        ),
        Unit.RATIO,
        "count(*) FILTER (WHERE resolved_in)",
        better="up",
        per_hour=True,
    ),
]

# SLA clocks (metrics.models.SlaClock), satisfaction ratings and QA reviews.
FACTS += [
    *(Fact(f"sla_met_{m}", f"sla.met_{m}", joins=("sla",)) for m in SLA_METRICS),
    *(Fact(f"sla_breached_{m}", f"sla.breached_{m}", joins=("sla",)) for m in SLA_METRICS),
    Fact("sla_met", " + ".join(f"sla.met_{m}" for m in SLA_METRICS), joins=("sla",)),
    Fact("sla_breached", " + ".join(f"sla.breached_{m}" for m in SLA_METRICS), joins=("sla",)),
    *(
        Fact(
            name,
            f"CASE WHEN {_RESOLVED_IN} THEN (SELECT {aggregate}"
            " FROM tickets_satisfactionrating r"
            " WHERE r.ticket_id = t.id AND r.resolved_at = t.resolved_at) END",
        )
        for name, aggregate in (
            ("csat_sum", "sum(r.score)"),
            ("csat_count", "count(*)"),
            ("csat_positive", "count(*) FILTER (WHERE r.score >= 4)"),
        )
    ),
    *(
        Fact(
            name,
            f"CASE WHEN {_RESOLVED_IN} THEN (SELECT {aggregate}"
            " FROM tickets_qualityreview q WHERE q.ticket_id = t.id) END",
        )
        for name, aggregate in (("qa_sum", "sum(q.total)"), ("qa_count", "count(*)"))
    ),
]


def _attainment(met: str, breached: str) -> str:
    return f"100.0 * sum({met}) / NULLIF(sum({met}) + sum({breached}), 0)"


_SLA_METRIC_LABELS = {
    "first_response": (
        _("SLA met: first response"),
        _("Share of the first-response SLA clocks decided in the period that were met."),
    ),
    "next_response": (
        _("SLA met: next response"),
        _("Share of the next-response SLA clocks decided in the period that were met."),
    ),
    "periodic_update": (
        _("SLA met: updates while escalated"),
        _(
            "Share of the periodic-update SLA clocks (client updates while waiting on an "
            "internal team) decided in the period that were met."
        ),
    ),
    "resolution": (
        _("SLA met: resolution"),
        _("Share of the resolution SLA clocks decided in the period that were met."),
    ),
}

KPIS += [
    Kpi(
        "sla_attainment",
        _("SLA attainment"),
        _(
            "Share of the SLA clocks (every metric) whose outcome fell in the period that were "
            "met: fulfilled in the period without a breach, out of those fulfilled or breached "
            "in it."
        ),
        Unit.PERCENT,
        _attainment("sla_met", "sla_breached"),
        better="up",
    ),
    Kpi(
        "sla_breaches",
        _("SLA breaches"),
        _("SLA clocks (every metric) whose breach was recorded in the period."),
        Unit.COUNT,
        "sum(sla_breached)",
        better="down",
    ),
    *(
        Kpi(
            f"sla_attainment_{metric}",
            label,
            definition,
            Unit.PERCENT,
            _attainment(f"sla_met_{metric}", f"sla_breached_{metric}"),
            better="up",
            headline=False,
        )
        for metric, (label, definition) in _SLA_METRIC_LABELS.items()
    ),
    Kpi(
        "csat_average",
        _("Client satisfaction (CSAT), average"),
        _(
            "Average rating (1–5) given by clients to the resolutions of the tickets resolved "
            "in the period (ratings received so far)."
        ),
        Unit.RATIO,
        "sum(csat_sum)::numeric / NULLIF(sum(csat_count), 0)",
        drilldown="resolved",
        better="up",
    ),
    Kpi(
        "csat_positive_rate",
        _("Satisfied clients (CSAT 4–5)"),
        _("Share of those ratings that are 4 or 5."),
        Unit.PERCENT,
        "100.0 * sum(csat_positive) / NULLIF(sum(csat_count), 0)",
        drilldown="resolved",
        better="up",
        headline=False,
    ),
    Kpi(
        "qa_score",
        _("QA score, average"),
        _(
            "Average QA review score (percent of the scorecard) of the tickets resolved in the "
            "period that supervisors reviewed (reviews written so far)."
        ),
        Unit.PERCENT,
        "sum(qa_sum)::numeric / NULLIF(sum(qa_count), 0)",
        drilldown="resolved",
        better="up",
    ),
]
KPI_BY_KEY: dict[str, Kpi] = {kpi.key: kpi for kpi in KPIS}


def kpi(key: str) -> Kpi:
    return KPI_BY_KEY[key]


# --- SQL -------------------------------------------------------------------------------------


def _scope_sql(scope: Scope, params: dict[str, Any]) -> str:
    clauses = ["TRUE"]
    if scope.team_ids is not None:
        params["team_ids"] = list(scope.team_ids)
        clauses.append("t.team_id = ANY(%(team_ids)s)")
    for index, (key, value) in enumerate(scope.filters):
        name = f"slice_{index}"
        if value is None:
            clauses.append(f"{DIMENSIONS[key].sql} IS NULL")
        else:
            params[name] = value
            clauses.append(f"{DIMENSIONS[key].sql} = %({name})s")
    return " AND ".join(clauses)


def _facts_needed(kpis: Sequence[Kpi]) -> list[Fact]:
    """Only the facts the KPIs aggregate (the costly sub-selects are skipped otherwise)."""
    used = " ".join(item.sql for item in kpis)
    return [fact for fact in FACTS if re.search(rf"\b{fact.name}\b", used)]


OPEN_SQL = "(" + ", ".join(f"'{status}'" for status in OPEN_STATUS_VALUES) + ")"


def _client_join(scope: Scope, group: str | None) -> str:
    """The client table is read only for the client-tier slice."""
    if group == "tier" or scope.filter_value("tier") is not None:
        return " JOIN tickets_client c ON c.id = t.client_id"
    return ""


def _fetch(sql: str, params: dict[str, Any]) -> tuple[list[str], list[tuple]]:
    """Run one report query. JIT compilation is switched off: it cost ~0.7 s per statement at
    a million tickets and these plans run in well under that without it.

    ``random_page_cost`` is lowered to 1.1 (data in memory or on SSD): with the default 4 the
    planner expects the period's tickets to be scattered over the whole table (the column
    correlation is low because seed and parallel writers interleave) and reads all of
    ``tickets_ticket`` sequentially (1.1 GB at a million tickets), whereas the bitmap scans of
    the period indexes touch about a seventh of its pages (EXPLAIN ANALYZE: 0.41 s against
    1.22 s for the base of a 4-week dashboard). Both settings go in the same round trip."""
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off; SET random_page_cost = 1.1")
        cursor.execute(sql, params)
        return [column.name for column in cursor.description], cursor.fetchall()


def _base_sql(
    scope: Scope, params: dict[str, Any], group: str | None, kpis: Sequence[Kpi] = ()
) -> str:
    group_sql = DIMENSIONS[group].sql if group else "NULL"
    needed = _facts_needed(kpis)
    facts = "".join(f",\n      {fact.sql} AS {fact.name}" for fact in needed)
    aliases = dict.fromkeys(alias for fact in needed for alias in fact.joins)
    joins = "".join(BUSINESS_DAY_JOINS[alias] for alias in aliases)
    # Each branch of the OR is indexed (created_at, resolved_at, first_public_reply_at, the
    # open-status partial indexes, closed_at of unresolved tickets), so PostgreSQL combines
    # bitmap index scans instead of reading the whole table. A ticket resolved at or after the
    # period's start covers both "resolved in the period" and "still open at its end".
    if needed and all(fact.created_only for fact in needed):
        return f"""
    SELECT {group_sql} AS grp, t.assignee_id AS t_assignee{facts}
    FROM tickets_ticket t{_client_join(scope, group)}{joins}
    WHERE t.created_at >= %(start)s AND t.created_at < %(end)s
      AND {_scope_sql(scope, params)}"""
    return f"""
    SELECT {group_sql} AS grp, t.assignee_id AS t_assignee{facts}
    FROM tickets_ticket t{_client_join(scope, group)}{joins}
    WHERE t.created_at < %(end)s
      AND (t.created_at >= %(start)s
           OR t.resolved_at >= %(start)s
           OR t.first_public_reply_at >= %(start)s
           OR t.status IN {OPEN_SQL}
           OR (t.resolved_at IS NULL AND t.closed_at >= %(end)s))
      AND {_scope_sql(scope, params)}"""


@dataclass
class KpiRow:
    """The KPI values of one group (``group`` is ``None`` for the whole scope)."""

    group: Any
    values: dict[str, float | None] = field(default_factory=dict)
    agent_hours: float | None = None

    def __getitem__(self, key: str) -> float | None:
        return self.values.get(key)


def kpi_table(
    *, period: Period, scope: Scope, group: str | None = None, kpis: Sequence[Kpi] = KPIS
) -> list[KpiRow]:
    """Every KPI of ``kpis`` for ``scope`` over ``period``, one row per value of ``group`` (or a
    single row). One SQL statement, plus one for the agent-hours when a KPI needs them."""
    rows, total = _kpi_rows(period=period, scope=scope, group=group, kpis=kpis, total=False)
    return rows if group is not None else [total]


def kpi_breakdown(
    *, period: Period, scope: Scope, group: str, kpis: Sequence[Kpi] = KPIS
) -> tuple[list[KpiRow], KpiRow]:
    """One row per value of ``group`` and the row of the whole scope (one statement, GROUPING
    SETS over one materialised base, so the total is exactly the headline figure)."""
    return _kpi_rows(period=period, scope=scope, group=group, kpis=kpis, total=True)


def _empty_row(kpis: Sequence[Kpi]) -> KpiRow:
    return KpiRow(
        group=None,
        values={item.key: (0.0 if item.unit == Unit.COUNT else None) for item in kpis},
    )


def _kpi_rows(
    *, period: Period, scope: Scope, group: str | None, kpis: Sequence[Kpi], total: bool
) -> tuple[list[KpiRow], KpiRow]:
    if group is not None and group not in DIMENSIONS:
        raise ApplicationError(_("Unknown breakdown."))
    columns = ",\n  ".join(f"{item.sql} AS {item.key}" for item in kpis)

    def statement(grouped: bool, with_total: bool) -> tuple[list[str], list[tuple]]:
        params: dict[str, Any] = {"start": period.starts_at, "end": period.ends_at}
        base = _base_sql(scope, params, group if grouped else None, kpis)
        if grouped and with_total:
            # The breakdown and its total in one statement: the per-ticket facts (the costly
            # part) are computed once in the materialised base, then aggregated twice.
            # GROUPING(grp) tells the total row from a group whose key is NULL.
            return _fetch(
                f"WITH base AS MATERIALIZED ({base})\nSELECT GROUPING(grp) = 1 AS is_total,"
                f" grp,\n  {columns}\nFROM base GROUP BY GROUPING SETS ((grp), ())"
                " ORDER BY GROUPING(grp), grp NULLS LAST",
                params,
            )
        tail = "GROUP BY grp ORDER BY grp NULLS LAST" if grouped else ""
        marker = "FALSE" if grouped else "TRUE"
        return _fetch(
            f"WITH base AS ({base})\nSELECT {marker} AS is_total, "
            f"{'grp' if grouped else 'NULL'} AS grp,\n  {columns}\nFROM base {tail}",
            params,
        )

    if group is not None:
        names, fetched = statement(True, total)
    else:
        names, fetched = statement(False, False)
    rows: list[KpiRow] = []
    total_row = _empty_row(kpis)
    for record in fetched:
        row = KpiRow(
            group=record[1],
            values={
                name: (float(value) if value is not None else None)
                for name, value in zip(names[2:], record[2:], strict=True)
            },
        )
        if record[0]:
            total_row = KpiRow(group=None, values=row.values)
        else:
            rows.append(row)
    per_hour = [item for item in kpis if item.per_hour]
    targets = ([total_row] if group is None or total else []) + (rows if group else [])
    if per_hour and group in ("team", "agent"):
        group_hours = agent_hours(period=period, scope=scope, group=group)
        for row in rows:
            row.agent_hours = group_hours.get(row.group, 0.0)
    if per_hour and (group is None or total):
        total_row.agent_hours = agent_hours(period=period, scope=scope, group=None).get(None, 0.0)
    for row in targets:
        for item in per_hour:
            resolved = row.values.get(item.key) or 0.0
            row.values[item.key] = resolved / row.agent_hours if row.agent_hours else None
    return rows, total_row


def agent_hours(*, period: Period, scope: Scope, group: str | None) -> dict[Any, float]:
    """Hours on shift in the period of the members of the scope's teams (or of the agent of an
    agent slice), per team, per agent or in total (key ``None``). Computed in SQL: each shift's
    local dates in the agent's own zone, overnight shifts ending the next day, clipped to the
    period."""
    params: dict[str, Any] = {"start": period.starts_at, "end": period.ends_at}
    clauses = ["TRUE"]
    if scope.team_ids is not None:
        params["team_ids"] = list(scope.team_ids)
        clauses.append("m.team_id = ANY(%(team_ids)s)")
    agent_id = scope.filter_value("agent")
    if agent_id is not None:
        params["agent_id"] = agent_id
        clauses.append("m.user_id = %(agent_id)s")
    if scope.filter_value("team") is not None:
        params["slice_team"] = scope.filter_value("team")
        clauses.append("m.team_id = %(slice_team)s")
    key = {"team": "m.team_id", "agent": "m.user_id"}.get(group or "", "NULL::integer")
    # Per team, a member of two teams counts in both; in total, each person once.
    members = (
        f"SELECT DISTINCT {key} AS grp, m.user_id FROM teams_teammembership m "
        f"WHERE {' AND '.join(clauses)}"
    )
    sql = f"""
    WITH members AS ({members}),
    intervals AS (
      SELECT mb.grp,
        (d.day + sh.starts_at) AT TIME ZONE u.time_zone AS s,
        (d.day + sh.ends_at + CASE WHEN sh.ends_at <= sh.starts_at
                                   THEN interval '1 day' ELSE interval '0' END)
          AT TIME ZONE u.time_zone AS e
      FROM members mb
      JOIN teams_user u ON u.id = mb.user_id
      JOIN teams_shift sh ON sh.user_id = u.id
      CROSS JOIN LATERAL generate_series(
          (%(start)s AT TIME ZONE u.time_zone)::date - 1,
          (%(end)s AT TIME ZONE u.time_zone)::date,
          interval '1 day') AS g(ts)
      CROSS JOIN LATERAL (SELECT g.ts::date AS day) d
      WHERE EXTRACT(ISODOW FROM d.day)::integer - 1 = sh.weekday
    )
    SELECT grp, SUM(EXTRACT(EPOCH FROM LEAST(e, %(end)s) - GREATEST(s, %(start)s))) / 3600.0
    FROM intervals WHERE e > %(start)s AND s < %(end)s GROUP BY grp"""
    _names, fetched = _fetch(sql, params)
    return {grp: float(hours) for grp, hours in fetched}


@dataclass(frozen=True)
class SeriesPoint:
    bucket: date
    created: int
    resolved: int


def kpi_series(*, period: Period, scope: Scope, grain: str) -> list[SeriesPoint]:
    """Tickets created and resolved per day, week (Monday) or month of the period's time zone,
    every bucket present (zeros included). ``date_trunc`` runs on local timestamps."""
    if grain not in GRAINS:
        raise ApplicationError(_("Unknown grain."))
    params: dict[str, Any] = {
        "start": period.starts_at,
        "end": period.ends_at,
        "zone": period.time_zone,
        "grain": grain,
        "first": period.start,
        "last": period.end,
    }
    where = _scope_sql(scope, params)
    sql = f"""
    WITH events AS (
      SELECT date_trunc(%(grain)s, t.created_at AT TIME ZONE %(zone)s) AS bucket, 1 AS c, 0 AS r
      FROM tickets_ticket t{_client_join(scope, None)}
      WHERE t.created_at >= %(start)s AND t.created_at < %(end)s AND {where}
      UNION ALL
      SELECT date_trunc(%(grain)s, t.resolved_at AT TIME ZONE %(zone)s), 0, 1
      FROM tickets_ticket t{_client_join(scope, None)}
      WHERE t.resolved_at >= %(start)s AND t.resolved_at < %(end)s AND {where}
    ),
    buckets AS (
      SELECT generate_series(date_trunc(%(grain)s, %(first)s::timestamp),
                             %(last)s::timestamp, ('1 ' || %(grain)s)::interval) AS bucket
    )
    SELECT b.bucket::date, COALESCE(SUM(e.c), 0), COALESCE(SUM(e.r), 0)
    FROM buckets b LEFT JOIN events e ON e.bucket = b.bucket
    GROUP BY b.bucket ORDER BY b.bucket"""
    _names, fetched = _fetch(sql, params)
    return [SeriesPoint(bucket, int(c), int(r)) for bucket, c, r in fetched]


def backlog_series(*, period: Period, scope: Scope, weeks: int) -> list[tuple[date, int]]:
    """Backlog (as the ``backlog`` KPI defines it) at the end of each of the ``weeks`` weeks
    ending with ``period``'s end, oldest first: ``(last day of the week, count)``."""
    ends = [period.end - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    params: dict[str, Any] = {
        "ends": [
            datetime.combine(day + timedelta(days=1), time.min, tzinfo=period.zone) for day in ends
        ],
    }
    where = _scope_sql(scope, params)
    params["first"] = params["ends"][0]
    # Only tickets that can be open at one of the instants: open now, or resolved (closed
    # without resolution) at or after the first instant (the same indexes as the KPI base).
    sql = f"""
    WITH candidates AS (
      SELECT t.created_at, t.status, t.resolved_at, t.closed_at
      FROM tickets_ticket t{_client_join(scope, None)}
      WHERE (t.status IN {OPEN_SQL}
             OR t.resolved_at >= %(first)s
             OR (t.resolved_at IS NULL AND t.closed_at >= %(first)s))
        AND {where})
    SELECT b.instant, count(t.created_at)
    FROM unnest(%(ends)s::timestamptz[]) AS b(instant)
    LEFT JOIN candidates t
      ON t.created_at < b.instant
     AND NOT (t.status IN ('resolved', 'closed')
              AND COALESCE(t.resolved_at, t.closed_at) < b.instant)
    GROUP BY b.instant ORDER BY b.instant"""
    _names, fetched = _fetch(sql, params)
    counts = [int(count) for _instant, count in fetched]
    return list(zip(ends, counts, strict=True))
