"""Trends: spikes against each category's own baseline, week over week, recurring and new
issues, on hand-made weeks (Hong Kong)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from metrics.selectors import trends
from tests.factories import CategoryFactory, TicketFactory
from tests.metrics.conftest import hk

pytestmark = pytest.mark.django_db

LAST_WEEK = trends.TrendWeek(date(2026, 11, 16), "Asia/Hong_Kong")


def _tickets(team, category, monday: date, count: int, **fields):
    for index in range(count):
        day = monday + timedelta(days=index % 5)
        created = hk(1, 10).replace(year=day.year, month=day.month, day=day.day)
        TicketFactory(
            team=team, category=category, created_at=created, updated_at=created, **fields
        )


@pytest.fixture
def eight_weeks(team_a):
    """Funding: 2 a week for 8 weeks, then 7 (a spike: mean 2, sd 0). Desktop: 3, 5, 3, 5, …
    then 6 (mean 4, sd ≈ 1.07, threshold ≈ 6.14: no spike)."""
    funding = CategoryFactory(slug="funding", name_en="Funding", name_zh_hant="資金存取")
    desktop = CategoryFactory()
    for back in range(1, 9):
        monday = LAST_WEEK.start - timedelta(weeks=back)
        _tickets(team_a, funding, monday, 2, tags=["deposit"])
        _tickets(team_a, desktop, monday, 3 if back % 2 else 5, tags=["login"])
    _tickets(team_a, funding, LAST_WEEK.start, 7, tags=["deposit"])
    _tickets(team_a, desktop, LAST_WEEK.start, 6, tags=["chart-freeze"], platform_os="iOS 18")
    return {"funding": funding, "desktop": desktop}


def test_a_category_well_above_its_own_baseline_is_a_spike(eight_weeks, team_a):
    rows = {
        row["label"]: row
        for row in trends.spikes(week=LAST_WEEK, team_ids=[team_a.pk], unit="week")
    }
    assert rows["Funding"]["current"] == 7
    assert rows["Funding"]["mean"] == pytest.approx(2)
    assert rows["Funding"]["is_spike"] is True
    desktop = rows["Desktop trading platform"]
    assert desktop["mean"] == pytest.approx(4)
    assert desktop["sd"] == pytest.approx(1.0690, abs=1e-3)  # sample sd of 3,5,3,5,3,5,3,5
    assert desktop["is_spike"] is False  # 6 < 4 + 2 × 1.069


def test_week_over_week_by_category_and_platform(eight_weeks, team_a):
    by_category = {
        row["label"]: row
        for row in trends.week_over_week(week=LAST_WEEK, team_ids=[team_a.pk], dimension="category")
    }
    assert (by_category["Funding"]["current"], by_category["Funding"]["previous"]) == (7, 2)
    assert by_category["Funding"]["change"] == pytest.approx(250)
    by_os = trends.week_over_week(week=LAST_WEEK, team_ids=[team_a.pk], dimension="platform_os")
    assert {row["label"]: (row["current"], row["previous"]) for row in by_os} == {
        "iOS 18": (6, 0),
        "—": (7, 5),  # no platform: this week 7 Funding; the week before 2 Funding + 3 Desktop
    }


def test_recurring_and_new_issues_with_examples(eight_weeks, team_a):
    top, new = trends.recurring_issues(week=LAST_WEEK, team_ids=[team_a.pk])
    assert [(row["label"], row["tag"], row["recent"]) for row in top[:3]] == [
        ("Funding", "deposit", 13),  # 2 + 2 + 2 + 7 in the last four weeks
        ("Desktop trading platform", "login", 11),  # 3 + 5 + 3 in the three weeks before
        ("Desktop trading platform", "chart-freeze", 6),
    ]
    assert [(row["tag"], row["this_week"]) for row in new] == [("chart-freeze", 6)]
    assert len(new[0]["examples"]) == 3


def test_the_trends_page_states_its_method_and_is_scoped(client, supervisor, outsider, eight_weeks):
    client.force_login(supervisor)
    response = client.get(reverse("metrics:trends"), {"week": "2026-11-18"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "mean plus 2.0 standard deviations" in body
    assert response.context["weekly_spikes"][0]["label"] == "Funding"
    client.force_login(outsider)
    assert client.get(reverse("metrics:trends")).status_code == 403
