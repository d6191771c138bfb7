"""Property tests: ``metrics.calendars`` against a brute-force reference on random calendars.

The reference walks the span minute by minute in UTC and asks, for each instant, whether a wall
clock in the calendar's zone shows a time inside an interval that starts on a non-holiday local
date (that day or the day before), and whether a closure covers the instant. It shares nothing
with the engine but the rule itself. All times are minute-aligned, and so are the offsets of the
chosen zones, so counting whole minutes is exact.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from metrics.calendars import BusinessCalendar, MarketHolidays, PublicHolidays

MINUTE = timedelta(minutes=1)
ONE_MICROSECOND = timedelta(microseconds=1)
YEARS = range(2024, 2029)
# DST in both hemispheres, a 30-minute shift (Lord Howe), transitions at local midnight with the
# date running backwards on fall-back (Santiago), and no DST at all (Hong Kong).
ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Hong_Kong",
    "Australia/Lord_Howe",
    "America/Santiago",
]
HOLIDAY_SOURCES = [
    (None, frozenset()),
    (
        PublicHolidays("HK"),
        frozenset(holidays.HK(years=YEARS, categories=("public", "optional"))),
    ),
    (PublicHolidays("US", subdivision="NY"), frozenset(holidays.US(subdiv="NY", years=YEARS))),
    (PublicHolidays("AU", subdivision="NSW"), frozenset(holidays.AU(subdiv="NSW", years=YEARS))),
    (MarketHolidays("XHKG"), frozenset(holidays.XHKG(years=YEARS))),
]
# Days that make spans interesting: DST changes in the zones above and public holidays.
ANCHORS = [
    date(2026, 1, 1),
    date(2026, 2, 17),
    date(2026, 3, 8),
    date(2026, 3, 29),
    date(2026, 4, 5),
    date(2026, 4, 3),
    date(2026, 9, 6),
    date(2026, 10, 4),
    date(2026, 10, 25),
    date(2026, 11, 1),
    date(2026, 12, 25),
    date(2027, 1, 1),
]
PROFILE = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@dataclass(frozen=True)
class Case:
    """A random calendar, both as the engine sees it and as plain data for the reference."""

    calendar: BusinessCalendar
    zone: ZoneInfo
    weekly_minutes: dict[int, list[tuple[int, int]]]  # start, end minutes after local midnight
    holiday_dates: frozenset[date]
    closures: list[tuple[datetime, datetime]]


def week_pieces(start: int, end: int) -> list[tuple[int, int]]:
    """Minutes of the week an interval covers, Sunday night wrapping round to Monday."""
    week = 7 * 1440
    return [(start, min(end, week)), (0, end - week)] if end > week else [(start, end)]


def overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a < d and c < b for a, b in week_pieces(start, end) for c, d in taken)


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def cases(draw) -> Case:
    zone_name = draw(st.sampled_from(ZONES))
    source, holiday_dates = draw(st.sampled_from(HOLIDAY_SOURCES))
    raw = draw(
        st.lists(
            st.tuples(st.integers(0, 6), st.integers(0, 95), st.integers(1, 96), st.booleans()),
            min_size=1,
            max_size=10,
        )
    )
    weekly_text: dict[int, list[tuple[str, str]]] = {}
    weekly_minutes: dict[int, list[tuple[int, int]]] = {day: [] for day in range(7)}
    taken: list[tuple[int, int]] = []
    for weekday, start_quarter, length_quarters, midnight_as_24 in raw:
        # Only 00:00 may open a 24-hour interval (00:00-24:00); 09:00-09:00 is zero-length.
        length_quarters = min(length_quarters, 96 if start_quarter == 0 else 95)
        start, end = start_quarter * 15, (start_quarter + length_quarters) * 15
        week_start = weekday * 1440 + start
        if overlaps(taken, week_start, week_start + end - start):
            continue
        taken.extend(week_pieces(week_start, week_start + end - start))
        end_text = "24:00" if end == 1440 and (midnight_as_24 or start == 0) else clock(end % 1440)
        weekly_text.setdefault(weekday, []).append((clock(start), end_text))
        weekly_minutes[weekday].append((start, end))
    zone = ZoneInfo(zone_name)
    anchor = datetime.combine(draw(st.sampled_from(ANCHORS)), time(), tzinfo=UTC)
    closures = []
    for offset, length, local in draw(
        st.lists(
            st.tuples(st.integers(-4 * 1440, 10 * 1440), st.integers(1, 3 * 1440), st.booleans()),
            max_size=3,
        )
    ):
        start = anchor + offset * MINUTE
        closure = (start, start + length * MINUTE)
        closures.append(tuple(moment.astimezone(zone) for moment in closure) if local else closure)
    calendar = BusinessCalendar(
        time_zone=zone_name, weekly_hours=weekly_text, holidays=source, closures=closures
    )
    return Case(calendar, zone, weekly_minutes, holiday_dates, closures)


@st.composite
def spans(draw, max_days: int = 10) -> tuple[datetime, datetime]:
    anchor = datetime.combine(draw(st.sampled_from(ANCHORS)), time(), tzinfo=UTC)
    start = anchor + draw(st.integers(-3 * 1440, 3 * 1440)) * MINUTE
    # Lengths spread over the whole range rather than clustering near zero.
    days, minutes = draw(st.integers(0, max_days)), draw(st.integers(0, 1440))
    return start, start + min(days * 1440 + minutes, max_days * 1440) * MINUTE


def is_business_instant(case: Case, instant: datetime) -> bool:
    if any(start <= instant < end for start, end in case.closures):
        return False
    wall = instant.astimezone(case.zone).replace(tzinfo=None)
    for day in (wall.date(), wall.date() - timedelta(days=1)):
        if day in case.holiday_dates:
            continue
        midnight = datetime.combine(day, time())
        for start, end in case.weekly_minutes[day.weekday()]:
            if midnight + start * MINUTE <= wall < midnight + end * MINUTE:
                return True
    return False


def brute_force_business_time(case: Case, start: datetime, end: datetime) -> timedelta:
    minutes = int((end - start) / MINUTE)
    return MINUTE * sum(is_business_instant(case, start + step * MINUTE) for step in range(minutes))


def as_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


@settings(PROFILE, max_examples=300)
@given(case=cases(), span=spans(), in_local_zone=st.booleans())
def test_business_time_between_matches_the_brute_force_reference(case, span, in_local_zone):
    start, end = (moment.astimezone(case.zone) for moment in span) if in_local_zone else span

    assert case.calendar.business_time_between(start, end) == brute_force_business_time(case, *span)


@PROFILE
@given(case=cases(), span=spans())
def test_adding_the_business_time_of_a_span_stays_within_it(case, span):
    start, end = span
    spent = case.calendar.business_time_between(start, end)
    assume(spent)

    reached = case.calendar.add_business_time(start, spent)

    assert start < reached <= end
    assert case.calendar.business_time_between(start, reached) == spent
    assert case.calendar.business_time_between(start, as_utc(reached) - ONE_MICROSECOND) < spent


@PROFILE
@given(
    case=cases(),
    span=spans(max_days=0),
    duration=st.timedeltas(min_value=ONE_MICROSECOND, max_value=timedelta(hours=300)),
    local_start=st.booleans(),
)
def test_add_business_time_is_the_earliest_exact_moment(case, span, duration, local_start):
    assume(any(case.weekly_minutes.values()))
    start = span[0].astimezone(case.zone) if local_start else span[0]

    reached = case.calendar.add_business_time(start, duration)

    assert reached.tzinfo is start.tzinfo
    assert as_utc(reached) > as_utc(start)
    assert case.calendar.business_time_between(start, reached) == duration
    assert case.calendar.business_time_between(start, as_utc(reached) - ONE_MICROSECOND) < duration


@PROFILE
@given(
    case=cases(),
    span=spans(),
    cut=st.floats(0, 1),
    durations=st.lists(
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=200)),
        min_size=2,
        max_size=2,
    ),
)
def test_business_time_is_monotone_and_additive(case, span, cut, durations):
    start, end = span
    middle = start + (end - start) * cut
    shorter, longer = sorted(durations)
    calendar = case.calendar

    assert calendar.business_time_between(start, middle) <= calendar.business_time_between(
        start, end
    )
    assert calendar.business_time_between(start, middle) + calendar.business_time_between(
        middle, end
    ) == calendar.business_time_between(start, end)
    assume(any(case.weekly_minutes.values()))
    assert calendar.add_business_time(start, shorter) <= calendar.add_business_time(start, longer)
