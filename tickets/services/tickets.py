"""Writes of tickets: creation, field edits, the lifecycle, the conversation, merge, split, links
and bulk edits.

Every service here
------------------
* takes keyword arguments only, and ``actor`` — the user acting, or ``None`` for automation and
  inbound email (no permission check then; the caller vouches for it);
* checks permission with ``teams.access.can_work_on_team`` and raises ``NotAllowed`` (403):
  agents and supervisors work their own teams' tickets, administrators every team, managers
  none (they read only);
* runs in one transaction and locks the ticket row(s) with ``SELECT … FOR UPDATE`` first, so
  that checks and writes see the same state; any refusal leaves nothing half-saved;
* refuses every change to a Closed ticket (``lifecycle.TicketReadOnly``, 409);
* refuses a stale save when given ``expected_version`` (``StaleTicket``, 409, listing the
  fields changed since that version);
* writes one ``TicketEvent`` per change (action, field, old and new value, actor, source, time,
  and the ticket's new version), bumps ``Ticket.version`` once per operation and sets
  ``updated_at``.

Event vocabulary (``TicketEvent.action``)
-----------------------------------------
``created``; ``field_changed`` (subject, priority, category, tags, language, channel,
platform_os, app_version, resolution_code, resolution_summary); ``assigned`` (field assignee;
an empty new value means unassigned); ``transferred`` (field team); ``status_changed``,
``resolved``, ``closed``, ``reopened`` (field status, see ``lifecycle.event_action``);
``escalated`` (field escalation_level); ``replied``, ``noted``, ``client_message`` (a message
was added); ``merged_into`` / ``merged_from``; ``split_from`` / ``split_to``; ``linked`` (field
is the link kind: related, follow_up_of at the new ticket, follow_up at the earlier one).

Values are stored human-readable: people by full name, teams by name, categories and
resolution codes by English name, tickets by reference (``SD-000042``); choices (status,
priority, channel, language) by their code, which the timeline translates for display; tags
as a comma-separated list.

Invalid input raises ``ApplicationError`` (400) with ``details={"field": name}``; messages are
translatable.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, Conflict, NotAllowed
from teams import access
from teams.models import Language, Team, TeamMembership, User
from tickets import hooks, lifecycle
from tickets.lifecycle import IllegalTransition, TicketReadOnly, interpolate_lazy
from tickets.models import (
    Category,
    Client,
    Message,
    Notification,
    ResolutionCode,
    Ticket,
    TicketEvent,
    TicketLink,
)
from tickets.rendering import render_message_html
from tickets.services.assignment import assignment_check
from tickets.services.mentions import mentions_notify

__all__ = [
    "IllegalTransition",
    "StaleTicket",
    "TicketReadOnly",
    "changed_fields_since",
    "message_add_from_client",
    "message_add_from_client_in_transaction",
    "message_add_note",
    "message_add_reply",
    "ticket_assign",
    "ticket_create",
    "ticket_create_in_transaction",
    "ticket_escalate",
    "ticket_link",
    "ticket_merge",
    "ticket_split",
    "ticket_transition",
    "ticket_update",
    "tickets_bulk_update",
]

logger = logging.getLogger(__name__)

Status = Ticket.Status

SUBJECT_MAX_LENGTH = 250
BODY_MAX_LENGTH = 100_000
SUMMARY_MAX_LENGTH = 10_000
PLATFORM_OS_MAX_LENGTH = 100
APP_VERSION_MAX_LENGTH = 50
TAG_MAX_LENGTH = 50
MAX_TAGS = 30
BULK_MAX_TICKETS = 500
NOTIFICATION_TEXT_LENGTH = 300
DUPLICATE_RESOLUTION_CODE = "duplicate"

UPDATABLE_FIELDS = frozenset(
    {
        "subject",
        "priority",
        "category",
        "team",
        "assignee",
        "tags",
        "language",
        "platform_os",
        "app_version",
        "channel",
    }
)
BULK_FIELDS = frozenset(
    {"assignee", "status", "priority", "team", "add_tag", "resolution_code", "resolution_summary"}
)

# What a stale save reports for events that do not name a ticket field.
_ACTION_FIELDS = {
    "replied": "messages",
    "noted": "messages",
    "client_message": "messages",
    "merged_from": "messages",
    "split_to": "messages",
    "linked": "links",
}
_LINK_FIELD_AT_TARGET = {
    TicketLink.Kind.RELATED: "related",
    TicketLink.Kind.FOLLOW_UP_OF: "follow_up",
}
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class StaleTicket(Conflict):
    """The ticket changed since the actor loaded it (HTTP 409).

    ``details``: ``changed_fields`` (sorted names of what changed since the version the actor
    saw, ``"messages"`` for new messages) and ``current_version``.
    """

    code = "stale"

    def __init__(self, *, changed_fields: list[str], current_version: int) -> None:
        super().__init__(
            _(
                "Someone else changed this ticket after you opened it. Review their changes, "
                "then apply yours again."
            ),
            details={"changed_fields": changed_fields, "current_version": current_version},
        )


# --- Small helpers --------------------------------------------------------------------------


def _invalid(message: Any, field_name: str, **details: Any) -> ApplicationError:
    return ApplicationError(message, code="invalid", details={"field": field_name, **details})


def _pk_of(value: Any) -> int | None:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _display(field_name: str, value: Any) -> str:
    """A value as stored in ``TicketEvent.old_value`` / ``new_value``."""
    if value is None:
        return ""
    if field_name == "assignee":
        return value.full_name or value.email
    if field_name == "team":
        return value.name
    if field_name in ("category", "resolution_code"):
        return value.name_en
    if field_name == "tags":
        return ", ".join(value)
    return str(value)


def _excerpt(text: str) -> str:
    flat = " ".join(str(text).split())
    if len(flat) <= NOTIFICATION_TEXT_LENGTH:
        return flat
    return flat[: NOTIFICATION_TEXT_LENGTH - 1] + "…"


def _guess_language(text: str) -> str:
    return Language.TRADITIONAL_CHINESE if _CJK.search(text) else Language.ENGLISH


def _reply_channel(ticket: Ticket) -> str:
    """Replies go back the way the client came, except phone calls, answered by email."""
    if ticket.channel == Ticket.Channel.PHONE:
        return Ticket.Channel.EMAIL
    return ticket.channel


# --- Validation -----------------------------------------------------------------------------


def _clean_source(source: str) -> str:
    if source not in TicketEvent.Source.values:
        raise _invalid(
            interpolate_lazy(_("“%(value)s” is not a known source."), value=source), "source"
        )
    return source


def _clean_subject(subject: Any) -> str:
    subject = " ".join(str(subject or "").split())
    if not subject:
        raise _invalid(_("Enter a subject."), "subject")
    if len(subject) > SUBJECT_MAX_LENGTH:
        raise _invalid(
            interpolate_lazy(
                _("The subject is too long: at most %(limit)s characters."),
                limit=SUBJECT_MAX_LENGTH,
            ),
            "subject",
        )
    return subject


def _clean_body(body: Any, field_name: str = "body") -> str:
    body = str(body or "").strip()
    if not body:
        raise _invalid(_("Write a message first: it is empty."), field_name)
    if len(body) > BODY_MAX_LENGTH:
        raise _invalid(
            interpolate_lazy(
                _("The text is too long: at most %(limit)s characters."),
                limit=f"{BODY_MAX_LENGTH:,}",
            ),
            field_name,
        )
    return body


def _clean_short_text(value: Any, field_name: str, limit: int) -> str:
    value = " ".join(str(value or "").split())
    if len(value) > limit:
        raise _invalid(
            interpolate_lazy(
                _("“%(field)s” is too long: at most %(limit)s characters."),
                field=Ticket._meta.get_field(field_name).verbose_name,
                limit=limit,
            ),
            field_name,
        )
    return value


def _clean_priority(value: Any) -> int:
    priority = _pk_of(value)
    if priority not in Ticket.Priority.values:
        raise _invalid(_("Choose a priority from P1 to P4."), "priority")
    return priority


def _clean_choice(value: Any, choices: type[models.TextChoices], field_name: str) -> str:
    if value not in choices.values:
        raise _invalid(
            interpolate_lazy(
                _("“%(value)s” is not a valid %(field)s."),
                value=value,
                field=Ticket._meta.get_field(field_name).verbose_name,
            ),
            field_name,
        )
    return str(value)


def _clean_tag(value: Any) -> str:
    tag = "-".join(str(value or "").split()).lower()
    if len(tag) > TAG_MAX_LENGTH:
        raise _invalid(
            interpolate_lazy(
                _("A tag is too long: at most %(limit)s characters."), limit=TAG_MAX_LENGTH
            ),
            "tags",
        )
    return tag


def _clean_tags(value: Any) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value or ())
    tags: list[str] = []
    for item in items:
        tag = _clean_tag(item)
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise _invalid(
            interpolate_lazy(_("At most %(limit)s tags per ticket."), limit=MAX_TAGS), "tags"
        )
    return tags


def _saved(value: Any, model: type[models.Model]) -> bool:
    """``value`` is a row of ``model`` the caller already read (or wrote) in this process: it is
    used as is instead of being read again (one query less per reference)."""
    return isinstance(value, model) and value.pk is not None and not value._state.adding


def _resolve_client(value: Any) -> Client:
    if _saved(value, Client):
        return value
    client = Client.objects.filter(pk=_pk_of(value)).first() if _pk_of(value) else None
    if client is None:
        raise _invalid(_("Unknown client: choose an existing client."), "client")
    return client


def _resolve_category(value: Any) -> Category:
    if _saved(value, Category) and value.is_active:
        return value
    pk = _pk_of(value)
    category = Category.objects.filter(pk=pk, is_active=True).first() if pk else None
    if category is None:
        raise _invalid(_("Unknown or inactive category: choose one from the list."), "category")
    return category


def _resolve_team(value: Any) -> Team:
    if _saved(value, Team):
        return value
    pk = _pk_of(value)
    team = Team.objects.filter(pk=pk).first() if pk else None
    if team is None:
        raise _invalid(_("Unknown team: choose one from the list."), "team")
    return team


def _resolve_assignee(value: Any, team: Team) -> User | None:
    """The user to assign (``None`` or ``""`` unassigns); must be an active agent or supervisor
    of ``team``."""
    if value is None or value == "":
        return None
    pk = _pk_of(value)
    user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if user is None:
        raise _invalid(_("Unknown assignee: choose a member of the team."), "assignee")
    is_member = TeamMembership.objects.filter(team=team, user=user).exists()
    if not (is_member and access.can_work_on_team(user, team.pk)):
        raise _invalid(
            interpolate_lazy(
                _("%(name)s is not a member of the team %(team)s."),
                name=user.full_name or user.email,
                team=team.name,
            ),
            "assignee",
        )
    return user


def _resolve_resolution_code(value: Any) -> ResolutionCode:
    if value is None or value == "":
        raise _invalid(_("Choose a resolution code to resolve the ticket."), "resolution_code")
    if isinstance(value, ResolutionCode) and value.is_active and value.pk:
        # Already read in this transaction (the bulk update resolves it once for all tickets).
        return value
    if isinstance(value, str) and not value.strip().isdigit():
        code = ResolutionCode.objects.filter(slug=value, is_active=True).first()
    else:
        code = ResolutionCode.objects.filter(pk=_pk_of(value), is_active=True).first()
    if code is None:
        raise _invalid(
            _("Unknown or inactive resolution code: choose one from the list."), "resolution_code"
        )
    return code


def _clean_summary(value: Any) -> str:
    summary = str(value or "").strip()
    if not summary:
        raise _invalid(_("Write a resolution summary to resolve the ticket."), "resolution_summary")
    if len(summary) > SUMMARY_MAX_LENGTH:
        raise _invalid(
            interpolate_lazy(
                _("The resolution summary is too long: at most %(limit)s characters."),
                limit=f"{SUMMARY_MAX_LENGTH:,}",
            ),
            "resolution_summary",
        )
    return summary


# --- Locking, permission, versions ----------------------------------------------------------

_LOCK_RELATED = ("team", "assignee", "category", "resolution_code", "client")


def _locked(queryset: models.QuerySet[Ticket]) -> models.QuerySet[Ticket]:
    # ``of=("self",)`` locks only ticket rows; the joined rows (nullable outer joins) stay free.
    return queryset.select_for_update(of=("self",)).select_related(*_LOCK_RELATED)


def _lock(ticket: Ticket) -> Ticket:
    """The ticket re-read from the database and locked until the transaction ends."""
    try:
        return _locked(Ticket.objects.all()).get(pk=ticket.pk)
    except Ticket.DoesNotExist as error:
        raise ApplicationError(
            _("This ticket no longer exists."), code="not_found", status=404
        ) from error


def _require_work(actor: User | None, ticket_or_team: Ticket | Team) -> None:
    if actor is None:
        return
    team_id = ticket_or_team.team_id if isinstance(ticket_or_team, Ticket) else ticket_or_team.pk
    if not access.can_work_on_team(actor, team_id):
        raise NotAllowed(_("You are not allowed to change tickets of this team."))


def _require_author(actor: User | None) -> User:
    if actor is None:
        raise ApplicationError(_("Replies and notes need an author."), code="no_author")
    return actor


def changed_fields_since(*, ticket: Ticket, version: int) -> list[str]:
    """Names of what changed on ``ticket`` after ``version`` (from its audit trail)."""
    rows = (
        TicketEvent.objects.filter(ticket=ticket, ticket_version__gt=version)
        .values_list("action", "field")
        .distinct()
    )
    names = {_ACTION_FIELDS.get(action) or field_name for action, field_name in rows}
    return sorted(name for name in names if name)


def _check_version(ticket: Ticket, expected_version: int | str | None) -> None:
    if expected_version is None:
        return
    seen = _pk_of(expected_version)
    if seen is None:
        raise _invalid(_("The ticket version sent with the form is not valid."), "version")
    if seen == ticket.version:
        return
    raise StaleTicket(
        changed_fields=changed_fields_since(ticket=ticket, version=seen),
        current_version=ticket.version,
    )


def _writable(ticket: Ticket, actor: User | None, expected_version: int | None = None) -> None:
    """The common gate: permission, then read-only, then the version check."""
    _require_work(actor, ticket)
    lifecycle.require_writable(ticket.status)
    _check_version(ticket, expected_version)


# --- Change plans ---------------------------------------------------------------------------


@dataclass
class _Plan:
    """The changes one operation makes to one (locked) ticket, applied to the instance as they
    are planned and written by ``_save``."""

    ticket: Ticket
    events: list[tuple[str, str, str, str]] = field(default_factory=list)
    dirty: set[str] = field(default_factory=set)
    notifications: list[Notification] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    created: bool = False

    def set(
        self, name: str, value: Any, *, action: str = "field_changed", record: bool = True
    ) -> bool:
        """Set ``ticket.<name>`` to ``value``; record an event unless it is unchanged."""
        old = getattr(self.ticket, name)
        if old == value:
            return False
        setattr(self.ticket, name, value)
        self.dirty.add(name)
        if record:
            self.events.append((action, name, _display(name, old), _display(name, value)))
        return True

    def event(self, action: str, field_name: str = "", old: str = "", new: str = "") -> None:
        self.events.append((action, field_name, old, new))

    def touch(self, name: str, value: Any) -> None:
        """Set a field that is not recorded on its own (timestamps)."""
        setattr(self.ticket, name, value)
        self.dirty.add(name)

    @property
    def changed(self) -> bool:
        return bool(self.events or self.dirty)


def _bump(plan: _Plan, now: datetime) -> None:
    plan.ticket.version += 1
    plan.ticket.updated_at = now
    plan.dirty |= {"version", "updated_at"}


def _event_rows(
    plan: _Plan, *, actor: User | None, source: str, now: datetime
) -> list[TicketEvent]:
    return [
        TicketEvent(
            ticket=plan.ticket,
            actor=actor,
            action=action,
            field=field_name,
            old_value=old,
            new_value=new,
            source=source,
            created_at=now,
            ticket_version=plan.ticket.version,
        )
        for action, field_name, old, new in plan.events
    ]


def _change(plan: _Plan, *, actor: User | None, source: str, now: datetime) -> hooks.TicketChange:
    return hooks.TicketChange(
        ticket=plan.ticket,
        actor=actor,
        source=source,
        at=now,
        events=tuple(plan.events),
        messages=tuple(plan.messages),
        created=plan.created,
    )


def _announce(plan: _Plan, *, actor: User | None, source: str, now: datetime) -> None:
    """Tell the registered listeners (``tickets.hooks``) what this plan changed."""
    hooks.announce(_change(plan, actor=actor, source=source, now=now))


def _save(plan: _Plan, *, actor: User | None, source: str, now: datetime) -> Ticket:
    """Bump the version and write the ticket, its events and notifications (if anything
    changed), then announce the change."""
    if not plan.changed:
        return plan.ticket
    _bump(plan, now)
    plan.ticket.save(update_fields=sorted(plan.dirty))
    TicketEvent.objects.bulk_create(_event_rows(plan, actor=actor, source=source, now=now))
    if plan.notifications:
        Notification.objects.bulk_create(plan.notifications)
    _announce(plan, actor=actor, source=source, now=now)
    return plan.ticket


def _notify_assigned(plan: _Plan, *, actor: User | None) -> None:
    assignee = plan.ticket.assignee
    if assignee is None or (actor is not None and assignee.pk == actor.pk):
        return
    plan.notifications.append(
        Notification(
            recipient=assignee,
            kind=Notification.Kind.ASSIGNED,
            ticket=plan.ticket,
            actor=actor,
            text=_excerpt(f"{plan.ticket.reference} {plan.ticket.subject}"),
        )
    )


def _plan_team_and_assignee(
    plan: _Plan, changes: dict[str, Any], *, actor: User | None, confirm_assignment: bool = False
) -> None:
    """Team first (the assignee must belong to the new team); moving to a team the current
    assignee is not in unassigns the ticket unless a new assignee is given. A new assignee goes
    through ``assignment_check`` (capacity, shift, status)."""
    ticket = plan.ticket
    if "team" in changes:
        plan.set("team", _resolve_team(changes["team"]), action="transferred")
    if "assignee" in changes:
        user = _resolve_assignee(changes["assignee"], ticket.team)
        if user is not None:
            assignment_check(
                actor=actor, assignee=user, tickets=[ticket], confirmed=confirm_assignment
            )
        if plan.set("assignee", user, action="assigned"):
            _notify_assigned(plan, actor=actor)
    elif "team" in plan.dirty and ticket.assignee_id is not None:
        if not TeamMembership.objects.filter(team=ticket.team, user=ticket.assignee_id).exists():
            plan.set("assignee", None, action="assigned")


def _plan_fields(
    plan: _Plan, changes: dict[str, Any], *, actor: User | None, confirm_assignment: bool = False
) -> None:
    """Validate and apply the editable fields of ``ticket_update``."""
    _plan_team_and_assignee(plan, changes, actor=actor, confirm_assignment=confirm_assignment)
    if "subject" in changes:
        plan.set("subject", _clean_subject(changes["subject"]))
    if "priority" in changes:
        plan.set("priority", _clean_priority(changes["priority"]))
    if "category" in changes:
        category = _resolve_category(changes["category"])
        if category.pk != plan.ticket.category_id:
            plan.set("category", category)
    if "tags" in changes:
        plan.set("tags", _clean_tags(changes["tags"]))
    if "language" in changes:
        plan.set("language", _clean_choice(changes["language"], Language, "language"))
    if "channel" in changes:
        plan.set("channel", _clean_choice(changes["channel"], Ticket.Channel, "channel"))
    if "platform_os" in changes:
        plan.set(
            "platform_os",
            _clean_short_text(changes["platform_os"], "platform_os", PLATFORM_OS_MAX_LENGTH),
        )
    if "app_version" in changes:
        plan.set(
            "app_version",
            _clean_short_text(changes["app_version"], "app_version", APP_VERSION_MAX_LENGTH),
        )


def _plan_transition(
    plan: _Plan,
    to_status: str,
    *,
    now: datetime,
    resolution_code: Any = None,
    resolution_summary: str = "",
) -> None:
    """Move the ticket to ``to_status`` through the lifecycle, with the side fields each move
    carries: resolving sets the resolution and ``resolved_at``; closing sets ``closed_at``;
    reopening clears the resolution (the events keep the old one)."""
    ticket = plan.ticket
    old = ticket.status
    lifecycle.check_transition(old, to_status)
    plan.set("status", to_status, action=lifecycle.event_action(old, to_status))
    if to_status == Status.RESOLVED:
        code = _resolve_resolution_code(resolution_code)
        summary = _clean_summary(resolution_summary)
        if code.pk != ticket.resolution_code_id:
            plan.set("resolution_code", code)
        plan.set("resolution_summary", summary)
        plan.touch("resolved_at", now)
    elif to_status == Status.CLOSED:
        plan.touch("closed_at", now)
    elif old == Status.RESOLVED:
        plan.set("resolution_code", None)
        plan.set("resolution_summary", "")
        plan.touch("resolved_at", None)


# --- Creating and editing -------------------------------------------------------------------


@transaction.atomic
def ticket_create(
    *,
    actor: User | None,
    client: Client | int,
    subject: str,
    description: str,
    category: Category | int,
    team: Team | int,
    priority: int = 3,
    channel: str = "web",
    language: str = "en",
    tags: Iterable[str] = (),
    platform_os: str = "",
    app_version: str = "",
    assignee: User | int | None = None,
    source: str = "web",
) -> Ticket:
    """Open a new ticket (status New) for ``client`` in ``team``.

    The actor must work on ``team`` (``None``: an inbound email or the client portal). Events:
    *created*, and *assigned* when an assignee is given (who is notified unless it is the actor).
    """
    return ticket_create_in_transaction(
        actor=actor,
        client=client,
        subject=subject,
        description=description,
        category=category,
        team=team,
        priority=priority,
        channel=channel,
        language=language,
        tags=tags,
        platform_os=platform_os,
        app_version=app_version,
        assignee=assignee,
        source=source,
    )


def ticket_create_in_transaction(
    *,
    actor: User | None,
    client: Client | int,
    subject: str,
    description: str,
    category: Category | int,
    team: Team | int,
    priority: int = 3,
    channel: str = "web",
    language: str = "en",
    tags: Iterable[str] = (),
    platform_os: str = "",
    app_version: str = "",
    assignee: User | int | None = None,
    source: str = "web",
) -> Ticket:
    """``ticket_create`` without a savepoint of its own, for a caller that already holds one
    and undoes everything on failure (inbound email: one savepoint per message, not three)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ticket_create_in_transaction needs a surrounding transaction")
    source = _clean_source(source)
    team = _resolve_team(team)
    _require_work(actor, team)
    now = timezone.now()
    ticket = Ticket(
        client=_resolve_client(client),
        subject=_clean_subject(subject),
        description=_clean_body(description, "description"),
        category=_resolve_category(category),
        team=team,
        priority=_clean_priority(priority),
        channel=_clean_choice(channel, Ticket.Channel, "channel"),
        language=_clean_choice(language, Language, "language"),
        tags=_clean_tags(tags),
        platform_os=_clean_short_text(platform_os, "platform_os", PLATFORM_OS_MAX_LENGTH),
        app_version=_clean_short_text(app_version, "app_version", APP_VERSION_MAX_LENGTH),
        assignee=_resolve_assignee(assignee, team),
        status=Status.NEW,
        version=1,
        created_at=now,
        updated_at=now,
    )
    ticket.save()
    plan = _Plan(ticket, created=True)
    plan.event("created")
    if ticket.assignee is not None:
        plan.event("assigned", "assignee", "", _display("assignee", ticket.assignee))
        _notify_assigned(plan, actor=actor)
    TicketEvent.objects.bulk_create(_event_rows(plan, actor=actor, source=source, now=now))
    Notification.objects.bulk_create(plan.notifications)
    _announce(plan, actor=actor, source=source, now=now)
    logger.info("ticket.created", extra={"ticket_id": ticket.pk, "source": source})
    return ticket


