"""Table cases for the SLA business-hours calendar (``metrics.calendars``), plus a black-box check
against the vacanza/holidays Hong Kong snapshots in ``../shared/corpora``. No database needed."""

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest

from metrics.calendars import (
    BusinessCalendar,
    CalendarError,
    MarketHolidays,
    PublicHolidays,
    hong_kong_business_calendar,
)

HONG_KONG = ZoneInfo("Asia/Hong_Kong")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SYDNEY = ZoneInfo("Australia/Sydney")
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "vacanza-holidays-hk"
WEEKDAYS = range(5)


def hk(*args: int) -> datetime:
    return datetime(*args, tzinfo=HONG_KONG)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def whole_local_day(zone: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(day, time(), tzinfo=zone),
        datetime.combine(day + timedelta(days=1), time(), tzinfo=zone),
    )


NINE_TO_FIVE = BusinessCalendar(
    time_zone="Asia/Hong_Kong", weekly_hours={day: [("09:00", "17:00")] for day in WEEKDAYS}
)
HK_OFFICE = hong_kong_business_calendar()
OVERNIGHT = BusinessCalendar(
    time_zone="Asia/Hong_Kong",
    weekly_hours={day: [("22:00", "02:00")] for day in WEEKDAYS},
    holidays=None,
)
TYPHOON = hong_kong_business_calendar(
    closures=[
        (hk(2026, 7, 15, 10), hk(2026, 7, 15, 14)),  # signal No. 8, Wednesday 10:00-14:00
        (hk(2026, 9, 16, 12), hk(2026, 9, 18, 12)),  # Wednesday noon to Friday noon
    ]
)
ALWAYS_OPEN = BusinessCalendar.always_open(time_zone="Asia/Hong_Kong")


def small_hours(zone: str) -> BusinessCalendar:
    """01:00-03:00 every day: the wall-clock window that DST changes cut or repeat."""
    return BusinessCalendar(
        time_zone=zone, weekly_hours={day: [("01:00", "03:00")] for day in range(7)}, holidays=None
    )


def sunday_only(zone: str, interval: tuple[str, str]) -> BusinessCalendar:
    return BusinessCalendar(time_zone=zone, weekly_hours={6: [interval]}, holidays=None)


NEW_YORK_NIGHTS = small_hours("America/New_York")
LONDON_NIGHTS = small_hours("Europe/London")
SYDNEY_NIGHTS = small_hours("Australia/Sydney")


