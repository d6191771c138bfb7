"""The metric dictionary on a hand-checked week (see tests/metrics/conftest.py)."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test import override_settings

from metrics.business_time import business_seconds_between, business_us_by_day_sql
from metrics.calendars import hong_kong_business_calendar
from metrics.kpis import (
    KPIS,
    Period,
    Scope,
    agent_hours,
    backlog_series,
    kpi_breakdown,
    kpi_series,
    kpi_table,
)
from supportdesk.errors import ApplicationError
from tests.metrics.conftest import WEEK

pytestmark = pytest.mark.django_db

EXPECTED_TEAM_A = {
    "created": 4,  # T1, T2, T3 (Sunday 23:30 HK), T6; not T4 (Monday 00:30 HK)
    "resolved": 3,  # T1, T5, T6
    "backlog": 2,  # T2 (resolved after the week), T3
    "frt_median_calendar": 1800,  # [900, 1800, 61200]
    "frt_p90_calendar": 49320,  # 1800 + 0.8 × (61200 − 1800)
    "frt_median_business": 1800,  # [900, 1800, 3600]
    "frt_p90_business": 3240,  # 1800 + 0.8 × 1800
    "resolution_median_calendar": 86400,  # [7200, 86400, 518400]
    "resolution_p90_calendar": 432000,  # 86400 + 0.8 × 432000
    "resolution_median_business": 32400,  # [7200, 32400, 129600]
    "resolution_p90_business": 110160,  # 32400 + 0.8 × 97200
    "reopen_rate": 100 / 3,  # T5 of 3
    "fcr_rate": 200 / 3,  # T1, T6 of 3
    "escalation_rate": 25.0,  # T6 of 4 created
    "internal_median": 10800,  # T5 4 h, T6 2 h
    "tickets_per_agent": 1.5,  # 3 resolved by 2 agents
    "tickets_per_agent_hour": 3 / 54,  # 45 h + 9 h on shift
}


def test_every_kpi_matches_the_hand_computed_figure(week_tickets, team_a_scope):
    row = kpi_table(period=WEEK, scope=team_a_scope)[0]
    assert set(row.values) == {kpi.key for kpi in KPIS}
    for key, expected in EXPECTED_TEAM_A.items():
        assert row[key] == pytest.approx(expected), key
    assert row.agent_hours == pytest.approx(54)


def test_the_desk_scope_adds_team_b(week_tickets):
    row = kpi_table(period=WEEK, scope=Scope())[0]
    assert row["created"] == 5
    assert row["backlog"] == 3


@override_settings(TIME_ZONE="UTC")
def test_sunday_2330_hong_kong_belongs_to_its_week_whatever_the_server_zone(
    week_tickets, team_a_scope
):
    two_weeks = Period(date(2026, 11, 16), date(2026, 11, 29), "Asia/Hong_Kong")
    series = kpi_series(period=two_weeks, scope=team_a_scope, grain="week")
    assert [(point.bucket, point.created) for point in series] == [
        (date(2026, 11, 16), 4),
        (date(2026, 11, 23), 1),
    ]
    daily = kpi_series(period=WEEK, scope=team_a_scope, grain="day")
    assert len(daily) == 7
    assert daily[-1].bucket == date(2026, 11, 22)
    assert daily[-1].created == 1  # T3


def test_the_same_week_in_utc_is_another_set_of_tickets(week_tickets, team_a_scope):
    utc_week = Period(date(2026, 11, 16), date(2026, 11, 22), "UTC")
    # In UTC, T3 (Sun 15:30 UTC) and T4 (Sun 16:30 UTC) are both in the week; T1 too.
    assert kpi_table(period=utc_week, scope=team_a_scope)[0]["created"] == 5


def test_breakdown_by_category_and_by_agent(week_tickets, team_a_scope, funding, agent, supervisor):
    by_category = {
        row.group: row for row in kpi_table(period=WEEK, scope=team_a_scope, group="category")
    }
    assert by_category[funding.pk]["created"] == 1
    assert by_category[funding.pk]["escalation_rate"] == 100
    by_agent = {row.group: row for row in kpi_table(period=WEEK, scope=team_a_scope, group="agent")}
    assert by_agent[agent.pk]["resolved"] == 2
    assert by_agent[agent.pk].agent_hours == pytest.approx(45)
    assert by_agent[agent.pk]["tickets_per_agent_hour"] == pytest.approx(2 / 45)
    assert by_agent[supervisor.pk]["tickets_per_agent_hour"] == pytest.approx(1 / 9)
    assert by_agent[None]["created"] == 1  # T3 is unassigned


@pytest.mark.parametrize(
    "group", ["agent", "team", "tier"], ids=["agent_case", "team_case", "tier_case"]
)
def test_the_one_statement_breakdown_equals_the_separate_statements(week_tickets, group):
    """kpi_breakdown computes the groups and the total in one GROUPING SETS statement; each
    figure equals the one of the plain statements (the total with its NULL-keyed group kept
    apart, e.g. unassigned tickets in the agent breakdown)."""
    rows, total = kpi_breakdown(period=WEEK, scope=Scope(), group=group)
    separate = kpi_table(period=WEEK, scope=Scope(), group=group)
    assert [(row.group, row.values, row.agent_hours) for row in rows] == [
        (row.group, row.values, row.agent_hours) for row in separate
    ]
    headline = kpi_table(period=WEEK, scope=Scope())[0]
    assert (total.values, total.agent_hours) == (headline.values, headline.agent_hours)


def test_agent_slice_filters_and_counts_only_that_agents_hours(week_tickets, team_a_scope, agent):
    scope = team_a_scope.with_filter("agent", agent.pk)
    row = kpi_table(period=WEEK, scope=scope)[0]
    assert row["resolved"] == 2
    assert agent_hours(period=WEEK, scope=scope, group=None) == {None: pytest.approx(45)}


def test_backlog_series_uses_the_backlog_definition(week_tickets, team_a_scope):
    series = backlog_series(period=WEEK, scope=team_a_scope, weeks=2)
    # End of the week before: T5 (resolved Tue 17) open → 1; end of this week: T2, T3 → 2.
    assert series == [(date(2026, 11, 15), 1), (date(2026, 11, 22), 2)]


def test_an_empty_period_gives_zero_counts_and_no_durations(db):
    row = kpi_table(period=WEEK, scope=Scope())[0]
    assert row["created"] == 0
    assert row["frt_median_business"] is None


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (date(2026, 11, 22), date(2026, 11, 16), "before the start"),
        (date(2025, 1, 1), date(2026, 11, 16), "at most 366 days"),
    ],
    ids=["reversed_case", "too_long_case"],
)
def test_bad_periods_are_refused(start, end, message):
    with pytest.raises(ApplicationError, match=message):
        Period(start, end)


def test_business_time_in_sql_equals_the_python_calendar(db):
    calendar = hong_kong_business_calendar()
    rng = random.Random(6)  # noqa: S311 - reproducible test instants
    origin = datetime(2025, 12, 20, tzinfo=UTC)
    for _ in range(60):
        start = origin + timedelta(seconds=rng.randrange(0, 400 * 86400))
        end = start + timedelta(seconds=rng.randrange(0, 20 * 86400))
        expected = calendar.business_time_between(start, end).total_seconds()
        assert business_seconds_between(start, end) == pytest.approx(expected, abs=1e-6)


SQL_BY_DAY = (
    "SELECT {expression}, metrics_business_us(%(at)s::timestamptz)"
    " FROM metrics_businessday d WHERE d.calendar = 'hk'"
    " AND d.day = (%(at)s::timestamptz AT TIME ZONE 'Asia/Hong_Kong')::date"
)


def test_the_business_day_join_equals_the_interval_function(db):
    rng = random.Random(7)  # noqa: S311 - reproducible instants, not secrets
    origin = datetime(2025, 1, 1, tzinfo=UTC)
    expression = business_us_by_day_sql("%(at)s::timestamptz", "d")
    with connection.cursor() as cursor:
        for _ in range(200):
            at = origin + timedelta(seconds=rng.randrange(0, 800 * 86400))
            cursor.execute(SQL_BY_DAY.format(expression=expression), {"at": at})
            by_day, by_interval = cursor.fetchone()
            assert by_day == by_interval, at


def test_sla_attainment_csat_and_qa_come_from_their_own_tables(week_tickets, team_a_scope, agent):
    """Clocks decided in the week: T1 first response met, T1 resolution met, T5 resolution
    breached in the week, T6 first response breached *last* week (not counted); a clock met
    after the week is not counted either. Ratings of the week's resolutions: 5 and 2 (T1, T6);
    a rating of an older resolution of T1 is not counted. QA: T1 80 %, T6 90 %."""
    from metrics.models import SlaClock
    from tests.metrics.factories import SlaCalendarFactory, SlaPolicyFactory
    from tickets.models import QualityReview, SatisfactionRating, Scorecard

    t1, t5, t6 = week_tickets["t1"], week_tickets["t5"], week_tickets["t6"]
    calendar, policy = SlaCalendarFactory(), SlaPolicyFactory()

    def clock(ticket, metric, *, stopped=None, breached=None, state="fulfilled"):
        SlaClock.objects.create(
            ticket=ticket,
            policy=policy,
            calendar=calendar,
            metric=metric,
            state=state,
            target=timedelta(hours=1),
            started_at=ticket.created_at,
            since=ticket.created_at,
            stopped_at=stopped,
            breached_at=breached,
        )

    monday = WEEK.starts_at
    clock(t1, "first_response", stopped=monday + timedelta(hours=3))
    clock(t1, "resolution", stopped=monday + timedelta(hours=4))
    clock(
        t5, "resolution", stopped=monday + timedelta(days=1), breached=monday + timedelta(hours=5)
    )
    clock(
        t6,
        "first_response",
        stopped=monday + timedelta(days=1),
        breached=monday - timedelta(hours=1),
    )
    clock(t6, "next_response", stopped=WEEK.ends_at + timedelta(hours=1))
    for ticket, score in ((t1, 5), (t6, 2)):
        SatisfactionRating.objects.create(
            ticket=ticket,
            resolved_at=ticket.resolved_at,
            score=score,
            created_at=ticket.resolved_at,
        )
    SatisfactionRating.objects.create(
        ticket=t1, resolved_at=t1.resolved_at - timedelta(days=30), score=1, created_at=monday
    )
    scorecard = Scorecard.objects.create(name="Desk")
    for ticket, total in ((t1, 80), (t6, 90)):
        QualityReview.objects.create(
            ticket=ticket, agent=agent, reviewer=agent, scorecard=scorecard, total=total
        )

    row = kpi_table(period=WEEK, scope=team_a_scope)[0]

    assert row["sla_attainment"] == pytest.approx(200 / 3)  # 2 met, 1 breached
    assert row["sla_breaches"] == 1
    assert row["sla_attainment_first_response"] == pytest.approx(100)
    assert row["sla_attainment_resolution"] == pytest.approx(50)
    assert row["sla_attainment_next_response"] is None
    assert row["csat_average"] == pytest.approx(3.5)
    assert row["csat_positive_rate"] == pytest.approx(50)
    assert row["qa_score"] == pytest.approx(85)
