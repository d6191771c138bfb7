"""Deciding which ticket an inbound email belongs to (reads only; the ingest service writes).

Order, first match wins:

1. ``In-Reply-To`` then ``References`` (newest first) against the Message-IDs of our own
   outgoing emails (``OutboundEmail.email_message_id``);
2. the same headers against earlier inbound emails already on a ticket (a client's follow-up to
   their own message, someone in CC answering);
3. the ticket reference in the subject, ``[SD-004217]`` (after ignoring prefixes such as RE:,
   FW:, AW:, 回覆:, 回复:, 答复:, 轉寄:, 转发:).

A merged ticket hands over to the ticket it was merged into. The sender must be the ticket's
client or an address that was on an earlier email of the ticket (To/Cc); anyone else gets a new
ticket (a forged reply never grants access to someone else's ticket).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tickets.mail.parsing import ParsedMail
from tickets.models import InboundEmail, OutboundEmail, Ticket

REFERENCE = re.compile(r"\[\s*SD-0*(\d{1,9})\s*\]", re.IGNORECASE)
SUBJECT_PREFIX = re.compile(
    r"^\s*((re|fw|fwd|aw|wg|sv|vs|antw|tr|rv|ref|odp|回覆|回复|答复|答覆|轉寄|转发|轉發|转寄)"
    r"\s*(\[\d+\])?\s*[:：]\s*)+",
    re.IGNORECASE,
)
MAX_MERGE_HOPS = 10


Step = dict[str, Any]


@dataclass(frozen=True)
class ThreadMatch:
    """Where an email goes: ``ticket`` (``None``: a new ticket) and why, as steps that
    ``tickets.mail.explain.explain`` words in the reader's language."""

    ticket: Ticket | None
    steps: list[Step]


def step(code: str, **params: str) -> Step:
    return {"code": code, **params}


def strip_subject_prefixes(subject: str) -> str:
    """``RE: 回覆: FW: Login fails`` → ``Login fails``."""
    return SUBJECT_PREFIX.sub("", subject or "").strip()


def _follow_merges(ticket: Ticket) -> tuple[Ticket, list[Step]]:
    steps: list[Step] = []
    hops = 0
    while ticket.merged_into_id is not None and hops < MAX_MERGE_HOPS:
        target = Ticket.objects.select_related("client").get(pk=ticket.merged_into_id)
        steps.append(step("merged", ticket=ticket.reference, target=target.reference))
        ticket = target
        hops += 1
    return ticket, steps


def _by_message_ids(mail: ParsedMail) -> tuple[Ticket | None, list[Step]]:
    ids = [*mail.in_reply_to, *reversed(mail.references)]
    if not ids:
        return None, []
    order = {value: index for index, value in enumerate(dict.fromkeys(ids))}
    ours = list(
        OutboundEmail.objects.filter(email_message_id__in=list(order)).select_related(
            "ticket__client"
        )
    )
    if ours:
        best = min(ours, key=lambda row: order[row.email_message_id])
        header = "In-Reply-To" if best.email_message_id in mail.in_reply_to else "References"
        return best.ticket, [
            step(
                "outbound_id",
                header=header,
                message_id=best.email_message_id,
                ticket=best.ticket.reference,
            )
        ]
    earlier = list(
        InboundEmail.objects.filter(email_message_id__in=list(order), ticket__isnull=False)
        .select_related("ticket__client")
        .order_by("-received_at")[:20]
    )
    if earlier:
        best = min(earlier, key=lambda row: order[row.email_message_id])
        header = "In-Reply-To" if best.email_message_id in mail.in_reply_to else "References"
        return best.ticket, [
            step(
                "inbound_id",
                header=header,
                message_id=best.email_message_id,
                ticket=best.ticket.reference,
            )
        ]
    return None, []


def _by_subject(mail: ParsedMail) -> tuple[Ticket | None, list[Step]]:
    found = REFERENCE.search(mail.subject or "")
    if not found:
        return None, []
    ticket = Ticket.objects.select_related("client").filter(pk=int(found.group(1))).first()
    if ticket is None:
        return None, [step("subject_ref_missing", reference=found.group(0))]
    return ticket, [step("subject_ref", ticket=ticket.reference)]


def sender_may_write_to(ticket: Ticket, address: str) -> bool:
    """The ticket's client, or someone who was on an earlier email of the ticket."""
    address = address.lower()
    if ticket.client.email.lower() == address:
        return True
    return InboundEmail.objects.filter(ticket=ticket, recipients__contains=[address]).exists() or (
        InboundEmail.objects.filter(ticket=ticket, from_email=address).exists()
    )


def thread_find(mail: ParsedMail) -> ThreadMatch:
    """The ticket ``mail`` replies to, or ``None`` for a new ticket, with the steps that led
    there."""
    ticket, steps = _by_message_ids(mail)
    if ticket is None:
        ticket, subject_steps = _by_subject(mail)
        steps += subject_steps
    if ticket is None:
        return ThreadMatch(None, steps or [step("no_reference")])
    ticket, merge_steps = _follow_merges(ticket)
    steps += merge_steps
    if not sender_may_write_to(ticket, mail.from_email):
        steps.append(step("forged", sender=mail.from_email, ticket=ticket.reference))
        return ThreadMatch(None, steps)
    return ThreadMatch(ticket, steps)