@transaction.atomic
def ticket_update(
    *,
    actor: User | None,
    ticket: Ticket,
    changes: dict[str, Any],
    expected_version: int | None,
    source: str = "web",
    confirm_assignment: bool = False,
) -> Ticket:
    """Edit the ticket's fields (``UPDATABLE_FIELDS``); one event per field that really changed.

    Unchanged values are ignored; when nothing changes, nothing is written and the version
    stays. Moving to another team is allowed (a transfer); the current assignee is dropped if
    they are not a member of the new team, and a new assignee must be one. A new assignee is
    checked by ``tickets.services.assignment.assignment_check``: over capacity is refused (409),
    off shift or not available needs ``confirm_assignment`` (else 409 ``needs_confirmation``).
    """
    source = _clean_source(source)
    unknown = sorted(set(changes) - UPDATABLE_FIELDS)
    if unknown:
        raise _invalid(
            interpolate_lazy(
                _("These fields cannot be changed here: %(fields)s."), fields=", ".join(unknown)
            ),
            unknown[0],
        )
    ticket = _lock(ticket)
    _writable(ticket, actor, expected_version)
    plan = _Plan(ticket)
    _plan_fields(plan, changes, actor=actor, confirm_assignment=confirm_assignment)
    return _save(plan, actor=actor, source=source, now=timezone.now())


