"""``manage.py seed_demo_people``: the people side of the demo, on top of ``seed_demo``.

Idempotent (a rerun changes nothing already there): agent profiles with capacity and a live
status, weekly shifts that together cover 24 hours (Hong Kong day, evening and overnight
shifts, London and Singapore days), and a training calendar: an annual compliance refresher, a
platform release briefing, a complaint-handling course and a Cantonese writing course, with
past sessions, attendance and completions such that some agents are overdue and some due soon.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from teams.access import Role
from teams.models import (
    AgentProfile,
    Shift,
    Skill,
    Team,
    TeamMembership,
    TrainingAttendance,
    TrainingCourse,
    TrainingSession,
    User,
)
from teams.services.training import training_requirements_sync
from teams.shifts import is_on_shift

WEEKDAYS = range(5)
# (start, end, weekdays) in the agent's own zone; the last wraps past midnight.
# Together they cover every hour of the week in Hong Kong: day (weekdays, and Thursday to
# Sunday), evening and overnight (every day).
HK_PATTERNS = (
    (time(8, 0), time(17, 0), WEEKDAYS),
    (time(15, 0), time(0, 0), range(7)),
    (time(22, 0), time(8, 0), range(7)),
    (time(8, 0), time(17, 0), (3, 4, 5, 6)),
)
DAY_PATTERN = (time(9, 0), time(18, 0), WEEKDAYS)

# Completion offsets in days before today for the compliance refresher, by agent position:
# > 365 means expired (overdue), 352-365 due within two weeks, None never completed.
COMPLIANCE_OFFSETS = (400, 120, 355, 60, None, 200, 372, 30, 300, 90, 358, 150)


class Command(BaseCommand):
    help = "Add demo shifts, profiles, statuses and a training calendar (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        now = timezone.now()
        with transaction.atomic():
            people = list(
                User.objects.filter(
                    is_active=True,
                    groups__name__in=[Role.AGENT.value, Role.SUPERVISOR.value],
                )
                .distinct()
                .order_by("email")
            )
            shifts = self._shifts(people)
            profiles = self._profiles(people, now)
            courses = self._training(people, today, now)
        self.stdout.write(
            f"seed_demo_people: {len(people)} people, {shifts} shifts added, "
            f"{profiles} profiles added, {courses} courses added."
        )

    def _shifts(self, people: list[User]) -> int:
        having = set(Shift.objects.values_list("user_id", flat=True))
        new = []
        hk_index = 0
        for user in people:
            if user.pk in having:
                continue
            if user.time_zone == "Asia/Hong_Kong":
                start, end, days = HK_PATTERNS[hk_index % len(HK_PATTERNS)]
                hk_index += 1
            else:
                start, end, days = DAY_PATTERN
            new.extend(Shift(user=user, weekday=day, starts_at=start, ends_at=end) for day in days)
        Shift.objects.bulk_create(new)
        return len(new)

    def _profiles(self, people: list[User], now: datetime) -> int:
        having = set(AgentProfile.objects.values_list("user_id", flat=True))
        created = 0
        for index, user in enumerate(people):
            if user.pk in having:
                continue
            on_shift = is_on_shift(user, now)
            if on_shift:
                status = (
                    AgentProfile.Status.BUSY if index % 4 == 3 else AgentProfile.Status.AVAILABLE
                )
            else:
                status = AgentProfile.Status.AWAY
            AgentProfile.objects.create(
                user=user,
                capacity=(8, 10, 12, 15)[index % 4],
                status=status,
                status_changed_at=now - timedelta(minutes=5 + index * 7),
                status_set_automatically=not on_shift,
                last_assigned_at=now - timedelta(minutes=10 + index * 11),
            )
            created += 1
        return created

    def _training(self, people: list[User], today: date, now: datetime) -> int:
        teams = list(Team.objects.all())
        team_by_slug = {team.slug: team for team in teams}
        skills = {skill.code: skill for skill in Skill.objects.all()}
        supervisor = (
            TeamMembership.objects.filter(role=TeamMembership.Role.SUPERVISOR)
            .select_related("user")
            .order_by("user__email")
            .first()
        )
        trainer = supervisor.user if supervisor else None
        definitions = [
            (
                "Annual compliance refresher (SFC conduct)",
                "Client data, complaints and conduct rules for licensed staff; yearly.",
                365,
                None,
                teams,
                [],
            ),
            (
                "Platform 5.3 release briefing",
                "What changes for clients in desktop and mobile 5.3; before the release.",
                None,
                today + timedelta(days=9),
                [team for team in teams if team.slug in ("tech-hk", "platform-t2")],
                [],
            ),
            (
                "Complaint handling",
                "Recognising, logging and escalating complaints; every two years.",
                730,
                None,
                [team for team in teams if team.slug == "accounts"],
                [],
            ),
            (
                "Written Cantonese for client replies",
                "Tone and terminology for replies in Traditional Chinese.",
                None,
                None,
                [],
                [skills[code] for code in ("yue",) if code in skills],
            ),
        ]
        created = 0
        courses = []
        for name, description, validity, due_by, req_teams, req_skills in definitions:
            course, was_created = TrainingCourse.objects.get_or_create(
                name=name,
                defaults={
                    "description": description,
                    "validity_days": validity,
                    "due_by": due_by,
                    "due_within_days": 30,
                    "remind_days_before": 14,
                },
            )
            if was_created:
                course.required_teams.set(req_teams)
                course.required_skills.set(req_skills)
                created += 1
            courses.append((course, was_created))
        compliance, compliance_new = courses[0]
        if compliance_new:
            members = [user for user in people if user.memberships.exists() and "@" in user.email]
            sessions: dict[int, TrainingSession] = {}
            for index, user in enumerate(members):
                offset = COMPLIANCE_OFFSETS[index % len(COMPLIANCE_OFFSETS)]
                if user.email == "agent@supportdesk.example":
                    offset = 400  # the demo agent is overdue, to show it
                if offset is None:
                    continue
                session = sessions.get(offset)
                if session is None:
                    session = TrainingSession.objects.create(
                        course=compliance,
                        topic="Compliance refresher",
                        starts_at=timezone.make_aware(
                            datetime.combine(today - timedelta(days=offset), time(10, 0))
                        ),
                        trainer=trainer,
                        materials_url="https://intranet.example/training/compliance",
                    )
                    sessions[offset] = session
                TrainingAttendance.objects.create(
                    session=session,
                    user=user,
                    attended=True,
                    completed_on=today - timedelta(days=offset),
                    recorded_by=trainer,
                )
            TrainingSession.objects.create(
                course=compliance,
                topic="Compliance refresher (catch-up session)",
                starts_at=timezone.make_aware(
                    datetime.combine(today + timedelta(days=6), time(14, 30))
                ),
                trainer=trainer,
                materials_url="https://intranet.example/training/compliance",
            )
        briefing, briefing_new = courses[1]
        if briefing_new:
            TrainingSession.objects.create(
                course=briefing,
                topic="Platform 5.3: what changes for clients",
                starts_at=timezone.make_aware(
                    datetime.combine(today + timedelta(days=3), time(9, 30))
                ),
                trainer=trainer,
                materials_url="https://intranet.example/releases/5.3",
            )
        if "tech-hk" in team_by_slug or "accounts" in team_by_slug:
            training_requirements_sync(today=today)
        return created
