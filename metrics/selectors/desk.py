"""Reads for the manager's desk overview, computed in SQL."""

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from teams import access
from teams.models import Team
from tickets.models import Ticket

OPEN = Ticket.OPEN_STATUSES


def desk_overview(*, user: Any) -> QuerySet[Team]:
    """Per visible team: open, unassigned and escalated tickets, created and resolved in 7 days."""
    since = timezone.now() - timedelta(days=7)
    return (
        access.teams_visible_to(user)
        .annotate(
            open_count=Count("tickets", filter=Q(tickets__status__in=OPEN)),
            unassigned_count=Count(
                "tickets", filter=Q(tickets__status__in=OPEN, tickets__assignee__isnull=True)
            ),
            escalated_count=Count(
                "tickets", filter=Q(tickets__status__in=OPEN, tickets__escalation_level__gt=0)
            ),
            created_7d=Count("tickets", filter=Q(tickets__created_at__gte=since)),
            resolved_7d=Count("tickets", filter=Q(tickets__resolved_at__gte=since)),
        )
        .order_by("name")
    )
