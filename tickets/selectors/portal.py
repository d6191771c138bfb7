"""Reads of the client portal: only the client's own tickets and their public conversation.

Every queryset goes through ``teams.access.scope_to_portal`` (the verified client's own
tickets, plus those opened through a signed link in this session). Internal notes, teams,
assignees and every other staff-only field never leave this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, QuerySet

from teams import access
from tickets.models import Attachment, Category, Client, Message, Ticket

PUBLIC_KINDS = (Message.Kind.CLIENT, Message.Kind.REPLY)


def portal_client_for(*, user: Any) -> Client | None:
    """The ``tickets.Client`` record of a signed-in client user."""
    if not access.is_portal_client(user):
        return None
    return Client.objects.filter(user=user).first()


def portal_ticket_list(*, user: Any, granted_ticket_ids: Iterable[int] = ()) -> QuerySet[Ticket]:
    """The client's tickets, newest first (only the columns the portal shows)."""
    return (
        access.scope_to_portal(user, Ticket.objects.all(), granted_ticket_ids=granted_ticket_ids)
        .only(
            "id",
            "subject",
            "status",
            "created_at",
            "updated_at",
            "category__name_en",
            "category__name_zh_hant",
        )
        .select_related("category")
        .order_by("-created_at", "-id")
    )


def portal_ticket_get(
    *, user: Any, ticket_id: int, granted_ticket_ids: Iterable[int] = ()
) -> Ticket:
    """One ticket the portal may show, with its public conversation prefetched; 404 otherwise."""
    queryset = access.scope_to_portal(
        user, Ticket.objects.all(), granted_ticket_ids=granted_ticket_ids
    ).select_related("client", "category")
    queryset = queryset.prefetch_related(
        Prefetch(
            "messages",
            queryset=Message.objects.filter(kind__in=PUBLIC_KINDS)
            .select_related("author")
            .prefetch_related("attachments")
            .order_by("created_at", "id"),
            to_attr="public_messages",
        )
    )
    return access.get_visible_or_404(queryset, pk=ticket_id)


def portal_conversation(*, ticket: Ticket) -> list[dict[str, Any]]:
    """The public conversation as plain dicts: who (the client, or the agent's display name),
    when, the sanitised HTML, the attachments. The description is shown first unless the
    first client message repeats it."""
    messages = ticket.public_messages
    entries: list[dict[str, Any]] = []
    description = ticket.description.strip()
    if not any(m.kind == Message.Kind.CLIENT and m.body.strip() == description for m in messages):
        entries.append(
            {
                "kind": "client",
                "author": ticket.client.name,
                "created_at": ticket.created_at,
                "html": None,
                "text": ticket.description,
                "attachments": [],
                "id": 0,
            }
        )
    for message in messages:
        if message.kind == Message.Kind.CLIENT:
            author = ticket.client.name
        else:
            author = (message.author.full_name if message.author else "") or "SupportDesk"
        entries.append(
            {
                "kind": message.kind,
                "author": author,
                "created_at": message.created_at,
                "html": message.body_html,
                "text": message.body,
                "attachments": list(message.attachments.all()),
                "id": message.pk,
            }
        )
    return entries


def portal_attachment_get(
    *, user: Any, attachment_id: int, granted_ticket_ids: Iterable[int] = ()
) -> Attachment:
    """An attachment of a public message of a ticket the portal may show; 404 otherwise."""
    queryset = access.scope_to_portal(
        user,
        Attachment.objects.filter(message__kind__in=PUBLIC_KINDS),
        client_field="message__ticket__client",
        ticket_field="message__ticket_id",
        granted_ticket_ids=granted_ticket_ids,
    )
    return access.get_visible_or_404(queryset, pk=attachment_id)


def portal_categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("position", "slug")
