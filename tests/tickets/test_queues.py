"""The agent's ticket lists: views, filters, sorting, keyset pages, saved filters, bulk actions."""

import base64
import html
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from teams.access import Role
from tests.factories import (
    CategoryFactory,
    ClientFactory,
    MembershipFactory,
    ResolutionCodeFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
)
from tickets.models import SavedFilter, Ticket, TicketEvent
from tickets.selectors.queues import team_options_for

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _cursor(value: object) -> str:
    """A page cursor as a link carries it (what a user could tamper with)."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def _subjects(response) -> list[str]:
    """The subjects of the ticket rows the page shows, in order."""
    cells = re.findall(r'<td class="subject">(.*?)</td>', response.content.decode(), re.S)
    return [html.unescape(cell) for cell in cells]


def _link(response, rel: str) -> str:
    match = re.search(rf'<a href="([^"]+)" rel="{rel}">', response.content.decode())
    assert match, f"no {rel} link"
    return html.unescape(match.group(1))


def _has_link(response, rel: str) -> bool:
    return f'rel="{rel}"' in response.content.decode()


# --- What each list shows -------------------------------------------------------------------


@pytest.fixture
def desk(agent, supervisor, outsider, team_a, team_b):
    """Tickets of both teams in several states and hands."""
    return {
        "mine_open": TicketFactory(team=team_a, assignee=agent, status="open", subject="Mine open"),
        "mine_resolved": TicketFactory(
            team=team_a,
            assignee=agent,
            status="resolved",
            resolution_code=ResolutionCodeFactory(),
            resolution_summary="Reset the password.",
            subject="Mine resolved",
        ),
        "colleague": TicketFactory(
            team=team_a, assignee=supervisor, status="pending_client", subject="Colleague pending"
        ),
        "unassigned": TicketFactory(team=team_a, status="new", subject="Nobody new"),
        "other_team": TicketFactory(team=team_b, status="new", subject="Other team new"),
        "other_team_closed": TicketFactory(
            team=team_b, assignee=outsider, status="closed", subject="Other team closed"
        ),
    }


@pytest.mark.parametrize(
    ("persona", "url_name", "expected"),
    [
        pytest.param("agent", "tickets:mine", {"Mine open"}, id="mine_case"),
        pytest.param(
            "agent",
            "tickets:team_queue",
            {"Mine open", "Colleague pending", "Nobody new"},
            id="team_queue_case",
        ),
        pytest.param("agent", "tickets:unassigned", {"Nobody new"}, id="unassigned_case"),
        pytest.param("outsider", "tickets:mine", set(), id="outsider_mine_case"),
        pytest.param("outsider", "tickets:team_queue", {"Other team new"}, id="outsider_team_case"),
        pytest.param(
            "outsider", "tickets:unassigned", {"Other team new"}, id="outsider_unassigned_case"
        ),
        pytest.param(
            "manager",
            "tickets:all",
            {
                "Mine open",
                "Mine resolved",
                "Colleague pending",
                "Nobody new",
                "Other team new",
                "Other team closed",
            },
            id="manager_all_case",
        ),
        pytest.param(
            "administrator",
            "tickets:all",
            {
                "Mine open",
                "Mine resolved",
                "Colleague pending",
                "Nobody new",
                "Other team new",
                "Other team closed",
            },
            id="administrator_all_case",
        ),
    ],
)
def test_each_list_shows_exactly_its_tickets(client, request, desk, persona, url_name, expected):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert set(_subjects(response)) == expected
    assert len(_subjects(response)) == len(expected)


@pytest.mark.parametrize(
    ("persona", "url_name"),
    [
        pytest.param("agent", "tickets:all", id="agent_all_case"),
        pytest.param("manager", "tickets:unassigned", id="manager_unassigned_case"),
        pytest.param("client_user", "tickets:team_queue", id="client_queue_case"),
    ],
)
def test_lists_outside_a_role_are_forbidden(client, request, desk, persona, url_name):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    assert "Nobody new" not in response.content.decode()


def test_an_empty_list_says_so(client, outsider, desk):
    client.force_login(outsider)
    assert "No open tickets are assigned to you." in (
        client.get(reverse("tickets:mine")).content.decode()
    )
    assert "No tickets match these filters." in (
        client.get(reverse("tickets:team_queue"), {"tag": "nothing"}).content.decode()
    )


def test_a_status_filter_replaces_the_open_only_default(client, agent, desk):
    client.force_login(agent)
    response = client.get(reverse("tickets:mine"), {"status": "resolved"})
    assert _subjects(response) == ["Mine resolved"]


def test_an_outsider_filtering_on_a_team_they_cannot_see_gets_400_and_no_data(
    client, outsider, desk
):
    client.force_login(outsider)
    response = client.get(reverse("tickets:team_queue"), {"team": "tech-hk"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "“tech-hk” is not a team you can see." in page
    assert _subjects(response) == []
    assert "Mine open" not in page


def test_the_list_shows_every_column_in_an_accessible_table(client, agent, team_a):
    TicketFactory(
        team=team_a,
        assignee=agent,
        status="open",
        priority=1,
        language="zh-hant",
        subject="登入失敗",
        client=ClientFactory(name="Chan Siu Ming"),
        updated_at=datetime(2026, 11, 20, 23, 30, tzinfo=UTC),
    )
    client.force_login(agent)
    page = client.get(reverse("tickets:mine")).content.decode()
    assert '<caption class="visually-hidden">My tickets</caption>' in page
    assert '<th scope="col">Client</th>' in page
    for shown in (
        "登入失敗",
        "Chan Siu Ming",
        "P1 urgent",
        "Open",
        "Desktop trading platform",
        "Technical Assistance HK",
        "Alice Agent",
        "繁體中文",
        "2026-11-21 07:30",
    ):
        assert shown in page


def test_subjects_are_escaped(client, agent, team_a):
    TicketFactory(team=team_a, assignee=agent, status="open", subject="<script>alert(1)</script>")
    client.force_login(agent)
    page = client.get(reverse("tickets:mine")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_every_cell_and_filter_option_is_escaped(client, agent, team_a):
    """Client, assignee and category names reach the rows and the filter selects escaped."""
    hostile = '<img src=x onerror="alert(1)">'
    agent.full_name = f"Agent {hostile}"
    agent.save(update_fields=["full_name"])
    TicketFactory(
        team=team_a,
        assignee=agent,
        status="open",
        client=ClientFactory(name=f"Client {hostile}"),
        category=CategoryFactory(name_en=f"Category {hostile}"),
    )
    client.force_login(agent)
    page = client.get(reverse("tickets:mine")).content.decode()
    assert hostile not in page
    assert "Client &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert "Category &lt;img src=x onerror=&quot;alert(1)&quot;&gt;</option>" in page
    assert "Agent &lt;img src=x onerror=&quot;alert(1)&quot;&gt;</option>" in page


def test_rows_show_the_sla_badge_in_the_viewers_zone(client, agent, team_a):
    """Time left, overdue and breached badges, with the due time in the agent's zone."""
    agent.time_zone = "Asia/Hong_Kong"
    agent.save(update_fields=["time_zone"])
    now = datetime.now(tz=UTC).replace(microsecond=0)
    TicketFactory(team=team_a, assignee=agent, status="open", sla_due_at=now + timedelta(hours=3))
    TicketFactory(team=team_a, assignee=agent, status="open", sla_due_at=now - timedelta(days=5))
    TicketFactory(team=team_a, assignee=agent, status="open", sla_breached=True)
    client.force_login(agent)
    page = client.get(reverse("tickets:mine")).content.decode()
    due_local = (now + timedelta(hours=3)).astimezone(ZoneInfo("Asia/Hong_Kong"))
    assert f'class="sla sla-ok" datetime="{due_local.isoformat()}"' in page
    assert re.search(r'class="sla sla-ok"[^>]*>2 h 5\d min left</time>', page)
    assert re.search(r'class="sla sla-late"[^>]*>5 d 0 h overdue</time>', page)
    assert '<span class="sla sla-late">SLA breached</span>' in page


