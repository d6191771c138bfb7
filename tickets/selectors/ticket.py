"""Reads of one ticket for its page, pre-scoped to what the user may see.

The page runs a fixed number of queries whatever the length of the conversation: the ticket with
its client, category, team, assignee and resolution code (one join), then one query each for the
messages (with authors and attachments), the events (with actors), the links in both directions,
the client's other tickets and the choices of the editable fields (one UNION). The page is hot:
rows it only shows are read as plain values, and worked out here rather than in the template.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teams import access
from teams.models import Language, Team, User
from tickets import lifecycle
from tickets.models import (
    Attachment,
    Category,
    Message,
    ResolutionCode,
    Ticket,
    TicketEvent,
    TicketLink,
)
from tickets.selectors.queues import ticket_list_visible_to

CLIENT_OTHER_TICKETS = 5

# Labels of the fields an audit event may name (``TicketEvent.field``).
FIELD_LABELS: dict[str, Any] = {
    "subject": _("Subject"),
    "description": _("Description"),
    "status": _("Status"),
    "priority": _("Priority"),
    "category": _("Category"),
    "team": _("Team"),
    "assignee": _("Assignee"),
    "tags": _("Tags"),
    "language": _("Language"),
    "platform_os": _("Operating system"),
    "app_version": _("App version"),
    "channel": _("Channel"),
    "escalation_level": _("Escalation level"),
    "resolution_code": _("Resolution code"),
    "resolution_summary": _("Resolution summary"),
    "merged_into": _("Merged into"),
    "client": _("Client"),
    "related": _("Related ticket"),
    "follow_up_of": _("Follow-up of"),
    "follow_up": _("Follow-up"),
    "split_from": _("Split from"),
    "messages": _("Conversation"),
    "links": _("Linked tickets"),
    "internal_team": _("Internal team"),
    "escalation": _("Escalation (minutes between client updates)"),
}

# What an event's ``action`` says before the field it changed.
ACTION_LABELS: dict[str, Any] = {
    "created": _("created the ticket"),
    "field_changed": _("changed"),
    "updated": _("changed"),
    "status_changed": _("changed the status"),
    "priority_changed": _("changed"),
    "assigned": _("changed the assignee"),
    "transferred": _("transferred the ticket"),
    "escalated": _("escalated the ticket"),
    "resolved": _("resolved the ticket"),
    "closed": _("closed the ticket"),
    "reopened": _("reopened the ticket"),
    "routed": _("routing"),
    "handed_off": _("handed the ticket off"),
    "escalation_answered": _("recorded the answer"),
    "de_escalated": _("de-escalated the ticket"),
    "update_interval": _("set the client update interval"),
}

# Actions worded as one sentence around the event's new value (a reference, a level …).
ACTION_SENTENCES: dict[str, Any] = {
    "merged_into": _("merged this ticket into %(value)s"),
    "merged_from": _("merged %(value)s into this ticket"),
    "split_from": _("split this ticket from a message of %(value)s"),
    "split_to": _("split a client message into %(value)s"),
    "linked": _("linked %(value)s (%(kind)s)"),
    "message_moved_in": _("moved a client message here from %(value)s"),
    "message_moved_out": _("moved a client message to %(value)s"),
}

# Events that only echo a message shown in the conversation itself.
MESSAGE_ECHO_ACTIONS = frozenset({"replied", "noted", "client_message"})


@dataclass(frozen=True)
class EventLine:
    """An audit event worded for people: who changed what from what to what, and how."""

    event: TicketEvent
    action_label: Any
    field_label: Any
    old_display: str
    new_display: str
    sentence: str = ""


@dataclass(frozen=True)
class AttachmentLine:
    """An attachment of a message, ready to show (its size for people)."""

    pk: int
    original_name: str
    is_image: bool
    size_display: str


@dataclass(frozen=True)
class MessageLine:
    """A message of the conversation as the page shows it, read with its author's name and its
    attachments in one query and worked out in Python (times in the current time zone, as the
    ``date`` filter shows them), so that the template runs no filters or lookups per message."""

    pk: int
    kind: str
    body: str
    body_html: str
    language: str
    created_at: datetime
    author_name: str
    created_iso: str
    created_display: str
    channel_label: str
    attachments: list[AttachmentLine]
    channel: str = ""


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a ticket's page: a message or an audit event, in time order."""

    created_at: datetime
    message: MessageLine | None = None
    event: EventLine | None = None

    @property
    def is_message(self) -> bool:
        return self.message is not None


