"""Reads for the REST API that the pages do not need: a client's own tickets, messages without
internal notes for clients, clients visible to staff. Every queryset is scoped through
``teams.access`` before anything else."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from teams import access
from tickets.models import Attachment, Client, Message, Ticket
from tickets.selectors.queues import LIST_COLUMNS, ticket_list_visible_to


def ticket_list_api_visible_to(*, user: Any) -> QuerySet[Ticket]:
    """Tickets the user may read: their teams' for staff, their own for a client."""
    if access.is_staff_member(user):
        return ticket_list_visible_to(user=user)
    return access.scope_to_own_client(
        user, Ticket.objects.select_related(*LIST_COLUMNS), "client__user"
    )


def ticket_api_detail_for(*, user: Any, ticket_id: int) -> Ticket:
    """One ticket the user may read (with its resolution code); 404 otherwise."""
    return access.get_visible_or_404(
        ticket_list_api_visible_to(user=user).select_related("resolution_code"), pk=ticket_id
    )


def message_list_for(*, user: Any, ticket: Ticket) -> QuerySet[Message]:
    """The ticket's conversation for ``user`` (a ticket they may read), with authors and
    attachments in two queries; internal notes only for staff."""
    messages = (
        Message.objects.filter(ticket=ticket)
        .select_related("author", "client")
        .prefetch_related("attachments")
    )
    if not access.can_read_internal_notes(user):
        messages = messages.exclude(kind=Message.Kind.NOTE)
    return messages


def attachment_api_visible_to(*, user: Any, attachment_id: int) -> Attachment:
    """An attachment the user may download: on a ticket of their teams (staff), or on a public
    message of their own ticket (client); 404 otherwise."""
    if access.is_staff_member(user):
        queryset = access.scope_to_visible_teams(
            user, Attachment.objects.all(), team_field="message__ticket__team"
        )
    else:
        queryset = access.scope_to_own_client(
            user, Attachment.objects.all(), "message__ticket__client__user"
        ).exclude(message__kind=Message.Kind.NOTE)
    return access.get_visible_or_404(queryset, pk=attachment_id)


def client_list_visible_to(*, user: Any) -> QuerySet[Client]:
    """Clients the user may read: every client for managers and administrators, the clients of
    their teams' tickets for agents and supervisors, their own record for a client."""
    if access.reads_whole_desk(user):
        return Client.objects.all()
    if access.is_staff_member(user):
        tickets = access.scope_to_visible_teams(user, Ticket.objects.filter(client=OuterRef("pk")))
        return Client.objects.filter(Exists(tickets))
    return access.scope_to_own_client(user, Client.objects.all(), "user")
