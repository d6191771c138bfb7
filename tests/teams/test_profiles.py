"""Agent profiles: skills with proficiency, capacity, weekly shifts (overnight allowed, no
overlaps), the live status and the automatic *away* sweep; who may see and change them."""

from datetime import UTC, datetime, time

import pytest
from django.urls import reverse

from supportdesk.errors import ApplicationError, NotAllowed
from teams.access import Role
from teams.models import AgentProfile, AgentSkill, OneOnOneNote, Shift, TeamMembership
from teams.services import status as status_module
from teams.services.notes import one_on_one_note_add
from teams.services.profiles import agent_profile_update, shift_add, shift_update
from teams.services.status import (
    StatusChange,
    agent_status_set,
    agent_status_sweep,
    register_status_listener,
)
from tests.conftest import give_totp
from tests.factories import MembershipFactory, UserFactory
from tests.teams.factories import AgentProfileFactory, ShiftFactory, SkillFactory

pytestmark = pytest.mark.django_db

# Monday 2026-11-23 12:00 in Hong Kong (04:00 UTC).
MONDAY_NOON_HK = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)
# Monday 2026-11-23 23:30 in Hong Kong.
MONDAY_LATE_HK = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)


@pytest.fixture
def supervisor_b(team_b):
    user = UserFactory(full_name="Bea B-Supervisor", roles=[Role.SUPERVISOR])
    MembershipFactory(team=team_b, user=user, role=TeamMembership.Role.SUPERVISOR)
    give_totp(user)
    return user


# --- Skills and capacity ----------------------------------------------------------------------


def test_a_supervisor_sets_languages_products_and_capacity(supervisor, agent):
    cantonese = SkillFactory()
    desktop = SkillFactory(kind="product", code="desktop", name_en="Desktop")
    profile = agent_profile_update(
        actor=supervisor,
        agent=agent,
        capacity=7,
        proficiencies={cantonese.pk: 5, desktop.pk: 2},
    )
    assert profile.capacity == 7
    assert dict(agent.skills.values_list("skill__code", "proficiency")) == {
        "yue": 5,
        "desktop": 2,
    }
    agent_profile_update(
        actor=supervisor, agent=agent, capacity=7, proficiencies={cantonese.pk: None}
    )
    assert list(agent.skills.values_list("skill__code", flat=True)) == ["desktop"]


@pytest.mark.parametrize(
    ("capacity", "level"),
    [pytest.param(-1, 3, id="negative_capacity_case"), pytest.param(5, 6, id="level_6_case")],
)
def test_bad_profile_values_are_refused(supervisor, agent, capacity, level):
    skill = SkillFactory()
    with pytest.raises(ApplicationError):
        agent_profile_update(
            actor=supervisor, agent=agent, capacity=capacity, proficiencies={skill.pk: level}
        )
    assert not AgentSkill.objects.filter(user=agent).exists()


def test_another_teams_supervisor_may_not_edit_the_profile(supervisor_b, agent):
    with pytest.raises(NotAllowed):
        agent_profile_update(actor=supervisor_b, agent=agent, capacity=3, proficiencies={})


# --- Shifts -----------------------------------------------------------------------------------


def test_an_overnight_shift_is_accepted_and_covers_past_midnight(supervisor, agent):
    shift_add(actor=supervisor, agent=agent, weekday=0, starts_at=time(22), ends_at=time(7))
    assert agent.shifts.get().ends_at == time(7)
    assert agent_status_sweep(now=MONDAY_LATE_HK) == (0, 0)  # no profile yet: nothing to do


def test_overlapping_shifts_are_refused(supervisor, agent):
    shift_add(actor=supervisor, agent=agent, weekday=6, starts_at=time(22), ends_at=time(7))
    with pytest.raises(ApplicationError) as error:
        # Sunday 22:00-07:00 runs into Monday morning.
        shift_add(actor=supervisor, agent=agent, weekday=0, starts_at=time(6), ends_at=time(12))
    assert error.value.code == "shift_overlap"
    assert agent.shifts.count() == 1


def test_a_shift_cannot_be_empty(supervisor, agent):
    with pytest.raises(ApplicationError):
        shift_add(actor=supervisor, agent=agent, weekday=2, starts_at=time(9), ends_at=time(9))


