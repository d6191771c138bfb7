"""Reads of one ticket for its page, pre-scoped to what the user may see.

The page runs a fixed number of queries whatever the length of the conversation: the ticket with
its client, category, team, assignee and resolution code (one join), then one query each for the
messages (with authors), their attachments, the events (with actors), the links in each
direction, the client's other tickets and the choices of the editable fields.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
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
}

# Actions worded as one sentence around the event's new value (a reference, a level …).
ACTION_SENTENCES: dict[str, Any] = {
    "merged_into": _("merged this ticket into %(value)s"),
    "merged_from": _("merged %(value)s into this ticket"),
    "split_from": _("split this ticket from a message of %(value)s"),
    "split_to": _("split a client message into %(value)s"),
    "linked": _("linked %(value)s (%(kind)s)"),
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
class TimelineEntry:
    """One line of a ticket's page: a message or an audit event, in time order."""

    created_at: datetime
    message: Message | None = None
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
    """One ticket with its conversation, attachments, audit trail and links; 404 when outside
    the user's scope."""
    queryset = (
        ticket_list_visible_to(user=user)
        .select_related("resolution_code", "merged_into")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.select_related("author", "client")
                .prefetch_related(
                    Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
                )
                .order_by("created_at", "pk"),
            ),
            Prefetch(
                "events",
                queryset=TicketEvent.objects.select_related("actor").order_by("created_at", "pk"),
            ),
            Prefetch(
                "links_out",
                queryset=TicketLink.objects.select_related("target").order_by("created_at"),
            ),
            Prefetch(
                "links_in",
                queryset=TicketLink.objects.select_related("source").order_by("created_at"),
            ),
        )
    )
    return access.get_visible_or_404(queryset, pk=ticket_id)


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
    a reply comes before the status change it made). Uses the prefetched rows."""
    entries = [
        (message.created_at, 0, message.pk, TimelineEntry(message.created_at, message=message))
        for message in ticket.messages.all()
    ]
    entries += [
        (event.created_at, 1, event.pk, TimelineEntry(event.created_at, event=event_line(event)))
        for event in ticket.events.all()
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
        for message in ticket.messages.all()
    )


def ticket_links(*, ticket: Ticket) -> list[LinkedTicket]:
    """The tickets linked to this one in either direction, each with the link seen from here."""
    inverse_labels = {
        TicketLink.Kind.RELATED: _("Related to"),
        TicketLink.Kind.MERGED_INTO: _("Merged from"),
        TicketLink.Kind.SPLIT_FROM: _("Split into"),
        TicketLink.Kind.FOLLOW_UP_OF: _("Followed up by"),
    }
    links = [
        LinkedTicket(ticket=link.target, label=link.get_kind_display(), kind=link.kind)
        for link in ticket.links_out.all()
    ]
    links += [
        LinkedTicket(
            ticket=link.source, label=inverse_labels.get(link.kind, link.kind), kind=link.kind
        )
        for link in ticket.links_in.all()
    ]
    return links


def client_other_tickets(*, user: Any, ticket: Ticket) -> list[Ticket]:
    """The client's latest other tickets the user may see (``CLIENT_OTHER_TICKETS`` at most)."""
    return list(
        ticket_list_visible_to(user=user)
        .filter(client_id=ticket.client_id)
        .exclude(pk=ticket.pk)
        .order_by("-created_at")[:CLIENT_OTHER_TICKETS]
    )


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
