"""The metrics endpoints (``/api/v1/metrics/…``): the KPI definitions, figures, breakdowns and
series of the metric dictionary, on the hand-checked week of ``tests/metrics/conftest.py``, with
the dashboards' access rules and clear refusals."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from metrics.kpis import KPIS, kpi_table
from tests.api_clients import token_client
from tests.metrics.conftest import WEEK

pytestmark = pytest.mark.django_db

WEEK_QUERY = {"start": "2026-11-16", "end": "2026-11-22"}
REVERSED = {"start": "2026-11-22", "end": "2026-11-16"}
TOO_LONG = {"start": "2025-01-01", "end": "2026-11-16"}


def _values(response) -> dict[str, float | None]:
    return {row["key"]: row["value"] for row in response.json()["results"]}


def test_the_definitions_list_every_kpi_of_the_dictionary_in_the_callers_language(agent):
    response = token_client(agent).get("/api/v1/metrics/kpis")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["key"] for row in results] == [item.key for item in KPIS]
    created = results[0]
    assert created == {
        "key": "created",
        "name": "Tickets created",
        "definition": "Tickets created during the period.",
        "unit": "count",
        "better": "",
        "headline": True,
    }
    agent.language = "zh-hant"
    agent.save()
    chinese = token_client(agent).get("/api/v1/metrics/kpis").json()["results"][0]
    assert chinese["name"] == "新建個案"


def test_a_supervisor_reads_the_teams_week_as_the_dashboard_shows_it(
    supervisor, team_a, team_a_scope, week_tickets
):
    response = token_client(supervisor).get(
        "/api/v1/metrics/figures", {**WEEK_QUERY, "team": team_a.slug}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["period"] == {**WEEK_QUERY, "time_zone": "Asia/Hong_Kong"}
    assert body["previous_period"]["start"] == "2026-11-09"
    assert body["scope"]["team"] == team_a.slug and body["scope"]["personal"] is False
    values = _values(response)
    # Hand-checked (tests/metrics/conftest.py): created T1 T2 T3 T6; resolved T1 T5 T6;
    # backlog T2 T3; median first response in calendar time of T1 (30 min), T2 (17 h),
    # T6 (15 min) = 30 min.
    assert (values["created"], values["resolved"], values["backlog"]) == (4, 3, 2)
    assert values["frt_median_calendar"] == 1800
    previous = {row["key"]: row["previous"] for row in body["results"]}
    assert previous["created"] == 1  # T5
    expected = kpi_table(period=WEEK, scope=team_a_scope)[0]
    assert values == {item.key: expected[item.key] for item in KPIS}


def test_the_week_is_counted_in_the_requested_time_zone(manager, week_tickets):
    api = token_client(manager)
    hong_kong = _values(api.get("/api/v1/metrics/figures", {**WEEK_QUERY, "kpi": "created"}))
    utc = api.get("/api/v1/metrics/figures", {**WEEK_QUERY, "kpi": "created", "time_zone": "UTC"})
    assert utc.json()["period"]["time_zone"] == "UTC"
    # Whole desk: T1 T2 T3 T6 T7 in Hong Kong; in UTC, T4 (Monday 00:30 Hong Kong = Sunday
    # 16:30 UTC) joins the week.
    assert hong_kong == {"created": 5}
    assert _values(utc) == {"created": 6}


def test_the_viewers_own_time_zone_is_the_default(manager, week_tickets):
    manager.time_zone = "Europe/London"
    manager.save()
    body = token_client(manager).get("/api/v1/metrics/figures", WEEK_QUERY).json()
    assert body["period"]["time_zone"] == "Europe/London"


def test_an_agent_reads_their_own_figures_only(agent, team_a, week_tickets):
    api = token_client(agent)
    response = api.get("/api/v1/metrics/figures", {**WEEK_QUERY, "team": team_a.slug})
    assert response.status_code == 200
    assert response.json()["scope"] | {"team": None} == {
        "team": None,
        "agent": agent.pk,
        "unassigned": False,
        "personal": True,
        "category": None,
        "priority": None,
        "channel": None,
        "language": None,
        "tier": None,
    }
    values = _values(response)
    assert (values["created"], values["resolved"]) == (2, 2)  # T1 T2; T1 T5
    assert _values(api.get("/api/v1/metrics/figures", {**WEEK_QUERY, "agent": "me"})) == values


@pytest.mark.parametrize(
    ("persona", "query", "field"),
    [
        ("agent", {"team": "accounts"}, "team"),
        ("agent", {"team": "no-such-team"}, "team"),
        ("outsider", {"team": "tech-hk"}, "team"),
        ("agent", {"agent": "{supervisor}"}, "agent"),
        ("agent", {"agent": "none"}, "agent"),
        ("supervisor", {"team": "accounts"}, "team"),
    ],
    ids=[
        "other_team_case",
        "unknown_team_case",
        "outsider_case",
        "other_agent_case",
        "unassigned_case",
        "supervisor_other_team_case",
    ],
)
def test_a_slice_the_caller_may_not_see_is_refused_with_problem_details(
    request, persona, query, field, team_b, supervisor, week_tickets
):
    query = {key: value.format(supervisor=supervisor.pk) for key, value in query.items()}
    response = token_client(request.getfixturevalue(persona)).get("/api/v1/metrics/figures", query)
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "permission_denied"
    assert body["status"] == 403
    assert list(body["errors"]) == [field]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (REVERSED, "end", "The end date is before the start date."),
        (TOO_LONG, "end", "A period may cover at most 366 days."),
        ({"start": "yesterday"}, "start", "Date has wrong format."),
        ({"start": "0001-01-01"}, "start", "Enter a date from 1970-01-01 to 9000-12-31."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Unknown time zone."),
        ({"priority": "9"}, "priority", "is not a valid choice."),
        ({"agent": "someone"}, "agent", "Enter a user id, “me” or “none”."),
        ({"kpi": "happiness"}, "kpi", "is not a valid choice."),
        ({"colour": "red"}, "colour", "Unknown parameter."),
        ({"category": "no-such-category"}, "category", "Unknown category."),
    ],
    ids=[
        "reversed_case",
        "too_long_case",
        "not_a_date_case",
        "ancient_date_case",
        "time_zone_case",
        "priority_case",
        "agent_case",
        "kpi_case",
        "unknown_parameter_case",
        "unknown_category_case",
    ],
)  # fmt: skip
def test_bad_input_is_400_problem_details_naming_the_field(manager, query, field, message):
    response = token_client(manager).get("/api/v1/metrics/figures", query)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert message in errors[field][0]


def test_a_bad_range_is_refused_in_the_callers_language(manager):
    manager.language = "zh-hant"
    manager.save()
    response = token_client(manager).get("/api/v1/metrics/figures", REVERSED)
    assert response.status_code == 400
    assert "結束日期早於開始日期" in response.json()["errors"]["end"][0]


def test_slices_narrow_the_figures(manager, funding, week_tickets):
    api = token_client(manager)
    by_category = api.get(
        "/api/v1/metrics/figures", {**WEEK_QUERY, "category": "funding", "kpi": "created"}
    )
    assert by_category.json()["scope"]["category"] == "funding"
    assert _values(by_category) == {"created": 1}  # T6
    by_priority = api.get(
        "/api/v1/metrics/figures", {**WEEK_QUERY, "priority": "1", "kpi": ["created", "resolved"]}
    )
    assert set(_values(by_priority)) == {"created", "resolved"}


def test_the_breakdown_has_a_row_per_slice_value_and_the_total(
    supervisor, team_a, agent, week_tickets
):
    response = token_client(supervisor).get(
        "/api/v1/metrics/breakdown",
        {**WEEK_QUERY, "team": team_a.slug, "group": "agent", "kpi": ["created", "resolved"]},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    rows = {row["label"]: row["values"] for row in body["results"]}
    assert rows["Alice Agent"] == {"created": 2.0, "resolved": 2.0}
    assert rows["Sam Supervisor"] == {"created": 1.0, "resolved": 1.0}
    assert rows[""] == {"created": 1.0, "resolved": 0.0}  # T3, unassigned
    assert body["total"]["values"] == {"created": 4.0, "resolved": 3.0}
    assert body["group"] == "agent"


def test_the_breakdown_needs_a_known_group(manager):
    response = token_client(manager).get("/api/v1/metrics/breakdown", {"group": "planet"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["group"]


@pytest.mark.parametrize(
    ("grain", "buckets"),
    [("day", 7), ("week", 1), ("month", 1)],
    ids=["day_case", "week_case", "month_case"],
)
def test_the_series_has_every_bucket_of_the_grain(manager, team_a, week_tickets, grain, buckets):
    response = token_client(manager).get(
        "/api/v1/metrics/series", {**WEEK_QUERY, "team": team_a.slug, "grain": grain}
    )
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert len(results) == buckets
    assert sum(point["created"] for point in results) == 4
    assert sum(point["resolved"] for point in results) == 3
    assert response.json()["grain"] == grain


def test_a_figures_request_costs_a_fixed_number_of_queries(
    supervisor, team_a, week_tickets, django_assert_num_queries
):
    api = token_client(supervisor)
    query = {**WEEK_QUERY, "team": team_a.slug, "category": "funding", "priority": "3"}
    # Token (with its user), roles, team, supervision, category; then for the period and the
    # previous one: the KPI statement and the agent-hours statement, each after a ``SET jit``.
    # Whatever the number of tickets.
    with django_assert_num_queries(13):
        assert api.get("/api/v1/metrics/figures", query).status_code == 200


@pytest.mark.parametrize("path", ["kpis", "figures", "breakdown?group=team", "series"])
def test_clients_are_refused_and_anonymous_callers_must_authenticate(client_user, path):
    assert token_client(client_user).get(f"/api/v1/metrics/{path}").status_code == 403
    assert APIClient().get(f"/api/v1/metrics/{path}").status_code == 401
