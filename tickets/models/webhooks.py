"""Outbound webhooks: URLs administrators register for ticket, SLA and report events, and the
delivery log."""

import secrets

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


def webhook_secret() -> str:
    return secrets.token_hex(32)


class Webhook(models.Model):
    """A URL that receives a signed POST for each event it subscribes to.

    Each delivery is signed with ``secret`` (HMAC-SHA256 over ``"<timestamp>.<body>"``); the
    receiver recomputes it to know the request came from this desk and was not replayed.
    """

    class Event(models.TextChoices):
        TICKET_CREATED = "ticket.created", _("Ticket created")
        TICKET_UPDATED = "ticket.updated", _("Ticket updated")
        TICKET_ESCALATED = "ticket.escalated", _("Ticket escalated")
        TICKET_RESOLVED = "ticket.resolved", _("Ticket resolved")
        SLA_WARNING = "sla.warning", _("SLA warning")
        SLA_BREACHED = "sla.breached", _("SLA breached")
        REPORT_GENERATED = "report.generated", _("Report generated")

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = ArrayField(
        models.CharField(max_length=40, choices=Event.choices), verbose_name=_("events")
    )
    secret = models.CharField(_("signing secret"), max_length=64, default=webhook_secret)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one webhook: the payload as it was when the event
    happened, and the outcome of the latest attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Retrying")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40)
    payload = models.JSONField()
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["webhook", "-id"], name="webhook_delivery_hook_idx")]

    def __str__(self) -> str:
        return f"{self.event} → {self.webhook_id} ({self.status})"
