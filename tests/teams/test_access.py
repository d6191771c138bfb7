"""The access rules of teams.access, asked directly and through the pages."""

import pytest
from django.urls import reverse

from teams import access
from teams.access import Role
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_roles_come_from_groups(agent, supervisor, manager, administrator, client_user):
    assert access.roles_of(agent) == {Role.AGENT}
    assert access.roles_of(supervisor) == {Role.SUPERVISOR}
    assert access.roles_of(manager) == {Role.MANAGER}
    assert access.roles_of(administrator) == {Role.ADMINISTRATOR}
    assert access.roles_of(client_user) == {Role.CLIENT}


def test_an_inactive_user_has_no_role(agent):
    agent.is_active = False
    assert access.roles_of(agent) == frozenset()


def test_agents_see_only_their_teams(agent, team_a, team_b):
    assert list(access.teams_visible_to(agent)) == [team_a]
    assert access.can_view_team(agent, team_a)
    assert not access.can_view_team(agent, team_b)


def test_managers_and_administrators_read_every_team(manager, administrator, team_a, team_b):
    for user in (manager, administrator):
        assert set(access.teams_visible_to(user)) == {team_a, team_b}


def test_supervisors_supervise_only_their_teams(supervisor, agent, team_a, team_b):
    assert access.can_supervise_team(supervisor, team_a)
    assert not access.can_supervise_team(supervisor, team_b)
    assert not access.can_supervise_team(agent, team_a)


def test_clients_see_no_team_data(client_user, team_a):
    assert list(access.teams_visible_to(client_user)) == []
    assert not access.can_view_team(client_user, team_a)


@pytest.mark.parametrize(
    ("persona", "url_name", "status"),
    [
        ("agent", "tickets:mine", 200),
        ("agent", "tickets:team_queue", 200),
        ("agent", "metrics:board", 403),
        ("agent", "metrics:desk", 403),
        ("agent", "administration", 403),
        ("supervisor", "metrics:board", 200),
        ("supervisor", "metrics:desk", 403),
        ("supervisor", "administration", 403),
        ("manager", "metrics:desk", 200),
        ("manager", "metrics:board", 403),
        ("manager", "administration", 403),
        ("manager", "tickets:mine", 403),
        ("administrator", "administration", 200),
        ("administrator", "metrics:desk", 200),
        ("client_user", "tickets:client_home", 200),
        ("client_user", "tickets:mine", 403),
        ("client_user", "metrics:desk", 403),
    ],
    ids=lambda value: str(value),
)
def test_each_role_reaches_its_pages_and_no_others(client, request, persona, url_name, status):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(url_name))
    assert response.status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("tickets:mine"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_ticket_of_another_team_is_not_found_for_an_agent(client, agent, team_b):
    foreign = TicketFactory(team=team_b, subject="Other team's secret")
    client.force_login(agent)
    response = client.get(reverse("tickets:detail", args=[foreign.pk]))
    assert response.status_code == 404
    assert "Other team" not in response.content.decode()


def test_an_agent_opens_a_ticket_of_their_team(client, agent, team_a):
    own = TicketFactory(team=team_a, subject="Cannot log in to desktop platform")
    client.force_login(agent)
    response = client.get(reverse("tickets:detail", args=[own.pk]))
    assert response.status_code == 200
    assert "Cannot log in to desktop platform" in response.content.decode()


def test_a_manager_reads_tickets_of_every_team(client, manager, team_a, team_b):
    tickets = [TicketFactory(team=team_a), TicketFactory(team=team_b)]
    client.force_login(manager)
    for ticket in tickets:
        assert client.get(reverse("tickets:detail", args=[ticket.pk])).status_code == 200


def test_a_client_cannot_open_the_staff_ticket_page(client, client_user, team_a):
    ticket = TicketFactory(team=team_a, client=client_user.client_profile)
    client.force_login(client_user)
    assert client.get(reverse("tickets:detail", args=[ticket.pk])).status_code == 403


def test_the_team_queue_lists_only_own_teams_tickets(client, agent, team_a, team_b):
    TicketFactory(team=team_a, subject="Market data delayed on HKEX")
    TicketFactory(team=team_b, subject="Deposit not credited")
    client.force_login(agent)
    page = client.get(reverse("tickets:team_queue")).content.decode()
    assert "Market data delayed on HKEX" in page
    assert "Deposit not credited" not in page


def test_the_queue_page_uses_a_fixed_number_of_queries(
    client, agent, team_a, django_assert_max_num_queries
):
    TicketFactory.create_batch(3, team=team_a)
    client.force_login(agent)
    client.get(reverse("tickets:team_queue"))
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("tickets:team_queue"))
    TicketFactory.create_batch(30, team=team_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("tickets:team_queue"))