@dataclass(frozen=True)
class LinkedTicket:
    """Another ticket linked to this one, and how (seen from this ticket)."""

    ticket: Ticket
    label: Any
    kind: str


def ticket_detail_for(*, user: Any, ticket_id: int) -> Ticket:
    """One ticket with its conversation, attachments and audit trail; 404 when outside the
    user's scope. Three queries: the ticket (with its client, category, team, assignee and
    resolution code), its messages with their authors and attachments (``page_messages``, see
    ``MessageLine``) and its events with their actors (``page_events``) — read by hand, which
    is much cheaper than ``prefetch_related`` on this hot page. Only the columns the page shows
    are read."""
    queryset = (
        ticket_list_visible_to(user=user)
        .select_related("resolution_code")
        .defer(
            "team__description",
            "team__email",
            "team__created_at",
            "category__slug",
            "category__position",
            "category__is_active",
            "assignee__password",
            "assignee__last_login",
            "assignee__date_joined",
            "resolution_code__slug",
            "resolution_code__is_active",
        )
    )
    ticket = access.get_visible_or_404(queryset, pk=ticket_id)
    ticket.page_messages = _message_lines(ticket)
    ticket.page_events = list(
        TicketEvent.objects.filter(ticket_id=ticket.pk)
        .select_related("actor")
        .only(*EVENT_COLUMNS)
        .order_by("created_at", "pk")
    )
    return ticket


def _messages(ticket: Ticket) -> list[MessageLine]:
    """The ticket's messages in time order: those ``ticket_detail_for`` read, or a query."""
    messages = getattr(ticket, "page_messages", None)
    if messages is None:
        messages = _message_lines(ticket)
    return messages


def _message_lines(ticket: Ticket) -> list[MessageLine]:
    """The ticket's messages in time order, each with its attachments (one query: a message
    with several attachments comes once per attachment)."""
    rows = (
        Message.objects.filter(ticket_id=ticket.pk)
        .order_by("created_at", "pk", "attachments__id")
        .values_list(*MESSAGE_COLUMNS)
    )
    channel_labels = dict(Message._meta.get_field("channel").flatchoices)
    client_name = ticket.client.name
    lines: list[MessageLine] = []
    for (
        pk,
        kind,
        author_id,
        author_full_name,
        author_email,
        message_client_name,
        body,
        body_html,
        language,
        channel,
        created_at,
        attachment_id,
        attachment_name,
        attachment_type,
        attachment_size,
    ) in rows:
        if not lines or lines[-1].pk != pk:
            if author_id is not None:
                author_name = author_full_name or author_email
            else:
                author_name = message_client_name or client_name
            created = timezone.localtime(created_at)
            lines.append(
                MessageLine(
                    pk=pk,
                    kind=kind,
                    body=body,
                    body_html=body_html,
                    language=language,
                    created_at=created_at,
                    author_name=author_name,
                    created_iso=created.isoformat(),
                    created_display=f"{created.year:04d}-{created.month:02d}-{created.day:02d}"
                    f" {created.hour:02d}:{created.minute:02d}",
                    channel_label=str(channel_labels.get(channel, channel)),
                    attachments=[],
                    channel=channel,
                )
            )
        if attachment_id is not None:
            lines[-1].attachments.append(
                AttachmentLine(
                    pk=attachment_id,
                    original_name=attachment_name,
                    is_image=Attachment(content_type=attachment_type).is_image,
                    size_display=filesizeformat(attachment_size),
                )
            )
    return lines


MESSAGE_COLUMNS = (
    "pk",
    "kind",
    "author_id",
    "author__full_name",
    "author__email",
    "client__name",
    "body",
    "body_html",
    "language",
    "channel",
    "created_at",
    "attachments__id",
    "attachments__original_name",
    "attachments__content_type",
    "attachments__size",
)
EVENT_COLUMNS = (
    "id",
    "ticket_id",
    "actor_id",
    "action",
    "field",
    "old_value",
    "new_value",
    "source",
    "created_at",
    "actor__full_name",
    "actor__email",
)


def ticket_for_action(*, user: Any, ticket_id: int) -> Ticket:
    """The ticket an action is about, without its conversation; 404 outside the user's scope."""
    return access.get_visible_or_404(ticket_list_visible_to(user=user), pk=ticket_id)


