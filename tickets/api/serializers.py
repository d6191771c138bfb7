"""Shapes of tickets, messages, clients and articles in the API, and validation of input.

Serializers validate types and shape only; every write goes through ``tickets.services`` (which
checks permission, the lifecycle and the version, and writes the audit trail).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from supportdesk.api.serializers import StrictSerializer
from teams.models import Language
from tickets.models import Article, Attachment, Client, Message, Ticket
from tickets.services.tickets import (
    BODY_MAX_LENGTH,
    MAX_TAGS,
    SUBJECT_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    TAG_MAX_LENGTH,
)

PK_MAX = 2**63 - 1
_DATETIME = serializers.DateTimeField()


def _datetime(value: Any) -> str | None:
    """As DRF's DateTimeField writes it (ISO 8601 in the active time zone)."""
    return None if value is None else _DATETIME.to_representation(value)


def _pk_field(**kwargs: Any) -> serializers.IntegerField:
    kwargs.setdefault("max_value", PK_MAX)
    return serializers.IntegerField(min_value=1, **kwargs)


class TeamRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class CategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    slug = serializers.CharField(read_only=True)
    name_en = serializers.CharField(read_only=True)
    name_zh_hant = serializers.CharField(read_only=True)


class ClientRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    email = serializers.EmailField(read_only=True)
    account_number = serializers.CharField(read_only=True, allow_null=True)


