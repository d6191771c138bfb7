"""Reads for the trends page: week-over-week change by category and platform, spikes, top
recurring issues with example tickets and new kinds of issues. All computed in SQL.

Spike rule (stated on the page): a category spikes when its count in the last complete week
(or the last complete day) exceeds its own baseline mean by more than ``SPIKE_K`` standard
deviations, the baseline being the ``BASELINE_WEEKS`` weeks (or 56 days) before it, zeros
included, and the count is at least ``SPIKE_MIN_COUNT``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils.translation import get_language

from tickets.models import Category, Ticket

BASELINE_WEEKS = 8
SPIKE_K = 2.0
SPIKE_MIN_COUNT = 5
RECURRING_WEEKS = 4
EXAMPLES = 3
PLATFORM_DIMENSIONS = {
    "category": "t.category_id::text",
    "platform_os": "NULLIF(t.platform_os, '')",
    "app_version": "NULLIF(t.app_version, '')",
    "channel": "t.channel",
}


@dataclass(frozen=True)
class TrendWeek:
    """The last complete Monday–Sunday week before ``today`` in ``time_zone``."""

    start: date
    time_zone: str

    @classmethod
    def last_complete(cls, today: date, time_zone: str) -> TrendWeek:
        this_monday = today - timedelta(days=today.weekday())
        return cls(this_monday - timedelta(days=7), time_zone)

    def at(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=ZoneInfo(self.time_zone))

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)


def _scope(team_ids: list[int] | None, params: dict[str, Any]) -> str:
    if team_ids is None:
        return "TRUE"
    params["team_ids"] = team_ids
    return "t.team_id = ANY(%(team_ids)s)"


def _fetch(sql: str, params: dict[str, Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")  # see metrics.kpis._fetch
        cursor.execute(sql, params)
        return cursor.fetchall()


def _category_names() -> dict[int, str]:
    language = get_language() or "en"
    return {c.pk: c.localized_name(language) for c in Category.objects.all()}


def week_over_week(
    *, week: TrendWeek, team_ids: list[int] | None, dimension: str, limit: int = 15
) -> list[dict[str, Any]]:
    """Tickets created per value of ``dimension`` in the week and the week before, with the
    change, largest volumes first."""
    params: dict[str, Any] = {
        "previous": week.at(week.start - timedelta(days=7)),
        "start": week.at(week.start),
        "end": week.at(week.start + timedelta(days=7)),
        "limit": limit,
    }
    key = PLATFORM_DIMENSIONS[dimension]
    rows = _fetch(
        f"""SELECT {key} AS key,
              count(*) FILTER (WHERE t.created_at >= %(start)s) AS current,
              count(*) FILTER (WHERE t.created_at < %(start)s) AS previous
            FROM tickets_ticket t
            WHERE t.created_at >= %(previous)s AND t.created_at < %(end)s
              AND {_scope(team_ids, params)}
            GROUP BY 1 ORDER BY 2 DESC, 3 DESC, 1 LIMIT %(limit)s""",
        params,
    )
    names = _category_names() if dimension == "category" else {}
    channels = dict(Ticket.Channel.choices)
    result = []
    for key_value, current, previous in rows:
        if dimension == "category":
            label = names.get(int(key_value), key_value)
        elif dimension == "channel":
            label = str(channels.get(key_value, key_value))
        else:
            label = key_value or "—"
        change = 100.0 * (current - previous) / previous if previous else None
        result.append(
            {
                "key": key_value,
                "label": label,
                "current": current,
                "previous": previous,
                "change": change,
            }
        )
    return result


def spikes(*, week: TrendWeek, team_ids: list[int] | None, unit: str) -> list[dict[str, Any]]:
    """Every category's count in the last complete ``unit`` (day or week) against its own
    baseline (mean and sample standard deviation of the previous 8 weeks or 56 days, zeros
    included); ``is_spike`` per the rule above. Sorted by z-score."""
    if unit == "week":
        last = week.start
        first = last - timedelta(weeks=BASELINE_WEEKS)
        step = "7 days"
    else:
        last = week.end
        first = last - timedelta(days=7 * BASELINE_WEEKS)
        step = "1 day"
    params: dict[str, Any] = {
        "first": first,
        "last": last,
        "start": week.at(first),
        "end": week.at(last + timedelta(days=7 if unit == "week" else 1)),
        "zone": week.time_zone,
        "unit": unit,
        "k": SPIKE_K,
        "min": SPIKE_MIN_COUNT,
    }
    rows = _fetch(
        f"""WITH buckets AS (
              SELECT generate_series(%(first)s::date, %(last)s::date, interval '{step}')::date
                AS bucket),
            counts AS (
              SELECT t.category_id, date_trunc(%(unit)s, t.created_at AT TIME ZONE %(zone)s)::date
                AS bucket, count(*) AS n
              FROM tickets_ticket t
              WHERE t.created_at >= %(start)s AND t.created_at < %(end)s
                AND {_scope(team_ids, params)}
              GROUP BY 1, 2),
            grid AS (
              SELECT c.id AS category_id, b.bucket, COALESCE(n.n, 0) AS n
              FROM tickets_category c CROSS JOIN buckets b
              LEFT JOIN counts n ON n.category_id = c.id AND n.bucket = b.bucket),
            stats AS (
              SELECT category_id,
                sum(n) FILTER (WHERE bucket = %(last)s) AS current,
                avg(n) FILTER (WHERE bucket < %(last)s) AS mean,
                stddev_samp(n) FILTER (WHERE bucket < %(last)s) AS sd
              FROM grid GROUP BY category_id)
            SELECT category_id, current, mean, sd,
              (current - mean) / NULLIF(sd, 0) AS z,
              current >= %(min)s AND current > mean + %(k)s * sd AS is_spike
            FROM stats WHERE current > 0 OR mean > 0
            ORDER BY is_spike DESC, z DESC NULLS LAST, current DESC""",
        params,
    )
    names = _category_names()
    return [
        {
            "category_id": category_id,
            "label": names.get(category_id, ""),
            "current": int(current),
            "mean": float(mean),
            "sd": float(sd or 0),
            "threshold": float(mean) + SPIKE_K * float(sd or 0),
            "z": float(z) if z is not None else None,
            "is_spike": bool(is_spike),
        }
        for category_id, current, mean, sd, z, is_spike in rows
    ]


def recurring_issues(
    *, week: TrendWeek, team_ids: list[int] | None, limit: int = 10
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The commonest (category, tag) pairs of the last four weeks, with three recent example
    tickets each, and (category, tag) pairs first seen in the last week (new kinds of issues:
    at least two tickets in the week, none in the eight weeks before)."""
    params: dict[str, Any] = {
        "recurring_start": week.at(week.start - timedelta(weeks=RECURRING_WEEKS - 1)),
        "baseline_start": week.at(week.start - timedelta(weeks=BASELINE_WEEKS)),
        "start": week.at(week.start),
        "end": week.at(week.start + timedelta(days=7)),
        "limit": limit,
        "examples": EXAMPLES,
    }
    scope = _scope(team_ids, params)
    rows = _fetch(
        f"""WITH tagged AS (
              SELECT t.id, t.subject, t.created_at, t.category_id, tag
              FROM tickets_ticket t CROSS JOIN LATERAL unnest(t.tags) AS tag
              WHERE t.created_at >= %(baseline_start)s AND t.created_at < %(end)s AND {scope}),
            pairs AS (
              SELECT category_id, tag,
                count(*) FILTER (WHERE created_at >= %(recurring_start)s) AS recent,
                count(*) FILTER (WHERE created_at >= %(start)s) AS this_week,
                count(*) FILTER (WHERE created_at < %(start)s) AS before,
                (array_agg(id ORDER BY created_at DESC)
                  FILTER (WHERE created_at >= %(recurring_start)s))[1:%(examples)s] AS examples
              FROM tagged GROUP BY category_id, tag)
            SELECT category_id, tag, recent, this_week, before, examples,
              (this_week >= 2 AND before = 0) AS is_new
            FROM pairs WHERE recent > 0
            ORDER BY recent DESC, category_id, tag""",
        params,
    )
    names = _category_names()
    example_ids = {ticket_id for row in rows for ticket_id in (row[5] or [])}
    subjects = dict(Ticket.objects.filter(pk__in=example_ids).values_list("pk", "subject"))
    items = [
        {
            "category_id": category_id,
            "label": names.get(category_id, ""),
            "tag": tag,
            "recent": recent,
            "this_week": this_week,
            "before": before,
            "is_new": is_new,
            "examples": [
                {
                    "id": ticket_id,
                    "reference": f"SD-{ticket_id:06d}",
                    "subject": subjects.get(ticket_id, ""),
                }
                for ticket_id in (examples or [])
            ],
        }
        for category_id, tag, recent, this_week, before, examples, is_new in rows
    ]
    top = items[:limit]
    new = [item for item in items if item["is_new"]][:limit]
    return top, new
