"""Escalations to the supervisors (tier 2) and to internal teams: records, hand-off, answer,
de-escalation back to the agent, the client-update interval, time with each party, and the
ticket page's escalation panel and actions (with the other team's 404)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from supportdesk.errors import ApplicationError, Conflict, NotAllowed
from tests.factories import TicketFactory
from tests.tickets.factories import InternalTeamFactory
from tickets.models import Escalation, Notification, Ticket
from tickets.selectors.escalations import ticket_time_per_party
from tickets.services import escalations as services
from tickets.services.tickets import ticket_assign, ticket_escalate, ticket_transition

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def ticket(team_a, agent):
    return TicketFactory(team=team_a, assignee=agent, status="open")


@pytest.fixture
def platform(db):
    return InternalTeamFactory(name="Platform Engineering", contact_email="platform@bank.example")


def test_tier2_escalation_is_recorded_and_tells_the_supervisors(ticket, agent, supervisor):
    ticket_escalate(actor=agent, ticket=ticket, reason="Client threatens to leave.")
    escalation = Escalation.objects.get(ticket=ticket)
    assert (escalation.level, escalation.returned_to, escalation.escalated_by) == (
        "tier2",
        agent,
        agent,
    )
    assert Notification.objects.filter(recipient=supervisor, kind="escalation").count() == 1
    with pytest.raises(Conflict):
        ticket_escalate(actor=agent, ticket=ticket, reason="Again")
    assert Ticket.objects.get(pk=ticket.pk).escalation_level == 1


def test_handing_off_to_an_internal_team_waits_for_its_answer(
    ticket, agent, platform, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket_escalate(
            actor=agent, ticket=ticket, reason="Orders stuck in queue.", internal_team=platform.pk
        )
    ticket.refresh_from_db()
    escalation = Escalation.objects.get(ticket=ticket)
    assert (ticket.status, ticket.escalation_level, escalation.level) == (
        "pending_internal",
        1,
        "internal",
    )
    assert mail.outbox[0].to == ["platform@bank.example"]
    assert "Orders stuck in queue." in mail.outbox[0].body

    services.escalation_record_answer(actor=agent, escalation=escalation, answer="Fixed at 10:05.")
    ticket.refresh_from_db()
    escalation.refresh_from_db()
    assert (ticket.status, escalation.answer) == ("open", "Fixed at 10:05.")
    assert ticket.messages.filter(kind="note", body="Fixed at 10:05.").exists()
    with pytest.raises(Conflict):
        services.escalation_record_answer(actor=agent, escalation=escalation, answer="again")


def test_an_unknown_or_inactive_internal_team_is_refused(ticket, agent, platform):
    platform.is_active = False
    platform.save()
    with pytest.raises(ApplicationError) as refused:
        ticket_escalate(actor=agent, ticket=ticket, reason="x", internal_team=platform.pk)
    assert refused.value.status == 400
    assert not Escalation.objects.exists()


def test_only_supervisors_de_escalate_tier2_and_the_ticket_returns_to_the_agent(
    ticket, agent, supervisor
):
    ticket_escalate(actor=agent, ticket=ticket, reason="Needs tier 2.")
    ticket_assign(actor=supervisor, ticket=ticket, assignee=supervisor)  # take over
    escalation = Escalation.objects.get(ticket=ticket)
    with pytest.raises(NotAllowed):
        services.escalation_de_escalate(actor=agent, escalation=escalation)

    services.escalation_de_escalate(actor=supervisor, escalation=escalation, note="Handled.")

    ticket.refresh_from_db()
    escalation.refresh_from_db()
    assert (ticket.escalation_level, ticket.assignee) == (0, agent)
    assert escalation.de_escalated_by == supervisor
    assert ticket.events.filter(action="de_escalated").exists()
    with pytest.raises(Conflict):
        services.escalation_de_escalate(actor=supervisor, escalation=escalation)


@pytest.mark.parametrize(
    ("minutes", "stored"), [("60", 60), ("", None)], ids=["set_case", "clear_case"]
)
def test_the_supervisor_sets_the_client_update_interval(ticket, agent, supervisor, minutes, stored):
    ticket_escalate(actor=agent, ticket=ticket, reason="Needs tier 2.")
    escalation = Escalation.objects.get(ticket=ticket)
    services.escalation_set_update_interval(actor=supervisor, escalation=escalation, minutes="30")
    services.escalation_set_update_interval(
        actor=supervisor, escalation=escalation, minutes=minutes
    )
    escalation.refresh_from_db()
    assert escalation.update_interval_minutes == stored


@pytest.mark.parametrize("minutes", ["5", "abc", "99999"], ids=["short", "text", "long"])
def test_a_bad_update_interval_is_refused(ticket, agent, supervisor, minutes):
    ticket_escalate(actor=agent, ticket=ticket, reason="Needs tier 2.")
    escalation = Escalation.objects.get(ticket=ticket)
    with pytest.raises(ApplicationError) as refused:
        services.escalation_set_update_interval(
            actor=supervisor, escalation=escalation, minutes=minutes
        )
    assert refused.value.status == 400
    with pytest.raises(NotAllowed):
        services.escalation_set_update_interval(actor=agent, escalation=escalation, minutes="60")


def test_time_with_each_party_comes_from_statuses_and_hand_offs(team_a, agent, platform):
    with time_machine.travel(NOW, tick=False) as clock:
        ticket = TicketFactory(team=team_a, assignee=agent, created_at=NOW)
        clock.shift(timedelta(hours=1))
        ticket_transition(actor=agent, ticket=ticket, to_status="pending_client")
        clock.shift(timedelta(hours=2))
        ticket_transition(actor=agent, ticket=ticket, to_status="open")
        clock.shift(timedelta(minutes=30))
        ticket_escalate(actor=agent, ticket=ticket, reason="Check", internal_team=platform)
        clock.shift(timedelta(hours=4))
        services.escalation_record_answer(
            actor=agent, escalation=Escalation.objects.get(ticket=ticket), answer="Done"
        )
        clock.shift(timedelta(minutes=15))
        times = ticket_time_per_party(ticket_id=ticket.pk)
    assert times.client == timedelta(hours=2)
    assert times.support == timedelta(hours=1, minutes=45)
    assert times.internal_teams == [("Platform Engineering", timedelta(hours=4))]


# --- Pages ---------------------------------------------------------------------------------


def test_the_panel_shows_history_and_hands_off_from_the_page(client, agent, ticket, platform):
    client.force_login(agent)
    panel = client.get(reverse("tickets:escalation_panel", args=[ticket.pk]))
    assert panel.status_code == 200
    assert "Platform Engineering" in panel.content.decode()

    answer = client.post(
        reverse("tickets:escalate", args=[ticket.pk]),
        {"reason": "Orders stuck", "internal_team": str(platform.pk)},
    )
    assert answer.status_code == 302
    escalation = Escalation.objects.get(ticket=ticket)
    assert escalation.internal_team == platform
    panel = client.get(reverse("tickets:escalation_panel", args=[ticket.pk])).content.decode()
    assert "Waiting for the answer" in panel and "Orders stuck" in panel


def test_a_refused_interval_shows_the_reason_inline(client, agent, supervisor, ticket):
    ticket_escalate(actor=agent, ticket=ticket, reason="Needs tier 2.")
    escalation = Escalation.objects.get(ticket=ticket)
    client.force_login(supervisor)
    page = client.post(
        reverse("tickets:escalation_update_interval", args=[escalation.pk]),
        {"update_interval_minutes": "2"},
    )
    assert page.status_code == 400
    assert "The update interval must be 15 to 10,080 minutes." in page.content.decode()


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("tickets:escalation_answer", "post", {"answer": "x"}),
        ("tickets:escalation_de_escalate", "post", {}),
        ("tickets:escalation_update_interval", "post", {"update_interval_minutes": "60"}),
    ],
)
def test_another_team_gets_404_on_escalation_actions(
    client, outsider, agent, ticket, platform, name, method, data
):
    ticket_escalate(actor=agent, ticket=ticket, reason="x", internal_team=platform)
    escalation = Escalation.objects.get(ticket=ticket)
    client.force_login(outsider)
    assert getattr(client, method)(reverse(name, args=[escalation.pk]), data).status_code == 404
    assert client.get(reverse("tickets:escalation_panel", args=[ticket.pk])).status_code == 404
    escalation.refresh_from_db()
    assert (escalation.answered_at, escalation.de_escalated_at) == (None, None)