def test_the_page_offers_keyboard_shortcuts_with_translated_help(client, agent):
    client.force_login(agent)
    page = client.get(reverse("tickets:mine")).content.decode()
    assert "js/shortcuts.js" in page
    assert '<dialog id="shortcut-help"' in page
    assert "Move to the next / previous ticket" in page


def test_managers_read_the_all_list_without_bulk_actions(client, manager, desk):
    client.force_login(manager)
    page = client.get(reverse("tickets:all")).content.decode()
    assert 'name="ticket_ids"' not in page
    assert 'id="bulk-form"' not in page


def test_the_supervisor_board_shows_tickets_with_its_own_bulk_form(client, supervisor, desk):
    client.force_login(supervisor)
    response = client.get(reverse("metrics:board"))
    assert response.status_code == 200
    assert "Nobody new" in response.content.decode()
    assert 'id="bulk-form"' not in response.content.decode()
    assert 'form="board-bulk"' in response.content.decode()


# --- Filters --------------------------------------------------------------------------------


@pytest.fixture
def team_c(agent):
    team = TeamFactory(name="Trading Platform TW", slug="platform-tw")
    MembershipFactory(team=team, user=agent)
    return team


@pytest.fixture
def colleague(team_c):
    user = UserFactory(email="carl@desk.example", full_name="Carl Colleague", roles=[Role.AGENT])
    MembershipFactory(team=team_c, user=user)
    return user


