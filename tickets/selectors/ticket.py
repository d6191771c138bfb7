"""Reads of one ticket for its page, pre-scoped to what the user may see."""

from typing import Any

from django.db.models import Prefetch

from teams import access
from tickets.models import Message, Ticket, TicketEvent
from tickets.selectors.queues import ticket_list_visible_to


def ticket_detail_for(*, user: Any, ticket_id: int) -> Ticket:
    """One ticket with its conversation and audit trail; 404 when outside the user's scope."""
    queryset = ticket_list_visible_to(user=user).prefetch_related(
        Prefetch(
            "messages",
            queryset=Message.objects.select_related("author", "client").order_by("created_at"),
        ),
        Prefetch(
            "events", queryset=TicketEvent.objects.select_related("actor").order_by("created_at")
        ),
    )
    return access.get_visible_or_404(queryset, pk=ticket_id)
