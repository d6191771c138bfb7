"""Business time in SQL: the Hong Kong calendar of ``metrics.calendars`` materialised as rows.

Choice (documented in docs/architecture.md): rather than a per-ticket stored column kept by the
ticket hook, the calendar's business intervals are written to ``BusinessInterval`` with running
totals, and the SQL function ``metrics_business_us(instant)`` returns the business microseconds
before an instant (one index look-up). The business time between ``a`` and ``b`` is
``metrics_business_us(b) - metrics_business_us(a)``: exact, computed in the database for any pair
of timestamps (first reply, resolution, any period), and nothing to backfill when tickets are
bulk-loaded. The rows cover ``FIRST_YEAR``..``LAST_YEAR``; ``materialise`` is idempotent.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from metrics.calendars import BusinessCalendar, hong_kong_business_calendar

CALENDAR_KEY = "hk"
CALENDAR_TIME_ZONE = "Asia/Hong_Kong"
FIRST_YEAR = 2015
LAST_YEAR = 2040

FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION metrics_business_us(instant timestamptz) RETURNS bigint
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $$
  SELECT COALESCE((
    SELECT i.cumulative_us + LEAST(u.us, i.ends_us) - i.starts_us
    FROM metrics_businessinterval i,
         (SELECT (EXTRACT(EPOCH FROM instant) * 1000000)::bigint AS us) u
    WHERE i.calendar = '{CALENDAR_KEY}' AND i.starts_us <= u.us
    ORDER BY i.starts_us DESC
    LIMIT 1
  ), 0)
$$;
"""
DROP_FUNCTION_SQL = "DROP FUNCTION IF EXISTS metrics_business_us(timestamptz);"


def calendar_intervals(
    calendar: BusinessCalendar, first_year: int, last_year: int
) -> list[tuple[int, int]]:
    """The calendar's disjoint business intervals (UTC microseconds) of whole UTC years.

    Uses the calendar's own per-year index (the same intervals its public methods answer
    from), merging intervals that touch at a year boundary.
    """
    merged: list[tuple[int, int]] = []
    for year in range(first_year, last_year + 1):
        index = calendar._compute_year_index(year)  # noqa: SLF001 - same app, same definition
        for start, end in zip(index.starts, index.ends, strict=True):
            if merged and merged[-1][1] == start:
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
    return merged


@transaction.atomic
def materialise(
    *, interval_model: type, first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR
) -> int:
    """Write the Hong Kong calendar's intervals (replacing any) and return how many."""
    intervals = calendar_intervals(hong_kong_business_calendar(), first_year, last_year)
    interval_model.objects.filter(calendar=CALENDAR_KEY).delete()
    rows = []
    cumulative = 0
    for start, end in intervals:
        rows.append(
            interval_model(
                calendar=CALENDAR_KEY, starts_us=start, ends_us=end, cumulative_us=cumulative
            )
        )
        cumulative += end - start
    interval_model.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@transaction.atomic
def materialise_days(
    *, day_model: type, first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR
) -> int:
    """Write one ``BusinessDay`` row per local day of ``first_year``..``last_year`` (replacing
    any) from the calendar's intervals; refuses a calendar with two intervals on one local day
    or an interval crossing local midnight."""
    calendar = hong_kong_business_calendar()
    zone = ZoneInfo(CALENDAR_TIME_ZONE)
    by_day: dict[date, tuple[int, int, int]] = {}
    cumulative = 0
    for start, end in calendar_intervals(calendar, first_year, last_year):
        local_start = datetime.fromtimestamp(start / 1e6, tz=zone)
        local_end = datetime.fromtimestamp((end - 1) / 1e6, tz=zone)
        if local_start.date() != local_end.date() or local_start.date() in by_day:
            raise ValueError(f"calendar interval {start}-{end} does not fit one local day")
        by_day[local_start.date()] = (cumulative, start, end)
        cumulative += end - start
    day_model.objects.filter(calendar=CALENDAR_KEY).delete()
    rows = []
    following = cumulative
    day = date(last_year, 12, 31)
    while day >= date(first_year, 1, 1):
        if day in by_day:
            before, opens, closes = by_day[day]
            following = before
            rows.append(
                day_model(
                    calendar=CALENDAR_KEY,
                    day=day,
                    cumulative_us=before,
                    opens_us=opens,
                    closes_us=closes,
                )
            )
        else:
            rows.append(day_model(calendar=CALENDAR_KEY, day=day, cumulative_us=following))
        day -= timedelta(days=1)
    day_model.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def business_us_by_day_sql(instant_sql: str, alias: str) -> str:
    """Business microseconds before ``instant_sql`` using the ``BusinessDay`` row ``alias``
    joined on the instant's local date (see :func:`business_day_join_sql`)."""
    us = f"(EXTRACT(EPOCH FROM {instant_sql}) * 1000000)::bigint"
    return (
        f"({alias}.cumulative_us + COALESCE(LEAST(GREATEST({us} - {alias}.opens_us, 0),"
        f" {alias}.closes_us - {alias}.opens_us), 0))"
    )


def business_day_join_sql(instant_sql: str, alias: str) -> str:
    return (
        f" LEFT JOIN metrics_businessday {alias} ON {alias}.calendar = '{CALENDAR_KEY}'"
        f" AND {alias}.day = ({instant_sql} AT TIME ZONE '{CALENDAR_TIME_ZONE}')::date"
    )


def business_seconds_sql(start_sql: str, end_sql: str) -> str:
    """SQL for the business seconds between two timestamp expressions (NULL if either is)."""
    return f"((metrics_business_us({end_sql}) - metrics_business_us({start_sql})) / 1e6)"


def business_seconds_between(start: object, end: object) -> float:
    """One pair, computed by the database (used by tests and the benchmark)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + business_seconds_sql("%s::timestamptz", "%s::timestamptz"), [end, start]
        )
        return float(cursor.fetchone()[0])