def ticket_by_reference(*, user: Any, reference: str) -> Ticket | None:
    """A ticket the user may see, from "SD-004217", "SD-4217", "#4217" or "4217"; None otherwise
    (whether it does not exist or is out of scope, so that nothing leaks)."""
    text = (reference or "").strip().upper().removeprefix("SD").lstrip("-# ")
    if not text.isdigit() or len(text) > 12:
        return None
    return ticket_list_visible_to(user=user).filter(pk=int(text)).first()


def ticket_timeline(*, ticket: Ticket) -> list[TimelineEntry]:
    """Messages and audit events interleaved by time (messages first at the same instant, so that
    a reply comes before the status change it made). Uses the rows ``ticket_detail_for`` read."""
    entries = [
        (message.created_at, 0, message.pk, TimelineEntry(message.created_at, message=message))
        for message in _messages(ticket)
    ]
    events = getattr(ticket, "page_events", None)
    if events is None:
        events = ticket.events.select_related("actor").order_by("created_at", "pk")
    entries += [
        (event.created_at, 1, event.pk, TimelineEntry(event.created_at, event=event_line(event)))
        for event in events
        if event.action not in MESSAGE_ECHO_ACTIONS
    ]
    entries.sort(key=lambda row: row[:3])
    return [row[3] for row in entries]


def ticket_description_is_a_message(*, ticket: Ticket) -> bool:
    """Whether the description is already in the conversation as a client message (a ticket
    split from a message or opened by a client writing to a closed one starts with it), so
    that the page does not show it twice. Uses the prefetched messages."""
    description = ticket.description.strip()
    return any(
        message.kind == Message.Kind.CLIENT and message.body.strip() == description
        for message in _messages(ticket)
    )


def ticket_links(*, ticket: Ticket) -> list[LinkedTicket]:
    """The tickets linked to this one in either direction, each with the link seen from here
    (one query: the links from this ticket first, then those to it, each in time order)."""
    inverse_labels = {
        TicketLink.Kind.RELATED: _("Related to"),
        TicketLink.Kind.MERGED_INTO: _("Merged from"),
        TicketLink.Kind.SPLIT_FROM: _("Split into"),
        TicketLink.Kind.FOLLOW_UP_OF: _("Followed up by"),
    }
    rows = (
        TicketLink.objects.filter(Q(source_id=ticket.pk) | Q(target_id=ticket.pk))
        .order_by("created_at", "pk")
        .values_list(
            "kind",
            "source_id",
            "source__subject",
            "source__status",
            "target_id",
            "target__subject",
            "target__status",
        )
    )
    kind_labels = dict(TicketLink._meta.get_field("kind").flatchoices)
    outgoing: list[LinkedTicket] = []
    incoming: list[LinkedTicket] = []
    for (
        kind,
        source_id,
        source_subject,
        source_status,
        target_id,
        target_subject,
        target_status,
    ) in rows:
        if source_id == ticket.pk:
            outgoing.append(
                LinkedTicket(
                    ticket=Ticket(pk=target_id, subject=target_subject, status=target_status),
                    label=kind_labels.get(kind, kind),
                    kind=kind,
                )
            )
        if target_id == ticket.pk:
            incoming.append(
                LinkedTicket(
                    ticket=Ticket(pk=source_id, subject=source_subject, status=source_status),
                    label=inverse_labels.get(kind, kind),
                    kind=kind,
                )
            )
    return outgoing + incoming


def client_other_tickets(*, user: Any, ticket: Ticket) -> list[Ticket]:
    """The client's latest other tickets the user may see (``CLIENT_OTHER_TICKETS`` at most)."""
    rows = (
        ticket_list_visible_to(user=user)
        .filter(client_id=ticket.client_id)
        .exclude(pk=ticket.pk)
        .order_by("-created_at")
        .values_list("pk", "subject", "status", "created_at")[:CLIENT_OTHER_TICKETS]
    )
    return [
        Ticket(pk=pk, subject=subject, status=status, created_at=created_at)
        for pk, subject, status, created_at in rows
    ]


def assignable_members(*, team_id: int) -> QuerySet[User]:
    """People who may be assigned a ticket of this team: its members."""
    return User.objects.filter(memberships__team_id=team_id, is_active=True).order_by("full_name")


def category_choices() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def resolution_code_choices() -> QuerySet[ResolutionCode]:
    return ResolutionCode.objects.filter(is_active=True)