@transaction.atomic
def ticket_assign(
    *,
    actor: User | None,
    ticket: Ticket,
    assignee: User | int | None,
    source: str = "web",
    confirm_assignment: bool = False,
) -> Ticket:
    """Assign the ticket to a member of its team (``None`` unassigns); notifies the assignee
    unless they assigned themselves. Checked like ``ticket_update`` (``assignment_check``)."""
    source = _clean_source(source)
    ticket = _lock(ticket)
    _writable(ticket, actor)
    plan = _Plan(ticket)
    _plan_team_and_assignee(
        plan, {"assignee": assignee}, actor=actor, confirm_assignment=confirm_assignment
    )
    return _save(plan, actor=actor, source=source, now=timezone.now())


@transaction.atomic
def ticket_transition(
    *,
    actor: User | None,
    ticket: Ticket,
    to_status: str,
    expected_version: int | None = None,
    resolution_code: ResolutionCode | int | str | None = None,
    resolution_summary: str = "",
    source: str = "web",
) -> Ticket:
    """Move the ticket to ``to_status`` if ``tickets.lifecycle`` allows it.

    Resolving requires an active resolution code (instance, id or slug) and a non-empty
    summary; closing a Resolved ticket makes it read-only; reopening (Resolved → Open) clears the
    resolution (its old values stay in the events). A refused move raises ``IllegalTransition``
    (409) naming both statuses — also for a Closed ticket, which has no moves at all.
    """
    source = _clean_source(source)
    ticket = _lock(ticket)
    _require_work(actor, ticket)
    _check_version(ticket, expected_version)
    now = timezone.now()
    plan = _Plan(ticket)
    _plan_transition(
        plan,
        to_status,
        now=now,
        resolution_code=resolution_code,
        resolution_summary=resolution_summary,
    )
    return _save(plan, actor=actor, source=source, now=now)


