"""Coaching and quality writes: scorecards (weights must sum to 100), QA reviews of tickets,
coaching notes, and the agent's acknowledgement of both.

Reviews and coaching notes do not change the ticket (no ticket event, no hook announcement):
they are private to the agent and their supervisors, while the ticket's audit trail is read by
the whole team. The agent gets an in-app notification.
"""

import logging
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, NotAllowed
from teams import access
from teams.models import Team, TeamMembership, User
from tickets.models import (
    CoachingNote,
    Notification,
    QualityReview,
    QualityScore,
    Scorecard,
    ScorecardCriterion,
    Ticket,
)

logger = logging.getLogger(__name__)

TOTAL_WEIGHT = 100
MAX_CRITERIA = 20
COMMENT_MAX_CHARS = 5000


@transaction.atomic
def scorecard_save(
    *,
    actor: Any,
    scorecard: Scorecard | None = None,
    name: str,
    team: Team | None,
    criteria: list[tuple[str, int]],
    is_active: bool = True,
) -> Scorecard:
    """Create or change a scorecard. ``criteria`` are (name, weight in percent) in display
    order; the weights must sum to exactly 100, names must be distinct. Past reviews keep their
    own copy of names and weights."""
    if not access.can_edit_scorecard(actor, team) or (
        scorecard is not None and not access.can_edit_scorecard(actor, scorecard.team_id)
    ):
        raise NotAllowed(
            _("Only administrators edit desk-wide scorecards; supervisors edit their teams'.")
        )
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the scorecard a name."), details={"field": "name"})
    cleaned = [(label.strip(), weight) for label, weight in criteria if label.strip()]
    if not cleaned:
        raise ApplicationError(_("Add at least one criterion."), code="no_criteria")
    if len(cleaned) > MAX_CRITERIA:
        raise ApplicationError(
            _("A scorecard can have at most %(max)d criteria.") % {"max": MAX_CRITERIA}
        )
    names = [label.casefold() for label, _w in cleaned]
    if len(set(names)) != len(names):
        raise ApplicationError(_("Each criterion needs its own name."), code="duplicate_criterion")
    if any(weight is None or not 1 <= weight <= TOTAL_WEIGHT for _l, weight in cleaned):
        raise ApplicationError(
            _("Each weight must be between 1 and 100."), code="weight_out_of_range"
        )
    total = sum(weight for _l, weight in cleaned)
    if total != TOTAL_WEIGHT:
        raise ApplicationError(
            _("The weights add up to %(total)d%%; they must add up to exactly 100%%.")
            % {"total": total},
            code="weights_must_sum_to_100",
        )
    duplicate = Scorecard.objects.filter(name__iexact=name, team=team)
    if scorecard is not None:
        duplicate = duplicate.exclude(pk=scorecard.pk)
    if duplicate.exists():
        raise ApplicationError(
            _("A scorecard with this name already exists."), details={"field": "name"}
        )
    scorecard = scorecard or Scorecard()
    scorecard.name, scorecard.team, scorecard.is_active = name, team, is_active
    scorecard.save()
    scorecard.criteria.all().delete()
    ScorecardCriterion.objects.bulk_create(
        ScorecardCriterion(scorecard=scorecard, name=label, weight=weight, position=position)
        for position, (label, weight) in enumerate(cleaned)
    )
    logger.info("quality.scorecard_saved", extra={"scorecard_id": scorecard.pk})
    return scorecard


def _check_reviewable(*, actor: Any, ticket: Ticket, agent: User) -> None:
    if not access.can_review_quality(actor, ticket.team_id):
        raise NotAllowed(_("Only the supervisors of the ticket's team review it."))
    if not TeamMembership.objects.filter(team_id=ticket.team_id, user=agent).exists():
        raise ApplicationError(
            _("%(name)s is not a member of the ticket's team.")
            % {"name": agent.full_name or agent.email},
            details={"field": "agent"},
        )


def _notify(*, agent: User, actor: Any, ticket: Ticket, text: Any, **params: Any) -> None:
    """An in-app notification for the agent, written in the agent's own language."""
    if agent.pk == actor.pk:
        return
    with translation.override(agent.language):
        rendered = str(text) % {"ticket": params.pop("ticket_ref"), **params}
    Notification.objects.create(
        recipient=agent,
        kind=Notification.Kind.COACHING,
        ticket=ticket,
        actor=actor,
        text=rendered[:300],
    )


