"""Training: who must take which course by when, completion and recurrence, the per-agent and
per-team views of overdue and due-soon, reminders sent once per due date."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from supportdesk.errors import ApplicationError, NotAllowed
from teams.access import Role
from teams.models import TeamMembership, TrainingReminder, TrainingRequirement
from teams.selectors.training import training_of_agent, training_summary_of_team
from teams.services.membership import team_member_add, team_member_remove
from teams.services.training import (
    training_attendance_record,
    training_course_save,
    training_reminders_send,
    training_requirements_sync,
)
from teams.tasks.training import training_reminders_task
from tests.conftest import give_totp
from tests.factories import MembershipFactory, UserFactory
from tests.teams.factories import AgentSkillFactory, CourseFactory, SessionFactory, SkillFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)


@pytest.fixture
def compliance(team_a):
    course = CourseFactory(name="Annual compliance refresher", validity_days=365)
    course.required_teams.set([team_a])
    return course


@pytest.fixture
def supervisor_b(team_b):
    user = UserFactory(full_name="Bea B-Supervisor", roles=[Role.SUPERVISOR])
    MembershipFactory(team=team_b, user=user, role=TeamMembership.Role.SUPERVISOR)
    give_totp(user)
    return user


def _completed(user, course, days_ago, recorder):
    session = SessionFactory(course=course)
    session.starts_at = session.starts_at - timedelta(days=days_ago)
    session.save()
    training_attendance_record(
        actor=recorder, session=session, user=user, attended=True, completed=True
    )


def test_members_of_a_required_team_must_take_the_course(agent, supervisor, outsider, compliance):
    assert training_requirements_sync(today=TODAY) == (2, 0)
    required = TrainingRequirement.objects.filter(course=compliance)
    assert set(required.values_list("user", flat=True)) == {agent.pk, supervisor.pk}
    assert required.get(user=agent).due_on == TODAY + timedelta(days=30)
    assert training_requirements_sync(today=TODAY) == (0, 0)


def test_holders_of_a_required_skill_must_take_the_course(outsider):
    skill = SkillFactory()
    AgentSkillFactory(user=outsider, skill=skill)
    course = CourseFactory(validity_days=None)
    course.required_skills.set([skill])
    training_requirements_sync(today=TODAY)
    assert list(TrainingRequirement.objects.values_list("user", flat=True)) == [outsider.pk]


def test_a_fixed_deadline_wins_for_newcomers(agent, team_a):
    course = CourseFactory(validity_days=None, due_by=TODAY + timedelta(days=5))
    course.required_teams.set([team_a])
    training_requirements_sync(today=TODAY)
    assert TrainingRequirement.objects.get(user=agent).due_on == TODAY + timedelta(days=5)


def test_a_recurring_course_is_due_again_after_its_validity(agent, supervisor, compliance):
    training_requirements_sync(today=TODAY)
    _completed(agent, compliance, 10, supervisor)
    requirement = TrainingRequirement.objects.get(user=agent)
    assert requirement.due_on == requirement.last_completed_on + timedelta(days=365)


def test_a_one_off_course_is_done_once_completed(agent, supervisor, team_a):
    briefing = CourseFactory(name="Release 5.3 briefing", validity_days=None)
    briefing.required_teams.set([team_a])
    training_requirements_sync(today=TODAY)
    _completed(agent, briefing, 1, supervisor)
    assert TrainingRequirement.objects.get(user=agent).due_on is None


def test_an_expired_completion_is_overdue_and_shows_so(agent, supervisor, compliance, team_a):
    _completed(agent, compliance, 400, supervisor)
    training_requirements_sync()
    states = {row.user_id: row.state for row in training_summary_rows(team_a)}
    assert states[agent.pk] == "overdue"
    summary = training_summary_of_team(team=team_a, today=timezone.localdate())
    assert summary["overdue"] == 1


def training_summary_rows(team):
    from teams.selectors.training import training_of_team

    return list(training_of_team(team=team, today=timezone.localdate()))


def test_due_soon_within_the_reminder_window(agent, supervisor, compliance):
    _completed(agent, compliance, 360, supervisor)
    training_requirements_sync()
    assert [row.state for row in training_of_agent(agent=agent, today=timezone.localdate())] == [
        "due_soon"
    ]


def test_completion_needs_attendance(agent, supervisor, compliance):
    session = SessionFactory(course=compliance)
    with pytest.raises(ApplicationError):
        training_attendance_record(
            actor=supervisor, session=session, user=agent, attended=False, completed=True
        )


def test_another_teams_supervisor_may_not_record_training(agent, supervisor_b, compliance):
    session = SessionFactory(course=compliance)
    with pytest.raises(NotAllowed):
        training_attendance_record(
            actor=supervisor_b, session=session, user=agent, attended=True, completed=True
        )


def test_joining_and_leaving_a_team_moves_requirements(supervisor, team_a, compliance):
    newcomer = UserFactory(roles=[Role.AGENT])
    membership = team_member_add(actor=supervisor, team=team_a, user=newcomer, role="agent")
    assert TrainingRequirement.objects.filter(user=newcomer, course=compliance).exists()
    team_member_remove(actor=supervisor, membership=membership)
    assert not TrainingRequirement.objects.filter(user=newcomer).exists()


def test_agents_cannot_create_courses(agent):
    with pytest.raises(NotAllowed):
        training_course_save(actor=agent, name="Sneaky")


# --- Reminders --------------------------------------------------------------------------------


def test_a_reminder_goes_once_per_due_date(
    agent, supervisor, compliance, django_capture_on_commit_callbacks, celery_eager
):
    _completed(agent, compliance, 360, supervisor)
    training_requirements_sync()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        assert training_reminders_send(today=today) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert training_reminders_send(today=today) == 0
    reminder = TrainingReminder.objects.get()
    assert reminder.user == agent
    assert [message.to for message in mail.outbox] == [[agent.email]]
    assert compliance.name in mail.outbox[0].subject
    # A new completion moves the due date: the next due date gets its own reminder later.
    _completed(agent, compliance, 0, supervisor)
    assert training_reminders_send(today=today) == 0
    training_reminders_send(today=today + timedelta(days=360))
    assert TrainingReminder.objects.filter(user=agent).count() == 2


def test_nothing_is_sent_far_from_the_due_date(agent, supervisor, compliance):
    _completed(agent, compliance, 100, supervisor)
    training_requirements_sync()
    assert training_reminders_send(today=timezone.localdate()) == 0


def test_the_hourly_task_syncs_and_reminds(agent, supervisor, compliance, celery_eager):
    compliance.due_by = timezone.localdate() + timedelta(days=3)
    compliance.save()
    training_reminders_task()
    assert set(TrainingReminder.objects.values_list("user", flat=True)) == {
        agent.pk,
        supervisor.pk,
    }


# --- Pages ------------------------------------------------------------------------------------


def test_the_overview_shows_overdue_counts_per_team(
    client, supervisor, agent, compliance, team_a, django_assert_max_num_queries
):
    _completed(agent, compliance, 400, supervisor)
    training_requirements_sync()
    client.force_login(supervisor)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("teams:training"))
    content = response.content.decode()
    assert response.status_code == 200
    assert team_a.name in content
    assert 'class="badge state-overdue">1<' in content


def test_the_team_view_lists_the_overdue_agent(client, supervisor, agent, compliance, team_a):
    _completed(agent, compliance, 400, supervisor)
    training_requirements_sync()
    client.force_login(supervisor)
    content = client.get(reverse("teams:team_training", args=[team_a.pk])).content.decode()
    assert 'data-state="overdue"' in content
    assert "Alice Agent" in content


@pytest.mark.parametrize(
    ("who", "status"),
    [
        pytest.param("agent", 403, id="agent_of_the_team_case"),
        pytest.param("outsider", 404, id="other_team_agent_case"),
        pytest.param("supervisor_b", 404, id="other_team_supervisor_case"),
        pytest.param("manager", 200, id="manager_case"),
    ],
)
def test_who_may_read_a_teams_training(client, request, team_a, compliance, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("teams:team_training", args=[team_a.pk])).status_code == status


def test_my_training_shows_reminders_and_marks_them_read(client, agent, supervisor, compliance):
    _completed(agent, compliance, 360, supervisor)
    training_requirements_sync()
    training_reminders_send(today=timezone.localdate())
    client.force_login(agent)
    content = client.get(reverse("teams:my_training")).content.decode()
    assert compliance.name in content
    assert TrainingReminder.objects.get().read_at is not None


def test_a_supervisor_records_attendance_through_the_page(client, supervisor, agent, compliance):
    session = SessionFactory(course=compliance)
    client.force_login(supervisor)
    response = client.post(
        reverse("teams:attendance_record", args=[session.pk, agent.pk]),
        {"attended": "1", "completed": "1"},
    )
    assert response.status_code == 302
    assert agent.training_attendances.get().completed_on is not None


def test_team_b_supervisor_cannot_record_team_a_attendance(client, supervisor_b, agent, compliance):
    session = SessionFactory(course=compliance)
    client.force_login(supervisor_b)
    response = client.post(
        reverse("teams:attendance_record", args=[session.pk, agent.pk]),
        {"attended": "1", "completed": "1"},
    )
    assert response.status_code == 404
    assert not agent.training_attendances.exists()


def test_a_supervisor_creates_a_course_through_the_page(client, supervisor, agent, team_a):
    client.force_login(supervisor)
    response = client.post(
        reverse("teams:course_create"),
        {
            "name": "Platform 5.4 briefing",
            "due_by": "2026-12-10",
            "due_within_days": "30",
            "remind_days_before": "7",
            "required_teams": [team_a.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert TrainingRequirement.objects.filter(
        user=agent, course__name="Platform 5.4 briefing", due_on=date(2026, 12, 10)
    ).exists()


def test_team_b_supervisor_cannot_change_a_team_a_course(client, supervisor_b, compliance):
    with pytest.raises(NotAllowed):
        training_course_save(actor=supervisor_b, course=compliance, name="Renamed")
    client.force_login(supervisor_b)
    assert client.get(reverse("teams:course_edit", args=[compliance.pk])).status_code == 403
    response = client.post(
        reverse("teams:course_edit", args=[compliance.pk]),
        {"name": "Renamed", "due_within_days": "30", "remind_days_before": "7"},
    )
    assert response.status_code == 403
    compliance.refresh_from_db()
    assert compliance.name == "Annual compliance refresher"


def test_a_supervisor_may_not_require_a_course_of_another_team_or_a_skill(
    supervisor, team_a, team_b
):
    with pytest.raises(NotAllowed):
        training_course_save(actor=supervisor, name="Both teams", required_teams=[team_a, team_b])
    with pytest.raises(NotAllowed):
        training_course_save(actor=supervisor, name="By skill", required_skills=[SkillFactory()])
    course = training_course_save(actor=supervisor, name="Ours", required_teams=[team_a])
    assert list(course.required_teams.all()) == [team_a]


def test_an_administrator_requires_a_course_by_skill(administrator, outsider):
    skill = SkillFactory()
    AgentSkillFactory(user=outsider, skill=skill)
    training_course_save(actor=administrator, name="Cantonese writing", required_skills=[skill])
    assert TrainingRequirement.objects.filter(user=outsider).exists()


def test_a_supervisor_schedules_a_session_and_an_agent_may_not(client, supervisor, agent):
    course = CourseFactory(name="Release briefing")
    client.force_login(agent)
    assert client.get(reverse("teams:session_create")).status_code == 403
    client.force_login(supervisor)
    response = client.post(
        reverse("teams:session_create"),
        {
            "course": course.pk,
            "topic": "What changes in 5.3",
            "starts_at": "2026-12-01T10:00",
            "trainer": supervisor.pk,
            "materials_url": "https://intranet.example/5.3",
        },
    )
    assert response.status_code == 302
    session = course.sessions.get()
    assert (session.topic, session.trainer) == ("What changes in 5.3", supervisor)
    page = client.get(reverse("teams:session_detail", args=[session.pk]))
    assert "What changes in 5.3" in page.content.decode()


def test_a_session_without_a_topic_is_refused_with_400(client, supervisor):
    course = CourseFactory()
    client.force_login(supervisor)
    response = client.post(
        reverse("teams:session_create"),
        {"course": course.pk, "topic": "", "starts_at": "2026-12-01T10:00"},
    )
    assert response.status_code == 400
    assert not course.sessions.exists()


def test_the_team_training_page_has_a_fixed_number_of_queries(
    client, supervisor, compliance, team_a, django_assert_max_num_queries
):
    for _ in range(6):
        MembershipFactory(team=team_a, user=UserFactory(roles=[Role.AGENT]))
    training_requirements_sync()
    client.force_login(supervisor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("teams:team_training", args=[team_a.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('data-state="on_track"') == 7
