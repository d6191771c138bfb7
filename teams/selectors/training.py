"""Reads of training: what is overdue or due soon, per agent and per team (in SQL)."""

from datetime import date
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)

from teams import access
from teams.models import (
    Team,
    TrainingCourse,
    TrainingReminder,
    TrainingRequirement,
    TrainingSession,
    User,
)

OVERDUE = "overdue"
DUE_SOON = "due_soon"
ON_TRACK = "on_track"
DONE = "done"
STATE_ORDER = {OVERDUE: 0, DUE_SOON: 1, ON_TRACK: 2, DONE: 3}


def _with_state(queryset: QuerySet[TrainingRequirement], today: date) -> QuerySet:
    soon = ExpressionWrapper(
        Value(today) + F("course__remind_days_before"), output_field=DateField()
    )
    return queryset.annotate(
        soon_until=soon,
        state=Case(
            When(due_on__isnull=True, then=Value(DONE)),
            When(due_on__lt=today, then=Value(OVERDUE)),
            When(due_on__lte=F("soon_until"), then=Value(DUE_SOON)),
            default=Value(ON_TRACK),
            output_field=CharField(),
        ),
        state_rank=Case(
            When(due_on__isnull=True, then=Value(3)),
            When(due_on__lt=today, then=Value(0)),
            When(due_on__lte=F("soon_until"), then=Value(1)),
            default=Value(2),
        ),
    )


def training_of_agent(*, agent: User, today: date) -> QuerySet[TrainingRequirement]:
    """One person's required courses with their state, most urgent first (one query)."""
    return (
        _with_state(TrainingRequirement.objects.filter(user=agent, course__is_active=True), today)
        .select_related("course")
        .order_by("state_rank", "due_on", "course__name")
    )


def training_of_team(*, team: Team, today: date) -> QuerySet[TrainingRequirement]:
    """The requirements of the team's members, overdue and due soon first (one query)."""
    return (
        _with_state(
            TrainingRequirement.objects.filter(
                user__memberships__team=team, course__is_active=True, user__is_active=True
            ),
            today,
        )
        .select_related("course", "user")
        .order_by("state_rank", "due_on", "user__full_name", "course__name")
    )


def training_summary_of_team(*, team: Team, today: date) -> dict[str, int]:
    """How many of the team's requirements are overdue, due soon, on track, done (one query)."""
    counts = (
        _with_state(
            TrainingRequirement.objects.filter(
                user__memberships__team=team, course__is_active=True, user__is_active=True
            ),
            today,
        )
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    summary = dict.fromkeys((OVERDUE, DUE_SOON, ON_TRACK, DONE), 0)
    summary.update({row["state"]: row["n"] for row in counts})
    return summary


def training_summary_for_teams(*, team_ids: Any, today: date) -> list[dict[str, Any]]:
    """Per team (``team_ids``: ids or a subquery of them; ``None``: every team): requirements
    overdue, due soon and in total on ``today`` (one query, grouped in SQL)."""
    requirements = TrainingRequirement.objects.filter(
        course__is_active=True, user__is_active=True, user__memberships__isnull=False
    )
    if team_ids is not None:
        requirements = requirements.filter(user__memberships__team_id__in=team_ids)
    rows = (
        _with_state(requirements, today)
        .values("user__memberships__team_id", "user__memberships__team__name")
        .annotate(
            overdue=Count("pk", filter=Q(state=OVERDUE)),
            due_soon=Count("pk", filter=Q(state=DUE_SOON)),
            total=Count("pk"),
        )
        .order_by("user__memberships__team__name")
    )
    return [
        {
            "team_id": row["user__memberships__team_id"],
            "name": row["user__memberships__team__name"],
            "overdue": row["overdue"],
            "due_soon": row["due_soon"],
            "total": row["total"],
        }
        for row in rows
    ]


def training_teams_summary(*, user: Any, today: date) -> list[dict[str, Any]]:
    """Per team the user may read: how many requirements are overdue and due soon (one query,
    grouped in SQL)."""
    return training_summary_for_teams(
        team_ids=access.teams_visible_to(user).values("pk"), today=today
    )


def course_list() -> QuerySet[TrainingCourse]:
    return TrainingCourse.objects.prefetch_related("required_teams", "required_skills").order_by(
        "-is_active", "name"
    )


def upcoming_sessions(*, today: date) -> QuerySet[TrainingSession]:
    return (
        TrainingSession.objects.filter(starts_at__date__gte=today)
        .select_related("course", "trainer")
        .order_by("starts_at")[:20]
    )


def reminders_of(*, user: Any) -> QuerySet[TrainingReminder]:
    return TrainingReminder.objects.filter(user=user).select_related("requirement__course")[:20]