@pytest.fixture
def filter_desk(agent, team_a, team_b, team_c, colleague):
    vip = ClientFactory(account_number="HK99990001", email="vip@mail.example")
    mobile = CategoryFactory(slug="mobile", name_en="Mobile app", name_zh_hant="手機應用程式")
    return {
        "urgent": TicketFactory(
            team=team_a,
            subject="Urgent desktop zh",
            status="new",
            priority=1,
            language="zh-hant",
            tags=["login"],
            assignee=agent,
            client=vip,
        ),
        "low": TicketFactory(
            team=team_a,
            subject="Low mobile en",
            status="pending_client",
            priority=4,
            category=mobile,
            tags=["crash", "ios"],
        ),
        "team_c": TicketFactory(
            team=team_c, subject="Team C normal", status="open", priority=3, assignee=colleague
        ),
        "hidden": TicketFactory(team=team_b, subject="Team B hidden", status="new", priority=1),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({"status": "pending_client"}, {"Low mobile en"}, id="status_case"),
        pytest.param(
            {"status": ["new", "open"]}, {"Urgent desktop zh", "Team C normal"}, id="statuses_case"
        ),
        pytest.param(
            {"priority": ["1", "3"]}, {"Urgent desktop zh", "Team C normal"}, id="priority_case"
        ),
        pytest.param({"category": "mobile"}, {"Low mobile en"}, id="category_case"),
        pytest.param({"team": "platform-tw"}, {"Team C normal"}, id="team_case"),
        pytest.param({"assignee": "me"}, {"Urgent desktop zh"}, id="assignee_me_case"),
        pytest.param({"assignee": "none"}, {"Low mobile en"}, id="assignee_none_case"),
        pytest.param({"language": "zh-hant"}, {"Urgent desktop zh"}, id="language_case"),
        pytest.param({"tag": "ios"}, {"Low mobile en"}, id="tag_case"),
        pytest.param({"client": "HK99990001"}, {"Urgent desktop zh"}, id="account_number_case"),
        pytest.param({"client": "VIP@mail.example"}, {"Urgent desktop zh"}, id="email_case"),
        pytest.param({"client": "nobody@mail.example"}, set(), id="unknown_client_case"),
        pytest.param(
            {"created_from": "0001-01-01", "created_to": "9999-12-31"},
            {"Urgent desktop zh", "Low mobile en", "Team C normal"},
            id="widest_dates_case",
        ),
        pytest.param({"client": "9" * 30}, set(), id="huge_client_number_case"),
        pytest.param(
            {"priority": "1", "team": "tech-hk", "tag": "login"},
            {"Urgent desktop zh"},
            id="combined_case",
        ),
    ],
)
def test_each_filter_narrows_the_team_queue(client, agent, filter_desk, query, expected):
    client.force_login(agent)
    response = client.get(reverse("tickets:team_queue"), query)
    assert response.status_code == 200
    assert set(_subjects(response)) == expected


def test_the_assignee_filter_takes_a_colleague(client, agent, filter_desk, colleague):
    client.force_login(agent)
    response = client.get(reverse("tickets:team_queue"), {"assignee": colleague.pk})
    assert _subjects(response) == ["Team C normal"]