def test_editing_a_shift_does_not_collide_with_itself(supervisor, agent):
    shift = ShiftFactory(user=agent, weekday=1, starts_at=time(9), ends_at=time(17))
    shift_update(actor=supervisor, shift=shift, weekday=1, starts_at=time(10), ends_at=time(19))
    shift.refresh_from_db()
    assert (shift.starts_at, shift.ends_at) == (time(10), time(19))


def test_the_profile_page_edits_a_shift(client, supervisor, agent):
    shift = ShiftFactory(user=agent, weekday=1, starts_at=time(9), ends_at=time(17))
    client.force_login(supervisor)
    response = client.post(
        reverse("teams:shift_update", args=[shift.pk]),
        {
            f"shift-{shift.pk}-weekday": "1",
            f"shift-{shift.pk}-starts_at": "22:00",
            f"shift-{shift.pk}-ends_at": "06:00",
        },
    )
    assert response.status_code == 302
    shift.refresh_from_db()
    assert (shift.starts_at, shift.ends_at) == (time(22), time(6))


def test_the_profile_page_refuses_an_overlap_with_400(client, supervisor, agent):
    ShiftFactory(user=agent, weekday=1, starts_at=time(9), ends_at=time(17))
    client.force_login(supervisor)
    response = client.post(
        reverse("teams:shift_add", args=[agent.pk]),
        {"new-weekday": "1", "new-starts_at": "16:00", "new-ends_at": "20:00"},
    )
    assert response.status_code == 400
    assert "overlaps" in response.content.decode()
    assert agent.shifts.count() == 1


def test_the_profile_page_has_a_fixed_number_of_queries(
    client, supervisor, agent, django_assert_max_num_queries
):
    for weekday in range(5):
        ShiftFactory(user=agent, weekday=weekday)
    SkillFactory()
    AgentProfileFactory(user=agent)
    client.force_login(supervisor)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("teams:agent_profile", args=[agent.pk]))
    assert response.status_code == 200
    assert 'id="profile-form"' in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        pytest.param("agent", 200, id="self_case"),
        pytest.param("supervisor", 200, id="own_supervisor_case"),
        pytest.param("manager", 200, id="manager_case"),
        pytest.param("outsider", 404, id="other_team_agent_case"),
        pytest.param("supervisor_b", 404, id="other_team_supervisor_case"),
    ],
)
def test_who_may_read_a_profile(client, request, agent, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("teams:agent_profile", args=[agent.pk])).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        pytest.param("agent", 403, id="agent_themself_case"),
        pytest.param("manager", 403, id="manager_case"),
        pytest.param("supervisor_b", 404, id="other_team_supervisor_case"),
    ],
)
def test_who_may_not_change_shifts(client, request, agent, who, status):
    shift = ShiftFactory(user=agent, weekday=1, starts_at=time(9), ends_at=time(17))
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("teams:shift_update", args=[shift.pk]),
        {
            f"shift-{shift.pk}-weekday": "1",
            f"shift-{shift.pk}-starts_at": "10:00",
            f"shift-{shift.pk}-ends_at": "11:00",
        },
    )
    assert response.status_code == status
    assert client.post(reverse("teams:shift_delete", args=[shift.pk])).status_code == status
    shift.refresh_from_db()
    assert shift.starts_at == time(9)


# --- Live status ------------------------------------------------------------------------------


