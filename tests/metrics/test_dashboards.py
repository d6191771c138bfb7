"""Dashboards: access, bad ranges, figures on the page, drill-down links and exports."""

import csv
import io
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from tests.metrics.xlsx import read_xlsx

pytestmark = pytest.mark.django_db

WEEK_QUERY = {"start": "2026-11-16", "end": "2026-11-22", "grain": "day"}


def test_manager_sees_the_desk_figures_with_previous_period(
    client, manager, week_tickets, django_assert_max_num_queries
):
    client.force_login(manager)
    with django_assert_max_num_queries(30):  # fixed: no query per ticket or per row
        response = client.get(reverse("metrics:desk"), WEEK_QUERY)
    assert response.status_code == 200
    cards = {card.kpi.key: card for card in response.context["dashboard"].cards}
    assert cards["created"].value == 5
    assert cards["created"].previous == 1  # T5, Wed 11 November
    assert "<svg" in response.content.decode()


def test_supervisor_sees_their_team_dashboard(client, supervisor, team_a, week_tickets):
    client.force_login(supervisor)
    response = client.get(reverse("metrics:dashboard_team", args=[team_a.slug]), WEEK_QUERY)
    assert response.status_code == 200
    dashboard = response.context["dashboard"]
    assert dashboard.total.values[0][1] == 4  # created
    assert {row.label for row in dashboard.rows} >= {"Alice Agent", "Sam Supervisor"}


@pytest.mark.parametrize(
    ("persona", "url_name", "args", "status"),
    [
        ("agent", "metrics:desk", [], 403),
        ("supervisor", "metrics:desk", [], 403),
        ("outsider", "metrics:dashboard_team", ["tech-hk"], 404),
        ("agent", "metrics:dashboard_team", ["tech-hk"], 403),
        ("client_user", "metrics:dashboard_personal", [], 403),
        ("manager", "metrics:dashboard_personal", [], 403),
        ("agent", "metrics:trends", [], 403),
        ("outsider", "metrics:reports", [], 403),
    ],
    ids=lambda value: str(value),
)
def test_pages_refuse_who_may_not_see_them(
    client, request, team_a, persona, url_name, args, status
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(url_name, args=args)).status_code == status


def test_an_agent_asking_for_another_teams_slice_is_refused(client, agent, team_b):
    client.force_login(agent)
    response = client.get(reverse("metrics:dashboard_personal"), {"team": team_b.slug})
    assert response.status_code == 403


def test_personal_dashboard_counts_the_agents_own_tickets(client, agent, week_tickets):
    client.force_login(agent)
    response = client.get(reverse("metrics:dashboard_personal"), WEEK_QUERY)
    assert response.status_code == 200
    cards = {card.kpi.key: card for card in response.context["dashboard"].cards}
    assert cards["resolved"].value == 2  # T1, T5


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-11-22", "end": "2026-11-16"}, "The end date is before the start date."),
        ({"start": "2025-01-01", "end": "2026-11-16"}, "A period may cover at most 366 days."),
        ({"start": "yesterday"}, "Enter a date as YYYY-MM-DD."),
    ],
    ids=["reversed_case", "too_long_case", "not_a_date_case"],
)
def test_bad_ranges_answer_400_with_a_clear_message(client, manager, query, message):
    client.force_login(manager)
    response = client.get(reverse("metrics:desk"), query)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_bad_range_message_is_in_the_viewers_language(client, manager):
    manager.language = "zh-hant"
    manager.save()
    client.force_login(manager)
    response = client.get(reverse("metrics:desk"), {"start": "2026-11-22", "end": "2026-11-16"})
    assert response.status_code == 400
    assert "結束日期早於開始日期" in response.content.decode()


def test_drilldown_links_open_exactly_the_tickets_behind_the_figure(client, manager, week_tickets):
    client.force_login(manager)
    dashboard = client.get(reverse("metrics:desk"), WEEK_QUERY).context["dashboard"]
    cards = {card.kpi.key: card for card in dashboard.cards}
    for key, expected in (("created", 5), ("resolved", 3)):
        link = cards[key].link
        assert urlparse(link).path == reverse("tickets:all")
        listing = client.get(link)
        assert listing.status_code == 200
        assert len(listing.context["page"].tickets) == expected, (key, parse_qs(link))


def test_breakdown_exports_as_csv_and_xlsx_with_formula_escaping(client, manager, week_tickets):
    client.force_login(manager)
    response = client.get(
        reverse("metrics:desk"), {**WEEK_QUERY, "export": "csv", "table": "breakdown"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Team"
    assert rows[-1][:2] == ["All", "5"]
    response = client.get(
        reverse("metrics:desk"), {**WEEK_QUERY, "export": "xlsx", "table": "headline"}
    )
    values = {row[0]: row[1] for row in read_xlsx(response.content)[1:]}
    assert values["Tickets created"] == 5


def test_ticket_list_exports_its_current_filters_with_formula_escaping(
    client, agent, team_a, week_tickets
):
    client.force_login(agent)
    query = {"status": ["resolved"], "tag": "login", "export": "csv"}
    response = client.get(reverse("tickets:team_queue"), query)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    subjects = sorted(row[1] for row in rows[1:])
    assert subjects == [
        '\'=HYPERLINK("http://evil.example")',
        "Cannot log in to the desktop platform",
    ]
    response = client.get(reverse("tickets:team_queue"), {**query, "export": "xlsx"})
    cells = [row[1] for row in read_xlsx(response.content)[1:]]
    assert '\'=HYPERLINK("http://evil.example")' in cells


def test_the_outsider_exports_none_of_team_a(client, outsider, week_tickets):
    client.force_login(outsider)
    response = client.get(reverse("tickets:team_queue"), {"status": ["resolved"], "export": "csv"})
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))) == 1


def test_the_kpi_api_serves_the_same_figures(client, supervisor, outsider, team_a, week_tickets):
    client.force_login(supervisor)
    response = client.get(reverse("metrics:kpi_api"), {**WEEK_QUERY, "team": team_a.slug})
    assert response.status_code == 200
    figures = {item["key"]: item["value"] for item in response.json()["kpis"]}
    assert figures["created"] == 4
    assert figures["resolution_median_business"] == 32400
    assert client.get(reverse("metrics:kpi_api"), WEEK_QUERY).status_code == 403
    reversed_range = {"start": "2026-11-22", "end": "2026-11-16", "team": team_a.slug}
    response = client.get(reverse("metrics:kpi_api"), reversed_range)
    assert response.status_code == 400
    assert response.json()["detail"] == "The end date is before the start date."
    client.force_login(outsider)
    assert client.get(reverse("metrics:kpi_api"), {"team": team_a.slug}).status_code == 404