def test_the_client_filter_takes_a_client_number(client, agent, filter_desk):
    client.force_login(agent)
    response = client.get(
        reverse("tickets:team_queue"), {"client": filter_desk["urgent"].client_id}
    )
    assert _subjects(response) == ["Urgent desktop zh"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param({"status": "frozen"}, "“frozen” is not a ticket status.", id="status_case"),
        pytest.param({"priority": "9"}, "“9” is not a ticket priority.", id="priority_case"),
        pytest.param(
            {"category": "crypto"}, "“crypto” is not a ticket category.", id="category_case"
        ),
        pytest.param(
            {"team": "accounts"}, "“accounts” is not a team you can see.", id="foreign_team_case"
        ),
        pytest.param(
            {"assignee": "999999"},
            "“999999” is not a member of the teams you can see.",
            id="assignee_case",
        ),
        pytest.param({"language": "fr"}, "“fr” is not a supported language.", id="language_case"),
        pytest.param(
            {"created_from": "2026-03-10", "created_to": "2026-03-09"},
            "The end date is before the start date.",
            id="created_range_case",
        ),
        pytest.param(
            {"updated_from": "2026-03-10", "updated_to": "2026-03-01"},
            "The end date is before the start date.",
            id="updated_range_case",
        ),
        pytest.param(
            {"created_from": "10/03/2026"}, "Enter a date as YYYY-MM-DD.", id="date_format_case"
        ),
        pytest.param(
            {"sort": "-secret"}, "“-secret” is not a sort order offered here.", id="sort_case"
        ),
        pytest.param(
            {"after": "not-a-cursor"},
            "This page link is not valid. Go back to the first page.",
            id="cursor_case",
        ),
        pytest.param(
            {"sort": "subject", "after": _cursor(["\x00", 1])},
            "This page link is not valid. Go back to the first page.",
            id="cursor_with_nul_case",
        ),
        pytest.param(
            {"sort": "priority", "after": _cursor([1, 10**30])},
            "This page link is not valid. Go back to the first page.",
            id="cursor_id_out_of_range_case",
        ),
        pytest.param(
            {"sort": "subject", "after": _cursor([1, 1])},
            "This page link is not valid. Go back to the first page.",
            id="cursor_of_another_sort_case",
        ),
    ],
)
def test_bad_filters_answer_400_with_a_message_and_no_tickets(
    client, agent, filter_desk, query, message
):
    client.force_login(agent)
    response = client.get(reverse("tickets:team_queue"), query)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _subjects(response) == []


# --- Dates in the user's time zone ------------------------------------------------------------


@pytest.fixture
def boundary_tickets(agent, team_a):
    """Tickets around midnight of 10 March 2026 in Hong Kong (UTC+8)."""
    moments = {
        "Late on the 9th in HK": datetime(2026, 3, 9, 15, 59, 59, tzinfo=UTC),
        "Start of the 10th in HK": datetime(2026, 3, 9, 16, 0, tzinfo=UTC),
        "End of the 10th in HK": datetime(2026, 3, 10, 15, 59, 59, tzinfo=UTC),
        "Start of the 11th in HK": datetime(2026, 3, 10, 16, 0, tzinfo=UTC),
    }
    return [
        TicketFactory(team=team_a, status="open", subject=subject, created_at=at, updated_at=at)
        for subject, at in moments.items()
    ]


@pytest.mark.parametrize(
    ("time_zone", "query", "expected"),
    [
        pytest.param(
            "Asia/Hong_Kong",
            {"created_from": "2026-03-10", "created_to": "2026-03-10"},
            {"Start of the 10th in HK", "End of the 10th in HK"},
            id="created_one_day_hong_kong_case",
        ),
        pytest.param(
            "America/New_York",
            {"created_from": "2026-03-10", "created_to": "2026-03-10"},
            {"End of the 10th in HK", "Start of the 11th in HK"},
            id="created_one_day_new_york_case",
        ),
        pytest.param(
            "Asia/Hong_Kong",
            {"updated_from": "2026-03-10"},
            {"Start of the 10th in HK", "End of the 10th in HK", "Start of the 11th in HK"},
            id="updated_from_case",
        ),
        pytest.param(
            "Asia/Hong_Kong",
            {"updated_to": "2026-03-09"},
            {"Late on the 9th in HK"},
            id="updated_to_case",
        ),
    ],
)
def test_date_ranges_are_whole_days_in_the_users_time_zone(
    client, agent, boundary_tickets, time_zone, query, expected
):
    agent.time_zone = time_zone
    agent.save()
    client.force_login(agent)
    response = client.get(reverse("tickets:team_queue"), query)
    assert response.status_code == 200
    assert set(_subjects(response)) == expected


# --- Sorting ----------------------------------------------------------------------------------