@transaction.atomic
def ticket_escalate(
    *,
    actor: User | None,
    ticket: Ticket,
    reason: str,
    internal_team: Any = None,
    source: str = "web",
) -> Ticket:
    """Raise the escalation level by one, to the team's supervisors (tier 2) or, with
    ``internal_team``, to an internal team; see ``tickets.services.escalations``.

    Writes the reason as an internal note (when a person escalates; automation has no author,
    its reason is in the notifications only), an *escalated* event, an ``Escalation`` record,
    and, for tier 2, one ``escalation`` notification per active supervisor of the ticket's team
    other than the actor.
    """
    # Imported here: the escalations service lives beside this one and uses its internals.
    from tickets.services.escalations import escalation_open

    return escalation_open(
        actor=actor, ticket=ticket, reason=reason, internal_team=internal_team, source=source
    )


# --- Conversation ---------------------------------------------------------------------------


def _store_uploads(message: Message, uploads: Sequence[Any]) -> None:
    if not uploads:
        return
    # Imported here: the attachments service lives beside this one and imports the models only.
    from tickets.services.attachments import attachments_store

    attachments_store(message=message, uploads=uploads)


@transaction.atomic
def message_add_reply(
    *,
    actor: User | None,
    ticket: Ticket,
    body: str,
    uploads: Sequence[Any] = (),
    set_status: str | None = None,
    expected_version: int | None = None,
    source: str = "web",
) -> Message:
    """Store a public reply to the client (Markdown, rendered once to safe HTML), in the ticket's
    language, with its attachments.

    Sets ``first_public_reply_at`` on the first reply. Status: ``set_status`` when given and
    different from the current one (through the lifecycle, e.g. Open → Pending client);
    otherwise a New ticket becomes Open (someone is working it) and any other status stays.
    """
    source = _clean_source(source)
    body = _clean_body(body)
    author = _require_author(actor)
    ticket = _lock(ticket)
    _writable(ticket, actor, expected_version)
    now = timezone.now()
    plan = _Plan(ticket)
    target = set_status or (Status.OPEN if ticket.status == Status.NEW else None)
    if target and target != ticket.status:
        _plan_transition(plan, target, now=now)
    if ticket.first_public_reply_at is None:
        plan.touch("first_public_reply_at", now)
    message = Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.REPLY,
        author=author,
        body=body,
        body_html=render_message_html(body),
        language=ticket.language,
        channel=_reply_channel(ticket),
        created_at=now,
    )
    plan.event("replied")
    plan.messages.append(message)
    _save(plan, actor=actor, source=source, now=now)
    _store_uploads(message, uploads)
    return message


