"""Writes of inbound email: ingesting a raw message, retrying a quarantined one, moving a
misfiled message to another ticket, and the IMAP mailbox settings.

Ingestion (``inbound_email_ingest``) never loses a message and never raises on bad mail:

1. The raw bytes are stored first as an ``InboundEmail`` (unique per mailbox and Message-ID; a
   message without one gets a Message-ID derived from its SHA-256). A second copy is reported
   as *duplicate* and changes nothing.
2. In a savepoint, the message is parsed, checked and turned into a ticket or a client message
   (``tickets.services.tickets.ticket_create`` / ``message_add_from_client``, source *email*):
   auto-replies and bounces are *ignored* (no ticket, no reply); a sender over
   ``settings.INBOUND_SENDER_LIMIT_PER_HOUR`` is *quarantined*; otherwise threading
   (``tickets.mail.threading``) decides between *threaded* and *created*.
3. Anything that fails rolls the savepoint back and leaves the email *quarantined* with the
   reason and its raw source, for an administrator to read and retry.

Attachments are stored one by one through ``tickets.services.attachments``: a refused file (too
large, a program, a zip bomb) is noted on the email and the rest of the mail is kept.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models.constants import OnConflict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError
from teams import access
from teams.models import Language, Team, User
from tickets import lifecycle
from tickets.mail.parsing import ParsedMail, parse_message, synthetic_message_id
from tickets.mail.quotes import render_reply_html
from tickets.mail.threading import step, strip_subject_prefixes, thread_find
from tickets.models import Category, Client, InboundEmail, Mailbox, Message, Ticket
from tickets.services.attachments import attachments_store
from tickets.services.tickets import (
    BODY_MAX_LENGTH,
    SUBJECT_MAX_LENGTH,
    _guess_language,
    _lock_pair,
    _Plan,
    _require_work,
    _save,
    message_add_from_client_in_transaction,
    ticket_create_in_transaction,
)

logger = logging.getLogger(__name__)

Outcome = InboundEmail.Outcome
# What processing sets on the stored email (the raw source and its key are written once).
PROCESSED_FIELDS = (
    "attempts",
    "subject",
    "from_email",
    "from_name",
    "recipients",
    "outcome",
    "reason",
    "threading",
    "attachments",
    "refused_attachments",
    "ticket",
    "message",
    "processed_at",
)
ZIP_MAX_RATIO = 100
ZIP_MAX_MEMBERS = 10_000


@dataclass
class IngestResult:
    """What happened to one message (the fields ``ingest_email --json`` prints)."""

    source: str
    outcome: str
    ticket: str | None = None
    subject: str = ""
    from_email: str = ""
    from_name: str = ""
    attachments: list[str] = field(default_factory=list)
    reason: str = ""
    email_id: int | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "source": self.source,
            "outcome": self.outcome,
            "ticket": self.ticket,
            "subject": self.subject,
            "from_email": self.from_email,
            "from_name": self.from_name,
            "attachments": self.attachments,
            "reason": self.reason,
        }


class Quarantine(Exception):  # noqa: N818 - a decision, not a crash
    """Stop processing and quarantine the email with this reason."""


def _parse(raw: bytes) -> tuple[ParsedMail | None, str]:
    """The parsed message (``None`` if it cannot be parsed at all) and its Message-ID."""
    if len(raw) > settings.INBOUND_MAX_BYTES:
        return None, synthetic_message_id(raw)
    try:
        mail = parse_message(raw)
    except Exception:  # noqa: BLE001 - an unreadable message still needs a key
        return None, synthetic_message_id(raw)
    return mail, mail.message_id[:998]


def _result(row: InboundEmail) -> IngestResult:
    return IngestResult(
        source=row.source,
        outcome=str(row.outcome),
        ticket=row.ticket.reference if row.ticket_id else None,
        subject=row.subject,
        from_email=row.from_email,
        from_name=row.from_name,
        attachments=list(row.attachments),
        reason=row.reason,
        email_id=row.pk,
    )


def inbound_email_ingest(
    *, raw: bytes, mailbox: Mailbox | None = None, source: str = ""
) -> IngestResult:
    """Store ``raw`` and turn it into a ticket or a message (see the module docstring)."""
    mail, message_id = _parse(raw)
    with transaction.atomic():
        row = InboundEmail(
            mailbox=mailbox,
            email_message_id=message_id,
            source=source[:500],
            raw=raw,
            size=len(raw),
            received_at=timezone.now(),
        )
        if not _store_new(row):
            # Already received (or stored by another worker a moment ago).
            existing = (
                InboundEmail.objects.select_related("ticket")
                .defer("raw")
                .get(mailbox=mailbox, email_message_id=message_id)
            )
            return _duplicate(existing, source)
        _process(row, raw=raw, check_rate=True, mail=mail)
    return _result(row)


def _store_new(row: InboundEmail) -> bool:
    """Insert ``row`` unless its (mailbox, Message-ID) is already stored: one
    ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` instead of a savepoint, an INSERT that may
    fail and a rollback. A concurrent insert of the same key waits for the other transaction;
    once it commits, this one sees a conflict. True when the row was stored."""
    meta = InboundEmail._meta
    fields = [field for field in meta.local_concrete_fields if field is not meta.pk]
    returned = InboundEmail._base_manager._insert(
        [row], fields=fields, returning_fields=[meta.pk], on_conflict=OnConflict.IGNORE
    )
    if not returned or not returned[0]:
        return False
    row.pk = returned[0][0]
    row._state.adding = False
    row._state.db = InboundEmail._base_manager.db
    return True


def _duplicate(existing: InboundEmail, source: str) -> IngestResult:
    result = _result(existing)
    result.source = source
    result.outcome = "duplicate"
    result.reason = f"Already received as email #{existing.pk} ({existing.outcome})."
    return result


@transaction.atomic
def inbound_email_retry(*, actor: User, email: InboundEmail) -> IngestResult:
    """Process a quarantined email again (administrators; the sender limit does not apply)."""
    access.require(access.can_configure_desk(actor))
    row = InboundEmail.objects.select_for_update().get(pk=email.pk)
    if row.outcome != Outcome.QUARANTINED:
        raise ApplicationError(
            _("Only a quarantined email can be retried."), code="not_quarantined", status=409
        )
    row.threading = [step("retried", actor=actor.full_name or actor.email)]
    _process(row, raw=bytes(row.raw), check_rate=False)
    logger.info("inbound.retried", extra={"email_id": row.pk, "outcome": row.outcome})
    return _result(row)


def _process(
    row: InboundEmail, *, raw: bytes, check_rate: bool, mail: ParsedMail | None = None
) -> None:
    """Parse and apply ``row`` in a savepoint; on failure, quarantine it with the reason."""
    row.attempts += 1
    prior_steps = list(row.threading or [])
    try:
        with transaction.atomic():
            _apply(row, raw=raw, check_rate=check_rate, mail=mail)
    except Quarantine as decision:
        _quarantine(row, str(decision), prior_steps)
    except ApplicationError as error:
        _quarantine(row, f"Refused: {error.message}", prior_steps)
    except Exception as error:  # noqa: BLE001 - nothing is ever dropped: quarantine instead
        logger.exception("inbound.failed", extra={"email_id": row.pk})
        _quarantine(row, f"{type(error).__name__}: {error}", prior_steps)
    row.processed_at = timezone.now()
    row.save(update_fields=PROCESSED_FIELDS)
    logger.info("inbound.processed", extra={"email_id": row.pk, "outcome": row.outcome})


def _quarantine(row: InboundEmail, reason: str, prior_steps: list[dict[str, str]]) -> None:
    row.outcome = Outcome.QUARANTINED
    row.reason = reason[:5000]
    row.ticket = None
    row.message = None
    row.threading = prior_steps
    row.attachments = []
    row.refused_attachments = []


def _apply(
    row: InboundEmail, *, raw: bytes, check_rate: bool, mail: ParsedMail | None = None
) -> None:
    if len(raw) > settings.INBOUND_MAX_BYTES:
        raise Quarantine(f"Too large: {len(raw)} bytes (limit {settings.INBOUND_MAX_BYTES}).")
    if mail is None:
        mail = parse_message(raw)
    row.subject = mail.subject[:1000]
    row.from_email = mail.from_email[:320]
    row.from_name = mail.from_name[:300]
    row.recipients = [address[:320] for address in dict.fromkeys([*mail.to, *mail.cc])][:100]
    row.attachments = [attachment.name for attachment in mail.attachments]
    if mail.is_automatic:
        row.outcome = Outcome.IGNORED
        row.reason = f"Automatic message: {mail.automatic_reason}."
        return
    if not mail.from_email:
        raise Quarantine("No usable sender address (From, Sender, Reply-To).")
    if _own_address(row, mail):
        row.outcome = Outcome.IGNORED
        row.reason = "Sent by the support mailbox itself (mail loop)."
        return
    if check_rate:
        _check_sender_rate(row)
    text = _body_text(mail)
    match = thread_find(mail)
    steps = list(row.threading or []) + match.steps
    client = _client_for(mail, text)
    body_html = _display_html(mail, text)
    # The ticket services run without savepoints of their own: ``_process`` holds one and
    # quarantines the email, undoing everything, when anything fails.
    if match.ticket is None:
        message = _create_ticket(row, mail, client, text, body_html)
        steps.append(step("new_ticket", ticket=message.ticket.reference))
        row.outcome = Outcome.CREATED
    else:
        message = message_add_from_client_in_transaction(
            ticket=match.ticket,
            client=client,
            body=text,
            channel="email",
            source="email",
            body_html=body_html,
        )
        if message.ticket_id != match.ticket.pk:
            steps.append(
                step(
                    "follow_up",
                    closed=match.ticket.reference,
                    ticket=message.ticket.reference,
                )
            )
            row.outcome = Outcome.CREATED
        else:
            steps.append(step("threaded", ticket=match.ticket.reference))
            row.outcome = Outcome.THREADED
    row.refused_attachments = _store_attachments(message, mail)
    row.reason = _refused_note(row.refused_attachments)
    row.ticket = message.ticket
    row.message = message
    row.threading = steps


def _own_address(row: InboundEmail, mail: ParsedMail) -> bool:
    own = {row.mailbox.email_address.lower()} if row.mailbox else set()
    default_from = settings.DEFAULT_FROM_EMAIL
    if "<" in default_from:
        default_from = default_from.split("<", 1)[1].rstrip(">")
    own.add(default_from.strip().lower())
    return mail.from_email in own


def _check_sender_rate(row: InboundEmail) -> None:
    limit = settings.INBOUND_SENDER_LIMIT_PER_HOUR
    since = timezone.now() - timedelta(hours=1)
    recent = (
        InboundEmail.objects.filter(from_email=row.from_email, received_at__gte=since)
        .exclude(pk=row.pk)
        .exclude(outcome__in=[Outcome.IGNORED, Outcome.PENDING])
        .count()
    )
    if recent >= limit:
        raise Quarantine(
            f"Rate limited: {recent} emails from {row.from_email} in the last hour "
            f"(limit {limit}). Retry to let it through."
        )


def _body_text(mail: ParsedMail) -> str:
    text = mail.text.strip()
    if not text:
        names = ", ".join(attachment.name for attachment in mail.attachments)
        text = f"(no text; attachments: {names})" if names else "(no text)"
    if len(text) > BODY_MAX_LENGTH:
        text = text[: BODY_MAX_LENGTH - 60].rstrip() + "\n\n[… truncated: the full email is kept]"
    return text


def _client_for(mail: ParsedMail, text: str) -> Client:
    """The client with the sender's address (any case), created when unknown; their preferred
    language is set from this message when they have none."""
    language = _guess_language(f"{mail.subject}\n{text}")
    client = Client.objects.filter(email__iexact=mail.from_email).order_by("pk").first()
    if client is None:
        name = (mail.from_name or mail.from_email.split("@", 1)[0])[:200]
        client = Client.objects.create(name=name, email=mail.from_email, language=language)
        logger.info("client.created_from_email", extra={"client_id": client.pk})
    elif not client.language:
        client.language = language
        client.save(update_fields=["language"])
    return client


def _defaults(row: InboundEmail) -> tuple[Team, Category]:
    if row.mailbox is not None:
        return row.mailbox.team, row.mailbox.category
    mailbox = Mailbox.objects.filter(is_active=True).select_related("team", "category").first()
    if mailbox is not None:
        return mailbox.team, mailbox.category
    team = Team.objects.order_by("pk").first()
    category = Category.objects.filter(is_active=True).order_by("position", "pk").first()
    if team is None or category is None:
        raise Quarantine("No mailbox, team or category is configured to receive new tickets.")
    return team, category


def _create_ticket(
    row: InboundEmail, mail: ParsedMail, client: Client, text: str, body_html: str
) -> Message:
    team, category = _defaults(row)
    subject = strip_subject_prefixes(mail.subject) or mail.subject.strip() or "(no subject)"
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[: SUBJECT_MAX_LENGTH - 1] + "…"
    language = _guess_language(f"{mail.subject}\n{text}")
    ticket = ticket_create_in_transaction(
        actor=None,
        client=client,
        subject=subject,
        description=text,
        category=category,
        team=team,
        channel=Ticket.Channel.EMAIL,
        language=language if language in Language.values else Language.ENGLISH,
        source="email",
    )
    # The description also becomes the first message, so that it carries the email's
    # attachments and "why threaded here", and can be moved like any other message.
    return message_add_from_client_in_transaction(
        ticket=ticket,
        client=client,
        body=text,
        channel="email",
        source="email",
        body_html=body_html,
        ticket_is_current=True,
    )


def _display_html(mail: ParsedMail, text: str) -> str:
    """HTML-only mail keeps its own (sanitised) formatting; text mail folds quoted history."""
    if mail.html_only and mail.html.strip():
        return mail.html
    return render_reply_html(text)


def _zip_bomb_reason(content: bytes) -> str:
    if not content.startswith(b"PK\x03\x04"):
        return ""
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return ""
    total = sum(member.file_size for member in members)
    if len(members) > ZIP_MAX_MEMBERS:
        return f"archive with {len(members)} files"
    if total > settings.ATTACHMENT_MAX_BYTES or total > ZIP_MAX_RATIO * max(len(content), 1):
        return f"archive expands to {total} bytes (zip bomb)"
    nested = [m for m in members if m.filename.lower().endswith((".zip", ".gz", ".7z", ".rar"))]
    if nested and total > 10 * len(content):
        return "nested compressed archives (zip bomb)"
    return ""


def _store_attachments(message: Message, mail: ParsedMail) -> list[dict[str, str]]:
    refused: list[dict[str, str]] = []
    for attachment in mail.attachments:
        bomb = _zip_bomb_reason(attachment.content)
        if bomb:
            refused.append({"name": attachment.name, "reason": bomb})
            continue
        upload = SimpleUploadedFile(
            attachment.name, attachment.content, content_type=attachment.content_type
        )
        try:
            with transaction.atomic():
                stored = attachments_store(message=message, uploads=[upload])
        except ApplicationError as error:
            refused.append({"name": attachment.name, "reason": str(error.message)})
            continue
        if attachment.inline and stored:
            stored[0].is_inline = True
            stored[0].save(update_fields=["is_inline"])
    return refused


def _refused_note(refused: list[dict[str, str]]) -> str:
    if not refused:
        return ""
    return "Attachments refused: " + "; ".join(f"{r['name']}: {r['reason']}" for r in refused)


# --- Moving a misfiled message ----------------------------------------------------------------


@transaction.atomic
def message_move(*, actor: User, message: Message, target: Ticket) -> Message:
    """Move a client message (with its attachments) to ``target``, e.g. an email threaded onto
    the wrong ticket. Both tickets must be of teams the actor works, neither Closed; events
    *message_moved_out* / *message_moved_in* at both ends, and the email's "why threaded here"
    records the move."""
    if message.ticket_id == target.pk:
        raise ApplicationError(
            _("The message is already on this ticket."), code="invalid", details={"field": "target"}
        )
    source, target = _lock_pair(message.ticket, target)
    _require_work(actor, source)
    _require_work(actor, target)
    for ticket in (source, target):
        if lifecycle.is_read_only(ticket.status):
            raise lifecycle.TicketReadOnly(
                _("%(reference)s is closed: messages cannot be moved to or from it.")
                % {"reference": ticket.reference}
            )
    message = Message.objects.select_for_update().filter(pk=message.pk, ticket=source).first()
    if message is None:
        raise ApplicationError(
            _("This message is no longer on the ticket."), code="not_found", status=404
        )
    if message.kind != Message.Kind.CLIENT:
        raise ApplicationError(
            _("Only a client message can be moved."), code="invalid", details={"field": "message"}
        )
    now = timezone.now()
    message.ticket = target
    message.save(update_fields=["ticket"])
    email = InboundEmail.objects.filter(message=message).first()
    if email is not None:
        email.ticket = target
        email.threading = [
            *email.threading,
            step(
                "moved",
                actor=actor.full_name or actor.email,
                source=source.reference,
                target=target.reference,
            ),
        ]
        email.save(update_fields=["ticket", "threading"])
    source_plan = _Plan(source)
    source_plan.event("message_moved_out", "messages", "", target.reference)
    target_plan = _Plan(target)
    target_plan.event("message_moved_in", "messages", "", source.reference)
    target_plan.messages.append(message)
    _save(source_plan, actor=actor, source="web", now=now)
    _save(target_plan, actor=actor, source="web", now=now)
    logger.info(
        "message.moved",
        extra={"message_id": message.pk, "from_id": source.pk, "to_id": target.pk},
    )
    return message


# --- Mailboxes ----------------------------------------------------------------------------------


@transaction.atomic
def mailbox_save(
    *,
    actor: User,
    mailbox: Mailbox | None,
    name: str,
    email_address: str,
    host: str,
    port: int,
    use_ssl: bool,
    username: str,
    password: str,
    folder: str,
    team: Team,
    category: Category,
    is_active: bool,
) -> Mailbox:
    """Create or edit an IMAP mailbox (administrators). An empty ``password`` keeps the stored
    one; the password is encrypted at rest."""
    access.require(access.can_configure_desk(actor))
    mailbox = mailbox or Mailbox()
    if not name.strip() or not host.strip() or not username.strip():
        raise ApplicationError(
            _("Name, server and user name are required."), code="invalid", details={}
        )
    if not 1 <= port <= 65535:
        raise ApplicationError(
            _("The port must be between 1 and 65535."), code="invalid", details={"field": "port"}
        )
    if Mailbox.objects.filter(name=name.strip()).exclude(pk=mailbox.pk).exists():
        raise ApplicationError(
            _("Another mailbox already has this name."), code="invalid", details={"field": "name"}
        )
    if (mailbox.host, mailbox.username, mailbox.folder) != (host, username, folder):
        mailbox.uid_validity = None
        mailbox.last_uid = 0
    mailbox.name = name.strip()
    mailbox.email_address = email_address.strip().lower()
    mailbox.host = host.strip()
    mailbox.port = port
    mailbox.use_ssl = use_ssl
    mailbox.username = username.strip()
    mailbox.folder = folder.strip() or "INBOX"
    mailbox.team = team
    mailbox.category = category
    mailbox.is_active = is_active
    if password:
        mailbox.set_password(password)
    mailbox.save()
    return mailbox