@pytest.fixture
def sortable(team_a):
    return [
        TicketFactory(
            team=team_a,
            subject="Alpha",
            priority=2,
            status="open",
            created_at=T0 + timedelta(hours=1),
            updated_at=T0 + timedelta(hours=5),
        ),
        TicketFactory(
            team=team_a,
            subject="Bravo",
            priority=1,
            status="pending_client",
            created_at=T0 + timedelta(hours=3),
            updated_at=T0 + timedelta(hours=4),
        ),
        TicketFactory(
            team=team_a,
            subject="Charlie",
            priority=4,
            status="new",
            created_at=T0 + timedelta(hours=2),
            updated_at=T0 + timedelta(hours=6),
        ),
    ]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        pytest.param("priority", ["Bravo", "Alpha", "Charlie"], id="priority_case"),
        pytest.param("-priority", ["Charlie", "Alpha", "Bravo"], id="priority_desc_case"),
        pytest.param("created", ["Alpha", "Charlie", "Bravo"], id="created_case"),
        pytest.param("-created", ["Bravo", "Charlie", "Alpha"], id="created_desc_case"),
        pytest.param("updated", ["Bravo", "Alpha", "Charlie"], id="updated_case"),
        pytest.param("-updated", ["Charlie", "Alpha", "Bravo"], id="updated_desc_case"),
        pytest.param("subject", ["Alpha", "Bravo", "Charlie"], id="subject_case"),
        pytest.param("-subject", ["Charlie", "Bravo", "Alpha"], id="subject_desc_case"),
        pytest.param("status", ["Charlie", "Alpha", "Bravo"], id="status_lifecycle_case"),
        pytest.param("-status", ["Bravo", "Alpha", "Charlie"], id="status_desc_case"),
    ],
)
def test_lists_sort_on_the_server_in_both_directions(client, agent, sortable, sort, expected):
    client.force_login(agent)
    response = client.get(reverse("tickets:team_queue"), {"sort": sort})
    assert _subjects(response) == expected


def test_the_team_queue_puts_the_most_urgent_oldest_tickets_first(client, agent, sortable):
    client.force_login(agent)
    assert _subjects(client.get(reverse("tickets:team_queue"))) == ["Bravo", "Alpha", "Charlie"]


def test_column_headers_toggle_the_sort_and_announce_it(client, agent, sortable):
    client.force_login(agent)
    page = client.get(reverse("tickets:team_queue"), {"sort": "-updated"}).content.decode()
    assert '<th scope="col" aria-sort="descending"><a href="?sort=updated"' in page
    assert '<a href="?sort=subject" class="sort-link">Subject</a>' in page


# --- Keyset pagination ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        pytest.param("priority", [0, 1, 2, 3, 4, 5, 6], id="ties_ascending_case"),
        pytest.param("-updated", [6, 5, 4, 3, 2, 1, 0], id="ties_descending_case"),
    ],
)
def test_next_and_previous_pages_walk_ties_without_gaps_or_repeats(
    client, agent, team_a, monkeypatch, sort, order
):
    monkeypatch.setattr("tickets.views.queues.PAGE_SIZE", 3)
    same_time = T0 + timedelta(days=1)
    for number in range(7):
        TicketFactory(
            team=team_a, status="open", priority=2, subject=f"Tie {number}", updated_at=same_time
        )
    expected = [f"Tie {number}" for number in order]
    client.force_login(agent)

    first = client.get(reverse("tickets:team_queue"), {"sort": sort})
    second = client.get(_link(first, "next"))
    third = client.get(_link(second, "next"))
    back_to_second = client.get(_link(third, "prev"))
    back_to_first = client.get(_link(back_to_second, "prev"))

    assert _subjects(first) == expected[0:3]
    assert _subjects(second) == expected[3:6]
    assert _subjects(third) == expected[6:7]
    assert not _has_link(third, "next")
    assert _subjects(back_to_second) == expected[3:6]
    assert _subjects(back_to_first) == expected[0:3]
    assert not _has_link(first, "prev")
    assert not _has_link(back_to_first, "prev")
    assert "Showing 3 tickets." in second.content.decode()
    assert "Showing 1 ticket." in third.content.decode()


