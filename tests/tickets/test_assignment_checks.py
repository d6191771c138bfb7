"""The board's assignment checks everywhere a person assigns: the ticket page's assignee field,
the API's ticket update and assign, and the queues' bulk assign (issue 4).

Outside the team → 400, over capacity → 409, off shift or not available → 409
``needs_confirmation`` until confirmed ("Assign anyway"); nothing is saved on a refusal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from teams.access import Role
from tests.api_clients import token_client
from tests.factories import MembershipFactory, TicketFactory, UserFactory
from tests.tickets.factories import make_routable
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def ticket(team_a):
    return TicketFactory(team=team_a, status="open")


def _member(team, name: str, **routable):
    user = UserFactory(
        email=f"{name.split()[0].lower()}@desk.example", full_name=name, roles=[Role.AGENT]
    )
    MembershipFactory(team=team, user=user)
    return make_routable(user, **routable)


@pytest.fixture
def full_agent(team_a):
    user = _member(team_a, "Fiona Full", capacity=1)
    TicketFactory(team=team_a, status="open", assignee=user)
    return user


@pytest.fixture
def resting_agent(team_a):
    user = _member(team_a, "Rita Resting")
    user.shifts.all().delete()
    return user


@pytest.fixture
def busy_agent(team_a):
    return _member(team_a, "Ben Busy", status="busy")


def _unchanged(ticket) -> tuple:
    fresh = Ticket.objects.get(pk=ticket.pk)
    return fresh.assignee_id, fresh.version, TicketEvent.objects.filter(ticket=ticket).count()


# --- The ticket page's assignee field ------------------------------------------------------


def _edit(client, ticket, value, **extra):
    fresh = Ticket.objects.get(pk=ticket.pk)
    return client.post(
        reverse("tickets:field_update", args=[ticket.pk, "assignee"]),
        {"value": value, "expected_version": fresh.version, **extra},
        **HTMX,
    )


def test_the_field_refuses_someone_outside_the_team(client, agent, outsider, ticket):
    before = _unchanged(ticket)
    client.force_login(agent)
    response = _edit(client, ticket, outsider.pk)
    assert response.status_code == 400
    assert "Oscar Outsider is not a member of the team Technical Assistance HK." in (
        response.content.decode()
    )
    assert _unchanged(ticket) == before


def test_the_field_refuses_an_agent_over_capacity(client, agent, full_agent, ticket):
    before = _unchanged(ticket)
    client.force_login(agent)
    response = _edit(client, ticket, full_agent.pk)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Fiona Full would hold 2 open tickets, over their capacity of 1." in html
    assert "Assign anyway" not in html
    assert _unchanged(ticket) == before


def test_the_field_asks_before_assigning_off_shift_and_assigns_when_confirmed(
    client, agent, resting_agent, ticket
):
    before = _unchanged(ticket)
    client.force_login(agent)
    warned = _edit(client, ticket, resting_agent.pk)
    html = warned.content.decode()
    assert warned.status_code == 409
    assert "Rita Resting is off shift now. Assign anyway?" in html
    assert 'name="confirmed" value="1"' in html and "Assign anyway</button>" in html
    assert _unchanged(ticket) == before

    confirmed = _edit(client, ticket, resting_agent.pk, confirmed="1")
    assert confirmed.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).assignee == resting_agent


def test_the_field_asks_before_assigning_an_agent_who_is_not_available(
    client, agent, busy_agent, ticket
):
    client.force_login(agent)
    warned = _edit(client, ticket, busy_agent.pk)
    assert warned.status_code == 409
    assert "Ben Busy is Busy." in warned.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_without_htmx_the_page_shows_the_warning_with_assign_anyway(
    client, agent, resting_agent, ticket
):
    client.force_login(agent)
    fresh = Ticket.objects.get(pk=ticket.pk)
    page = client.post(
        reverse("tickets:field_update", args=[ticket.pk, "assignee"]),
        {"value": resting_agent.pk, "expected_version": fresh.version},
    )
    html = page.content.decode()
    assert page.status_code == 409
    assert "Rita Resting is off shift now." in html and "Assign anyway</button>" in html


def test_taking_a_ticket_oneself_is_not_checked(client, agent, ticket):
    client.force_login(agent)
    assert _edit(client, ticket, agent.pk).status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent


# --- The API -------------------------------------------------------------------------------


def _patch(actor, ticket, **data):
    fresh = Ticket.objects.get(pk=ticket.pk)
    return token_client(actor).patch(
        f"/api/v1/tickets/{ticket.pk}", {"version": fresh.version, **data}, format="json"
    )


def test_the_api_refuses_someone_outside_the_team(agent, outsider, ticket):
    before = _unchanged(ticket)
    response = _patch(agent, ticket, assignee=outsider.pk)
    assert response.status_code == 400
    assert "is not a member of the team" in response.json()["detail"]
    assert _unchanged(ticket) == before


def test_the_api_refuses_an_agent_over_capacity(agent, full_agent, ticket):
    before = _unchanged(ticket)
    response = _patch(agent, ticket, assignee=full_agent.pk)
    body = response.json()
    assert (response.status_code, body["code"]) == (409, "assignment_refused")
    assert "over their capacity of 1" in body["detail"]
    assert _unchanged(ticket) == before


def test_the_api_needs_confirmation_off_shift_and_assigns_when_confirmed(
    agent, resting_agent, ticket
):
    before = _unchanged(ticket)
    warned = _patch(agent, ticket, assignee=resting_agent.pk)
    body = warned.json()
    assert (warned.status_code, body["code"]) == (409, "needs_confirmation")
    assert body["warnings"] == ["Rita Resting is off shift now."]
    assert _unchanged(ticket) == before

    confirmed = _patch(agent, ticket, assignee=resting_agent.pk, confirmed=True)
    assert confirmed.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).assignee == resting_agent


def test_the_api_assign_action_is_checked_the_same_way(agent, resting_agent, ticket):
    api = token_client(agent)
    url = f"/api/v1/tickets/{ticket.pk}/assign"
    warned = api.post(url, {"assignee": resting_agent.pk}, format="json")
    assert (warned.status_code, warned.json()["code"]) == (409, "needs_confirmation")
    confirmed = api.post(url, {"assignee": resting_agent.pk, "confirmed": True}, format="json")
    assert confirmed.status_code == 200
    assert Ticket.objects.get(pk=ticket.pk).assignee == resting_agent


# --- Bulk assign from the queues -----------------------------------------------------------


def _bulk(client, tickets, **changes):
    return client.post(
        reverse("tickets:bulk_update"),
        {"view": "team", "query": "", "ticket_ids": [t.pk for t in tickets], **changes},
    )


def test_bulk_assign_refuses_going_over_capacity(client, agent, team_a, full_agent):
    tickets = TicketFactory.create_batch(2, team=team_a, status="open")
    client.force_login(agent)
    response = _bulk(client, tickets, assignee=str(full_agent.pk))
    assert response.status_code == 409
    assert "Fiona Full would hold 3 open tickets, over their capacity of 1." in (
        response.content.decode()
    )
    assert not Ticket.objects.filter(pk__in=[t.pk for t in tickets], assignee=full_agent).exists()


def test_bulk_assign_asks_before_assigning_off_shift(client, agent, team_a, resting_agent):
    tickets = TicketFactory.create_batch(2, team=team_a, status="open")
    client.force_login(agent)
    warned = _bulk(client, tickets, assignee=str(resting_agent.pk))
    html = warned.content.decode()
    assert warned.status_code == 409
    assert "Rita Resting is off shift now." in html
    assert 'name="confirmed" value="1"' in html
    assert not Ticket.objects.filter(assignee=resting_agent).exists()

    confirmed = _bulk(client, tickets, assignee=str(resting_agent.pk), confirmed="1")
    assert confirmed.status_code == 302
    assert Ticket.objects.filter(assignee=resting_agent).count() == 2