ADD_CASES = [
    pytest.param(NINE_TO_FIVE, hk(2026, 1, 9, 9), timedelta(hours=8), hk(2026, 1, 9, 17),
                 id="friday_0900_plus_8h_case_is_friday_1700_not_monday"),
    pytest.param(NINE_TO_FIVE, hk(2026, 1, 9, 9), timedelta(hours=9), hk(2026, 1, 12, 10),
                 id="friday_0900_plus_9h_case_is_monday_1000"),
    pytest.param(NINE_TO_FIVE, hk(2026, 1, 9, 10), timedelta(hours=8), hk(2026, 1, 12, 10),
                 id="friday_1000_plus_8h_case_is_monday_1000"),
    pytest.param(NINE_TO_FIVE, hk(2026, 1, 9, 17), timedelta(microseconds=1),
                 datetime(2026, 1, 12, 9, 0, 0, 1, tzinfo=HONG_KONG),
                 id="friday_close_plus_1us_case"),
    pytest.param(NINE_TO_FIVE, hk(2026, 1, 12, 7, 30), timedelta(hours=1), hk(2026, 1, 12, 10),
                 id="start_before_opening_case"),
    pytest.param(NINE_TO_FIVE, hk(2026, 1, 12, 19), timedelta(hours=1), hk(2026, 1, 13, 10),
                 id="start_after_closing_case"),
    pytest.param(NINE_TO_FIVE, hk(2026, 1, 10, 12), timedelta(hours=2), hk(2026, 1, 12, 11),
                 id="start_on_saturday_case"),
    pytest.param(OVERNIGHT, hk(2026, 1, 12, 23), timedelta(hours=2), hk(2026, 1, 13, 1),
                 id="overnight_across_midnight_case"),
    pytest.param(OVERNIGHT, hk(2026, 1, 17, 1), timedelta(hours=2), hk(2026, 1, 19, 23),
                 id="overnight_friday_shift_into_saturday_then_monday_case"),
    pytest.param(OVERNIGHT, hk(2026, 1, 16, 23), timedelta(hours=4), hk(2026, 1, 19, 23),
                 id="overnight_across_weekend_case"),
    pytest.param(HK_OFFICE, hk(2025, 12, 31, 17), timedelta(hours=2), hk(2026, 1, 2, 10),
                 id="hk_new_year_skipped_case"),
    pytest.param(HK_OFFICE, hk(2026, 2, 16, 17), timedelta(hours=2), hk(2026, 2, 20, 10),
                 id="hk_lunar_new_year_skipped_case"),
    pytest.param(HK_OFFICE, hk(2026, 12, 24, 17), timedelta(hours=2), hk(2026, 12, 28, 10),
                 id="hk_christmas_skipped_case"),
    pytest.param(TYPHOON, hk(2026, 7, 15, 9), timedelta(hours=3), hk(2026, 7, 15, 16),
                 id="typhoon_closure_midday_case"),
    pytest.param(TYPHOON, hk(2026, 9, 16, 9), timedelta(hours=6), hk(2026, 9, 18, 15),
                 id="closure_spanning_days_case"),
    pytest.param(NEW_YORK_NIGHTS, datetime(2026, 3, 8, 1, tzinfo=NEW_YORK), timedelta(hours=1),
                 utc(2026, 3, 8, 7), id="new_york_spring_forward_hour_is_missing_case"),
    pytest.param(NEW_YORK_NIGHTS, datetime(2026, 3, 8, 1, tzinfo=NEW_YORK), timedelta(minutes=90),
                 utc(2026, 3, 9, 5, 30), id="new_york_spring_forward_rolls_to_next_night_case"),
    pytest.param(NEW_YORK_NIGHTS, datetime(2026, 11, 1, 1, tzinfo=NEW_YORK), timedelta(minutes=90),
                 utc(2026, 11, 1, 6, 30), id="new_york_fall_back_lands_in_repeated_hour_case"),
    pytest.param(NEW_YORK_NIGHTS, datetime(2026, 11, 1, 1, tzinfo=NEW_YORK), timedelta(hours=3),
                 utc(2026, 11, 1, 8), id="new_york_fall_back_night_is_3h_case"),
    pytest.param(LONDON_NIGHTS, datetime(2026, 3, 29, tzinfo=LONDON), timedelta(hours=1),
                 utc(2026, 3, 29, 2), id="london_spring_forward_case"),
    pytest.param(LONDON_NIGHTS, datetime(2026, 10, 25, tzinfo=LONDON), timedelta(hours=3),
                 utc(2026, 10, 25, 3), id="london_fall_back_case"),
    pytest.param(SYDNEY_NIGHTS, datetime(2026, 4, 5, tzinfo=SYDNEY), timedelta(hours=3),
                 utc(2026, 4, 4, 17), id="sydney_fall_back_case"),
    pytest.param(SYDNEY_NIGHTS, datetime(2026, 10, 4, tzinfo=SYDNEY), timedelta(hours=1),
                 utc(2026, 10, 3, 16), id="sydney_spring_forward_case"),
    pytest.param(HK_OFFICE, utc(2026, 1, 9, 1), timedelta(hours=10), utc(2026, 1, 12, 2),
                 id="start_given_in_utc_case"),
    pytest.param(HK_OFFICE, datetime(2026, 1, 8, 20, tzinfo=NEW_YORK), timedelta(hours=10),
                 hk(2026, 1, 12, 10), id="start_given_in_new_york_case"),
    pytest.param(ALWAYS_OPEN, utc(2026, 3, 1), timedelta(hours=1000), utc(2026, 4, 11, 16),
                 id="always_open_is_elapsed_time_case"),
    pytest.param(HK_OFFICE, hk(2026, 12, 1, 9), timedelta(hours=300), hk(2027, 1, 19, 12),
                 id="300_business_hours_across_year_end_case"),
]  # fmt: skip