def test_a_queue_over_several_teams_pages_in_one_order(client, agent, team_a, team_c, monkeypatch):
    monkeypatch.setattr("tickets.views.queues.PAGE_SIZE", 2)
    teams = [team_a, team_c, team_c, team_a, team_c]
    for number, team in enumerate(teams):
        TicketFactory(team=team, status="open", priority=2, subject=f"Shared {number}")
    client.force_login(agent)
    first = client.get(reverse("tickets:unassigned"), {"sort": "-priority"})
    second = client.get(_link(first, "next"))
    third = client.get(_link(second, "next"))
    back = client.get(_link(third, "prev"))
    assert _subjects(first) + _subjects(second) + _subjects(third) == [
        "Shared 4",
        "Shared 3",
        "Shared 2",
        "Shared 1",
        "Shared 0",
    ]
    assert _subjects(back) == ["Shared 2", "Shared 1"]


def test_page_links_keep_the_filters(client, agent, team_a, monkeypatch):
    monkeypatch.setattr("tickets.views.queues.PAGE_SIZE", 2)
    for number in range(3):
        TicketFactory(team=team_a, status="open", priority=1, subject=f"Urgent {number}")
    TicketFactory(team=team_a, status="open", priority=4, subject="Low")
    client.force_login(agent)
    first = client.get(reverse("tickets:team_queue"), {"priority": "1"})
    second = client.get(_link(first, "next"))
    assert "priority=1" in _link(first, "next")
    assert _subjects(second) == ["Urgent 2"]


def test_no_page_counts_all_rows(client, agent, team_a, django_assert_max_num_queries):
    TicketFactory.create_batch(5, team=team_a, status="open")
    client.force_login(agent)
    with django_assert_max_num_queries(8) as captured:
        client.get(reverse("tickets:team_queue"))
    assert not [query for query in captured.captured_queries if "COUNT(" in query["sql"]]


# --- A fixed number of queries -------------------------------------------------------------


@pytest.fixture
def nobody():
    return None


@pytest.mark.parametrize(
    ("persona", "url_name", "assignee_fixture"),
    [
        pytest.param("agent", "tickets:mine", "agent", id="mine_case"),
        pytest.param("agent", "tickets:team_queue", "agent", id="team_queue_case"),
        pytest.param("agent", "tickets:unassigned", "nobody", id="unassigned_case"),
        pytest.param("manager", "tickets:all", "agent", id="all_case"),
    ],
)
def test_a_list_page_costs_the_same_queries_for_10_or_50_rows(
    client, request, team_a, persona, url_name, assignee_fixture, django_assert_max_num_queries
):
    user = request.getfixturevalue(persona)
    assignee = request.getfixturevalue(assignee_fixture)
    TicketFactory.create_batch(10, team=team_a, status="open", assignee=assignee, tags=["many"])
    client.force_login(user)
    client.get(reverse(url_name))
    with django_assert_max_num_queries(9) as ten_rows:
        response = client.get(reverse(url_name), {"tag": "many", "sort": "-updated"})
    assert len(_subjects(response)) == 10
    TicketFactory.create_batch(40, team=team_a, status="open", assignee=assignee, tags=["many"])
    with django_assert_max_num_queries(len(ten_rows.captured_queries)):
        response = client.get(reverse(url_name), {"tag": "many", "sort": "-updated"})
    assert len(_subjects(response)) == 50


# --- Saved filters --------------------------------------------------------------------------


def _save(client, *, name="Urgent open", team="", view="team", query="priority=1&status=open"):
    return client.post(
        reverse("tickets:saved_filter_create"),
        {"name": name, "team": team, "view": view, "query": query},
    )


