"""Coaching and quality: scorecards, QA reviews of tickets, coaching notes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from teams.models import Team
from tickets.models.core import Ticket


class Scorecard(models.Model):
    """A QA scorecard: weighted criteria whose weights sum to 100 (checked by the services).

    Desk-wide (``team`` empty, edited by administrators) or one team's (edited by its
    supervisors too).
    """

    name = models.CharField(_("name"), max_length=100)
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scorecards",
        verbose_name=_("team"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "team"], name="scorecard_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ScorecardCriterion(models.Model):
    """One criterion of a scorecard (accuracy, tone …) and its weight in percent."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("weight (%)"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("scorecard criterion")
        verbose_name_plural = _("scorecard criteria")
        ordering = ["scorecard", "position"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=1) & models.Q(weight__lte=100),
                name="criterion_weight_1_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight} %)"


class QualityReview(models.Model):
    """A supervisor's review of one agent's work on one ticket against a scorecard.

    ``total`` is the weighted score in percent (each criterion scored 0–``MAX_SCORE``).
    The agent reads it and acknowledges it (``acknowledged_at``).
    """

    MAX_SCORE = 5

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="quality_reviews")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quality_reviews"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="reviews")
    total = models.DecimalField(_("score (%)"), max_digits=5, decimal_places=2)
    comments = models.TextField(_("comments and coaching"), blank=True)
    created_at = models.DateTimeField(_("reviewed"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        verbose_name = _("QA review")
        verbose_name_plural = _("QA reviews")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["agent", "-created_at"], name="quality_review_agent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total__gte=0) & models.Q(total__lte=100),
                name="quality_review_total_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"QA {self.ticket_id} · {self.agent_id} · {self.total}"


class QualityScore(models.Model):
    """The score of one criterion in one review; name and weight are copied so that editing the
    scorecard later does not change past reviews."""

    review = models.ForeignKey(QualityReview, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        ScorecardCriterion, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    criterion_name = models.CharField(_("criterion"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("weight (%)"))
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("QA score")
        verbose_name_plural = _("QA scores")
        ordering = ["review", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__lte=5), name="quality_score_0_5"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_name}: {self.score}"


class CoachingNote(models.Model):
    """A supervisor's coaching note to an agent, usually about a ticket; the agent acknowledges
    it."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coaching_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="coaching_notes"
    )
    body = models.TextField(_("coaching note"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        verbose_name = _("coaching note")
        verbose_name_plural = _("coaching notes")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agent", "-created_at"], name="coaching_note_agent_idx")]

    def __str__(self) -> str:
        return f"Coaching · {self.agent_id} · {self.created_at:%Y-%m-%d}"