class TicketSerializer(serializers.ModelSerializer):
    """A ticket in a list (staff view): everything but its long texts."""

    audience = serializers.SerializerMethodField(help_text="“staff”: the staff view of a ticket.")
    reference = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=Ticket.Status.choices, read_only=True)
    team = TeamRefSerializer(read_only=True)
    category = CategoryRefSerializer(read_only=True)
    client = ClientRefSerializer(read_only=True)
    assignee = PersonRefSerializer(read_only=True, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Ticket
        fields = (
            "audience",
            "id",
            "reference",
            "subject",
            "status",
            "priority",
            "channel",
            "language",
            "tags",
            "team",
            "category",
            "client",
            "assignee",
            "escalation_level",
            "platform_os",
            "app_version",
            "sla_due_at",
            "sla_breached",
            "version",
            "created_at",
            "updated_at",
            "first_public_reply_at",
            "resolved_at",
            "closed_at",
        )
        read_only_fields = fields

    @extend_schema_field({"type": "string", "enum": ["staff"]})
    def get_audience(self, ticket: Ticket) -> str:
        return "staff"

    def to_representation(self, ticket: Ticket) -> dict[str, Any]:
        # Hand-built: lists serialise up to 100 rows per request, and DRF's per-field machinery
        # costs several times more. The declared fields above remain the schema; the schema
        # tests check that both agree.
        team, category, client, assignee = (
            ticket.team, ticket.category, ticket.client, ticket.assignee,
        )  # fmt: skip
        return {
            "audience": "staff",
            "id": ticket.pk,
            "reference": ticket.reference,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "channel": ticket.channel,
            "language": ticket.language,
            "tags": list(ticket.tags),
            "team": {"id": team.pk, "slug": team.slug, "name": team.name},
            "category": {
                "id": category.pk,
                "slug": category.slug,
                "name_en": category.name_en,
                "name_zh_hant": category.name_zh_hant,
            },
            "client": {
                "id": client.pk,
                "name": client.name,
                "email": client.email,
                "account_number": client.account_number,
            },
            "assignee": (
                {"id": assignee.pk, "full_name": assignee.full_name} if assignee else None
            ),
            "escalation_level": ticket.escalation_level,
            "platform_os": ticket.platform_os,
            "app_version": ticket.app_version,
            "sla_due_at": _datetime(ticket.sla_due_at),
            "sla_breached": ticket.sla_breached,
            "version": ticket.version,
            "created_at": _datetime(ticket.created_at),
            "updated_at": _datetime(ticket.updated_at),
            "first_public_reply_at": _datetime(ticket.first_public_reply_at),
            "resolved_at": _datetime(ticket.resolved_at),
            "closed_at": _datetime(ticket.closed_at),
        }


def ticket_rows_representation(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of ``tickets.selectors.queues.ticket_list_rows_page`` as ``TicketSerializer``
    writes the tickets (the same keys, values and order; a test compares both)."""
    # As DRF's DateTimeField writes a time (ISO 8601 in the active time zone, "Z" for UTC),
    # with the time zone looked up once for the page rather than once per value.
    zone = timezone.get_current_timezone()

    def iso(value: datetime | None) -> str | None:
        if value is None:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return [_ticket_row(row, iso) for row in rows]


def _ticket_row(row: dict[str, Any], iso: Callable[[Any], str | None]) -> dict[str, Any]:
    assignee_id = row["assignee_id"]
    return {
        "audience": "staff",
        "id": row["id"],
        "reference": f"SD-{row['id']:06d}",
        "subject": row["subject"],
        "status": row["status"],
        "priority": row["priority"],
        "channel": row["channel"],
        "language": row["language"],
        "tags": list(row["tags"]),
        "team": {"id": row["team_id"], "slug": row["team__slug"], "name": row["team__name"]},
        "category": {
            "id": row["category_id"],
            "slug": row["category__slug"],
            "name_en": row["category__name_en"],
            "name_zh_hant": row["category__name_zh_hant"],
        },
        "client": {
            "id": row["client_id"],
            "name": row["client__name"],
            "email": row["client__email"],
            "account_number": row["client__account_number"],
        },
        "assignee": (
            {"id": assignee_id, "full_name": row["assignee__full_name"]}
            if assignee_id is not None
            else None
        ),
        "escalation_level": row["escalation_level"],
        "platform_os": row["platform_os"],
        "app_version": row["app_version"],
        "sla_due_at": iso(row["sla_due_at"]),
        "sla_breached": row["sla_breached"],
        "version": row["version"],
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
        "first_public_reply_at": iso(row["first_public_reply_at"]),
        "resolved_at": iso(row["resolved_at"]),
        "closed_at": iso(row["closed_at"]),
    }


class TicketDetailSerializer(TicketSerializer):
    """One ticket (staff view): with its description and resolution."""

    def to_representation(self, ticket: Ticket) -> dict[str, Any]:
        data = super().to_representation(ticket)
        data.update(
            description=ticket.description,
            resolution_code=ticket.resolution_code.slug if ticket.resolution_code else None,
            resolution_summary=ticket.resolution_summary,
            merged_into=ticket.merged_into_id,
        )
        return data

    resolution_code = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta(TicketSerializer.Meta):
        fields = (*TicketSerializer.Meta.fields, "description", "resolution_code",
                  "resolution_summary", "merged_into")  # fmt: skip
        read_only_fields = fields


class ClientTicketSerializer(serializers.ModelSerializer):
    """A ticket as its client sees it: no assignee, tags, escalation or internal fields."""

    audience = serializers.SerializerMethodField(help_text="“client”: the client's view.")
    reference = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=Ticket.Status.choices, read_only=True)
    category = CategoryRefSerializer(read_only=True)

    class Meta:
        model = Ticket
        fields = (
            "audience",
            "id",
            "reference",
            "subject",
            "status",
            "priority",
            "channel",
            "language",
            "category",
            "created_at",
            "updated_at",
            "resolved_at",
            "closed_at",
        )
        read_only_fields = fields

    @extend_schema_field({"type": "string", "enum": ["client"]})
    def get_audience(self, ticket: Ticket) -> str:
        return "client"


class TicketCreateSerializer(StrictSerializer):
    client = _pk_field()
    subject = serializers.CharField(max_length=SUBJECT_MAX_LENGTH)
    description = serializers.CharField(max_length=BODY_MAX_LENGTH)
    category = _pk_field()
    team = _pk_field()
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices, default=3)
    channel = serializers.ChoiceField(choices=Ticket.Channel.choices, default="web")
    language = serializers.ChoiceField(choices=Language.choices, default="en")
    tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_MAX_LENGTH), max_length=MAX_TAGS, default=list
    )
    platform_os = serializers.CharField(max_length=100, allow_blank=True, default="")
    app_version = serializers.CharField(max_length=50, allow_blank=True, default="")
    assignee = _pk_field(allow_null=True, default=None)


class TicketUpdateSerializer(StrictSerializer):
    """A partial edit; ``version`` is the version the caller read (409 when stale)."""

    version = _pk_field(max_value=2**31 - 1)
    subject = serializers.CharField(max_length=SUBJECT_MAX_LENGTH, required=False)
    priority = serializers.ChoiceField(choices=Ticket.Priority.choices, required=False)
    category = _pk_field(required=False)
    team = _pk_field(required=False)
    assignee = _pk_field(required=False, allow_null=True)
    tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_MAX_LENGTH), max_length=MAX_TAGS, required=False
    )
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    channel = serializers.ChoiceField(choices=Ticket.Channel.choices, required=False)
    platform_os = serializers.CharField(max_length=100, allow_blank=True, required=False)
    app_version = serializers.CharField(max_length=50, allow_blank=True, required=False)
    confirmed = serializers.BooleanField(
        required=False,
        help_text=(
            "Assign anyway when the new assignee is off shift or not available (otherwise "
            "409 needs_confirmation). Over capacity and outside the team stay refused."
        ),
    )


class TicketTransitionSerializer(StrictSerializer):
    to_status = serializers.ChoiceField(choices=Ticket.Status.choices)
    version = _pk_field(max_value=2**31 - 1, required=False)
    resolution_code = serializers.CharField(max_length=50, required=False, allow_blank=True)
    resolution_summary = serializers.CharField(
        max_length=SUMMARY_MAX_LENGTH, required=False, allow_blank=True
    )


class TicketAssignSerializer(StrictSerializer):
    assignee = _pk_field(allow_null=True)
    confirmed = serializers.BooleanField(
        required=False,
        help_text=(
            "Assign anyway when the new assignee is off shift or not available (otherwise "
            "409 needs_confirmation). Over capacity and outside the team stay refused."
        ),
    )


class TicketEscalateSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=BODY_MAX_LENGTH)


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ("id", "original_name", "content_type", "size", "sha256", "download_url")
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_download_url(self, attachment: Attachment) -> str:
        return reverse("api:attachment-download", kwargs={"pk": attachment.pk})


class MessageSerializer(serializers.ModelSerializer):
    author = PersonRefSerializer(read_only=True, allow_null=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = (
            "id",
            "kind",
            "author",
            "body",
            "body_html",
            "language",
            "channel",
            "created_at",
            "attachments",
        )
        read_only_fields = fields


class MessageCreateSerializer(StrictSerializer):
    """A reply or an internal note (staff), or a message from the client (``kind`` ignored for
    clients). JSON, or multipart with ``files`` for attachments."""

    kind = serializers.ChoiceField(
        choices=[
            (Message.Kind.REPLY, Message.Kind.REPLY.label),
            (Message.Kind.NOTE, Message.Kind.NOTE.label),
        ],
        default="reply",
    )
    body = serializers.CharField(max_length=BODY_MAX_LENGTH)
    set_status = serializers.ChoiceField(choices=Ticket.Status.choices, required=False)
    version = _pk_field(max_value=2**31 - 1, required=False)
    files = serializers.ListField(child=serializers.FileField(), required=False, max_length=5)

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "getlist"):
            # A multipart form: several "files" parts are one list; other fields are single.
            plain = {key: data.get(key) for key in data if key != "files"}
            if "files" in data:
                plain["files"] = data.getlist("files")
            data = plain
        return super().to_internal_value(data)


class ClientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Client
        fields = (
            "id",
            "name",
            "email",
            "account_number",
            "language",
            "region",
            "time_zone",
            "tier",
            "created_at",
        )
        read_only_fields = fields


class ArticleSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    category = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Article
        fields = (
            "id",
            "reference",
            "category",
            "title_en",
            "title_zh_hant",
            "body_en",
            "body_zh_hant",
            "is_published",
            "version",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields
