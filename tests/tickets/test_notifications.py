"""The in-app inbox: @mentions and assignments reach the person, and only them."""

import pytest
from django.urls import reverse

from teams.access import Role
from tests.factories import MembershipFactory, TicketFactory, UserFactory
from tickets.models import Notification
from tickets.services.tickets import message_add_note

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(team_a):
    user = UserFactory(email="bob@desk.example", full_name="Bob Colleague", roles=[Role.AGENT])
    MembershipFactory(team=team_a, user=user)
    return user


def test_a_mention_in_a_note_reaches_the_colleagues_inbox(client, agent, colleague, team_a):
    ticket = TicketFactory(team=team_a, subject="Order rejected on HKEX")
    message_add_note(
        actor=agent, ticket=ticket, body="@bob@desk.example can you check the FIX log?"
    )
    client.force_login(colleague)
    badge = client.get(reverse("tickets:notification_badge")).content.decode()
    assert '<span class="notif-count"' in badge
    assert ">1<" in badge
    inbox = client.get(reverse("tickets:notifications")).content.decode()
    assert ticket.reference in inbox
    assert "Alice Agent" in inbox


def test_marking_read_clears_the_badge_and_touches_only_own_notifications(
    client, agent, colleague, team_a
):
    ticket = TicketFactory(team=team_a)
    message_add_note(actor=colleague, ticket=ticket, body="@agent@desk.example see")
    message_add_note(actor=agent, ticket=ticket, body="@bob@desk.example thanks")
    client.force_login(colleague)
    response = client.post(reverse("tickets:notification_mark_read"))
    assert response.status_code == 302
    assert Notification.objects.get(recipient=colleague).read_at is not None
    assert Notification.objects.get(recipient=agent).read_at is None
    assert "notif-count" not in client.get(reverse("tickets:notification_badge")).content.decode()


def test_a_notification_about_a_ticket_moved_away_no_longer_shows_it(
    client, agent, colleague, team_a, team_b
):
    ticket = TicketFactory(team=team_a, subject="Withdrawal pending")
    message_add_note(actor=agent, ticket=ticket, body="@bob@desk.example please look")
    ticket.team = team_b
    ticket.save()
    client.force_login(colleague)
    assert "Withdrawal pending" not in client.get(reverse("tickets:notifications")).content.decode()


def test_clients_have_no_staff_inbox(client, client_user):
    client.force_login(client_user)
    assert client.get(reverse("tickets:notifications")).status_code == 403
    assert client.get(reverse("tickets:notification_badge")).status_code == 403
