"""Email sent to clients: one row per outgoing message, written before it is sent."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.core import Message, Ticket


class OutboundEmail(models.Model):
    """An email to a client, committed to the database before any attempt to send it.

    ``email_message_id`` is the RFC 5322 Message-ID we generate (with angle brackets); inbound
    replies are threaded first by matching their In-Reply-To/References against it. ``message``
    is the public reply it carries (``None`` for notifications such as *ticket received*).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="outbound_emails")
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="emails"
    )
    kind = models.CharField(_("kind"), max_length=30)
    email_message_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=255, blank=True)
    references = models.TextField(_("References"), blank=True)
    to_address = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="outbound_ticket_time_idx"),
            models.Index(
                fields=["created_at"],
                name="outbound_unsent_idx",
                condition=~models.Q(status="sent"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.subject}"
