"""The agent's workspace around tickets: attachments, notifications, saved filters, macros."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from teams.models import Team
from tickets.models.core import Message, Ticket


def attachment_path(instance: "Attachment", filename: str) -> str:
    """Unguessable storage path; the client's file name is kept only in ``original_name``."""
    suffix = PurePosixPath(filename).suffix.lower()[:16]
    return f"attachments/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file attached to a message, stored through Django's storage API (local disk or S3).

    Served only by a view that checks the ticket's permissions, as a download with ``nosniff``.
    """

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    is_inline = models.BooleanField(_("inline image"), default=False)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["message"], name="attachment_message_idx")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type in {"image/png", "image/jpeg", "image/gif", "image/webp"}


class Notification(models.Model):
    """An in-app notice for one person (an @mention, an assignment, an SLA warning …)."""

    class Kind(models.TextChoices):
        MENTION = "mention", _("Mentioned in a note")
        ASSIGNED = "assigned", _("Ticket assigned to you")
        CLIENT_REPLIED = "client_replied", _("Client replied")
        ESCALATION = "escalation", _("Escalation")
        SLA = "sla", _("SLA warning or breach")
        COACHING = "coaching", _("QA review or coaching note")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.CharField(_("text"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_inbox_idx",
                condition=models.Q(read_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class SavedFilter(models.Model):
    """A named ticket-list filter (the query string of the list page), personal or team-shared."""

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="saved_filters",
        help_text=_("Shared with this team when set."),
    )
    query = models.JSONField(_("filters"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_filter_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Macro(models.Model):
    """A bilingual reply template with placeholders that may also set fields.

    Personal (``owner`` set) or shared with a team (``team`` set), never both. Placeholders:
    ``{client_name}``, ``{ticket_reference}``, ``{ticket_subject}``, ``{agent_name}``,
    ``{team_name}``.
    """

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="macros"
    )
    body_en = models.TextField(_("reply (English)"), blank=True)
    body_zh_hant = models.TextField(_("reply (Traditional Chinese)"), blank=True)
    set_status = models.CharField(
        _("set status"), max_length=20, choices=Ticket.Status.choices, blank=True
    )
    set_priority = models.PositiveSmallIntegerField(
        _("set priority"), choices=Ticket.Priority.choices, null=True, blank=True
    )
    add_tags = models.JSONField(_("add tags"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(owner__isnull=False) & models.Q(team__isnull=True))
                | (models.Q(owner__isnull=True) & models.Q(team__isnull=False)),
                name="macro_personal_xor_team",
            ),
            models.CheckConstraint(
                condition=~models.Q(body_en="", body_zh_hant=""), name="macro_has_a_body"
            ),
        ]

    def __str__(self) -> str:
        return self.name