def test_an_agent_saves_the_current_filters_and_reopens_them(client, agent, filter_desk):
    client.force_login(agent)
    response = _save(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:team_queue") + "?status=open&priority=1"
    page = client.get(reverse("tickets:mine")).content.decode()
    assert "Urgent open" in page
    saved = SavedFilter.objects.get(owner=agent)
    reopened = client.get(reverse("tickets:saved_filter_open", args=[saved.pk]), follow=True)
    assert reopened.redirect_chain[-1][0] == reverse("tickets:team_queue") + (
        "?status=open&priority=1"
    )


def test_a_duplicate_filter_name_is_refused_clearly(client, agent, filter_desk):
    client.force_login(agent)
    _save(client)
    response = _save(client, query="status=new")
    assert response.status_code == 400
    assert "You already have a saved filter named “Urgent open”." in response.content.decode()
    assert SavedFilter.objects.filter(owner=agent).count() == 1


def test_a_filter_with_bad_filters_is_not_saved(client, agent, filter_desk):
    client.force_login(agent)
    response = _save(client, query="status=frozen")
    assert response.status_code == 400
    assert "“frozen” is not a ticket status." in response.content.decode()
    assert not SavedFilter.objects.filter(owner=agent).exists()


def _signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_a_filter_shared_with_a_team_is_seen_by_teammates_only(
    client, agent, supervisor, outsider, filter_desk
):
    client.force_login(agent)
    _save(client, name="Team urgent", team="tech-hk")
    saved = SavedFilter.objects.get(owner=agent)
    teammate, stranger = _signed_in(supervisor), _signed_in(outsider)

    assert "Team urgent" in teammate.get(reverse("tickets:team_queue")).content.decode()
    assert teammate.get(reverse("tickets:saved_filter_open", args=[saved.pk])).status_code == 302
    assert "Team urgent" not in stranger.get(reverse("tickets:team_queue")).content.decode()
    assert stranger.get(reverse("tickets:saved_filter_open", args=[saved.pk])).status_code == 404


def test_a_personal_filter_stays_personal(client, agent, supervisor, filter_desk):
    client.force_login(agent)
    _save(client, name="Just mine")
    saved = SavedFilter.objects.get(owner=agent)
    teammate = _signed_in(supervisor)
    assert "Just mine" not in teammate.get(reverse("tickets:team_queue")).content.decode()
    assert teammate.get(reverse("tickets:saved_filter_open", args=[saved.pk])).status_code == 404


def test_sharing_with_a_team_one_does_not_belong_to_is_refused(client, agent, filter_desk):
    client.force_login(agent)
    response = _save(client, team="accounts")
    assert response.status_code == 400
    assert "You can only share a filter with a team you belong to." in response.content.decode()
    assert not SavedFilter.objects.exists()


def test_only_the_owner_deletes_a_saved_filter(client, agent, supervisor, filter_desk):
    client.force_login(agent)
    _save(client, name="Team urgent", team="tech-hk")
    saved = SavedFilter.objects.get(owner=agent)

    refused = _signed_in(supervisor).post(reverse("tickets:saved_filter_delete", args=[saved.pk]))
    assert refused.status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()

    deleted = client.post(
        reverse("tickets:saved_filter_delete", args=[saved.pk]),
        {"next": reverse("tickets:team_queue")},
    )
    assert deleted.status_code == 302
    assert deleted["Location"] == reverse("tickets:team_queue")
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


# --- Bulk actions ---------------------------------------------------------------------------


def _bulk(client, tickets, **changes):
    return client.post(
        reverse("tickets:bulk_update"),
        {
            "view": "team",
            "query": "sort=priority",
            "ticket_ids": [ticket.pk for ticket in tickets],
            **changes,
        },
    )


def test_a_bulk_change_updates_every_selected_ticket_with_one_event_per_field(
    client, agent, team_a
):
    tickets = TicketFactory.create_batch(3, team=team_a, status="new", priority=3)
    client.force_login(agent)
    response = _bulk(client, tickets, assignee="me", priority="1", add_tag="outage")
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:team_queue") + "?sort=priority"
    for ticket in tickets:
        ticket.refresh_from_db()
        assert (ticket.assignee, ticket.priority, ticket.tags) == (agent, 1, ["outage"])
        fields = sorted(TicketEvent.objects.filter(ticket=ticket).values_list("field", flat=True))
        assert fields == ["assignee", "priority", "tags"]
    assert "Updated 3 tickets." in client.get(response["Location"]).content.decode()


def test_a_bulk_status_and_team_change(client, agent, team_a, team_c):
    tickets = TicketFactory.create_batch(2, team=team_a, status="new")
    client.force_login(agent)
    response = _bulk(client, tickets, status="open", team="platform-tw")
    assert response.status_code == 302
    assert set(Ticket.objects.values_list("status", "team__slug")) == {("open", "platform-tw")}
    assert TicketEvent.objects.filter(field="status").count() == 2
    assert TicketEvent.objects.filter(field="team").count() == 2


def test_a_selection_with_another_teams_ticket_is_forbidden_and_changes_nothing(
    client, agent, team_a, team_b
):
    own = TicketFactory(team=team_a, status="new", priority=3, subject="Own ticket")
    foreign = TicketFactory(team=team_b, status="new", priority=3, subject="Foreign ticket")
    client.force_login(agent)
    response = _bulk(client, [own, foreign], priority="1")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Some of the selected tickets are not yours to change. Nothing was changed." in page
    assert "Foreign ticket" not in page
    assert set(Ticket.objects.values_list("priority", flat=True)) == {3}
    assert not TicketEvent.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"priority": "9"}, "“9” is not a ticket priority.", id="priority_case"),
        pytest.param(
            {"status": "resolved"},
            "“resolved” cannot be set on several tickets.",
            id="resolve_in_bulk_case",
        ),
        pytest.param(
            {"team": "accounts"}, "“accounts” is not a team you work on.", id="foreign_team_case"
        ),
        pytest.param({}, "Choose at least one change to apply.", id="no_change_case"),
    ],
)
def test_invalid_bulk_changes_answer_400_and_change_nothing(
    client, agent, team_a, changes, message
):
    tickets = TicketFactory.create_batch(2, team=team_a, status="new", priority=3)
    client.force_login(agent)
    response = _bulk(client, tickets, **changes)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert set(Ticket.objects.values_list("status", "priority")) == {("new", 3)}
    assert not TicketEvent.objects.exists()


