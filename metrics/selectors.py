"""Reads for the supervisor's board and the desk overview, computed in SQL."""

from datetime import timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from teams import access
from teams.models import Team, TeamMembership
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