@transaction.atomic
def message_add_note(
    *,
    actor: User | None,
    ticket: Ticket,
    body: str,
    uploads: Sequence[Any] = (),
    source: str = "web",
) -> Message:
    """Store an internal note (never shown to clients) and notify the colleagues it @mentions
    (see ``tickets.services.mentions``)."""
    source = _clean_source(source)
    body = _clean_body(body)
    author = _require_author(actor)
    ticket = _lock(ticket)
    _writable(ticket, actor)
    now = timezone.now()
    message = Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.NOTE,
        author=author,
        body=body,
        body_html=render_message_html(body),
        language=_guess_language(body),
        channel=Ticket.Channel.WEB,
        created_at=now,
    )
    plan = _Plan(ticket)
    plan.event("noted")
    plan.messages.append(message)
    _save(plan, actor=actor, source=source, now=now)
    _store_uploads(message, uploads)
    mentions_notify(message=message, author=author)
    return message


def _reopen_window_start(now: datetime) -> datetime:
    return now - timedelta(days=settings.TICKET_REOPEN_WINDOW_DAYS)


def _client_message(
    ticket: Ticket,
    client: Client,
    body: str,
    channel: str,
    now: datetime,
    *,
    body_html: str | None = None,
) -> Message:
    return Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.CLIENT,
        client=client,
        body=body,
        body_html=render_message_html(body) if body_html is None else body_html,
        language=ticket.language,
        channel=channel,
        created_at=now,
    )


def _notify_client_replied(plan: _Plan, assignee: User | None) -> None:
    if assignee is None or not assignee.is_active:
        return
    plan.notifications.append(
        Notification(
            recipient=assignee,
            kind=Notification.Kind.CLIENT_REPLIED,
            ticket=plan.ticket,
            text=_excerpt(f"{plan.ticket.reference} {plan.ticket.subject}"),
        )
    )


@transaction.atomic
def message_add_from_client(
    *,
    ticket: Ticket,
    client: Client | int,
    body: str,
    uploads: Sequence[Any] = (),
    channel: str = "email",
    source: str = "email",
) -> Message:
    """Store a message from the client on ``ticket``, or on a new follow-up ticket.

    * Pending client → Open (the client answered); a Resolved ticket resolved within
      ``settings.TICKET_REOPEN_WINDOW_DAYS`` is reopened (Resolved → Open, event *reopened*);
      other open statuses stay.
    * A Closed ticket, or one Resolved longer ago than the window, is left alone: the message
      opens a NEW ticket (same client, team, category, priority, language, tags; subject kept;
      the message is its description and first message) linked *follow-up of* the old one,
      recorded at both ends (the old ticket's version does not change).

    The assignee (of the old ticket, for a follow-up) is notified. Returns the stored message;
    ``message.ticket`` is where it went.
    """
    return message_add_from_client_in_transaction(
        ticket=ticket,
        client=client,
        body=body,
        uploads=uploads,
        channel=channel,
        source=source,
    )


