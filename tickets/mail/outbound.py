"""Outgoing mail to clients: which ticket changes notify the client, the rows written for them,
and sending them.

Flow
----
1. ``outbound_on_ticket_change`` is registered with ``tickets.hooks`` (``TicketsConfig.ready``).
   Inside the write service's transaction it decides which notification, if any, the change
   calls for (``notification_kinds``), renders it in the client's language from
   ``templates/emails/<kind>.txt`` + ``.html`` and writes an ``OutboundEmail`` row: the mail is
   committed together with the ticket change, or not at all.
2. ``transaction.on_commit`` then queues ``tickets.outbound_send`` for the row. A broker that is
   down loses nothing: the row stays *queued* and the periodic ``tickets.outbound_resend``
   sweep queues it again.
3. ``outbound_email_send`` locks the row, sends it through Django's email backend (SMTP in
   production) and records the outcome: *sent*, or *failed* with the error (shown on the ticket
   page); the task retries failures with exponential backoff, the sweep after that.

Headers: our own Message-ID (``<sd.SD-004217.random@EMAIL_DOMAIN>``), In-Reply-To and References
chaining the ticket's earlier outgoing and incoming Message-IDs, ``[SD-004217]`` in the subject,
Reply-To the support mailbox, ``Auto-Submitted: auto-generated`` on notifications (RFC 3834, so
auto-responders do not answer them). Names and subjects lose every control character (no header
injection).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.utils import formataddr

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from tickets.hooks import TicketChange
from tickets.mail.outbound_links import csat_urls, portal_url
from tickets.models import Message, OutboundEmail, Ticket

logger = logging.getLogger(__name__)

Status = Ticket.Status


class Kind:
    """What an outgoing mail is (``OutboundEmail.kind``); each has a template pair."""

    RECEIVED = "received"
    REPLY = "reply"
    PROGRESS = "progress"
    ESCALATED = "escalated"
    RESOLVED = "resolved"

    ALL = (RECEIVED, REPLY, PROGRESS, ESCALATED, RESOLVED)


REFERENCES_KEPT = 20
ERROR_LENGTH = 2000
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")

# Set by the client portal while a client acts: the client does not need mail about what they
# just did themselves.
_suppressed: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "outbound_suppressed", default=False
)


@contextlib.contextmanager
def notifications_suppressed() -> Iterator[None]:
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def clean_header(value: str) -> str:
    """One line of header text: CR, LF and every other control character become a space."""
    return " ".join(_CONTROL.sub(" ", value or "").split())


def new_message_id(ticket: Ticket) -> str:
    domain = clean_header(settings.EMAIL_DOMAIN).replace(" ", "") or "localhost"
    return f"<sd.{ticket.reference}.{secrets.token_hex(8)}@{domain}>"


def client_language(ticket: Ticket) -> str:
    language = ticket.client.language or ticket.language or settings.LANGUAGE_CODE
    return "zh-hant" if language.startswith("zh") else "en"


# --- Which changes notify the client --------------------------------------------------------


def notification_kinds(change: TicketChange) -> list[tuple[str, Message | None]]:
    """The mails a ticket change calls for: ``(kind, public reply carried or None)``.

    * a new ticket → *received* (with its reference);
    * resolved → *resolved* (with the summary and the satisfaction survey);
    * a public reply → *reply*, or *progress* while the ticket is Pending internal;
    * escalated (level raised) or moved to Pending internal → *escalated*.
    Nothing for merges (the duplicate's client hears about the target ticket), internal notes,
    client messages, or while the portal acts for the client.
    """
    if _suppressed.get():
        return []
    actions = change.actions()
    if actions & {"merged_into", "merged_from"}:
        return []
    if change.created:
        return [(Kind.RECEIVED, None)]
    status = change.status_change()
    if status and status[1] == Status.RESOLVED:
        return [(Kind.RESOLVED, None)]
    replies = [message for message in change.messages if message.kind == Message.Kind.REPLY]
    if replies:
        kind = Kind.PROGRESS if change.ticket.status == Status.PENDING_INTERNAL else Kind.REPLY
        return [(kind, message) for message in replies]
    if "escalated" in actions or (status and status[1] == Status.PENDING_INTERNAL):
        return [(Kind.ESCALATED, None)]
    return []


def outbound_on_ticket_change(change: TicketChange) -> None:
    """The ``tickets.hooks`` listener: write (and queue on commit) the client's mails."""
    kinds = notification_kinds(change)
    if not kinds:
        return
    for kind, message in kinds:
        outbound_email_create(
            ticket=change.ticket, kind=kind, message=message, actor=change.actor, now=change.at
        )


# --- Writing the row ------------------------------------------------------------------------


def _thread_ids(ticket: Ticket, *, before: OutboundEmail | None = None) -> list[str]:
    """Message-IDs of the ticket's earlier mail, both directions, oldest first (only those
    older than ``before`` when given)."""
    outgoing = OutboundEmail.objects.filter(ticket=ticket)
    if before is not None:
        outgoing = outgoing.filter(pk__lt=before.pk)
    pairs = outgoing.order_by().values_list("created_at", "email_message_id")
    try:
        inbound = apps.get_model("tickets", "InboundEmail")
    except LookupError:
        inbound = None
    if inbound is not None:
        incoming = inbound.objects.filter(ticket=ticket).exclude(email_message_id="")
        if before is not None:
            incoming = incoming.filter(received_at__lte=before.created_at)
        # Both directions in one round trip.
        pairs = pairs.union(
            incoming.order_by().values_list("received_at", "email_message_id"), all=True
        )
    rows: list[tuple[datetime, str]] = sorted(pairs, key=lambda row: row[0])
    seen: list[str] = []
    for _at, message_id in rows:
        message_id = clean_header(message_id)
        if message_id and message_id not in seen:
            seen.append(message_id)
    return seen


def _subject(kind: str, ticket: Ticket) -> str:
    subject = clean_header(ticket.subject)
    templates = {
        Kind.RECEIVED: gettext("We have received your request: %(subject)s"),
        Kind.REPLY: "%(subject)s",
        Kind.PROGRESS: gettext("Progress on your request: %(subject)s"),
        Kind.ESCALATED: gettext("Your request is with a specialist team: %(subject)s"),
        Kind.RESOLVED: gettext("Your request has been resolved: %(subject)s"),
    }
    text = templates[kind] % {"subject": subject}
    return clean_header(f"[{ticket.reference}] {text}")[:300]


def _context(ticket: Ticket, kind: str, message: Message | None, language: str) -> dict:
    client = ticket.client
    context = {
        "kind": kind,
        "ticket": ticket,
        "reference": ticket.reference,
        "subject": clean_header(ticket.subject),
        "client_name": clean_header(client.name),
        "message": message,
        "author_name": clean_header(message.author.full_name or "") if message else "",
        "portal_url": portal_url(ticket_id=ticket.pk, client_id=client.pk),
        "language": language,
    }
    if kind == Kind.RESOLVED and ticket.resolved_at is not None:
        context["resolution_summary"] = ticket.resolution_summary
        context["csat_urls"] = csat_urls(ticket_id=ticket.pk, resolved_at=ticket.resolved_at)
        context["csat_days"] = settings.CSAT_LINK_DAYS
    return context


def outbound_email_create(
    *,
    ticket: Ticket,
    kind: str,
    message: Message | None = None,
    actor: object | None = None,
    now: datetime | None = None,
) -> OutboundEmail:
    """Render one mail to the ticket's client in their language and store it *queued*; its
    sending is queued when the surrounding transaction commits."""
    if kind not in Kind.ALL:
        raise ValueError(kind)
    now = now or timezone.now()
    language = client_language(ticket)
    thread = _thread_ids(ticket)
    with translation.override(language):
        context = _context(ticket, kind, message, language)
        subject = _subject(kind, ticket)
        body_text = render_to_string(f"emails/{kind}.txt", context)
        body_html = render_to_string(f"emails/{kind}.html", context)
    email = OutboundEmail.objects.create(
        ticket=ticket,
        message=message,
        kind=kind,
        email_message_id=new_message_id(ticket),
        in_reply_to=thread[-1] if thread else "",
        references=" ".join(thread[-REFERENCES_KEPT:]),
        to_address=ticket.client.email,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        language=language,
        status=OutboundEmail.Status.QUEUED,
        created_at=now,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    email_id = email.pk
    transaction.on_commit(lambda: outbound_email_enqueue(email_id=email_id))
    logger.info("outbound.queued", extra={"ticket_id": ticket.pk, "kind": kind})
    return email


def outbound_email_enqueue(*, email_id: int, countdown: int = 0) -> None:
    """Queue the send task; a broker outage is logged, the resend sweep catches up later."""
    from tickets.tasks.outbound import outbound_send_task

    try:
        outbound_send_task.apply_async(args=[email_id], countdown=countdown, retry=False)
    except Exception:  # noqa: BLE001 - any broker failure: the row is safe, the sweep resends
        logger.warning("outbound.enqueue_failed", extra={"email_id": email_id}, exc_info=True)


# --- Sending --------------------------------------------------------------------------------


def outbound_email_message(email: OutboundEmail) -> EmailMultiAlternatives:
    """The MIME message of a stored mail: text + HTML alternative, our threading headers."""
    client_name = clean_header(email.ticket.client.name)
    headers = {
        "Message-ID": email.email_message_id,
        "X-SupportDesk-Ticket": email.ticket.reference,
    }
    if email.in_reply_to:
        headers["In-Reply-To"] = clean_header(email.in_reply_to)
    if email.references:
        headers["References"] = clean_header(email.references)
    if email.kind != Kind.REPLY:
        headers["Auto-Submitted"] = "auto-generated"
        headers["X-Auto-Response-Suppress"] = "All"
    mail = EmailMultiAlternatives(
        subject=clean_header(email.subject),
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[formataddr((client_name, email.to_address))],
        reply_to=[settings.SUPPORT_MAILBOX],
        headers=headers,
    )
    if email.body_html:
        mail.attach_alternative(email.body_html, "text/html")
    _attach_files(mail, email)
    return mail


def _attach_files(mail: EmailMultiAlternatives, email: OutboundEmail) -> None:
    """The reply's attachments, while they fit in ``OUTBOUND_ATTACHMENTS_MAX_BYTES`` in total
    (the rest stay available in the portal, which every mail links to)."""
    if email.message_id is None:
        return
    budget = settings.OUTBOUND_ATTACHMENTS_MAX_BYTES
    for attachment in email.message.attachments.order_by("pk"):
        if attachment.size > budget:
            continue
        budget -= attachment.size
        with attachment.file.open("rb") as handle:
            mail.attach(
                clean_header(attachment.original_name), handle.read(), attachment.content_type
            )


def outbound_email_send(*, email_id: int) -> OutboundEmail | None:
    """Send one stored mail unless it is already sent (idempotent); record the outcome.

    The row is locked while sending (a second worker skips it). Returns the row (status *sent*
    or *failed* with ``last_error``), or ``None`` when it is gone or locked by another worker.
    """
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("ticket__client")
            .filter(pk=email_id)
            .first()
        )
        if email is None or email.status == OutboundEmail.Status.SENT:
            return email
        if email.attempts == 0:
            # Inbound mail may be linked to the ticket only after the change that wrote this
            # row (e.g. the client's first mail, for *received*): chain it in now.
            thread = _thread_ids(email.ticket, before=email)
            email.in_reply_to = thread[-1] if thread else ""
            email.references = " ".join(thread[-REFERENCES_KEPT:])
        email.attempts += 1
        email.last_attempt_at = timezone.now()
        try:
            get_connection(fail_silently=False).send_messages([outbound_email_message(email)])
        except Exception as error:  # noqa: BLE001 - every failure is recorded and retried
            email.status = OutboundEmail.Status.FAILED
            email.last_error = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
            logger.warning(
                "outbound.failed",
                extra={"email_id": email.pk, "attempts": email.attempts, "error": str(error)},
            )
        else:
            email.status = OutboundEmail.Status.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
            logger.info("outbound.sent", extra={"email_id": email.pk})
        email.save(
            update_fields=[
                "status",
                "attempts",
                "last_attempt_at",
                "last_error",
                "sent_at",
                "in_reply_to",
                "references",
            ]
        )
        return email


def outbound_resend_due(*, now: datetime, limit: int = 500) -> int:
    """Queue again every unsent mail whose task is evidently not coming: still *queued* two
    minutes after it was written (the broker lost it), or *failed* with no attempt in the last
    ``OUTBOUND_RESEND_MINUTES``. Returns how many were queued."""
    quiet = now - timedelta(minutes=settings.OUTBOUND_RESEND_MINUTES)
    ids = list(
        OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT)
        .filter(created_at__lt=now - timedelta(minutes=2))
        .exclude(last_attempt_at__gte=quiet)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for email_id in ids:
        outbound_email_enqueue(email_id=email_id)
    if ids:
        logger.info("outbound.resend", extra={"count": len(ids)})
    return len(ids)