@pytest.mark.parametrize(("calendar", "start", "duration", "expected"), ADD_CASES)
def test_add_business_time(calendar, start, duration, expected):
    result = calendar.add_business_time(start, duration)

    assert result.astimezone(UTC) == expected.astimezone(UTC)
    assert result.tzinfo is start.tzinfo
    assert calendar.business_time_between(start, result) == duration


def test_a_zero_duration_returns_start_unchanged():
    start = datetime(2026, 1, 10, 3, 4, 5, 6, tzinfo=NEW_YORK)  # Saturday afternoon in Hong Kong

    assert HK_OFFICE.add_business_time(start, timedelta(0)) is start


def test_the_result_keeps_the_fold_of_a_repeated_hour():
    result = NEW_YORK_NIGHTS.add_business_time(
        datetime(2026, 11, 1, 1, tzinfo=NEW_YORK), timedelta(minutes=90)
    )

    assert (result.hour, result.minute, result.fold) == (1, 30, 1)
    assert result.utcoffset() == timedelta(hours=-5)


BETWEEN_CASES = [
    pytest.param(NINE_TO_FIVE, hk(2026, 1, 9, 9), hk(2026, 1, 12, 9), timedelta(hours=8),
                 id="friday_to_monday_case"),
    pytest.param(NINE_TO_FIVE, hk(2026, 1, 12, 12), hk(2026, 1, 12, 11), timedelta(0),
                 id="end_before_start_case"),
    pytest.param(NINE_TO_FIVE, hk(2026, 1, 12, 12), hk(2026, 1, 12, 12), timedelta(0),
                 id="empty_span_case"),
    pytest.param(NINE_TO_FIVE, datetime(2026, 1, 12, 9, 0, 0, 250, tzinfo=HONG_KONG),
                 datetime(2026, 1, 12, 9, 0, 1, tzinfo=HONG_KONG), timedelta(microseconds=999_750),
                 id="microseconds_case"),
    pytest.param(HK_OFFICE, hk(2026, 2, 16), hk(2026, 2, 21), timedelta(hours=18),
                 id="hk_lunar_new_year_week_case"),
    pytest.param(HK_OFFICE, hk(2026, 12, 24), hk(2026, 12, 29), timedelta(hours=18),
                 id="hk_christmas_week_case"),
    pytest.param(HK_OFFICE, hk(2026, 1, 1), hk(2027, 1, 1), timedelta(hours=247 * 9),
                 id="hk_year_2026_has_247_business_days_case"),
    pytest.param(OVERNIGHT, hk(2026, 1, 16, 20), hk(2026, 1, 19, 23), timedelta(hours=5),
                 id="overnight_across_weekend_case"),
    pytest.param(TYPHOON, hk(2026, 7, 15), hk(2026, 7, 16), timedelta(hours=5),
                 id="typhoon_day_case"),
    pytest.param(TYPHOON, hk(2026, 9, 14), hk(2026, 9, 19), timedelta(hours=9 * 2 + 3 + 6),
                 id="closure_spanning_days_week_case"),
    pytest.param(NEW_YORK_NIGHTS, *whole_local_day(NEW_YORK, date(2026, 3, 8)), timedelta(hours=1),
                 id="new_york_spring_forward_day_case"),
    pytest.param(NEW_YORK_NIGHTS, *whole_local_day(NEW_YORK, date(2026, 11, 1)), timedelta(hours=3),
                 id="new_york_fall_back_day_case"),
    pytest.param(LONDON_NIGHTS, *whole_local_day(LONDON, date(2026, 3, 29)), timedelta(hours=1),
                 id="london_spring_forward_day_case"),
    pytest.param(LONDON_NIGHTS, *whole_local_day(LONDON, date(2026, 10, 25)), timedelta(hours=3),
                 id="london_fall_back_day_case"),
    pytest.param(SYDNEY_NIGHTS, *whole_local_day(SYDNEY, date(2026, 4, 5)), timedelta(hours=3),
                 id="sydney_fall_back_day_case"),
    pytest.param(SYDNEY_NIGHTS, *whole_local_day(SYDNEY, date(2026, 10, 4)), timedelta(hours=1),
                 id="sydney_spring_forward_day_case"),
    pytest.param(sunday_only("America/New_York", ("00:00", "01:30")),
                 *whole_local_day(NEW_YORK, date(2026, 11, 1)), timedelta(hours=2),
                 id="closing_inside_repeated_hour_counts_both_passes_case"),
    pytest.param(sunday_only("America/New_York", ("02:30", "04:00")),
                 *whole_local_day(NEW_YORK, date(2026, 3, 8)), timedelta(hours=1),
                 id="opening_inside_skipped_hour_opens_at_the_jump_case"),
    pytest.param(BusinessCalendar.always_open(time_zone="America/New_York"),
                 datetime(2026, 3, 7, tzinfo=NEW_YORK), datetime(2026, 3, 9, tzinfo=NEW_YORK),
                 timedelta(hours=47), id="always_open_across_spring_forward_case"),
    pytest.param(BusinessCalendar.always_open(time_zone="Europe/London"),
                 utc(2025, 6, 1), utc(2027, 6, 1), utc(2027, 6, 1) - utc(2025, 6, 1),
                 id="always_open_over_two_years_case"),
    pytest.param(BusinessCalendar.always_open(time_zone="Asia/Hong_Kong",
                                              holidays=PublicHolidays()),
                 hk(2026, 2, 16), hk(2026, 2, 21), timedelta(days=2),
                 id="always_open_with_hk_holidays_case"),
]  # fmt: skip


