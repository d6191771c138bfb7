"""Training: courses, sessions, attendance and completion, who must take what by when, and
reminders before the due date.

Due dates (kept on ``TrainingRequirement``):

1. Everyone a course requires (a member of a required team, or holding a required skill) has
   one requirement row; ``training_requirements_sync`` creates missing rows and deletes rows of
   people no longer required.
2. Never completed: due by the course's ``due_by`` date, else ``due_within_days`` after the
   requirement appeared.
3. Completed: a one-off course is done (``due_on`` empty); a recurring one is due again
   ``validity_days`` after the last completion.
4. ``training_reminders_send`` sends one reminder (in-app record + email) per requirement and
   due date, from ``remind_days_before`` the due date on (overdue ones included).
"""

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import DateField, ExpressionWrapper, F, Max, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, NotAllowed
from teams import access
from teams.models import (
    AgentSkill,
    Skill,
    Team,
    TeamMembership,
    TrainingAttendance,
    TrainingCourse,
    TrainingReminder,
    TrainingRequirement,
    TrainingSession,
    User,
)

logger = logging.getLogger(__name__)


def _due_after(course: TrainingCourse, last_completed: date | None, today: date) -> date | None:
    if last_completed is None:
        return course.due_by or today + timedelta(days=course.due_within_days)
    if course.validity_days is None:
        return None
    return last_completed + timedelta(days=course.validity_days)


def _last_completions(
    user_ids: Iterable[int] | None, course_ids: Iterable[int] | None
) -> dict[tuple[int, int], date]:
    rows = TrainingAttendance.objects.filter(completed_on__isnull=False)
    if user_ids is not None:
        rows = rows.filter(user_id__in=user_ids)
    if course_ids is not None:
        rows = rows.filter(session__course_id__in=course_ids)
    return {
        (row["user_id"], row["session__course_id"]): row["last"]
        for row in rows.values("user_id", "session__course_id").annotate(last=Max("completed_on"))
    }


@transaction.atomic
def training_requirements_sync(
    *,
    today: date | None = None,
    user_ids: list[int] | None = None,
    course_ids: list[int] | None = None,
) -> tuple[int, int]:
    """Create the missing requirement rows and delete those no longer required, for the given
    users and/or courses (everyone and every course when not given). Returns (created,
    deleted). Idempotent."""
    today = today or timezone.localdate()
    courses = TrainingCourse.objects.filter(is_active=True)
    if course_ids is not None:
        courses = courses.filter(pk__in=course_ids)
    by_team = TeamMembership.objects.filter(
        team__required_courses__in=courses, user__is_active=True
    ).values_list("user_id", "team__required_courses")
    by_skill = AgentSkill.objects.filter(
        skill__required_courses__in=courses, user__is_active=True
    ).values_list("user_id", "skill__required_courses")
    existing = TrainingRequirement.objects.all()
    if user_ids is not None:
        by_team = by_team.filter(user_id__in=user_ids)
        by_skill = by_skill.filter(user_id__in=user_ids)
        existing = existing.filter(user_id__in=user_ids)
    if course_ids is not None:
        existing = existing.filter(course_id__in=course_ids)
    required = set(by_team) | set(by_skill)
    present = dict(
        ((user_id, course_id), pk)
        for pk, user_id, course_id in existing.values_list("pk", "user_id", "course_id")
    )
    obsolete = [pk for pair, pk in present.items() if pair not in required]
    deleted = TrainingRequirement.objects.filter(pk__in=obsolete).delete()[0] if obsolete else 0
    missing = required - set(present)
    if not missing:
        return 0, deleted
    course_by_id = {course.pk: course for course in courses}
    completions = _last_completions(
        {user_id for user_id, _c in missing}, {course_id for _u, course_id in missing}
    )
    TrainingRequirement.objects.bulk_create(
        [
            TrainingRequirement(
                user_id=user_id,
                course_id=course_id,
                last_completed_on=completions.get((user_id, course_id)),
                due_on=_due_after(
                    course_by_id[course_id], completions.get((user_id, course_id)), today
                ),
            )
            for user_id, course_id in sorted(missing)
        ],
        ignore_conflicts=True,
    )
    return len(missing), deleted


