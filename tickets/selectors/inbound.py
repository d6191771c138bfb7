"""Reads of inbound email: the quarantine and mailbox pages, and each message's origin on the
ticket page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from tickets.mail.explain import explain
from tickets.models import InboundEmail, Mailbox, Ticket


@dataclass(frozen=True)
class MessageOrigin:
    """Where a message's email came from and why it is on this ticket (for the ticket page)."""

    email_id: int
    from_email: str
    email_message_id: str
    reasons: list[str]
    refused_attachments: list[dict[str, str]]


def message_origins(*, ticket: Ticket) -> dict[int, MessageOrigin]:
    """``{message id: origin}`` for the ticket's messages that arrived by email (one query, and
    none when the page's messages include no client email)."""
    lines = getattr(ticket, "page_messages", None)
    if lines is not None and not any(
        line.kind == "client" and line.channel == "email" for line in lines
    ):
        return {}
    rows = InboundEmail.objects.filter(message__ticket=ticket).values(
        "pk", "message_id", "from_email", "email_message_id", "threading", "refused_attachments"
    )
    return {
        row["message_id"]: MessageOrigin(
            email_id=row["pk"],
            from_email=row["from_email"],
            email_message_id=row["email_message_id"],
            reasons=explain(row["threading"]),
            refused_attachments=list(row["refused_attachments"] or []),
        )
        for row in rows
    }


def inbound_email_list(*, outcome: str = "") -> QuerySet[InboundEmail]:
    """Received emails, newest first, without their raw source (administrators only; the view
    checks)."""
    queryset = InboundEmail.objects.select_related("mailbox", "ticket").defer("raw")
    if outcome:
        queryset = queryset.filter(outcome=outcome)
    return queryset.order_by("-received_at", "-pk")


def inbound_email_counts() -> dict[str, int]:
    """How many emails per outcome (one grouped query)."""
    from django.db.models import Count

    rows = InboundEmail.objects.values("outcome").annotate(count=Count("pk"))
    return {row["outcome"]: row["count"] for row in rows}


def inbound_email_detail(*, email_id: int) -> InboundEmail:
    return InboundEmail.objects.select_related("mailbox", "ticket", "message").get(pk=email_id)


def raw_source_text(email: InboundEmail, limit: int = 200_000) -> tuple[str, bool]:
    """The raw source as text for display (bytes that are not UTF-8 shown as escapes), and
    whether it was cut at ``limit`` characters."""
    text = bytes(email.raw).decode("utf-8", errors="backslashreplace")
    return text[:limit], len(text) > limit


def mailbox_list() -> QuerySet[Mailbox]:
    return Mailbox.objects.select_related("team", "category").order_by("name")


def explanation_of(email: InboundEmail) -> list[str]:
    return explain(email.threading)


__all__: list[Any] = [
    "MessageOrigin",
    "explanation_of",
    "inbound_email_counts",
    "inbound_email_detail",
    "inbound_email_list",
    "mailbox_list",
    "message_origins",
    "raw_source_text",
]