@pytest.mark.parametrize(("calendar", "start", "end", "expected"), BETWEEN_CASES)
def test_business_time_between(calendar, start, end, expected):
    assert calendar.business_time_between(start, end) == expected


def test_an_interval_starting_the_evening_before_a_holiday_counts_in_full():
    # Thursday 2026-12-24 22:00 to Friday 02:00 counts, though Friday 2026-12-25 is Christmas Day;
    # the shifts starting on Christmas Day and on the 26th (also a holiday) do not.
    calendar = BusinessCalendar(
        time_zone="Asia/Hong_Kong", weekly_hours={day: [("22:00", "02:00")] for day in range(7)}
    )

    assert calendar.business_time_between(hk(2026, 12, 24, 12), hk(2026, 12, 26, 12)) == timedelta(
        hours=4
    )


def test_adjacent_intervals_and_24_00_ends_are_accepted():
    calendar = BusinessCalendar(
        time_zone="Asia/Hong_Kong",
        weekly_hours={
            "fri": [("09:00", "12:00"), ("12:00", "22:00"), ("22:00", "24:00")],
            "Saturday": [("00:00", "02:00"), (time(2), time(3, 30))],
        },
        holidays=None,
    )

    assert calendar.business_time_between(hk(2026, 1, 9), hk(2026, 1, 11)) == timedelta(hours=18.5)


VALIDATION_CASES = [
    pytest.param({"time_zone": "Mars/Olympus_Mons"}, "unknown time zone 'Mars/Olympus_Mons'",
                 id="unknown_time_zone_case"),
    pytest.param({"weekly_hours": {0: [("09:00", "12:00"), ("11:00", "13:00")]}},
                 "overlapping intervals in the weekly schedule: Monday 09:00-12:00 and Monday "
                 "11:00-13:00", id="overlap_same_day_case"),
    pytest.param({"weekly_hours": {4: [("22:00", "02:00")], 5: [("01:00", "05:00")]}},
                 "overlapping intervals in the weekly schedule: Friday 22:00-02:00 and Saturday "
                 "01:00-05:00", id="overlap_via_midnight_case"),
    pytest.param({"weekly_hours": {6: [("20:00", "03:00")], 0: [("02:00", "04:00")]}},
                 "overlapping intervals in the weekly schedule: Sunday 20:00-03:00 and Monday "
                 "02:00-04:00", id="overlap_via_sunday_night_case"),
    pytest.param({"weekly_hours": {0: [("09:00", "09:00")]}},
                 "zero-length interval 09:00-09:00 on Monday", id="zero_length_case"),
    pytest.param({"weekly_hours": {0: [("00:00", "00:00")]}},
                 "zero-length interval 00:00-00:00 on Monday", id="zero_length_midnight_case"),
    pytest.param({"weekly_hours": {0: [("25:00", "26:00")]}}, "invalid schedule time '25:00'",
                 id="hour_out_of_range_case"),
    pytest.param({"weekly_hours": {0: [("24:00", "02:00")]}}, "invalid schedule time '24:00'",
                 id="start_at_24_00_case"),
    pytest.param({"weekly_hours": {"someday": [("09:00", "17:00")]}},
                 "weekday must be 0-6 .Monday=0. or a weekday name, got 'someday'",
                 id="unknown_weekday_case"),
    pytest.param({"weekly_hours": {0: [], "mon": []}}, "Monday appears twice",
                 id="duplicate_weekday_case"),
    pytest.param({"closures": [(hk(2026, 7, 15, 14), hk(2026, 7, 15, 10))]},
                 "closure #1 ends at or before it starts: 2026-07-15T14:00:00\\+08:00",
                 id="closure_ending_before_start_case"),
    pytest.param({"closures": [(hk(2026, 7, 15, 14), hk(2026, 7, 15, 14))]},
                 "closure #1 ends at or before it starts", id="closure_ending_at_start_case"),
    pytest.param({"closures": [(datetime(2026, 7, 15, 10), hk(2026, 7, 15, 14))]},  # noqa: DTZ001
                 "closure #1 start must be timezone-aware, got naive 2026-07-15T10:00:00",
                 id="naive_closure_case"),
    pytest.param({"holidays": "HK"}, "holidays must be PublicHolidays, MarketHolidays or None",
                 id="holidays_not_a_source_case"),
]  # fmt: skip


@pytest.mark.parametrize(("overrides", "message"), VALIDATION_CASES)
def test_an_invalid_definition_is_rejected(overrides, message):
    arguments = {
        "time_zone": "Asia/Hong_Kong",
        "weekly_hours": {day: [("09:00", "17:00")] for day in WEEKDAYS},
        **overrides,
    }

    with pytest.raises(CalendarError, match=message):
        BusinessCalendar(**arguments)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param(lambda: PublicHolidays("ZZ"), "Country ZZ not available", id="country_case"),
        pytest.param(
            lambda: PublicHolidays("US", subdivision="XX"),
            "does not have subdivision XX",
            id="subdivision_case",
        ),
        pytest.param(
            lambda: MarketHolidays("ZZZZ"), "Financial market ZZZZ not available", id="market_case"
        ),
    ],
)
def test_an_unknown_holiday_calendar_is_rejected(source, message):
    with pytest.raises(CalendarError, match=message):
        source()


NAIVE = datetime(2026, 1, 9, 9)  # noqa: DTZ001 - the invalid input under test

METHOD_ERROR_CASES = [
    pytest.param(lambda: NINE_TO_FIVE.add_business_time(NAIVE, timedelta(hours=1)),
                 "start must be timezone-aware, got naive 2026-01-09T09:00:00",
                 id="add_naive_start_case"),
    pytest.param(lambda: NINE_TO_FIVE.business_time_between(NAIVE, hk(2026, 1, 10)),
                 "start must be timezone-aware", id="between_naive_start_case"),
    pytest.param(lambda: NINE_TO_FIVE.business_time_between(hk(2026, 1, 8), NAIVE),
                 "end must be timezone-aware", id="between_naive_end_case"),
    pytest.param(lambda: NINE_TO_FIVE.add_business_time(hk(2026, 1, 9), timedelta(seconds=-1)),
                 "duration must not be negative, got -1 day, 23:59:59",
                 id="negative_duration_case"),
    pytest.param(lambda: BusinessCalendar(time_zone="UTC", weekly_hours={}).add_business_time(
                     utc(2026, 1, 1), timedelta(hours=1)),
                 "the calendar has no weekly hours", id="no_hours_case"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "message"), METHOD_ERROR_CASES)
def test_an_invalid_argument_is_rejected(call, message):
    with pytest.raises(CalendarError, match=message):
        call()


def test_calendar_errors_are_value_errors():
    assert issubclass(CalendarError, ValueError)


def test_the_documented_api_is_exactly_two_methods():
    public = {name for name in vars(BusinessCalendar) if not name.startswith("_")}

    assert public == {"add_business_time", "business_time_between", "always_open"}
    assert isinstance(vars(BusinessCalendar)["always_open"], classmethod)


# --- Black box: vacanza/holidays snapshots of Hong Kong general and HKEX holidays ---------------


def load_snapshot(relative_path: str) -> dict[date, str]:
    if not CORPUS.is_dir():
        pytest.skip(
            f"holiday corpus not found at {CORPUS} (CI checks out ../shared beside the project)"
        )
    entries = json.loads((CORPUS / relative_path).read_text(encoding="utf-8"))
    return {date.fromisoformat(day): name for day, name in entries.items()}


def business_time_on(calendar: BusinessCalendar, days) -> dict[date, timedelta]:
    return {day: calendar.business_time_between(*whole_local_day(HONG_KONG, day)) for day in days}


def test_every_hk_general_holiday_in_the_corpus_has_no_business_time():
    snapshot = load_snapshot("snapshots/countries/HK_COMMON.json")
    covered = [
        day for day in snapshot if holidays.HK.start_year <= day.year <= holidays.HK.end_year
    ]
    # Monday to Saturday, so that Saturday holidays are exercised too (Sunday is always closed).
    monday_to_saturday = {day: [("09:00", "18:00")] for day in range(6)}
    calendar = BusinessCalendar(time_zone="Asia/Hong_Kong", weekly_hours=monday_to_saturday)
    without_holidays = BusinessCalendar(
        time_zone="Asia/Hong_Kong", weekly_hours=monday_to_saturday, holidays=None
    )

    open_days = business_time_on(calendar, covered)
    control = business_time_on(without_holidays, covered)

    assert len(covered) == 1753
    assert {day: spent for day, spent in open_days.items() if spent} == {}
    assert sum(1 for spent in control.values() if spent == timedelta(hours=9)) > 1400
    assert business_time_on(HK_OFFICE, covered) == dict.fromkeys(covered, timedelta(0))


def test_every_hkex_holiday_in_the_corpus_has_no_trading_time():
    snapshot = load_snapshot("snapshots/financial/XHKG.json")
    closed = [day for day, name in snapshot.items() if "Half-Day Trading Day" not in name]
    calendar = BusinessCalendar(
        time_zone="Asia/Hong_Kong",
        weekly_hours={day: [("09:30", "12:00"), ("13:00", "16:00")] for day in WEEKDAYS},
        holidays=MarketHolidays("XHKG"),
    )

    assert len(closed) == 522
    assert business_time_on(calendar, closed) == dict.fromkeys(closed, timedelta(0))


def test_hkex_half_day_trading_days_in_the_corpus_are_business_days():
    snapshot = load_snapshot("snapshots/financial/XHKG.json")
    half_days = [day for day, name in snapshot.items() if "Half-Day Trading Day" in name]
    calendar = BusinessCalendar(
        time_zone="Asia/Hong_Kong",
        weekly_hours={day: [("09:30", "12:00"), ("13:00", "16:00")] for day in WEEKDAYS},
        holidays=MarketHolidays("XHKG"),
    )

    assert len(half_days) == 79
    assert business_time_on(calendar, half_days) == dict.fromkeys(half_days, timedelta(hours=5.5))
