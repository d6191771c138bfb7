"""Reads of coaching and quality: scorecards, an agent's reviews and coaching notes, and the
weekly QA score trend (averaged in SQL)."""

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from teams import access
from teams.models import TeamMembership, User
from tickets.models import CoachingNote, QualityReview, QualityScore, Scorecard, Ticket

TREND_WEEKS = 12


def scorecards_for_ticket(*, ticket: Ticket) -> QuerySet[Scorecard]:
    """Active scorecards usable on the ticket: desk-wide ones and its team's."""
    return (
        Scorecard.objects.filter(Q(team__isnull=True) | Q(team_id=ticket.team_id), is_active=True)
        .prefetch_related("criteria")
        .order_by("name")
    )


def scorecard_list_for(*, user: Any) -> QuerySet[Scorecard]:
    """Desk-wide scorecards and those of the teams the user may read."""
    return (
        Scorecard.objects.filter(Q(team__isnull=True) | Q(team__in=access.teams_visible_to(user)))
        .select_related("team")
        .prefetch_related("criteria")
        .order_by("team__name", "name")
    )


def team_members_for_review(*, ticket: Ticket) -> QuerySet[User]:
    return User.objects.filter(memberships__team_id=ticket.team_id, is_active=True).order_by(
        "full_name"
    )


def agent_for_quality(*, user: Any, agent_id: int) -> User:
    """The agent whose reviews ``user`` may read (themself, their supervisors, managers and
    administrators); 404 otherwise."""
    return access.get_visible_or_404(
        access.agents_visible_to(user, User.objects.filter(is_active=True)), pk=agent_id
    )


def reviews_of_agent(*, agent: User) -> QuerySet[QualityReview]:
    return (
        QualityReview.objects.filter(agent=agent)
        .select_related("ticket", "reviewer", "scorecard")
        .prefetch_related(Prefetch("scores", QualityScore.objects.order_by("pk")))
        .order_by("-created_at")[:50]
    )


def coaching_notes_of(*, agent: User) -> QuerySet[CoachingNote]:
    return (
        CoachingNote.objects.filter(agent=agent)
        .select_related("ticket", "author")
        .order_by("-created_at")[:50]
    )


def quality_review_visible_to(*, user: Any, review_id: int) -> QualityReview:
    reviews = QualityReview.objects.select_related("ticket")
    if not access.reads_whole_desk(user):
        reviews = reviews.filter(
            Q(agent=user) | Q(ticket__team__in=access.teams_supervised_by(user))
        )
    return access.get_visible_or_404(reviews, pk=review_id)


def coaching_note_visible_to(*, user: Any, note_id: int) -> CoachingNote:
    notes = CoachingNote.objects.all()
    if not access.reads_whole_desk(user):
        notes = notes.filter(Q(agent=user) | Q(ticket__team__in=access.teams_supervised_by(user)))
    return access.get_visible_or_404(notes, pk=note_id)


def score_trend(*, agent: User, now: datetime | None = None) -> list[dict[str, Any]]:
    """The agent's average QA score per week over the last ``TREND_WEEKS`` weeks (one grouped
    query), oldest first."""
    now = now or timezone.now()
    since = now - timedelta(weeks=TREND_WEEKS)
    rows = (
        QualityReview.objects.filter(agent=agent, created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(average=Avg("total"), reviews=Count("pk"))
        .order_by("week")
    )
    return list(rows)


def unacknowledged_count(*, agent: User) -> int:
    return (
        QualityReview.objects.filter(agent=agent, acknowledged_at__isnull=True).count()
        + CoachingNote.objects.filter(agent=agent, acknowledged_at__isnull=True).count()
    )


def is_team_member(*, ticket: Ticket, user: Any) -> bool:
    return TeamMembership.objects.filter(team_id=ticket.team_id, user=user).exists()