def message_add_from_client_in_transaction(
    *,
    ticket: Ticket,
    client: Client | int,
    body: str,
    uploads: Sequence[Any] = (),
    channel: str = "email",
    source: str = "email",
    body_html: str | None = None,
    ticket_is_current: bool = False,
) -> Message:
    """``message_add_from_client`` without a savepoint of its own, for a caller that already
    holds one and undoes everything on failure (inbound email).

    ``body_html``: the message's HTML when the caller rendered it (an email's own sanitised HTML
    or its folded quotes); otherwise ``body`` is rendered. ``ticket_is_current``: the caller
    created ``ticket`` in this transaction (nobody else can see or change it yet), so it is not
    read again and locked.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("message_add_from_client_in_transaction needs a surrounding transaction")
    source = _clean_source(source)
    channel = _clean_choice(channel, Ticket.Channel, "channel")
    body = _clean_body(body)
    client = _resolve_client(client)
    if not ticket_is_current:
        ticket = _lock(ticket)
    now = timezone.now()
    expired = ticket.status == Status.RESOLVED and (
        ticket.resolved_at is None or ticket.resolved_at < _reopen_window_start(now)
    )
    if lifecycle.is_read_only(ticket.status) or expired:
        return _follow_up_from_client(
            ticket, client, body, uploads, channel, source, now, body_html=body_html
        )
    plan = _Plan(ticket)
    if ticket.status in (Status.RESOLVED, Status.PENDING_CLIENT):
        _plan_transition(plan, Status.OPEN, now=now)
    message = _client_message(ticket, client, body, channel, now, body_html=body_html)
    plan.event("client_message")
    plan.messages.append(message)
    _notify_client_replied(plan, ticket.assignee)
    _save(plan, actor=None, source=source, now=now)
    _store_uploads(message, uploads)
    return message


def _follow_up_from_client(
    earlier: Ticket,
    client: Client,
    body: str,
    uploads: Sequence[Any],
    channel: str,
    source: str,
    now: datetime,
    *,
    body_html: str | None = None,
) -> Message:
    follow_up = Ticket.objects.create(
        client=client,
        subject=earlier.subject,
        description=body,
        category=earlier.category,
        team=earlier.team,
        priority=earlier.priority,
        channel=channel,
        language=earlier.language,
        tags=list(earlier.tags),
        platform_os=earlier.platform_os,
        app_version=earlier.app_version,
        status=Status.NEW,
        version=1,
        created_at=now,
        updated_at=now,
    )
    TicketLink.objects.create(source=follow_up, target=earlier, kind=TicketLink.Kind.FOLLOW_UP_OF)
    message = _client_message(follow_up, client, body, channel, now, body_html=body_html)
    plan = _Plan(follow_up, created=True)
    plan.messages.append(message)
    plan.event("created")
    plan.event("linked", TicketLink.Kind.FOLLOW_UP_OF, "", earlier.reference)
    plan.event("client_message")
    _notify_client_replied(plan, earlier.assignee)
    earlier_plan = _Plan(earlier)
    earlier_plan.event(
        "linked", _LINK_FIELD_AT_TARGET[TicketLink.Kind.FOLLOW_UP_OF], "", follow_up.reference
    )
    TicketEvent.objects.bulk_create(
        [
            *_event_rows(plan, actor=None, source=source, now=now),
            *_event_rows(earlier_plan, actor=None, source=source, now=now),
        ]
    )
    Notification.objects.bulk_create(plan.notifications)
    _announce(plan, actor=None, source=source, now=now)
    _announce(earlier_plan, actor=None, source=source, now=now)
    _store_uploads(message, uploads)
    logger.info(
        "ticket.follow_up_created", extra={"ticket_id": follow_up.pk, "earlier_id": earlier.pk}
    )
    return message


# --- Merge, split, links --------------------------------------------------------------------


def _lock_pair(first: Ticket, second: Ticket) -> tuple[Ticket, Ticket]:
    """Lock two tickets in id order (so that two merges cannot deadlock)."""
    queryset = _locked(Ticket.objects.filter(pk__in=[first.pk, second.pk])).order_by("pk")
    rows = {row.pk: row for row in queryset}
    if first.pk not in rows or second.pk not in rows:
        raise ApplicationError(_("This ticket no longer exists."), code="not_found", status=404)
    return rows[first.pk], rows[second.pk]


@transaction.atomic
def ticket_merge(*, actor: User | None, duplicate: Ticket, target: Ticket) -> Ticket:
    """Fold ``duplicate`` into ``target`` and return the target.

    1. Every message of the duplicate moves to the target (with its attachments), and the
       duplicate's description joins the target's conversation as a client message at the time
       it was written, so the target holds the whole conversation.
    2. The duplicate is closed directly (merge is the one path to Closed that skips Resolved):
       ``merged_into`` = target, ``closed_at`` = now, resolution code *duplicate* when that code
       exists and is active (otherwise none: Closed needs no code), summary “Merged into SD-…”.
    3. A ``TicketLink`` *merged into* (duplicate → target) and events at both ends: on the
       duplicate *merged_into*, *closed* (and the resolution fields); on the target
       *merged_from*. Both versions go up.

    Refused: merging a ticket into itself (400), either ticket Closed (409, read-only), or a
    ticket of a team the actor does not work (403).
    """
    if duplicate.pk == target.pk:
        raise _invalid(_("A ticket cannot be merged into itself."), "target")
    duplicate, target = _lock_pair(duplicate, target)
    _require_work(actor, duplicate)
    _require_work(actor, target)
    if duplicate.status not in lifecycle.MERGEABLE_STATUSES:
        raise TicketReadOnly(
            interpolate_lazy(
                _("%(reference)s is closed and cannot be merged."),
                reference=duplicate.reference,
            )
        )
    if lifecycle.is_read_only(target.status):
        raise TicketReadOnly(
            interpolate_lazy(
                _("%(reference)s is closed: merge into a ticket that is not closed."),
                reference=target.reference,
            )
        )
    now = timezone.now()
    moved = Message.objects.filter(ticket=duplicate).update(ticket=target)
    description = Message.objects.create(
        ticket=target,
        kind=Message.Kind.CLIENT,
        client=duplicate.client,
        body=duplicate.description,
        body_html=render_message_html(duplicate.description),
        language=duplicate.language,
        channel=duplicate.channel,
        created_at=duplicate.created_at,
    )
    duplicate_plan = _Plan(duplicate)
    duplicate_plan.set("merged_into", target, action="merged_into", record=False)
    duplicate_plan.event("merged_into", "merged_into", "", target.reference)
    duplicate_plan.set("status", Status.CLOSED, action="closed")
    duplicate_plan.touch("closed_at", now)
    code = ResolutionCode.objects.filter(slug=DUPLICATE_RESOLUTION_CODE, is_active=True).first()
    if code is not None and code.pk != duplicate.resolution_code_id:
        duplicate_plan.set("resolution_code", code)
    duplicate_plan.set(
        "resolution_summary",
        gettext("Merged into %(reference)s.") % {"reference": target.reference},
    )
    TicketLink.objects.get_or_create(
        source=duplicate,
        target=target,
        kind=TicketLink.Kind.MERGED_INTO,
        defaults={"created_by": actor},
    )
    target_plan = _Plan(target)
    target_plan.event("merged_from", "", "", duplicate.reference)
    target_plan.messages.append(description)
    earliest_reply = duplicate.first_public_reply_at
    if earliest_reply is not None and (
        target.first_public_reply_at is None or earliest_reply < target.first_public_reply_at
    ):
        # The moved conversation holds an earlier public reply: the target was answered then.
        target_plan.touch("first_public_reply_at", earliest_reply)
    _save(duplicate_plan, actor=actor, source=TicketEvent.Source.WEB, now=now)
    logger.info(
        "ticket.merged",
        extra={"ticket_id": target.pk, "duplicate_id": duplicate.pk, "messages": moved},
    )
    return _save(target_plan, actor=actor, source=TicketEvent.Source.WEB, now=now)


@transaction.atomic
def ticket_split(*, actor: User | None, message: Message, subject: str) -> Ticket:
    """Make a client message the start of a new ticket and return the new ticket.

    The message moves (with its attachments) to a new ticket in the same team — same client,
    category, priority, tags and platform details; the message's language and channel; status
    New, unassigned — whose description is the message's text. A ``TicketLink`` *split from*
    (new → original) and events at both ends (*split_from* on the new ticket, *split_to* on the
    original, whose version goes up). Only client messages can be split; the original must not be
    Closed.
    """
    subject = _clean_subject(subject)
    original = _lock(message.ticket)
    _writable(original, actor)
    message = Message.objects.filter(pk=message.pk, ticket=original).first()
    if message is None:
        raise ApplicationError(
            _("This message is no longer on the ticket."), code="not_found", status=404
        )
    if message.kind != Message.Kind.CLIENT:
        raise _invalid(_("Only a client message can be split into a new ticket."), "message")
    now = timezone.now()
    new_ticket = Ticket.objects.create(
        client=message.client or original.client,
        subject=subject,
        description=message.body,
        category=original.category,
        team=original.team,
        priority=original.priority,
        channel=message.channel,
        language=message.language,
        tags=list(original.tags),
        platform_os=original.platform_os,
        app_version=original.app_version,
        status=Status.NEW,
        version=1,
        created_at=now,
        updated_at=now,
    )
    message.ticket = new_ticket
    message.save(update_fields=["ticket"])
    TicketLink.objects.create(
        source=new_ticket, target=original, kind=TicketLink.Kind.SPLIT_FROM, created_by=actor
    )
    new_plan = _Plan(new_ticket, created=True)
    new_plan.event("created")
    new_plan.event("split_from", "split_from", "", original.reference)
    new_plan.messages.append(message)
    TicketEvent.objects.bulk_create(
        _event_rows(new_plan, actor=actor, source=TicketEvent.Source.WEB, now=now)
    )
    _announce(new_plan, actor=actor, source=TicketEvent.Source.WEB, now=now)
    original_plan = _Plan(original)
    original_plan.event("split_to", "", "", new_ticket.reference)
    _save(original_plan, actor=actor, source=TicketEvent.Source.WEB, now=now)
    logger.info("ticket.split", extra={"ticket_id": new_ticket.pk, "original_id": original.pk})
    return new_ticket


@transaction.atomic
def ticket_link(
    *, actor: User | None, ticket: Ticket, other: Ticket, kind: str = "related"
) -> TicketLink:
    """Link ``ticket`` to ``other`` (*related* or *follow-up of*; merge and split make their own
    links). Idempotent: an existing link is returned unchanged.

    The actor must work on both tickets' teams. ``ticket`` must not be Closed; ``other`` may be
    (linking to an old, closed case is how agents point at history): its event is recorded
    without changing its version.
    """
    allowed = set(_LINK_FIELD_AT_TARGET)
    if kind not in allowed:
        raise _invalid(
            _("Choose “related” or “follow-up of”: merge and split link tickets themselves."),
            "kind",
        )
    if ticket.pk == other.pk:
        raise _invalid(_("A ticket cannot be linked to itself."), "other")
    ticket, other = _lock_pair(ticket, other)
    _writable(ticket, actor)
    _require_work(actor, other)
    existing = TicketLink.objects.filter(source=ticket, target=other, kind=kind).first()
    if existing is None and kind == TicketLink.Kind.RELATED:
        existing = TicketLink.objects.filter(source=other, target=ticket, kind=kind).first()
    if existing is not None:
        return existing
    now = timezone.now()
    link = TicketLink.objects.create(source=ticket, target=other, kind=kind, created_by=actor)
    plan = _Plan(ticket)
    plan.event("linked", kind, "", other.reference)
    _save(plan, actor=actor, source=TicketEvent.Source.WEB, now=now)
    other_plan = _Plan(other)
    other_plan.event("linked", _LINK_FIELD_AT_TARGET[kind], "", ticket.reference)
    if lifecycle.is_read_only(other.status):
        TicketEvent.objects.bulk_create(
            _event_rows(other_plan, actor=actor, source=TicketEvent.Source.WEB, now=now)
        )
    else:
        _save(other_plan, actor=actor, source=TicketEvent.Source.WEB, now=now)
    return link


# --- Bulk -----------------------------------------------------------------------------------


def _clean_ticket_ids(ticket_ids: Iterable[Any]) -> list[int]:
    ids: list[int] = []
    for value in ticket_ids:
        pk = _pk_of(value)
        if pk is None:
            raise _invalid(_("The selection contains something that is not a ticket."), "ids")
        if pk not in ids:
            ids.append(pk)
    if not ids:
        raise _invalid(_("Select at least one ticket."), "ids")
    if len(ids) > BULK_MAX_TICKETS:
        raise _invalid(
            interpolate_lazy(
                _("Select at most %(limit)s tickets at a time."), limit=BULK_MAX_TICKETS
            ),
            "ids",
        )
    return ids


def _with_reference(error: ApplicationError, ticket: Ticket) -> ApplicationError:
    """The same refusal, saying which ticket of the selection caused it."""
    error.message = interpolate_lazy(
        _("%(reference)s: %(reason)s Nothing was changed."),
        reference=ticket.reference,
        reason=error.message,
    )
    error.details = {**error.details, "ticket": ticket.reference}
    error.args = (str(error.message),)
    return error


@transaction.atomic
def tickets_bulk_update(
    *,
    actor: User | None,
    ticket_ids: Iterable[Any],
    changes: dict[str, Any],
    source: str = "web",
    confirm_assignment: bool = False,
) -> int:
    """Apply the same changes to many tickets: all of them or none. Returns how many changed.

    Fields: ``assignee``, ``status`` (``resolution_code`` and ``resolution_summary`` go with
    status *resolved*), ``priority``, ``team``, ``add_tag``. One event per ticket per field
    that changed; a ticket a change does not alter keeps its version.

    Refused, with nothing changed: any id that does not exist or belongs to a team the actor
    does not work (``NotAllowed``, 403, without saying which, so that other teams' tickets do
    not leak); a Closed ticket in the selection (409); an illegal move or an assignee who is not
    a member of some ticket's team (naming that ticket); an assignment ``assignment_check``
    refuses (over capacity, 409) or wants confirmed (off shift or not available, 409
    ``needs_confirmation`` unless ``confirm_assignment``).

    Runs in a fixed number of queries whatever the selection size (one locking read, one
    ``UPDATE`` for all tickets, one insert of all events and one of notifications), apart from
    one membership check per distinct team when an assignee is set.
    """
    source = _clean_source(source)
    unknown = sorted(set(changes) - BULK_FIELDS)
    if unknown:
        raise _invalid(
            interpolate_lazy(
                _("These fields cannot be changed in bulk: %(fields)s."),
                fields=", ".join(unknown),
            ),
            unknown[0],
        )
    if not changes:
        raise _invalid(_("Choose a change to apply."), "changes")
    ids = _clean_ticket_ids(ticket_ids)
    tickets = list(_locked(Ticket.objects.filter(pk__in=ids)).order_by("pk"))
    if len(tickets) != len(ids) or any(
        actor is not None and not access.can_work_on_team(actor, ticket.team_id)
        for ticket in tickets
    ):
        raise NotAllowed(
            _("Some of the selected tickets are not yours to change. Nothing was changed.")
        )
    closed = [ticket.reference for ticket in tickets if lifecycle.is_read_only(ticket.status)]
    if closed:
        raise TicketReadOnly(
            interpolate_lazy(
                _("Closed tickets cannot be changed: %(references)s. Nothing was changed."),
                references=", ".join(closed),
            )
        )

    team = _resolve_team(changes["team"]) if "team" in changes else None
    assignee = _resolve_bulk_assignee(changes)
    priority = _clean_priority(changes["priority"]) if "priority" in changes else None
    tag = _clean_tag(changes["add_tag"]) if "add_tag" in changes else ""
    if "add_tag" in changes and not tag:
        raise _invalid(_("Enter a tag to add."), "add_tag")
    to_status = changes.get("status")
    resolution_code = changes.get("resolution_code")
    if to_status == Status.RESOLVED:
        resolution_code = _resolve_resolution_code(resolution_code)
    # Who may hold the tickets afterwards: teams the new assignee works; members of the new team.
    assignable_team_ids: set[int] = set()
    if assignee is not None:
        assignable_team_ids = {
            team_id
            for team_id in TeamMembership.objects.filter(user=assignee).values_list(
                "team_id", flat=True
            )
            if access.can_work_on_team(assignee, team_id)
        }
    new_team_member_ids: set[int] = set()
    if team is not None and "assignee" not in changes:
        new_team_member_ids = set(
            TeamMembership.objects.filter(team=team).values_list("user_id", flat=True)
        )
    now = timezone.now()
    if assignee is not None:
        for ticket in tickets:
            if (team.pk if team is not None else ticket.team_id) not in assignable_team_ids:
                try:
                    _resolve_assignee(assignee, team or ticket.team)  # raises the clear message
                except ApplicationError as error:
                    raise _with_reference(error, ticket) from None
        # Before any plan changes the instances: the check counts what the assignee gains.
        assignment_check(
            actor=actor,
            assignee=assignee,
            tickets=tickets,
            confirmed=confirm_assignment,
            now=now,
        )

    plans: list[_Plan] = []
    for ticket in tickets:
        plan = _Plan(ticket)
        try:
            if team is not None:
                plan.set("team", team, action="transferred")
            if assignee is not None:
                if ticket.team_id not in assignable_team_ids:
                    _resolve_assignee(assignee, ticket.team)  # raises the clear message
                if plan.set("assignee", assignee, action="assigned"):
                    _notify_assigned(plan, actor=actor)
            elif "assignee" in changes:
                plan.set("assignee", None, action="assigned")
            elif "team" in plan.dirty and ticket.assignee_id is not None:
                if ticket.assignee_id not in new_team_member_ids:
                    plan.set("assignee", None, action="assigned")
            if priority is not None:
                plan.set("priority", priority)
            if tag and tag not in ticket.tags:
                plan.set("tags", [*ticket.tags, tag])
            if to_status and to_status != ticket.status:
                _plan_transition(
                    plan,
                    to_status,
                    now=now,
                    resolution_code=resolution_code,
                    resolution_summary=changes.get("resolution_summary", ""),
                )
        except ApplicationError as error:
            raise _with_reference(error, ticket) from None
        if plan.changed:
            plans.append(plan)

    if not plans:
        return 0
    fields: set[str] = set()
    for plan in plans:
        _bump(plan, now)
        fields |= plan.dirty
    Ticket.objects.bulk_update([plan.ticket for plan in plans], sorted(fields))
    TicketEvent.objects.bulk_create(
        [row for plan in plans for row in _event_rows(plan, actor=actor, source=source, now=now)]
    )
    notifications = [item for plan in plans for item in plan.notifications]
    if notifications:
        Notification.objects.bulk_create(notifications)
    hooks.announce_many([_change(plan, actor=actor, source=source, now=now) for plan in plans])
    logger.info("tickets.bulk_updated", extra={"count": len(plans), "fields": sorted(changes)})
    return len(plans)


def _resolve_bulk_assignee(changes: dict[str, Any]) -> User | None:
    """The bulk assignee (``None`` when unassigning or not changing); membership is checked per
    ticket."""
    value = changes.get("assignee")
    if value is None or value == "":
        return None
    pk = _pk_of(value)
    user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if user is None:
        raise _invalid(_("Unknown assignee: choose a member of the team."), "assignee")
    return user