def test_assigning_someone_outside_a_tickets_team_is_refused(
    client, agent, team_a, team_c, colleague
):
    ticket = TicketFactory(team=team_a, status="new")
    client.force_login(agent)
    response = _bulk(client, [ticket], assignee=colleague.pk)
    assert response.status_code == 400
    assert "Carl Colleague is not a member of the team Technical Assistance HK." in (
        response.content.decode()
    )
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_an_illegal_bulk_transition_is_refused_naming_the_ticket(client, agent, team_a):
    tickets = TicketFactory.create_batch(2, team=team_a, status="new")
    client.force_login(agent)
    response = _bulk(client, tickets, status="closed")
    assert response.status_code == 409
    assert (
        f"{tickets[0].reference}: A ticket that is New cannot be moved to Closed. "
        "Nothing was changed."
    ) in response.content.decode()
    assert set(Ticket.objects.values_list("status", flat=True)) == {"new"}
    assert not TicketEvent.objects.exists()


def test_a_closed_ticket_in_the_selection_is_a_conflict(client, agent, team_a):
    open_ticket = TicketFactory(team=team_a, status="open", priority=3)
    closed = TicketFactory(team=team_a, status="closed", priority=3)
    client.force_login(agent)
    response = _bulk(client, [open_ticket, closed], priority="2")
    assert response.status_code == 409
    assert f"Closed tickets cannot be changed: {closed.reference}." in response.content.decode()
    assert set(Ticket.objects.values_list("priority", flat=True)) == {3}


def test_a_refused_bulk_change_keeps_the_selection(client, agent, team_a):
    tickets = TicketFactory.create_batch(2, team=team_a, status="new")
    client.force_login(agent)
    response = _bulk(client, tickets)
    page = response.content.decode()
    assert f'value="{tickets[0].pk}" form="bulk-form" checked' in page


def test_nothing_selected_is_a_clear_400(client, agent, team_a):
    TicketFactory(team=team_a, status="new")
    client.force_login(agent)
    response = _bulk(client, [], priority="1")
    assert response.status_code == 400
    assert "Select at least one ticket." in response.content.decode()


def test_managers_cannot_bulk_change(client, manager, team_a):
    ticket = TicketFactory(team=team_a, status="new", priority=3)
    client.force_login(manager)
    response = client.post(
        reverse("tickets:bulk_update"),
        {"view": "all", "query": "", "ticket_ids": [ticket.pk], "priority": "1"},
    )
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.priority == 3


def test_memberships_drive_the_bulk_assignee_choices(client, agent, team_a, supervisor):
    TicketFactory(team=team_a, status="new")
    client.force_login(agent)
    page = client.get(reverse("tickets:team_queue")).content.decode()
    assert f'<option value="{supervisor.pk}">Sam Supervisor</option>' in page


@pytest.mark.parametrize("who", ["agent", "manager"], ids=["agent_case", "manager_case"])
def test_team_options_without_members_are_the_same_teams(request, who, team_a, team_b):
    user = request.getfixturevalue(who)
    full = team_options_for(user=user)
    light = team_options_for(user=user, with_members=False)
    assert light == [replace(option, members=()) for option in full]
    assert [option.slug for option in light] == (
        ["tech-hk"] if who == "agent" else ["accounts", "tech-hk"]
    )