def test_an_agent_sets_their_status(client, agent):
    client.force_login(agent)
    response = client.post(reverse("teams:status"), {"status": "busy"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    profile = AgentProfile.objects.get(user=agent)
    assert (profile.status, profile.status_set_automatically) == ("busy", False)
    assert 'value="busy" selected' in response.content.decode()


def test_an_unknown_status_is_a_400(client, agent):
    client.force_login(agent)
    response = client.post(reverse("teams:status"), {"status": "asleep"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert not AgentProfile.objects.filter(user=agent, status="asleep").exists()


def test_a_client_has_no_status(client, client_user):
    client.force_login(client_user)
    assert client.post(reverse("teams:status"), {"status": "busy"}).status_code == 403


def test_the_top_bar_loads_the_status_control_for_agents(client, agent):
    client.force_login(agent)
    content = client.get(reverse("teams:team_list")).content.decode()
    assert 'id="status-control"' in content


def _profile(user, status, automatic=False):
    return AgentProfileFactory(user=user, status=status, status_set_automatically=automatic)


def test_the_sweep_sets_agents_away_outside_their_shift_and_back(agent):
    ShiftFactory(user=agent, weekday=0, starts_at=time(9), ends_at=time(18))
    _profile(agent, "available")
    assert agent_status_sweep(now=MONDAY_LATE_HK) == (1, 0)
    profile = AgentProfile.objects.get(user=agent)
    assert (profile.status, profile.status_set_automatically) == ("away", True)
    assert agent_status_sweep(now=MONDAY_LATE_HK) == (0, 0)  # a rerun changes nothing
    assert agent_status_sweep(now=MONDAY_NOON_HK) == (0, 1)
    profile.refresh_from_db()
    assert (profile.status, profile.status_set_automatically) == ("available", False)


def test_a_status_chosen_by_the_agent_is_not_changed_back(agent):
    ShiftFactory(user=agent, weekday=0, starts_at=time(9), ends_at=time(18))
    _profile(agent, "away", automatic=False)
    assert agent_status_sweep(now=MONDAY_NOON_HK) == (0, 0)
    assert AgentProfile.objects.get(user=agent).status == "away"


def test_an_overnight_shift_keeps_the_agent_available_after_midnight(agent):
    ShiftFactory(user=agent, weekday=0, starts_at=time(22), ends_at=time(7))
    _profile(agent, "available")
    tuesday_3am_hk = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
    assert agent_status_sweep(now=tuesday_3am_hk) == (0, 0)


def test_agents_without_shifts_are_not_swept(agent):
    _profile(agent, "available")
    assert agent_status_sweep(now=MONDAY_LATE_HK) == (0, 0)


def test_status_listeners_hear_every_change(agent, monkeypatch):
    monkeypatch.setattr(status_module, "_listeners", [])
    heard: list[StatusChange] = []
    register_status_listener(heard.append)
    ShiftFactory(user=agent, weekday=0, starts_at=time(9), ends_at=time(18))
    _profile(agent, "busy")
    agent_status_sweep(now=MONDAY_LATE_HK)
    agent_status_set(actor=agent, status="offline")
    assert [(c.old, c.new, c.automatic) for c in heard] == [
        ("busy", "away", True),
        ("away", "offline", False),
    ]


def test_the_beat_schedule_runs_the_sweep_every_minute():
    from supportdesk.celery import app

    entry = app.conf.beat_schedule["teams.agent_status_sweep"]
    assert (entry["task"], entry["schedule"]) == ("teams.agent_status_sweep", 60.0)


# --- 1:1 notes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        pytest.param("agent", True, id="the_agent_case"),
        pytest.param("supervisor", True, id="their_supervisor_case"),
        pytest.param("outsider", False, id="another_agent_case"),
        pytest.param("supervisor_b", False, id="another_teams_supervisor_case"),
        pytest.param("manager", False, id="manager_case"),
        pytest.param("administrator", False, id="administrator_case"),
    ],
)
def test_only_the_agent_and_their_supervisors_read_1_1_notes(request, client, agent, who, allowed):
    OneOnOneNote.objects.create(agent=agent, author=agent, body="Career goals: tier 2 by spring")
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("teams:agent_profile", args=[agent.pk]))
    assert ("Career goals" in response.content.decode()) is allowed
    post = client.post(reverse("teams:one_on_one_note_add", args=[agent.pk]), {"body": "Snooping"})
    assert (post.status_code == 302) is allowed
    assert OneOnOneNote.objects.filter(body="Snooping").exists() is allowed


def test_an_empty_note_is_refused(supervisor, agent):
    with pytest.raises(ApplicationError):
        one_on_one_note_add(actor=supervisor, agent=agent, body="   ")


def test_a_note_written_by_the_supervisor_is_kept(supervisor, agent):
    note = one_on_one_note_add(actor=supervisor, agent=agent, body="Weekly check-in: fine")
    assert (note.agent, note.author) == (agent, supervisor)
    assert Shift.objects.count() == 0
