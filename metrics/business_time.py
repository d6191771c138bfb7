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

from django.db import connection, transaction

from metrics.calendars import BusinessCalendar, hong_kong_business_calendar

CALENDAR_KEY = "hk"
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
