"""Reads for the supervisor's board, computed in SQL."""

from typing import Any

from django.db.models import Count, F, Q, QuerySet

from teams import access
from teams.models import TeamMembership
from tickets.models import Ticket

OPEN = Ticket.OPEN_STATUSES


def board_unassigned_tickets(*, user: Any, limit: int = 25) -> QuerySet[Ticket]:
    """Open tickets nobody owns in the teams the user supervises, most urgent and oldest first."""
    return (
        Ticket.objects.filter(
            team__in=access.teams_supervised_by(user), assignee__isnull=True, status__in=OPEN
        )
        .select_related("client", "category", "team")
        .order_by("priority", "created_at")[:limit]
    )


def board_escalated_tickets(*, user: Any, limit: int = 25) -> QuerySet[Ticket]:
    return (
        Ticket.objects.filter(
            team__in=access.teams_supervised_by(user), escalation_level__gt=0, status__in=OPEN
        )
        .select_related("client", "category", "team", "assignee")
        .order_by("priority", "created_at")[:limit]
    )


def board_agent_loads(*, user: Any) -> QuerySet[TeamMembership]:
    """Every member of the supervised teams with their count of open tickets in that team."""
    return (
        TeamMembership.objects.filter(team__in=access.teams_supervised_by(user))
        .select_related("user", "team")
        .annotate(
            open_tickets=Count(
                "user__assigned_tickets",
                filter=Q(
                    user__assigned_tickets__status__in=OPEN,
                    user__assigned_tickets__team_id=F("team_id"),
                ),
            )
        )
        .order_by("team__name", "role", "user__full_name")
    )
