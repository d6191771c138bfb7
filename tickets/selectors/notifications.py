"""Reads of a person's in-app notifications."""

from typing import Any

from django.db.models import Q, QuerySet

from teams import access
from tickets.models import Notification, Ticket

INBOX_SIZE = 50
BADGE_CAP = 99


def notification_list_for(*, user: Any) -> QuerySet[Notification]:
    """The newest notifications of ``user`` about tickets they may still see (a ticket moved to
    another team disappears from the inbox rather than leaking its subject)."""
    visible_tickets = access.scope_to_visible_teams(user, Ticket.objects.all())
    return (
        Notification.objects.filter(recipient=user)
        .filter(Q(ticket__isnull=True) | Q(ticket__in=visible_tickets))
        .select_related("ticket", "actor")
        .order_by("-created_at")[:INBOX_SIZE]
    )


def notification_unread_count(*, user: Any) -> int:
    """Unread notifications, counted up to ``BADGE_CAP`` + 1 (the badge shows "99+")."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    return len(unread.values_list("pk", flat=True)[: BADGE_CAP + 1])
