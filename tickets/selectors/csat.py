"""Satisfaction ratings for reports (read by ``metrics``): computed in SQL, never row by row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Avg, Count, Q

from teams import access
from tickets.models import SatisfactionRating


@dataclass(frozen=True)
class CsatSummary:
    ratings: int
    average: float | None
    satisfied: int  # ratings of 4 or 5

    @property
    def satisfied_share(self) -> float | None:
        """CSAT as usually reported: the share of 4 and 5 ratings."""
        return self.satisfied / self.ratings if self.ratings else None


def csat_ratings_visible_to(*, user: Any):
    """Ratings of the tickets of the teams the user may read."""
    return access.scope_to_visible_teams(
        user, SatisfactionRating.objects.all(), team_field="ticket__team"
    )


def csat_summary(*, user: Any, since: datetime, until: datetime) -> CsatSummary:
    """Count, average and satisfied share of the ratings given in ``[since, until)``."""
    row = (
        csat_ratings_visible_to(user=user)
        .filter(created_at__gte=since, created_at__lt=until)
        .aggregate(
            ratings=Count("id"),
            average=Avg("score"),
            satisfied=Count("id", filter=Q(score__gte=4)),
        )
    )
    average = float(row["average"]) if row["average"] is not None else None
    return CsatSummary(ratings=row["ratings"], average=average, satisfied=row["satisfied"])
