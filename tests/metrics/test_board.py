"""The supervisor's board: panels for their teams only, a fixed number of queries, and the
one- or two-click actions with their refusals (outside the team, over capacity, off shift)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from metrics.views import board_rows
from teams.access import Role
from teams.models import TeamMembership
from tests.conftest import give_totp
from tests.factories import CategoryFactory, MembershipFactory, TicketFactory, UserFactory
from tests.tickets.factories import InternalTeamFactory, make_routable
from tickets.models import Escalation, Ticket
from tickets.services.tickets import ticket_escalate

BOARD = "metrics:board"
BULK = "metrics:board_bulk"


@pytest.fixture
def routable_agent(team_a, agent):
    return make_routable(agent, capacity=2)


@pytest.fixture
def other_supervisor(team_b):
    user = UserFactory(full_name="Bea B-Supervisor", roles=[Role.SUPERVISOR])
    MembershipFactory(team=team_b, user=user, role=TeamMembership.Role.SUPERVISOR)
    give_totp(user)
    return user


def _html(response):
    return response.content.decode()


def test_the_board_shows_each_panel_for_the_supervisors_teams_only(
    client, supervisor, agent, team_a, team_b, outsider
):
    mine = TicketFactory(team=team_a, subject="Cannot log in to desktop")
    theirs = TicketFactory(team=team_b, subject="Statement missing from B")
    escalated = TicketFactory(team=team_a, assignee=agent, status="open", subject="Angry client")
    ticket_escalate(actor=agent, ticket=escalated, reason="Wants compensation")
    handed = TicketFactory(team=team_a, assignee=agent, status="open", subject="Orders stuck")
    ticket_escalate(actor=agent, ticket=handed, reason="Check", internal_team=InternalTeamFactory())
    client.force_login(supervisor)

    page = _html(client.get(reverse(BOARD)))

    for text in (
        "Escalations waiting for you",
        "Wants compensation",
        "At risk and breached",
        "Unassigned",
        "Waiting on internal teams",
        "Platform Engineering",
        "Agents",
        "Alice Agent",
        mine.subject,
        'hx-trigger="every 5s',
    ):
        assert text in page
    assert theirs.subject not in page and outsider.full_name not in page


def test_each_ticket_row_links_to_a_coaching_note_for_it(client, supervisor, agent, team_a):
    ticket = TicketFactory(team=team_a, assignee=agent, subject="Slow fills")
    client.force_login(supervisor)

    page = _html(client.get(reverse(BOARD)))
    link = reverse("tickets:coaching_note_create", args=[ticket.pk])
    assert f'href="{link}"' in page

    form = client.get(link)
    assert form.status_code == 200 and agent.full_name in form.content.decode()


def test_the_htmx_refresh_answers_the_panels_only(client, supervisor):
    client.force_login(supervisor)
    fragment = _html(client.get(reverse(BOARD), HTTP_HX_REQUEST="true"))
    assert 'id="panel-agents"' in fragment and "<html" not in fragment


def test_breached_and_due_tickets_come_first_by_time_to_breach(client, supervisor, team_a):
    now = timezone.now()
    later = TicketFactory(team=team_a, subject="Due later", sla_due_at=now + timedelta(hours=1))
    breached = TicketFactory(
        team=team_a,
        subject="Breached one",
        sla_due_at=now - timedelta(minutes=5),
        sla_breached=True,
    )
    TicketFactory(team=team_a, subject="No clock", priority=1)
    client.force_login(supervisor)
    page = _html(client.get(reverse(BOARD)))
    section = page[page.index('id="panel-at-risk"') : page.index('id="panel-unassigned"')]
    assert section.index(breached.subject) < section.index(later.subject)
    assert "No clock" not in section


@pytest.mark.parametrize("role", ["agent", "outsider", "manager"])
def test_people_who_supervise_nothing_get_403(client, request, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse(BOARD)).status_code == 403
    assert client.post(reverse(BULK), {"action": "take_over"}).status_code == 403


def test_the_board_runs_a_fixed_number_of_queries(
    client, supervisor, agent, team_a, django_assert_max_num_queries
):
    client.force_login(supervisor)
    client.get(reverse(BOARD))
    with django_assert_max_num_queries(16) as few:
        client.get(reverse(BOARD))
    for n in range(12):
        ticket = TicketFactory(team=team_a, assignee=agent if n % 2 else None, status="open")
        if n % 3 == 0:
            ticket_escalate(actor=agent, ticket=ticket, reason=f"Reason {n}")
    for _ in range(3):
        MembershipFactory(team=team_a, user=make_routable(UserFactory(roles=[Role.AGENT])))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse(BOARD))


# --- Actions -------------------------------------------------------------------------------


def test_bulk_assign_then_take_over_then_priority(client, supervisor, routable_agent, team_a):
    first, second = (TicketFactory(team=team_a, category=CategoryFactory()) for _ in range(2))
    client.force_login(supervisor)
    ids = [first.pk, second.pk]

    assigned = client.post(
        reverse(BULK), {"action": "assign", "assignee": routable_agent.pk, "ticket_ids": ids}
    )
    assert assigned.status_code == 302
    assert set(Ticket.objects.filter(pk__in=ids).values_list("assignee", flat=True)) == {
        routable_agent.pk
    }
    client.post(reverse(BULK), {"action": "take_over", "ticket_ids": [first.pk]})
    client.post(reverse(BULK), {"action": "priority", "priority": "1", "ticket_ids": ids})
    first.refresh_from_db()
    assert (first.assignee, first.priority) == (supervisor, 1)


def test_assigning_outside_the_team_is_refused_with_the_reason(
    client, supervisor, team_a, outsider
):
    ticket = TicketFactory(team=team_a)
    client.force_login(supervisor)
    page = client.post(
        reverse(BULK), {"action": "assign", "assignee": outsider.pk, "ticket_ids": [ticket.pk]}
    )
    assert page.status_code == 400
    assert "Oscar Outsider is not a member of the team" in _html(page)
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_assigning_over_capacity_is_refused(client, supervisor, routable_agent, team_a):
    TicketFactory.create_batch(2, team=team_a, assignee=routable_agent, status="open")
    ticket = TicketFactory(team=team_a)
    client.force_login(supervisor)
    page = client.post(
        reverse(BULK),
        {"action": "assign", "assignee": routable_agent.pk, "ticket_ids": [ticket.pk]},
    )
    assert page.status_code == 409
    assert "over their capacity of 2" in _html(page)


def test_assigning_off_shift_warns_and_assigns_when_confirmed(
    client, supervisor, routable_agent, team_a
):
    routable_agent.shifts.all().delete()
    ticket = TicketFactory(team=team_a)
    client.force_login(supervisor)
    data = {"action": "assign", "assignee": routable_agent.pk, "ticket_ids": [ticket.pk]}
    warned = client.post(reverse(BULK), data)
    assert warned.status_code == 409
    assert "is off shift now" in _html(warned) and "Assign anyway" in _html(warned)
    assert Ticket.objects.get(pk=ticket.pk).assignee is None

    assert client.post(reverse(BULK), {**data, "confirmed": "1"}).status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).assignee == routable_agent


def test_a_supervisor_of_team_b_cannot_act_on_team_a(client, other_supervisor, agent, team_a):
    ticket = TicketFactory(team=team_a, subject="Team A only", status="open")
    client.force_login(other_supervisor)
    assert "Team A only" not in _html(client.get(reverse(BOARD)))
    for data in (
        {"action": "take_over", "ticket_ids": [ticket.pk]},
        {"action": "priority", "priority": "1", "ticket_ids": [ticket.pk]},
        {"action": "assign", "assignee": agent.pk, "ticket_ids": [ticket.pk]},
    ):
        assert client.post(reverse(BULK), data).status_code == 403
    escalate = client.post(
        reverse("metrics:board_escalate", args=[ticket.pk]), {"reason": "x", "target": "tier2"}
    )
    assert escalate.status_code == 404
    ticket.refresh_from_db()
    assert (ticket.assignee, ticket.priority, ticket.escalation_level) == (None, 3, 0)


def test_escalating_from_the_board_hands_off_to_an_internal_team(client, supervisor, team_a):
    ticket = TicketFactory(team=team_a, status="open")
    trading = InternalTeamFactory(name="Trading Desk", contact_email="desk@bank.example")
    client.force_login(supervisor)
    response = client.post(
        reverse("metrics:board_escalate", args=[ticket.pk]),
        {"reason": "Price feed wrong", "target": str(trading.pk)},
    )
    assert response.status_code == 302
    assert Escalation.objects.get(ticket=ticket).internal_team == trading
    refused = client.post(
        reverse("metrics:board_escalate", args=[ticket.pk]), {"reason": " ", "target": "tier2"}
    )
    assert refused.status_code == 400


def _markup(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def test_the_sla_flags_table_has_the_markup_of_the_ticket_lists_table(rf, supervisor, team_a):
    """The board builds the flags' rows in Python (metrics/views/board_rows.py); they must stay
    the rows of tickets/partials/ticket_table.html."""
    now = timezone.now()
    tickets = [
        TicketFactory(
            team=team_a, subject="Due <soon> & late", sla_due_at=now + timedelta(minutes=30)
        ),
        TicketFactory(team=team_a, sla_due_at=now + timedelta(hours=5)),
        TicketFactory(team=team_a, sla_due_at=now - timedelta(hours=2), sla_breached=True),
        TicketFactory(team=team_a, sla_breached=True, assignee=supervisor),
        TicketFactory(team=team_a),
    ]
    tickets = list(
        Ticket.objects.filter(pk__in=[t.pk for t in tickets])
        .select_related("client", "category", "team", "assignee")
        .order_by("pk")
    )
    page = board_rows.RowContext(
        now=now,
        csrf_input="",
        bulk_url="",
        detail_url=("/tickets/", "/"),
        escalate_url=("", ""),
        coaching_url=("", ""),
        target_options="",
        assignee_options={},
        priority_labels=board_rows.priority_labels(),
        labels=board_rows.row_labels(),
    )
    with time_machine.travel(now, tick=False):
        generic = render_to_string(
            "tickets/partials/ticket_table.html", {"tickets": tickets, "empty_text": "None."}
        )
        board = render_to_string(
            "metrics/sla/partials/board_flag_table.html",
            {"rows": board_rows.flag_rows_html(tickets, page=page), "empty_text": "None."},
        )
    assert _markup(board) == _markup(generic)
