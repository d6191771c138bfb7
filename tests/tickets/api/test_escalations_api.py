"""Escalation endpoints: list, escalate (tier 2 / internal team), answer, de-escalate, internal
teams; through the escalation services, with their refusals as problem details."""

from __future__ import annotations

import pytest

from tests.api_clients import token_client
from tickets.models import Escalation, InternalTeam, Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform():
    return InternalTeam.objects.create(name="Platform Engineering", contact_email="eng@example.com")


def test_escalate_to_an_internal_team_answer_and_de_escalate(
    ticket, agent, platform, django_assert_max_num_queries
):
    api = token_client(agent)
    response = api.post(
        f"/api/v1/tickets/{ticket.pk}/escalations",
        {"reason": "Orders stuck in the matching engine", "internal_team": platform.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["level"] == "internal"
    assert body["internal_team"]["name"] == "Platform Engineering"
    assert body["is_open"] is True
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.PENDING_INTERNAL
    escalation_id = body["id"]

    with django_assert_max_num_queries(8):
        listed = api.get(f"/api/v1/tickets/{ticket.pk}/escalations")
    assert [item["id"] for item in listed.json()["results"]] == [escalation_id]
    assert api.get(f"/api/v1/escalations/{escalation_id}").json()["reason"].startswith("Orders")

    answered = api.post(
        f"/api/v1/escalations/{escalation_id}/answer", {"answer": "Restarted"}, format="json"
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["answer"] == "Restarted"
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.OPEN
    again = api.post(
        f"/api/v1/escalations/{escalation_id}/answer", {"answer": "Twice"}, format="json"
    )
    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"

    closed = api.post(f"/api/v1/escalations/{escalation_id}/de-escalate", {}, format="json")
    assert closed.status_code == 200, closed.content
    assert closed.json()["is_open"] is False
    actions = set(TicketEvent.objects.filter(ticket=ticket).values_list("action", flat=True))
    assert {"escalated", "handed_off", "escalation_answered", "de_escalated"} <= actions


def test_tier2_de_escalation_is_for_supervisors(ticket, agent, supervisor):
    response = token_client(agent).post(
        f"/api/v1/tickets/{ticket.pk}/escalations", {"reason": "Need help"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["level"] == "tier2"
    escalation_id = response.json()["id"]
    refused = token_client(agent).post(
        f"/api/v1/escalations/{escalation_id}/de-escalate", {}, format="json"
    )
    assert refused.status_code == 403
    assert Escalation.objects.get(pk=escalation_id).is_open
    done = token_client(supervisor).post(
        f"/api/v1/escalations/{escalation_id}/de-escalate", {"note": "Handled"}, format="json"
    )
    assert done.status_code == 200, done.content
    conflict = token_client(agent).post(
        f"/api/v1/tickets/{ticket.pk}/escalations", {"reason": "Again"}, format="json"
    )
    assert conflict.status_code == 201


@pytest.mark.parametrize(
    "body, status",
    [
        ({"reason": ""}, 400),
        ({}, 400),
        ({"reason": "x", "internal_team": 999999}, 400),
        ({"reason": "x", "internal_team": "eng"}, 400),
        ({"reason": "x", "colour": "red"}, 400),
    ],
)
def test_bad_escalations_change_nothing(ticket, agent, platform, body, status):
    before = (
        Escalation.objects.count(),
        Message.objects.count(),
        Ticket.objects.get(pk=ticket.pk).version,
    )
    response = token_client(agent).post(
        f"/api/v1/tickets/{ticket.pk}/escalations", body, format="json"
    )
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    after = (
        Escalation.objects.count(),
        Message.objects.count(),
        Ticket.objects.get(pk=ticket.pk).version,
    )
    assert after == before


def test_second_open_escalation_to_the_same_team_is_a_conflict(ticket, agent, platform):
    api = token_client(agent)
    body = {"reason": "Stuck", "internal_team": platform.pk}
    assert (
        api.post(f"/api/v1/tickets/{ticket.pk}/escalations", body, format="json").status_code == 201
    )
    response = api.post(f"/api/v1/tickets/{ticket.pk}/escalations", body, format="json")
    assert response.status_code == 409
    assert Escalation.objects.count() == 1


def test_internal_teams_list(agent, client_user, platform):
    InternalTeam.objects.create(name="Retired", contact_email="x@example.com", is_active=False)
    response = token_client(agent).get("/api/v1/internal-teams")
    assert [team["name"] for team in response.json()["results"]] == ["Platform Engineering"]
    assert token_client(client_user).get("/api/v1/internal-teams").status_code == 403
