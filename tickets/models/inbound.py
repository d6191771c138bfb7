"""Inbound email: the IMAP mailboxes the desk polls and every message it has received."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from teams.models import Team
from tickets.models.core import Category, Message, Ticket


def _fernet() -> Fernet:
    """The key for mailbox passwords: ``MAILBOX_ENCRYPTION_KEY`` (a Fernet key) when set, else
    one derived from ``SECRET_KEY`` (so rotating SECRET_KEY means re-entering the passwords)."""
    key = (getattr(settings, "MAILBOX_ENCRYPTION_KEY", "") or "").strip()
    if not key:
        digest = hashlib.sha256(b"supportdesk.mailbox:" + settings.SECRET_KEY.encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key.encode())


class Mailbox(models.Model):
    """An IMAP mailbox polled every minute; new mail becomes tickets of ``team``/``category``.

    The password is stored encrypted (Fernet) in ``password_encrypted``; use ``set_password``
    and ``password``. ``uid_validity``/``last_uid`` remember how far the folder has been read;
    the Message-ID dedupe on ``InboundEmail`` makes a re-read harmless anyway.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    email_address = models.EmailField(_("support address"))
    host = models.CharField(_("IMAP server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    use_ssl = models.BooleanField(_("TLS (IMAPS)"), default=True)
    username = models.CharField(_("user name"), max_length=255)
    password_encrypted = models.BinaryField(editable=False, default=b"")
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    uid_validity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def set_password(self, raw: str) -> None:
        self.password_encrypted = _fernet().encrypt(raw.encode())

    @property
    def password(self) -> str:
        if not self.password_encrypted:
            return ""
        try:
            return _fernet().decrypt(bytes(self.password_encrypted)).decode()
        except InvalidToken:
            return ""


class InboundEmail(models.Model):
    """One received email, kept with its raw source whatever became of it.

    ``outcome`` says what ingestion did: *created* a ticket, *threaded* onto one, *ignored* it
    (auto-reply, bounce) or *quarantined* it (``reason`` says why; administrators retry it).
    ``threading`` explains in words why it went where it went. Unique per
    (mailbox, Message-ID): the same message ingested twice creates nothing new.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        CREATED = "created", _("Created a ticket")
        THREADED = "threaded", _("Threaded")
        IGNORED = "ignored", _("Ignored")
        QUARANTINED = "quarantined", _("Quarantined")

    mailbox = models.ForeignKey(
        Mailbox, on_delete=models.PROTECT, null=True, blank=True, related_name="emails"
    )
    email_message_id = models.CharField(_("Message-ID"), max_length=998)
    source = models.CharField(_("source"), max_length=500, blank=True)
    raw = models.BinaryField(_("raw source"))
    size = models.PositiveIntegerField(_("size"), default=0)
    from_email = models.CharField(_("from"), max_length=320, blank=True)
    from_name = models.CharField(_("sender name"), max_length=300, blank=True)
    recipients = ArrayField(models.CharField(max_length=320), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=1000, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    threading = models.JSONField(_("why threaded here"), default=list, blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    refused_attachments = models.JSONField(_("refused attachments"), default=list, blank=True)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_emails"
    )
    message = models.OneToOneField(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_email"
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    received_at = models.DateTimeField(_("received"))
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "email_message_id"],
                name="inbound_mailbox_message_id_uniq",
                nulls_distinct=False,
            ),
        ]
        indexes = [
            models.Index(fields=["outcome", "-received_at"], name="inbound_outcome_idx"),
            models.Index(fields=["from_email", "received_at"], name="inbound_sender_idx"),
            models.Index(fields=["ticket"], name="inbound_ticket_idx"),
            models.Index(fields=["email_message_id"], name="inbound_message_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.email_message_id} ({self.outcome})"
