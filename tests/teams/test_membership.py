"""Team membership managed by supervisors: add, change role, remove; the last supervisor stays;
team B's supervisor can neither see nor change team A."""

import pytest
from django.urls import reverse

from supportdesk.errors import ApplicationError, Conflict, NotAllowed
from teams.access import Role
from teams.models import TeamMembership
from teams.services.membership import team_member_add, team_member_change_role, team_member_remove
from tests.conftest import give_totp
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(db):
    return UserFactory(full_name="Nina Newcomer", roles=[Role.AGENT])


@pytest.fixture
def supervisor_b(team_b):
    user = UserFactory(full_name="Bea B-Supervisor", roles=[Role.SUPERVISOR])
    MembershipFactory(team=team_b, user=user, role=TeamMembership.Role.SUPERVISOR)
    give_totp(user)
    return user


def test_a_supervisor_adds_an_agent_to_their_team(supervisor, team_a, newcomer):
    membership = team_member_add(actor=supervisor, team=team_a, user=newcomer, role="agent")
    assert (membership.team, membership.user, membership.role) == (team_a, newcomer, "agent")


def test_an_agent_may_belong_to_several_teams(supervisor, supervisor_b, team_a, team_b, newcomer):
    team_member_add(actor=supervisor, team=team_a, user=newcomer, role="agent")
    team_member_add(actor=supervisor_b, team=team_b, user=newcomer, role="agent")
    assert set(newcomer.memberships.values_list("team__slug", flat=True)) == {"tech-hk", "accounts"}


def test_adding_a_member_twice_is_a_conflict(supervisor, team_a, agent):
    with pytest.raises(Conflict):
        team_member_add(actor=supervisor, team=team_a, user=agent, role="agent")


def test_a_client_cannot_become_a_member(supervisor, team_a, client_user):
    with pytest.raises(ApplicationError) as error:
        team_member_add(actor=supervisor, team=team_a, user=client_user, role="agent")
    assert error.value.status == 400
    assert not TeamMembership.objects.filter(user=client_user).exists()


def test_supervising_a_team_needs_the_supervisor_role(supervisor, team_a, newcomer):
    with pytest.raises(ApplicationError, match="does not have the Supervisor role"):
        team_member_add(actor=supervisor, team=team_a, user=newcomer, role="supervisor")


def test_another_teams_supervisor_may_not_add_members(supervisor_b, team_a, newcomer):
    with pytest.raises(NotAllowed):
        team_member_add(actor=supervisor_b, team=team_a, user=newcomer, role="agent")
    assert not TeamMembership.objects.filter(user=newcomer).exists()


def test_removing_the_last_supervisor_is_refused(supervisor, team_a):
    membership = TeamMembership.objects.get(team=team_a, user=supervisor)
    with pytest.raises(Conflict) as error:
        team_member_remove(actor=supervisor, membership=membership)
    assert error.value.code == "last_supervisor"
    assert TeamMembership.objects.filter(pk=membership.pk).exists()


def test_demoting_the_last_supervisor_is_refused(supervisor, team_a):
    membership = TeamMembership.objects.get(team=team_a, user=supervisor)
    with pytest.raises(Conflict):
        team_member_change_role(actor=supervisor, membership=membership, role="agent")
    membership.refresh_from_db()
    assert membership.role == "supervisor"


def test_with_a_second_supervisor_one_may_leave(supervisor, team_a):
    other = UserFactory(roles=[Role.SUPERVISOR])
    team_member_add(actor=supervisor, team=team_a, user=other, role="supervisor")
    team_member_remove(
        actor=supervisor, membership=TeamMembership.objects.get(team=team_a, user=supervisor)
    )
    assert list(team_a.memberships.values_list("user", "role")) == [(other.pk, "supervisor")]


def test_a_supervisor_promotes_and_removes_an_agent(supervisor, team_a, agent):
    agent.groups.add(*UserFactory(roles=[Role.SUPERVISOR]).groups.all())
    membership = TeamMembership.objects.get(team=team_a, user=agent)
    team_member_change_role(actor=supervisor, membership=membership, role="supervisor")
    membership.refresh_from_db()
    assert membership.role == "supervisor"
    team_member_remove(actor=supervisor, membership=membership)
    assert not TeamMembership.objects.filter(pk=membership.pk).exists()


# --- Pages ------------------------------------------------------------------------------------


def test_the_team_page_lists_members_with_a_fixed_number_of_queries(
    client, supervisor, agent, team_a, django_assert_max_num_queries
):
    for _ in range(5):
        MembershipFactory(team=team_a, user=UserFactory(roles=[Role.AGENT]))
    client.force_login(supervisor)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("teams:team_detail", args=[team_a.pk]))
    assert response.status_code == 200
    assert "Alice Agent" in response.content.decode()
    assert 'id="member-add-form"' in response.content.decode()


def test_a_supervisor_adds_a_member_through_the_page(client, supervisor, team_a, newcomer):
    client.force_login(supervisor)
    response = client.post(
        reverse("teams:member_add", args=[team_a.pk]), {"user": newcomer.pk, "role": "agent"}
    )
    assert response.status_code == 302
    assert TeamMembership.objects.filter(team=team_a, user=newcomer, role="agent").exists()


def test_the_page_refuses_removing_the_last_supervisor_with_409(client, supervisor, team_a):
    membership = TeamMembership.objects.get(team=team_a, user=supervisor)
    client.force_login(supervisor)
    response = client.post(reverse("teams:member_remove", args=[membership.pk]))
    assert response.status_code == 409
    assert "last supervisor" in response.content.decode()
    assert TeamMembership.objects.filter(pk=membership.pk).exists()


def test_an_agent_sees_their_team_but_may_not_change_it(client, agent, team_a, newcomer):
    client.force_login(agent)
    page = client.get(reverse("teams:team_detail", args=[team_a.pk]))
    assert page.status_code == 200
    assert 'id="member-add-form"' not in page.content.decode()
    response = client.post(
        reverse("teams:member_add", args=[team_a.pk]), {"user": newcomer.pk, "role": "agent"}
    )
    assert response.status_code == 403
    assert not TeamMembership.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize(
    ("url_name", "method"),
    [
        pytest.param("teams:team_detail", "get", id="team_page_case"),
        pytest.param("teams:member_add", "post", id="add_case"),
    ],
)
def test_team_b_supervisor_gets_404_on_team_a(
    client, supervisor_b, team_a, newcomer, url_name, method
):
    client.force_login(supervisor_b)
    response = getattr(client, method)(
        reverse(url_name, args=[team_a.pk]), {"user": newcomer.pk, "role": "agent"}
    )
    assert response.status_code == 404
    assert not TeamMembership.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize("action", ["teams:member_remove", "teams:member_role"])
def test_team_b_supervisor_cannot_touch_team_a_memberships(
    client, supervisor_b, agent, team_a, action
):
    membership = TeamMembership.objects.get(team=team_a, user=agent)
    client.force_login(supervisor_b)
    response = client.post(reverse(action, args=[membership.pk]), {"role": "supervisor"})
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.role == "agent"


def test_the_team_list_shows_only_visible_teams(client, outsider, team_a, team_b):
    client.force_login(outsider)
    content = client.get(reverse("teams:team_list")).content.decode()
    assert team_b.name in content
    assert team_a.name not in content
