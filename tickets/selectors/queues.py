"""Reads of tickets, always pre-scoped to what the user may see (``teams.access``)."""

from typing import Any

from django.db.models import QuerySet

from teams import access
from tickets.models import Client, Ticket

LIST_COLUMNS = ("client", "category", "team", "assignee")


def ticket_list_visible_to(*, user: Any) -> QuerySet[Ticket]:
    """Tickets of the teams the user may read (all of them for managers and administrators)."""
    return access.scope_to_visible_teams(user, Ticket.objects.all()).select_related(*LIST_COLUMNS)


def ticket_list_assigned_to(*, user: Any) -> QuerySet[Ticket]:
    return (
        ticket_list_visible_to(user=user)
        .filter(assignee=user, status__in=Ticket.OPEN_STATUSES)
        .order_by("priority", "-updated_at")
    )


def ticket_list_team_queue(*, user: Any) -> QuerySet[Ticket]:
    """Open tickets of the user's own teams, most urgent and oldest first."""
    return (
        Ticket.objects.filter(team__memberships__user=user, status__in=Ticket.OPEN_STATUSES)
        .select_related(*LIST_COLUMNS)
        .order_by("priority", "created_at")
    )


def ticket_list_for_client(*, user: Any) -> QuerySet[Ticket]:
    """A client's own tickets (client portal)."""
    if not access.has_role(user, access.Role.CLIENT):
        return Ticket.objects.none()
    return (
        Ticket.objects.filter(client__user=user).select_related("category").order_by("-created_at")
    )


def client_for_user(*, user: Any) -> Client | None:
    return Client.objects.filter(user=user).first()