@transaction.atomic
def quality_review_create(
    *,
    actor: Any,
    ticket: Ticket,
    agent: User,
    scorecard: Scorecard,
    scores: dict[int, int],
    comments: str = "",
) -> QualityReview:
    """Review ``agent``'s work on ``ticket``: a score 0–5 for every criterion of
    ``scorecard``; the total is the weighted percentage. The agent is notified."""
    _check_reviewable(actor=actor, ticket=ticket, agent=agent)
    if not scorecard.is_active or scorecard.team_id not in (None, ticket.team_id):
        raise ApplicationError(
            _("This scorecard cannot be used for this ticket."), details={"field": "scorecard"}
        )
    criteria = list(scorecard.criteria.all())
    if sum(criterion.weight for criterion in criteria) != TOTAL_WEIGHT:
        raise ApplicationError(_("The scorecard's weights do not add up to 100%."))
    missing = [criterion.name for criterion in criteria if criterion.pk not in scores]
    if missing:
        raise ApplicationError(
            _("Score every criterion (missing: %(names)s).") % {"names": ", ".join(missing)}
        )
    if any(not 0 <= scores[c.pk] <= QualityReview.MAX_SCORE for c in criteria):
        raise ApplicationError(_("Scores go from 0 to 5."))
    if len(comments) > COMMENT_MAX_CHARS:
        raise ApplicationError(
            _("Comments can be at most %(max)d characters.") % {"max": COMMENT_MAX_CHARS},
            details={"field": "comments"},
        )
    total = sum(
        Decimal(c.weight) * Decimal(scores[c.pk]) / Decimal(QualityReview.MAX_SCORE)
        for c in criteria
    ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    review = QualityReview.objects.create(
        ticket=ticket,
        agent=agent,
        reviewer=actor,
        scorecard=scorecard,
        total=total,
        comments=comments.strip(),
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
    _notify(
        agent=agent,
        actor=actor,
        ticket=ticket,
        text=_("QA review of %(ticket)s: %(total)s%%"),
        ticket_ref=ticket.reference,
        total=total,
    )
    logger.info(
        "quality.review_created",
        extra={"review_id": review.pk, "ticket_id": ticket.pk, "agent_id": agent.pk},
    )
    return review


@transaction.atomic
def coaching_note_create(*, actor: Any, ticket: Ticket, agent: User, body: str) -> CoachingNote:
    """A supervisor's coaching note to ``agent`` about ``ticket``; the agent is notified."""
    _check_reviewable(actor=actor, ticket=ticket, agent=agent)
    body = body.strip()
    if not body:
        raise ApplicationError(_("Write the coaching note first."), details={"field": "body"})
    if len(body) > COMMENT_MAX_CHARS:
        raise ApplicationError(
            _("A coaching note can be at most %(max)d characters.") % {"max": COMMENT_MAX_CHARS},
            details={"field": "body"},
        )
    note = CoachingNote.objects.create(agent=agent, author=actor, ticket=ticket, body=body)
    _notify(
        agent=agent,
        actor=actor,
        ticket=ticket,
        text=_("Coaching note about %(ticket)s"),
        ticket_ref=ticket.reference,
    )
    return note


@transaction.atomic
def quality_review_acknowledge(*, actor: Any, review: QualityReview) -> QualityReview:
    """The reviewed agent acknowledges the review (once; a repeat changes nothing)."""
    if review.agent_id != actor.pk:
        raise NotAllowed(_("Only the reviewed agent acknowledges a review."))
    QualityReview.objects.filter(pk=review.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now()
    )
    review.refresh_from_db(fields=["acknowledged_at"])
    return review


@transaction.atomic
def coaching_note_acknowledge(*, actor: Any, note: CoachingNote) -> CoachingNote:
    """The coached agent acknowledges the note (once)."""
    if note.agent_id != actor.pk:
        raise NotAllowed(_("Only the coached agent acknowledges a coaching note."))
    CoachingNote.objects.filter(pk=note.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now()
    )
    note.refresh_from_db(fields=["acknowledged_at"])
    return note