@transaction.atomic
def training_course_save(
    *,
    actor: Any,
    course: TrainingCourse | None = None,
    name: str,
    description: str = "",
    validity_days: int | None = None,
    due_by: date | None = None,
    due_within_days: int = 30,
    remind_days_before: int = 14,
    required_teams: Iterable[Team] = (),
    required_skills: Iterable[Skill] = (),
    is_active: bool = True,
) -> TrainingCourse:
    """Create or change a course and bring everyone's requirements in line with it.
    Supervisors manage only courses required solely of teams they supervise."""
    if not access.can_manage_training(actor):
        raise NotAllowed(_("Only supervisors and administrators manage training."))
    required_teams = list(required_teams)
    required_skills = list(required_skills)
    wanted = access.can_manage_course(
        actor, team_ids={team.pk for team in required_teams}, by_skill=bool(required_skills)
    )
    current = course is None or access.can_manage_course(
        actor,
        team_ids=set(course.required_teams.values_list("pk", flat=True)),
        by_skill=course.required_skills.exists(),
    )
    if not (wanted and current):
        raise NotAllowed(
            _(
                "Supervisors manage courses required only of the teams they supervise; "
                "courses for other teams or for skills are managed by administrators."
            )
        )
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the course a name."), details={"field": "name"})
    if validity_days is not None and validity_days < 1:
        raise ApplicationError(
            _("Validity must be at least one day."), details={"field": "validity_days"}
        )
    duplicate = TrainingCourse.objects.filter(name__iexact=name)
    if course is not None:
        duplicate = duplicate.exclude(pk=course.pk)
    if duplicate.exists():
        raise ApplicationError(
            _("A course with this name already exists."), details={"field": "name"}
        )
    course = course or TrainingCourse()
    course.name = name
    course.description = description
    course.validity_days = validity_days
    course.due_by = due_by
    course.due_within_days = due_within_days
    course.remind_days_before = remind_days_before
    course.is_active = is_active
    course.save()
    course.required_teams.set(required_teams)
    course.required_skills.set(required_skills)
    if not is_active:
        TrainingRequirement.objects.filter(course=course).delete()
    else:
        training_requirements_sync(course_ids=[course.pk])
        # Recompute due dates of existing rows (validity or deadline may have changed).
        _recompute_due_dates(course)
    return course


def _recompute_due_dates(course: TrainingCourse) -> None:
    today = timezone.localdate()
    for requirement in TrainingRequirement.objects.filter(course=course).only(
        "pk", "last_completed_on", "due_on"
    ):
        due_on = _due_after(course, requirement.last_completed_on, today)
        if requirement.last_completed_on is None and requirement.due_on is not None:
            # Keep a newcomer's own deadline unless the course now has a fixed date.
            due_on = course.due_by or requirement.due_on
        if due_on != requirement.due_on:
            TrainingRequirement.objects.filter(pk=requirement.pk).update(due_on=due_on)


@transaction.atomic
def training_session_create(
    *,
    actor: Any,
    course: TrainingCourse,
    topic: str,
    starts_at: datetime,
    trainer: User | None = None,
    materials_url: str = "",
) -> TrainingSession:
    """Schedule a session of a course."""
    if not access.can_manage_training(actor):
        raise NotAllowed(_("Only supervisors and administrators manage training."))
    topic = topic.strip()
    if not topic:
        raise ApplicationError(_("Give the session a topic."), details={"field": "topic"})
    return TrainingSession.objects.create(
        course=course,
        topic=topic,
        starts_at=starts_at,
        trainer=trainer,
        materials_url=materials_url,
    )


@transaction.atomic
def training_attendance_record(
    *, actor: Any, session: TrainingSession, user: User, attended: bool, completed: bool
) -> TrainingAttendance:
    """Record whether ``user`` attended ``session`` and completed its course there. Completion
    moves the user's due date for the course (done, or due again after its validity)."""
    if not access.can_supervise_agent(actor, user):
        raise NotAllowed(_("Only the person's supervisors record their training."))
    if completed and not attended:
        raise ApplicationError(_("Someone who did not attend cannot have completed the course."))
    completed_on = timezone.localtime(session.starts_at).date() if completed else None
    attendance, _created = TrainingAttendance.objects.update_or_create(
        session=session,
        user=user,
        defaults={"attended": attended, "completed_on": completed_on, "recorded_by": actor},
    )
    _refresh_requirement(user_id=user.pk, course=session.course)
    return attendance


def _refresh_requirement(*, user_id: int, course: TrainingCourse) -> None:
    last = _last_completions([user_id], [course.pk]).get((user_id, course.pk))
    requirement = (
        TrainingRequirement.objects.select_for_update()
        .filter(user_id=user_id, course=course)
        .first()
    )
    if requirement is None:
        return
    requirement.last_completed_on = last
    requirement.due_on = _due_after(course, last, timezone.localdate())
    requirement.save(update_fields=["last_completed_on", "due_on"])


@transaction.atomic
def training_reminders_send(*, today: date) -> int:
    """Send one reminder per requirement and due date, from ``remind_days_before`` the due date
    on (overdue requirements included): an in-app ``TrainingReminder`` and an email queued on
    commit. A compare-and-swap on ``reminded_for`` makes a rerun (or a parallel run) send
    nothing twice. Returns how many reminders were created."""
    from teams.tasks.training import training_reminder_email

    remind_from = ExpressionWrapper(
        Value(today) + F("course__remind_days_before"), output_field=DateField()
    )
    candidates = (
        TrainingRequirement.objects.filter(
            due_on__isnull=False, course__is_active=True, user__is_active=True
        )
        .annotate(remind_from=remind_from)
        .filter(due_on__lte=F("remind_from"))
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("due_on")))
        .values_list("pk", "user_id", "due_on")
    )
    ids: list[int] = []
    for pk, user_id, due_on in candidates:
        claimed = (
            TrainingRequirement.objects.filter(pk=pk, due_on=due_on)
            .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=due_on))
            .update(reminded_for=due_on)
        )
        if not claimed:
            continue
        reminder, created = TrainingReminder.objects.get_or_create(
            requirement_id=pk, due_on=due_on, defaults={"user_id": user_id}
        )
        if created:
            ids.append(reminder.pk)
    for reminder_id in ids:
        transaction.on_commit(lambda rid=reminder_id: training_reminder_email.delay(rid))
    if ids:
        logger.info("training.reminders_sent", extra={"count": len(ids)})
    return len(ids)


@transaction.atomic
def training_reminders_mark_read(*, user: Any) -> int:
    """Mark the user's unread training reminders read."""
    return TrainingReminder.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def training_reminder_email_send(*, reminder_id: int) -> bool:
    """Email one reminder in the recipient's language. Returns whether a mail was sent."""
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    reminder = (
        TrainingReminder.objects.select_related("user", "requirement__course")
        .filter(pk=reminder_id)
        .first()
    )
    if reminder is None or not reminder.user.email:
        return False
    context = {
        "reminder": reminder,
        "course": reminder.requirement.course,
        "user": reminder.user,
        "site_url": getattr(settings, "SITE_URL", ""),
    }
    with translation.override(reminder.user.language):
        subject = str(
            _("Training due on %(date)s: %(course)s")
            % {"date": reminder.due_on.isoformat(), "course": reminder.requirement.course.name}
        )
        body = render_to_string("emails/training_reminder.txt", context)
    send_mail(subject, body, None, [reminder.user.email])
    return True
