"""Client satisfaction (CSAT): one rating per resolution of a ticket, read by the metrics."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.core import Ticket


class SatisfactionRating(models.Model):
    """A client's 1–5 rating (and optional comment) of one resolution of a ticket.

    ``resolved_at`` identifies the resolution (a reopened and resolved-again ticket has a new
    one), so the unique constraint means *once per resolution*. Written only through
    ``tickets.services.portal.csat_rate`` from a signed survey link.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="csat_ratings")
    resolved_at = models.DateTimeField(_("resolved"))
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "resolved_at"], name="csat_once_per_resolution"
            ),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="csat_score_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["created_at"], name="csat_created_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}"