def team_choices() -> QuerySet[Team]:
    """Teams a ticket may be moved to: every team (work is handed over across teams)."""
    return Team.objects.order_by("name")


@dataclass(frozen=True)
class ResolutionCodeChoice:
    """A resolution code as the resolve dialog lists it."""

    pk: int
    name_en: str
    name_zh_hant: str

    @property
    def value(self) -> str:
        """The option's value, as the form posts it back."""
        return str(self.pk)


@dataclass(frozen=True)
class EditChoices:
    """The choices of the page's selects, read in one query (see ``page_choices``)."""

    categories: list[tuple[int, str, str]]
    teams: list[tuple[int, str]]
    members: list[tuple[int, str, str]]
    resolution_codes: list[ResolutionCodeChoice]


def page_choices(*, team_id: int) -> EditChoices:
    """Active categories, every team, the team's active members and active resolution codes —
    the rows and order of ``category_choices``, ``team_choices``, ``assignable_members`` and
    ``resolution_code_choices`` — in one query. Written in SQL: the page is hot, and building
    the same UNION with the ORM costs more than running it."""
    found: dict[str, list] = {"c": [], "t": [], "u": [], "r": []}
    with connection.cursor() as cursor:
        cursor.execute(PAGE_CHOICES_SQL, [team_id])
        for kind, pk, a, b, _number, _text in cursor.fetchall():
            found[kind].append((pk, a, b))
    return EditChoices(
        categories=found["c"],
        teams=[(pk, a) for pk, a, _b in found["t"]],
        members=found["u"],
        resolution_codes=[ResolutionCodeChoice(pk, a, b) for pk, a, b in found["r"]],
    )


# ``page_choices`` in SQL (the tables of Category, Team, User, TeamMembership, ResolutionCode).
PAGE_CHOICES_SQL = """
SELECT 'c' AS kind, id, name_en, name_zh_hant, position AS n, slug AS t
  FROM tickets_category WHERE is_active
UNION ALL
SELECT 't', id, name, '', 0, name FROM teams_team
UNION ALL
SELECT 'u', u.id, u.full_name, u.email, 0, u.full_name
  FROM teams_user u INNER JOIN teams_teammembership m ON m.user_id = u.id
 WHERE m.team_id = %s AND u.is_active
UNION ALL
SELECT 'r', id, name_en, name_zh_hant, 0, slug FROM tickets_resolutioncode WHERE is_active
ORDER BY kind, n, t
"""


def status_choices(*, ticket: Ticket) -> list[tuple[str, Any]]:
    """The statuses the ticket may move to now, per ``tickets.lifecycle``, in lifecycle order."""
    allowed = lifecycle.allowed_transitions(ticket.status)
    return [(value, label) for value, label in Ticket.Status.choices if value in allowed]


def language_choices() -> list[tuple[str, str]]:
    return list(Language.choices)


def event_line(event: TicketEvent) -> EventLine:
    """Word one audit event: its action, the field's label and both values for people."""
    action = ACTION_LABELS.get(event.action) or event.action.replace("_", " ")
    field_label = FIELD_LABELS.get(event.field, event.field.replace("_", " "))
    sentence = ""
    if event.action in ACTION_SENTENCES:
        sentence = str(ACTION_SENTENCES[event.action]) % {
            "value": event.new_value,
            "kind": str(field_label).lower(),
        }
    return EventLine(
        event=event,
        action_label=action,
        field_label=field_label,
        old_display=event_value_display(event.field, event.old_value),
        new_display=event_value_display(event.field, event.new_value),
        sentence=sentence,
    )


def event_value_display(field: str, value: str) -> str:
    """An event's old or new value for people: status and priority codes as their labels."""
    if not value:
        return value
    try:
        if field == "status":
            return str(Ticket.Status(value).label)
        if field == "priority":
            return str(Ticket.Priority(int(value)).label)
        if field == "channel":
            return str(Ticket.Channel(value).label)
        if field == "language":
            return str(Language(value).label)
    except ValueError:
        return value
    return value


def attachment_visible_to(*, user: Any, attachment_id: int) -> Attachment:
    """An attachment whose ticket the user may see; 404 otherwise (its existence must not
    leak)."""
    queryset = access.scope_to_visible_teams(
        user, Attachment.objects.all(), team_field="message__ticket__team"
    )
    return access.get_visible_or_404(queryset, pk=attachment_id)
