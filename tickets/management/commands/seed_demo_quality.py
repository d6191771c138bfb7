"""``manage.py seed_demo_quality``: QA scorecards, reviews over the last weeks (so that each
reviewed agent has a score trend), a few coaching notes, some acknowledged. Idempotent: the
scorecard is created once, and an agent who already has reviews gets no more."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from teams.models import TeamMembership
from tickets.models import (
    CoachingNote,
    QualityReview,
    QualityScore,
    Scorecard,
    ScorecardCriterion,
    Ticket,
)

DESK_CRITERIA = (
    ("Accuracy", 30),
    ("Tone and empathy", 20),
    ("Documentation", 15),
    ("SLA adherence", 20),
    ("Language quality", 15),
)
PLATFORM_CRITERIA = (
    ("Root cause found", 40),
    ("Reproduction steps", 20),
    ("Hand-off to engineering", 20),
    ("Client kept informed", 20),
)
REVIEWS_PER_AGENT = 8
COMMENTS = (
    "Clear answer and good use of the knowledge base article.",
    "Check the account number against the client card before replying.",
    "Good tone; the reply could have set expectations on timing.",
    "Internal note was thorough - exactly what tier 2 needs.",
    "Please add the platform version to the ticket fields.",
)


class Command(BaseCommand):
    help = "Add demo QA scorecards, reviews and coaching notes (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            desk = self._scorecard("Standard QA", None, DESK_CRITERIA)
            supervisors = {
                row.team_id: row.user
                for row in TeamMembership.objects.filter(role=TeamMembership.Role.SUPERVISOR)
                .select_related("user")
                .order_by("-user__email")
            }
            platform = TeamMembership.objects.filter(team__slug="platform-t2").first()
            if platform is not None:
                self._scorecard("Tier 2 technical QA", platform.team, PLATFORM_CRITERIA)
            reviews, notes = self._reviews(desk, supervisors)
        self.stdout.write(f"seed_demo_quality: {reviews} reviews, {notes} coaching notes added.")

    def _scorecard(self, name: str, team: Any, criteria: tuple) -> Scorecard:
        card, created = Scorecard.objects.get_or_create(name=name, team=team)
        if created:
            ScorecardCriterion.objects.bulk_create(
                ScorecardCriterion(scorecard=card, name=label, weight=weight, position=index)
                for index, (label, weight) in enumerate(criteria)
            )
        return card

    def _reviews(self, card: Scorecard, supervisors: dict[int, Any]) -> tuple[int, int]:
        now = timezone.now()
        criteria = list(card.criteria.all())
        agents = (
            TeamMembership.objects.filter(role=TeamMembership.Role.AGENT)
            .values_list("user_id", flat=True)
            .distinct()
        )
        reviewed = QualityReview.objects.values("ticket_id")
        already = set(QualityReview.objects.values_list("agent_id", flat=True).distinct())
        made = notes = 0
        for agent_index, agent_id in enumerate(sorted(set(agents))[:12]):
            if agent_id in already:
                continue
            tickets = list(
                Ticket.objects.filter(
                    assignee_id=agent_id,
                    status__in=[Ticket.Status.RESOLVED, Ticket.Status.CLOSED],
                    team_id__in=list(supervisors),
                )
                .exclude(pk__in=reviewed)
                .order_by("-pk")[:REVIEWS_PER_AGENT]
            )
            for index, ticket in enumerate(tickets):
                # Deterministic scores that improve over the weeks for most agents.
                scores = {
                    c.pk: max(0, min(5, 2 + (index + agent_index + position) % 3 + (index > 3)))
                    for position, c in enumerate(criteria)
                }
                total = sum(
                    Decimal(c.weight) * scores[c.pk] / Decimal(5) for c in criteria
                ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
                when = now - timedelta(weeks=REVIEWS_PER_AGENT - index, days=agent_index % 5)
                review = QualityReview.objects.create(
                    ticket=ticket,
                    agent_id=agent_id,
                    reviewer=supervisors[ticket.team_id],
                    scorecard=card,
                    total=total,
                    comments=COMMENTS[(index + agent_index) % len(COMMENTS)],
                )
                QualityReview.objects.filter(pk=review.pk).update(
                    created_at=when,
                    acknowledged_at=when + timedelta(days=1) if index < len(tickets) - 2 else None,
                )
                QualityScore.objects.bulk_create(
                    QualityScore(
                        review=review,
                        criterion=c,
                        criterion_name=c.name,
                        weight=c.weight,
                        score=scores[c.pk],
                    )
                    for c in criteria
                )
                made += 1
            if tickets and not CoachingNote.objects.filter(agent_id=agent_id).exists():
                CoachingNote.objects.create(
                    agent_id=agent_id,
                    author=supervisors[tickets[0].team_id],
                    ticket=tickets[0],
                    body=COMMENTS[agent_index % len(COMMENTS)],
                )
                notes += 1
        return made, notes
