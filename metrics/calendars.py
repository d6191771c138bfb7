"""Business-hours calendars for SLA clocks: pure Python, built from plain data, no database.

A :class:`BusinessCalendar` combines

* an IANA time zone;
* a weekly schedule of local wall-clock intervals ``[start, end)`` per weekday, where an interval
  whose end is at or before its start crosses midnight (Friday 22:00-02:00 runs into Saturday);
* public holidays of a country (:class:`PublicHolidays`, Hong Kong general holidays by default)
  or of a market (:class:`MarketHolidays`, e.g. HKEX ``"XHKG"``), or none;
* custom closures: aware ``[start, end)`` ranges (typhoon signal No. 8, black rainstorm).

Its documented API is exactly two methods, :meth:`BusinessCalendar.business_time_between` and
:meth:`BusinessCalendar.add_business_time`; ``docs/sla-calendars.md`` states the rules.

The one rule everything follows: an instant is business time when a wall clock in the calendar's
zone shows a local date and time inside an interval that *starts* on a non-holiday local date,
and no closure covers the instant. Consequences on DST-change days: wall-clock times that do not
exist contribute nothing (01:00-03:00 on New York's spring-forward day lasts one hour) and a
repeated wall-clock hour counts each time the clock shows it (the same interval lasts three hours
on the fall-back day).

Implementation: the local days of one UTC year are turned into concrete UTC intervals (cached
per local date), clipped to the year, merged, stripped of closures and stored with running
totals. A query then costs two binary searches per UTC year it spans, so the cost grows with the
days spanned (once per year and calendar) and never with the minutes. All arithmetic is in
integer microseconds since the Unix epoch, so results are exact.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_package

__all__ = [
    "BusinessCalendar",
    "CalendarError",
    "HONG_KONG_GENERAL_HOLIDAYS",
    "MarketHolidays",
    "PublicHolidays",
    "hong_kong_business_calendar",
]

_ONE_MICROSECOND = timedelta(microseconds=1)
_SECOND_US = 1_000_000
_HOUR_US = 3_600 * _SECOND_US
_DAY_US = 24 * _HOUR_US
_WEEK_US = 7 * _DAY_US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = _EPOCH.replace(tzinfo=None)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# A local day's intervals lie between one day before and three days after its midnight read as
# UTC (an interval may run to 24:00 of the next day, and no UTC offset reaches a whole day);
# these limits keep that arithmetic inside what ``datetime`` can represent.
_MIN_YEAR = 3
_MAX_YEAR = 9997
# Zone offsets are sampled this often to find DST transitions; two transitions that cancel out
# within this span would be missed, which no IANA zone has ever had.
_TRANSITION_PROBE_US = 6 * _HOUR_US
_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_CLOCK_PATTERN = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?")
# The package files Hong Kong's statutory holidays under PUBLIC and the remaining general
# (bank) holidays of the General Holidays Ordinance (Cap. 149) under OPTIONAL; a brokerage
# desk closes on all general holidays.
_DEFAULT_COUNTRY_CATEGORIES: dict[str, tuple[str, ...]] = {"HK": ("public", "optional")}


class CalendarError(ValueError):
    """An invalid calendar definition or an invalid argument to a calendar method."""


# --- Holiday sources -------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicHolidays:
    """Public holidays of ``country`` (ISO 3166 code) and optional ``subdivision``.

    ``categories`` are the ``holidays`` package's categories; ``None`` means the country's
    default, which for Hong Kong is every general holiday (``("public", "optional")``) and
    elsewhere the package default (``("public",)``).
    """

    country: str = "HK"
    subdivision: str | None = None
    categories: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.categories is not None:
            # A list would make the source unhashable, and sources key the holiday cache.
            object.__setattr__(self, "categories", tuple(self.categories))
        try:
            self._load(None)
        except (NotImplementedError, ValueError, TypeError) as exc:
            raise CalendarError(f"unknown holiday calendar {self!r}: {exc}") from exc

    def dates_in_year(self, year: int) -> frozenset[date]:
        """The holiday dates of ``year``."""
        return frozenset(self._load(year).keys())

    def _load(self, year: int | None) -> holidays_package.HolidayBase:
        categories = self.categories or _DEFAULT_COUNTRY_CATEGORIES.get(self.country, ("public",))
        return holidays_package.country_holidays(
            self.country,
            subdiv=self.subdivision,
            years=() if year is None else (year,),
            categories=categories,
        )


@dataclass(frozen=True)
class MarketHolidays:
    """Trading holidays of a market (ISO 10383 MIC such as ``"XHKG"``) from ``holidays``.

    By default only whole-day closures count; half-day trading days (Christmas Eve, New Year's
    Eve, Lunar New Year's Eve on HKEX) are ordinary business days. The package also lists
    whole-day suspensions HKEX ordered for past severe weather.
    """

    market: str = "XHKG"
    categories: tuple[str, ...] = ("public",)

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", tuple(self.categories))
        try:
            self._load(None)
        except (NotImplementedError, ValueError, TypeError) as exc:
            raise CalendarError(f"unknown market calendar {self!r}: {exc}") from exc

    def dates_in_year(self, year: int) -> frozenset[date]:
        """The holiday dates of ``year``."""
        return frozenset(self._load(year).keys())

    def _load(self, year: int | None) -> holidays_package.HolidayBase:
        return holidays_package.financial_holidays(
            self.market, years=() if year is None else (year,), categories=self.categories
        )


HolidaySource = PublicHolidays | MarketHolidays
HONG_KONG_GENERAL_HOLIDAYS = PublicHolidays("HK")


@functools.lru_cache(maxsize=1024)
def _holiday_dates(source: HolidaySource, year: int) -> frozenset[date]:
    return source.dates_in_year(year)


# --- Time zones ------------------------------------------------------------------------------


def _year_start_us(year: int) -> int:
    return (date(year, 1, 1).toordinal() - _EPOCH_ORDINAL) * _DAY_US


def _year_of(instant_us: int) -> int:
    return date.fromordinal(instant_us // _DAY_US + _EPOCH_ORDINAL).year


def _offset_at(zone: ZoneInfo, instant_us: int) -> int:
    """UTC offset of ``zone`` at an instant, as the local reading minus the UTC reading."""
    utc_reading = _NAIVE_EPOCH + timedelta(microseconds=instant_us)
    local_reading = zone.fromutc(utc_reading.replace(tzinfo=zone)).replace(tzinfo=None)
    return (local_reading - utc_reading) // _ONE_MICROSECOND


@functools.lru_cache(maxsize=4096)
def _zone_transitions(zone_key: str, year: int) -> tuple[tuple[int, int], ...]:
    """``(instant_us, offset_us_after)`` for each offset change in ``(Jan 1, Jan 1 next]`` UTC."""
    zone = ZoneInfo(zone_key)
    instant, end = _year_start_us(year), _year_start_us(year + 1)
    current = _offset_at(zone, instant)
    transitions: list[tuple[int, int]] = []
    while instant < end:
        probe = min(instant + _TRANSITION_PROBE_US, end)
        if _offset_at(zone, probe) == current:
            instant = probe
            continue
        # tzdb transitions fall on whole seconds: bisect to the first second with the new offset.
        low, high = instant // _SECOND_US, probe // _SECOND_US
        while high - low > 1:
            middle = (low + high) // 2
            if _offset_at(zone, middle * _SECOND_US) == current:
                low = middle
            else:
                high = middle
        instant = high * _SECOND_US
        current = _offset_at(zone, instant)
        transitions.append((instant, current))
    return tuple(transitions)


_SUPPORTED_START_US = _year_start_us(_MIN_YEAR)
_SUPPORTED_END_US = _year_start_us(_MAX_YEAR + 1)


# --- Parsing ---------------------------------------------------------------------------------


def _parse_zone(name: object) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise CalendarError(f"time zone must be an IANA name such as 'Asia/Hong_Kong': {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CalendarError(f"unknown time zone {name!r}") from exc


def _parse_weekday(key: object) -> int:
    if isinstance(key, int) and not isinstance(key, bool) and 0 <= key <= 6:
        return key
    if isinstance(key, str):
        for index, name in enumerate(_WEEKDAY_NAMES):
            if key.lower() in (name.lower(), name[:3].lower()):
                return index
    raise CalendarError(f"weekday must be 0-6 (Monday=0) or a weekday name, got {key!r}")


def _parse_clock(value: object, *, is_end: bool) -> int:
    """Microseconds after local midnight; ``"24:00"`` is accepted as an end."""
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise CalendarError(f"schedule times are local wall-clock times, got {value!r}")
        return (
            (value.hour * 60 + value.minute) * 60 + value.second
        ) * _SECOND_US + value.microsecond
    match = _CLOCK_PATTERN.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise CalendarError(f"a schedule time must be 'HH:MM[:SS]' or a datetime.time: {value!r}")
    hours, minutes, seconds = (int(part or 0) for part in match.group(1, 2, 3))
    fraction = int((match.group(4) or "").ljust(6, "0"))
    whole_day = hours == 24 and minutes == seconds == fraction == 0
    if minutes > 59 or seconds > 59 or (hours > 23 and not (whole_day and is_end)):
        raise CalendarError(f"invalid schedule time {value!r} (24:00 is allowed only as an end)")
    return ((hours * 60 + minutes) * 60 + seconds) * _SECOND_US + fraction


def _format_clock(offset_us: int, *, is_end: bool = False) -> str:
    if is_end and offset_us == _DAY_US:
        return "24:00"
    seconds, micro = divmod(offset_us % _DAY_US, _SECOND_US)
    text = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}"
    if seconds % 60 or micro:
        text += f":{seconds % 60:02d}"
    return text + (f".{micro:06d}" if micro else "")


def _describe(weekday: int, start_us: int, end_us: int) -> str:
    return (
        f"{_WEEKDAY_NAMES[weekday]} {_format_clock(start_us)}-{_format_clock(end_us, is_end=True)}"
    )


def _parse_weekly_hours(
    weekly_hours: Mapping[int | str, Iterable[tuple[object, object]]],
) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Per weekday, sorted ``(start_us, end_us)`` offsets from local midnight (end up to 48 h)."""
    if not isinstance(weekly_hours, Mapping):
        raise CalendarError("weekly_hours must map weekdays to lists of (start, end) pairs")
    days: list[list[tuple[int, int]]] = [[] for _ in _WEEKDAY_NAMES]
    seen: set[int] = set()
    for key, intervals in weekly_hours.items():
        weekday = _parse_weekday(key)
        if weekday in seen:
            raise CalendarError(f"{_WEEKDAY_NAMES[weekday]} appears twice in weekly_hours")
        seen.add(weekday)
        for pair in intervals:
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise CalendarError(f"an interval must be a (start, end) pair, got {pair!r}")
            start = _parse_clock(pair[0], is_end=False)
            end = _parse_clock(pair[1], is_end=True)
            if end == start:
                raise CalendarError(
                    f"zero-length interval {pair[0]}-{pair[1]} on {_WEEKDAY_NAMES[weekday]}"
                    " (an interval must not end where it starts; write 00:00-24:00 for a whole day)"
                )
            days[weekday].append((start, end if end > start else end + _DAY_US))
    _check_no_overlap(days)
    return tuple(tuple(sorted(day)) for day in days)


def _check_no_overlap(days: list[list[tuple[int, int]]]) -> None:
    """Reject intervals sharing wall-clock time, Sunday night running into Monday included."""
    spans: list[tuple[int, int, str]] = []
    for weekday, intervals in enumerate(days):
        for start, end in intervals:
            label = _describe(weekday, start, end)
            week_start, week_end = weekday * _DAY_US + start, weekday * _DAY_US + end
            spans.append((week_start, min(week_end, _WEEK_US), label))
            if week_end > _WEEK_US:
                spans.append((0, week_end - _WEEK_US, label))
    spans.sort()
    for (_, earlier_end, earlier), (later_start, _, later) in zip(spans, spans[1:], strict=False):
        if later_start < earlier_end:
            raise CalendarError(
                f"overlapping intervals in the weekly schedule: {earlier} and {later}"
            )


def _to_us(value: object, name: str) -> int:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.utcoffset() is None:
        raise CalendarError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    instant = (value - _EPOCH) // _ONE_MICROSECOND
    if not _SUPPORTED_START_US <= instant < _SUPPORTED_END_US:
        raise CalendarError(f"{name} {value.isoformat()} is outside years {_MIN_YEAR}-{_MAX_YEAR}")
    return instant


def _parse_closures(closures: Iterable[tuple[datetime, datetime]]) -> tuple[tuple[int, int], ...]:
    """Closures as sorted, merged ``(start_us, end_us)`` ranges."""
    ranges: list[tuple[int, int]] = []
    for number, pair in enumerate(closures, start=1):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise CalendarError(f"closure #{number} must be a (start, end) pair, got {pair!r}")
        start = _to_us(pair[0], f"closure #{number} start")
        end = _to_us(pair[1], f"closure #{number} end")
        if end <= start:
            raise CalendarError(
                f"closure #{number} ends at or before it starts: "
                f"{pair[0].isoformat()} - {pair[1].isoformat()}"
            )
        ranges.append((start, end))
    ranges.sort()
    merged: list[tuple[int, int]] = []
    for start, end in ranges:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


# --- The calendar ----------------------------------------------------------------------------


class _YearIndex:
    """Business intervals of one UTC year: disjoint, sorted, with running totals."""

    __slots__ = ("cumulative", "ends", "starts", "total")

    def __init__(self, intervals: list[tuple[int, int]]) -> None:
        self.starts = [start for start, _ in intervals]
        self.ends = [end for _, end in intervals]
        self.cumulative = [0]
        for start, end in intervals:
            self.cumulative.append(self.cumulative[-1] + end - start)
        self.total = self.cumulative[-1]

    def before(self, instant: int) -> int:
        """Business microseconds of this year strictly before ``instant``."""
        index = bisect_right(self.starts, instant) - 1
        if index < 0:
            return 0
        return self.cumulative[index] + min(instant, self.ends[index]) - self.starts[index]


class BusinessCalendar:
    """Business hours in a time zone, minus holidays and closures; see the module docstring.

    ``weekly_hours`` maps weekdays (``0``-``6`` with Monday ``0``, or names such as ``"mon"``)
    to ``(start, end)`` pairs of ``"HH:MM[:SS[.ffffff]]"`` strings or naive ``datetime.time``
    values; ``"24:00"`` ends at midnight, an end at or before the start crosses midnight.
    Raises :class:`CalendarError` for an unknown zone, zero-length or overlapping intervals,
    and naive, inverted or empty closures. Instances are immutable and thread-safe.
    """

    def __init__(
        self,
        *,
        time_zone: str,
        weekly_hours: Mapping[int | str, Iterable[tuple[object, object]]],
        holidays: HolidaySource | None = HONG_KONG_GENERAL_HOLIDAYS,
        closures: Iterable[tuple[datetime, datetime]] = (),
    ) -> None:
        if holidays is not None and not isinstance(holidays, PublicHolidays | MarketHolidays):
            raise CalendarError(
                f"holidays must be PublicHolidays, MarketHolidays or None: {holidays!r}"
            )
        self._zone = _parse_zone(time_zone)
        self._weekly = _parse_weekly_hours(weekly_hours)
        self._holidays = holidays
        self._closures = _parse_closures(closures)
        self._closure_starts = [start for start, _ in self._closures]
        self._has_hours = any(self._weekly)
        # Per-instance caches, so that they die with the calendar.
        self._day_intervals = functools.lru_cache(maxsize=4096)(self._compute_day_intervals)
        self._year_index = functools.lru_cache(maxsize=64)(self._compute_year_index)

    @classmethod
    def always_open(
        cls,
        *,
        time_zone: str = "UTC",
        holidays: HolidaySource | None = None,
        closures: Iterable[tuple[datetime, datetime]] = (),
    ) -> BusinessCalendar:
        """A 24x7 calendar: every day 00:00-24:00, by default without holidays."""
        return cls(
            time_zone=time_zone,
            weekly_hours={weekday: [("00:00", "24:00")] for weekday in range(7)},
            holidays=holidays,
            closures=closures,
        )

    def __repr__(self) -> str:
        return (
            f"<BusinessCalendar {self._zone.key} holidays={self._holidays!r} "
            f"closures={len(self._closures)}>"
        )

    # -- public API --

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Business time inside ``[start, end)``; zero when ``end <= start``.

        Both arguments must be aware; they may be in any zone.
        """
        start_us, end_us = _to_us(start, "start"), _to_us(end, "end")
        if end_us <= start_us:
            return timedelta(0)
        first_year, last_year = _year_of(start_us), _year_of(end_us)
        first = self._year_index(first_year)
        if first_year == last_year:
            return timedelta(microseconds=first.before(end_us) - first.before(start_us))
        total = first.total - first.before(start_us)
        for year in range(first_year + 1, last_year):
            total += self._year_index(year).total
        total += self._year_index(last_year).before(end_us)
        return timedelta(microseconds=total)

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest ``t >= start`` with ``business_time_between(start, t) == duration``.

        A zero duration returns ``start`` itself; otherwise the result carries ``start``'s
        tzinfo. Raises :class:`CalendarError` for a naive ``start``, a negative duration, or a
        calendar without any weekly hours.
        """
        start_us = _to_us(start, "start")
        if not isinstance(duration, timedelta):
            raise TypeError(f"duration must be a timedelta, got {type(duration).__name__}")
        if duration < timedelta(0):
            raise CalendarError(f"duration must not be negative, got {duration}")
        if not duration:
            return start
        if not self._has_hours:
            raise CalendarError("the calendar has no weekly hours, so no business time to add")
        year = _year_of(start_us)
        index = self._year_index(year)
        target = index.before(start_us) + duration // _ONE_MICROSECOND
        while target > index.total:
            target -= index.total
            year += 1
            if year > _MAX_YEAR:
                raise CalendarError(
                    f"{duration} of business time from {start.isoformat()} runs past the "
                    f"supported years {_MIN_YEAR}-{_MAX_YEAR}"
                )
            index = self._year_index(year)
        # The interval where the running total reaches the target: cumulative[i] < target.
        position = bisect_left(index.cumulative, target, 1) - 1
        instant = index.starts[position] + target - index.cumulative[position]
        return (_EPOCH + timedelta(microseconds=instant)).astimezone(start.tzinfo)

    # -- interval generation --

    def _compute_day_intervals(self, ordinal: int) -> tuple[tuple[int, int], ...]:
        """UTC intervals of the schedule intervals *starting* on local date ``ordinal``.

        Each wall-clock interval maps to the instants whose local reading falls inside it: per
        stretch of constant UTC offset, ``[wall_start - offset, wall_end - offset)`` clipped to
        the stretch. Nonexistent wall times thereby drop out and repeated ones count twice.
        """
        day = date.fromordinal(ordinal)
        intervals = self._weekly[day.weekday()]
        if not intervals or (
            self._holidays is not None and day in _holiday_dates(self._holidays, day.year)
        ):
            return ()
        midnight = (ordinal - _EPOCH_ORDINAL) * _DAY_US
        stretches = self._offset_stretches(midnight - _DAY_US, midnight + 3 * _DAY_US)
        result: list[tuple[int, int]] = []
        for start, end in intervals:
            for low, high, offset in stretches:
                piece_start = max(low, midnight + start - offset)
                piece_end = min(high, midnight + end - offset)
                if piece_start < piece_end:
                    result.append((piece_start, piece_end))
        return tuple(result)

    def _offset_stretches(self, low: int, high: int) -> list[tuple[int, int, int]]:
        """``(start_us, end_us, offset_us)`` stretches of constant UTC offset covering the span."""
        stretches: list[tuple[int, int, int]] = []
        offset = _offset_at(self._zone, low)
        for year in range(_year_of(low), _year_of(high - 1) + 1):
            for instant, offset_after in _zone_transitions(self._zone.key, year):
                if low < instant < high:
                    stretches.append((low, instant, offset))
                    low, offset = instant, offset_after
        stretches.append((low, high, offset))
        return stretches

    def _compute_year_index(self, year: int) -> _YearIndex:
        year_start, year_end = _year_start_us(year), _year_start_us(year + 1)
        first_day = date(year, 1, 1).toordinal() - 3
        last_day = date(year + 1, 1, 1).toordinal() + 1
        pieces: list[tuple[int, int]] = []
        for ordinal in range(first_day, last_day + 1):
            for start, end in self._day_intervals(ordinal):
                start, end = max(start, year_start), min(end, year_end)
                if start < end:
                    pieces.append((start, end))
        # Intervals of neighbouring days can interleave around a fall-back transition, so sort.
        pieces.sort()
        merged: list[tuple[int, int]] = []
        for start, end in pieces:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return _YearIndex(self._without_closures(merged, year_start, year_end))

    def _without_closures(
        self, intervals: list[tuple[int, int]], low: int, high: int
    ) -> list[tuple[int, int]]:
        first = max(bisect_right(self._closure_starts, low) - 1, 0)
        closures = [c for c in self._closures[first:] if c[0] < high and c[1] > low]
        if not closures:
            return intervals
        result: list[tuple[int, int]] = []
        position = 0
        for start, end in intervals:
            while position < len(closures) and closures[position][1] <= start:
                position += 1
            cursor = start
            scan = position
            while scan < len(closures) and closures[scan][0] < end:
                closure_start, closure_end = closures[scan]
                if closure_start > cursor:
                    result.append((cursor, closure_start))
                cursor = max(cursor, closure_end)
                scan += 1
            if cursor < end:
                result.append((cursor, end))
        return result


def hong_kong_business_calendar(
    *, closures: Iterable[tuple[datetime, datetime]] = ()
) -> BusinessCalendar:
    """The desk's Hong Kong office hours: Monday-Friday 09:00-18:00, closed on general holidays."""
    return BusinessCalendar(
        time_zone="Asia/Hong_Kong",
        weekly_hours={weekday: [("09:00", "18:00")] for weekday in range(5)},
        holidays=HONG_KONG_GENERAL_HOLIDAYS,
        closures=closures,
    )
