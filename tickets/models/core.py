"""Tickets, the clients who raise them, their conversation and their audit trail."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from teams.models import Language, Team


class Category(models.Model):
    """What a ticket is about (desktop platform, funding …); administrators edit the list."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name_en

    def localized_name(self, language_code: str) -> str:
        return self.name_zh_hant if language_code.startswith("zh") else self.name_en


class ResolutionCode(models.Model):
    """Why a ticket was resolved (fixed by agent, user error, known issue …); editable list."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh_hant = models.CharField(_("name (Traditional Chinese)"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("resolution code")
        verbose_name_plural = _("resolution codes")
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name_en

    def localized_name(self, language_code: str) -> str:
        return self.name_zh_hant if language_code.startswith("zh") else self.name_en


class Client(models.Model):
    """A brokerage client who contacts the desk (the requester of tickets)."""

    class Tier(models.TextChoices):
        STANDARD = "standard", _("Standard")
        PRO = "pro", _("Pro")
        INSTITUTIONAL = "institutional", _("Institutional")

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"), unique=True)
    account_number = models.CharField(
        _("account number"), max_length=20, unique=True, null=True, blank=True
    )
    language = models.CharField(
        _("preferred language"), max_length=10, choices=Language.choices, blank=True
    )
    region = models.CharField(
        _("region"), max_length=2, blank=True, help_text=_("ISO 3166 country code")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.STANDARD)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client_profile",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]
        indexes = [
            # Inbound email finds the sender's client by address in any case (email__iexact).
            models.Index(Upper("email"), name="client_email_upper_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


# Shared by the partial indexes below and the list queries (tickets/filters.py), so that the
# SQL of a query is exactly the indexed expression.
OPEN_STATUS_VALUES = ("new", "open", "pending_client", "pending_internal", "on_hold")
LIFECYCLE_ORDER = (*OPEN_STATUS_VALUES, "resolved", "closed")
OPEN_TICKET = models.Q(status__in=OPEN_STATUS_VALUES)
STATUS_RANK = models.Case(
    *[
        models.When(status=status, then=models.Value(rank))
        for rank, status in enumerate(LIFECYCLE_ORDER)
    ],
    output_field=models.IntegerField(),
)


class Ticket(models.Model):
    """A client's request, worked by a team until resolved and closed."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        PENDING_CLIENT = "pending_client", _("Pending client")
        PENDING_INTERNAL = "pending_internal", _("Pending internal")
        ON_HOLD = "on_hold", _("On hold")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Priority(models.IntegerChoices):
        URGENT = 1, _("P1 urgent")
        HIGH = 2, _("P2 high")
        NORMAL = 3, _("P3 normal")
        LOW = 4, _("P4 low")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WEB = "web", _("Web")
        PHONE = "phone", _("Phone")
        CHAT = "chat", _("Chat")

    OPEN_STATUSES = (
        Status.NEW,
        Status.OPEN,
        Status.PENDING_CLIENT,
        Status.PENDING_INTERNAL,
        Status.ON_HOLD,
    )

    subject = models.CharField(_("subject"), max_length=250)
    description = models.TextField(_("description"))
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="tickets")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="tickets")
    platform_os = models.CharField(_("operating system"), max_length=100, blank=True)
    app_version = models.CharField(_("app version"), max_length=50, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ENGLISH
    )
    tags = ArrayField(
        models.CharField(max_length=50), default=list, blank=True, verbose_name=_("tags")
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="tickets")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    resolution_code = models.ForeignKey(
        ResolutionCode, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    resolution_summary = models.TextField(_("resolution summary"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_tickets",
        verbose_name=_("merged into"),
    )
    sla_due_at = models.DateTimeField(
        _("next SLA due time"),
        null=True,
        blank=True,
        help_text="Earliest due time among the ticket's running SLA clocks (kept by metrics.sla).",
    )
    sla_breached = models.BooleanField(
        _("SLA breached"),
        default=False,
        db_default=False,
        help_text="True while any SLA clock of the ticket is breached (kept by metrics.sla).",
    )
    version = models.PositiveIntegerField(default=1, help_text="Optimistic-locking counter.")
    created_at = models.DateTimeField(_("created"), db_index=False)
    updated_at = models.DateTimeField(_("updated"))
    first_public_reply_at = models.DateTimeField(_("first public reply"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["team", "status", "-created_at"], name="ticket_team_status_idx"),
            models.Index(
                fields=["assignee", "status", "-updated_at"], name="ticket_assignee_status_idx"
            ),
            models.Index(fields=["client", "-created_at"], name="ticket_client_idx"),
            models.Index(fields=["-created_at"], name="ticket_created_idx"),
            # Keyset pagination of the queues (tickets/filters.py): one index per sort, partial
            # on open tickets, per team (team queue, Unassigned) and per assignee (My tickets).
            *[
                models.Index(
                    fields=[owner, key, "id"],
                    condition=OPEN_TICKET,
                    name=f"ticket_open_{owner[:4]}_{key[:4]}_idx",
                )
                for owner in ("team", "assignee")
                for key in ("priority", "created_at", "updated_at", "subject")
            ],
            models.Index(
                models.F("team"),
                STATUS_RANK,
                models.F("id"),
                condition=OPEN_TICKET,
                name="ticket_open_team_stat_idx",
            ),
            models.Index(
                models.F("assignee"),
                STATUS_RANK,
                models.F("id"),
                condition=OPEN_TICKET,
                name="ticket_open_assi_stat_idx",
            ),
            # All tickets (managers), every status.
            models.Index(fields=["priority", "id"], name="ticket_priority_id_idx"),
            models.Index(
                fields=["team", "sla_due_at", "id"],
                name="ticket_team_sla_due_idx",
                condition=OPEN_TICKET,
            ),
            models.Index(fields=["updated_at", "id"], name="ticket_updated_id_idx"),
            models.Index(fields=["subject", "id"], name="ticket_subject_id_idx"),
            models.Index(STATUS_RANK, models.F("id"), name="ticket_status_rank_idx"),
            GinIndex(fields=["tags"], name="ticket_tags_gin_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="resolved")
                | (models.Q(resolution_code__isnull=False) & ~models.Q(resolution_summary="")),
                name="ticket_resolved_has_resolution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        return f"SD-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class TicketLink(models.Model):
    """A directed link between two tickets, recorded at both ends by the services.

    ``kind`` says how ``source`` relates to ``target``: *related*, *merged into* (source was a
    duplicate folded into target), *split from* (source was created from a message of target),
    *follow-up of* (source was opened by a client writing to the closed target).
    """

    class Kind(models.TextChoices):
        RELATED = "related", _("Related to")
        MERGED_INTO = "merged_into", _("Merged into")
        SPLIT_FROM = "split_from", _("Split from")
        FOLLOW_UP_OF = "follow_up_of", _("Follow-up of")

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(_("link"), max_length=20, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="ticket_link_unique"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="ticket_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"


class Message(models.Model):
    """One entry of a ticket's conversation: a client message, a public reply or an internal note.

    ``body`` is the author's Markdown (or the text of an email); ``body_html`` is its sanitised
    rendering, computed once by the service that stores the message.
    """

    class Kind(models.TextChoices):
        CLIENT = "client", _("Client message")
        REPLY = "reply", _("Public reply")
        NOTE = "note", _("Internal note")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    client = models.ForeignKey(
        Client, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    body = models.TextField(_("body"))
    body_html = models.TextField(blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ENGLISH
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Ticket.Channel.choices, default=Ticket.Channel.WEB
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["ticket", "created_at"], name="message_ticket_time_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="client") & models.Q(author__isnull=True))
                | (~models.Q(kind="client") & models.Q(author__isnull=False)),
                name="message_author_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.ticket_id}"

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.NOTE


class TicketEvent(models.Model):
    """One immutable line of a ticket's audit trail: what changed, from what, to what, by whom,
    when and through which channel. Written in the same transaction as the change."""

    class Source(models.TextChoices):
        WEB = "web", _("Web")
        API = "api", _("API")
        EMAIL = "email", _("Email")
        AUTOMATION = "automation", _("Automation")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40)
    field = models.CharField(_("field"), max_length=40, blank=True)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.WEB
    )
    created_at = models.DateTimeField(_("time"))
    ticket_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The ticket's version after this change (lists what a stale save missed).",
    )

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket_time_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.field} on {self.ticket_id}"
