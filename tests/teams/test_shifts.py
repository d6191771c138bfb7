"""Who is on shift: weekly intervals in the agent's own time zone, overnight shifts, DST."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from teams.models import Shift, User
from teams.shifts import is_on_shift, on_shift, on_shift_sql
from tests.factories import UserFactory

HK = ZoneInfo("Asia/Hong_Kong")
LONDON = ZoneInfo("Europe/London")


def _shift(user, weekday, start, end):
    return Shift.objects.create(user=user, weekday=weekday, starts_at=start, ends_at=end)


@pytest.fixture
def hk_agent(db):
    user = UserFactory(time_zone="Asia/Hong_Kong")
    _shift(user, 0, time(9), time(18))  # Monday day shift
    _shift(user, 4, time(22), time(7))  # Friday night into Saturday
    return user


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2026, 11, 23, 9, 0, tzinfo=HK), True),  # Monday 09:00, start included
        (datetime(2026, 11, 23, 17, 59, 59, tzinfo=HK), True),
        (datetime(2026, 11, 23, 18, 0, tzinfo=HK), False),  # end excluded
        (datetime(2026, 11, 24, 10, 0, tzinfo=HK), False),  # Tuesday: no shift
        (datetime(2026, 11, 27, 21, 59, tzinfo=HK), False),  # Friday before the night shift
        (datetime(2026, 11, 27, 23, 30, tzinfo=HK), True),  # Friday night
        (datetime(2026, 11, 28, 6, 59, tzinfo=HK), True),  # Saturday morning, same shift
        (datetime(2026, 11, 28, 7, 0, tzinfo=HK), False),
        (datetime(2026, 11, 29, 3, 0, tzinfo=HK), False),  # Sunday 03:00: Saturday has none
    ],
)
def test_shifts_are_read_in_the_agents_time_zone(hk_agent, local, expected):
    at = local.astimezone(UTC)  # the server's zone does not matter
    assert is_on_shift(hk_agent, at) is expected
    assert User.objects.filter(on_shift(at), pk=hk_agent.pk).exists() is expected


def test_a_london_shift_follows_daylight_saving_time(db):
    user = UserFactory(time_zone="Europe/London")
    _shift(user, 6, time(9), time(17))  # Sunday 09:00–17:00 local
    # 2026-03-29: clocks go forward at 01:00 UTC; 09:00 BST is 08:00 UTC.
    assert is_on_shift(user, datetime(2026, 3, 29, 8, 0, tzinfo=UTC))
    assert not is_on_shift(user, datetime(2026, 3, 29, 7, 59, tzinfo=UTC))
    # 2026-10-25: back to GMT; 09:00 GMT is 09:00 UTC.
    assert not is_on_shift(user, datetime(2026, 10, 25, 8, 30, tzinfo=UTC))
    assert is_on_shift(user, datetime(2026, 10, 25, 9, 0, tzinfo=LONDON))


def test_one_query_finds_everyone_on_shift(db, django_assert_num_queries):
    at = datetime(2026, 11, 23, 10, 0, tzinfo=HK)
    day = UserFactory(time_zone="Asia/Hong_Kong")
    _shift(day, 0, time(9), time(18))
    night_new_york = UserFactory(time_zone="America/New_York")  # Sunday 21:00 there
    _shift(night_new_york, 6, time(20), time(4))
    UserFactory()  # no shifts at all
    with django_assert_num_queries(1):
        found = set(User.objects.filter(on_shift(at)).values_list("pk", flat=True))
    assert found == {day.pk, night_new_york.pk}


def _on_shift_raw(user, at):
    condition = on_shift_sql(user_id="u.id", time_zone="u.time_zone")
    sql = f"SELECT {condition} FROM teams_user u"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql + " WHERE u.id = %(user)s", {"at": at, "user": user.pk})
        return cursor.fetchone()[0]


def test_the_raw_fragment_routing_uses_agrees_with_the_queryset_condition(hk_agent):
    # Every half hour of a week, across the day shift, the overnight shift and the gaps.
    start = datetime(2026, 11, 23, 0, 15, tzinfo=HK)
    instants = [start.astimezone(UTC) + n * timedelta(minutes=30) for n in range(7 * 48)]
    raw = [_on_shift_raw(hk_agent, at) for at in instants]
    orm = [is_on_shift(hk_agent, at) for at in instants]
    assert raw == orm
    assert sum(raw) == 18 + 18  # Monday 9 h and Friday night 9 h, in half hours
