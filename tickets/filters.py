"""Filters of the agent's ticket lists: the query string of a list page, validated in one form.

``TicketFilterForm`` validates the query string (status, priority, category, team, assignee,
language, tag, client, date ranges, sort order and the keyset page cursor) and turns it into a
``TicketFilters`` value that selectors apply to an already-scoped queryset. Choices come from
data the view has already read (visible teams and their members, categories), so validating a
filter costs no query. A value outside those choices — an unknown status, a team the user cannot
see — is an error (HTTP 400), never a silently widened or narrowed list.

Dates are calendar days in the user's time zone (activated per request by the middleware): the
range *from D1 to D2* is ``[D1 00:00, D2 + 1 day 00:00)`` in that zone.

Sorting is a whitelist (``SORTS``); each sort pages by keyset on ``(sort key, id)``, the id
breaking ties in the same direction as the key. An unknown sort is refused with HTTP 400 rather
than silently replaced, so that a saved or shared link never shows a different order than it
says.

Saved filters (``SavedFilter``) store the normalised query of a list; ``saved_filter_create`` and
``saved_filter_delete`` are the only writes to them.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, NotAllowed
from teams.models import Language
from tickets.models import Category, Client, SavedFilter, Ticket
from tickets.models.core import LIFECYCLE_ORDER

# --- Sorting ----------------------------------------------------------------------------------

MAX_BIGINT = 2**63 - 1
MAX_CURSOR_TEXT = 250  # the longest subject

# Statuses in lifecycle order; sorting by status follows the lifecycle, not the alphabet.
STATUS_ORDER: tuple[str, ...] = LIFECYCLE_ORDER


@dataclass(frozen=True)
class SortKey:
    """One sortable column: its query-string name, the ticket attribute it orders by, the type of
    its values in a page cursor and the direction a first click on the column header asks for."""

    name: str
    attribute: str
    value_type: type
    first_descending: bool


SORTS: dict[str, SortKey] = {
    key.name: key
    for key in (
        SortKey("priority", "priority", int, first_descending=False),
        SortKey("created", "created_at", datetime, first_descending=True),
        SortKey("updated", "updated_at", datetime, first_descending=True),
        SortKey("subject", "subject", str, first_descending=False),
        SortKey("status", "status_rank", int, first_descending=False),
        SortKey("sla", "sla_due_at", datetime, first_descending=False),
    )
}

SORT_CHOICES = [
    ("priority", _("Priority (urgent first)")),
    ("-priority", _("Priority (low first)")),
    ("-updated", _("Updated (newest first)")),
    ("updated", _("Updated (oldest first)")),
    ("-created", _("Created (newest first)")),
    ("created", _("Created (oldest first)")),
    ("subject", _("Subject (A–Z)")),
    ("-subject", _("Subject (Z–A)")),
    ("status", _("Status (lifecycle order)")),
    ("-status", _("Status (reverse lifecycle order)")),
    ("sla", _("Time to SLA breach (running SLA clocks, soonest first)")),
]


@dataclass(frozen=True)
class Sort:
    """A whitelisted sort order: a key and a direction (``-updated`` is updated, newest first)."""

    key: SortKey
    descending: bool

    @classmethod
    def parse(cls, value: str) -> Sort:
        """``"-updated"`` → Sort(updated, descending); raises ``KeyError`` for an unknown key."""
        descending = value.startswith("-")
        return cls(key=SORTS[value.removeprefix("-")], descending=descending)

    @property
    def param(self) -> str:
        return f"{'-' if self.descending else ''}{self.key.name}"

    def toggled_param(self, name: str) -> str:
        """The sort a click on column ``name``'s header asks for: the other direction of the
        current sort, or the column's natural first direction."""
        if name == self.key.name:
            return name if self.descending else f"-{name}"
        return f"-{name}" if SORTS[name].first_descending else name


@dataclass(frozen=True)
class Cursor:
    """A position in a sorted list: the sort key's value and the id of a ticket.

    Encoded in links as URL-safe base64 of a JSON pair; decoding checks the value's type against
    the sort, so a cursor from another sort order is refused rather than misread.
    """

    value: int | str | datetime
    ticket_id: int

    @classmethod
    def of(cls, ticket: Ticket, sort: Sort) -> Cursor:
        return cls(value=getattr(ticket, sort.key.attribute), ticket_id=ticket.pk)

    def encode(self) -> str:
        value = self.value.isoformat() if isinstance(self.value, datetime) else self.value
        raw = json.dumps([value, self.ticket_id], ensure_ascii=False, separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str, sort: Sort) -> Cursor:
        """Raise ``ValueError`` unless ``token`` is a cursor of ``sort``."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            value, ticket_id = json.loads(raw.decode())
        except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, TypeError) as error:
            raise ValueError("malformed cursor") from error
        if type(ticket_id) is not int or ticket_id < 1:
            raise ValueError("malformed cursor id")
        expected = sort.key.value_type
        if expected is datetime:
            parsed = parse_datetime(value) if isinstance(value, str) else None
            if parsed is None or timezone.is_naive(parsed):
                raise ValueError("malformed cursor time")
            value = parsed
        elif type(value) is not expected:
            raise ValueError("cursor of another sort")
        elif expected is int and not -MAX_BIGINT <= value <= MAX_BIGINT:
            raise ValueError("cursor value out of range")
        elif expected is str and ("\x00" in value or len(value) > MAX_CURSOR_TEXT):
            raise ValueError("cursor text not storable")
        if ticket_id > MAX_BIGINT:
            raise ValueError("cursor id out of range")
        return cls(value=value, ticket_id=ticket_id)


# --- The filters --------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketFilters:
    """Validated filters of a ticket list; ``apply`` narrows an already-scoped queryset."""

    statuses: tuple[str, ...] = ()
    priorities: tuple[int, ...] = ()
    category_id: int | None = None
    team_id: int | None = None
    assignee_id: int | None = None
    unassigned: bool = False
    language: str = ""
    tag: str = ""
    client: str = ""
    created_from: datetime | None = None
    created_before: datetime | None = None
    updated_from: datetime | None = None
    updated_before: datetime | None = None
    channel: str = ""
    tier: str = ""
    resolved_from: datetime | None = None
    resolved_before: datetime | None = None

    def apply(self, queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
        conditions = Q()
        if self.statuses:
            conditions &= Q(status__in=self.statuses)
        if self.priorities:
            conditions &= Q(priority__in=self.priorities)
        if self.category_id is not None:
            conditions &= Q(category_id=self.category_id)
        if self.team_id is not None:
            conditions &= Q(team_id=self.team_id)
        if self.unassigned:
            conditions &= Q(assignee__isnull=True)
        elif self.assignee_id is not None:
            conditions &= Q(assignee_id=self.assignee_id)
        if self.language:
            conditions &= Q(language=self.language)
        if self.tag:
            conditions &= Q(tags__contains=[self.tag])
        if self.channel:
            conditions &= Q(channel=self.channel)
        if self.tier:
            conditions &= Q(client__tier=self.tier)
        if self.client:
            conditions &= Q(client_id__in=_clients_matching(self.client).values("pk"))
        for lookup, bound in (
            ("created_at__gte", self.created_from),
            ("created_at__lt", self.created_before),
            ("updated_at__gte", self.updated_from),
            ("updated_at__lt", self.updated_before),
            ("resolved_at__gte", self.resolved_from),
            ("resolved_at__lt", self.resolved_before),
        ):
            if bound is not None:
                conditions &= Q(**{lookup: bound})
        return queryset.filter(conditions)


def _clients_matching(term: str) -> QuerySet[Client]:
    """Clients whose id, account number or email is exactly ``term`` (each a unique index)."""
    match = Q(account_number=term) | Q(email__in={term, term.lower()})
    if term.isdigit() and int(term) <= MAX_BIGINT:
        match |= Q(pk=int(term))
    return Client.objects.filter(match)


@dataclass(frozen=True)
class MemberOption:
    """Someone tickets may be assigned to (a member of a team)."""

    id: int
    name: str


@dataclass(frozen=True)
class TeamOption:
    """A team the user may see, whether the user belongs to it, and its members."""

    id: int
    slug: str
    name: str
    is_member: bool
    members: tuple[MemberOption, ...] = field(default_factory=tuple)


def member_choices(teams: Iterable[TeamOption]) -> list[tuple[str, str]]:
    """Members of ``teams``, each once, by name."""
    members = {member.id: member for team in teams for member in team.members}
    return [
        (str(member.id), member.name)
        for member in sorted(members.values(), key=lambda member: (member.name, member.id))
    ]


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )


def day_start(day: date) -> datetime:
    """Midnight at the start of ``day`` in the active (the user's) time zone."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def day_after(day: date) -> datetime | None:
    """Midnight at the end of ``day`` in the active time zone (None past the calendar's end)."""
    if day == date.max:
        return None
    return day_start(day + timedelta(days=1))


# Query-string keys that make up a list's filters (saved in a SavedFilter); cursors are not kept.
FILTER_KEYS = (
    "status",
    "priority",
    "category",
    "team",
    "assignee",
    "language",
    "tag",
    "client",
    "created_from",
    "created_to",
    "updated_from",
    "updated_to",
    "channel",
    "tier",
    "resolved_from",
    "resolved_to",
    "sort",
)
CURSOR_KEYS = ("after", "before")


class TicketFilterForm(forms.Form):
    """The filters, sort order and page cursor of a ticket list (the list page's query string).

    ``teams`` are the teams the user may see (with their members) and ``categories`` every
    category: the only values accepted for the team, assignee and category filters.
    """

    status = forms.MultipleChoiceField(
        label=_("Status"),
        required=False,
        choices=Ticket.Status.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("“%(value)s” is not a ticket status.")},
    )
    priority = forms.TypedMultipleChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        choices=[(str(value), label) for value, label in Ticket.Priority.choices],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("“%(value)s” is not a ticket priority.")},
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        error_messages={"invalid_choice": _("“%(value)s” is not a ticket category.")},
    )
    team = forms.ChoiceField(
        label=_("Team"),
        required=False,
        error_messages={"invalid_choice": _("“%(value)s” is not a team you can see.")},
    )
    assignee = forms.ChoiceField(
        label=_("Assignee"),
        required=False,
        error_messages={
            "invalid_choice": _("“%(value)s” is not a member of the teams you can see.")
        },
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Any language")), *Language.choices],
        error_messages={"invalid_choice": _("“%(value)s” is not a supported language.")},
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=50)
    client = forms.CharField(
        label=_("Client"),
        required=False,
        max_length=254,
        help_text=_("Client number, account number or email address (exact)."),
    )
    created_from = _date_field(_("Created from"))
    created_to = _date_field(_("Created to"))
    updated_from = _date_field(_("Updated from"))
    updated_to = _date_field(_("Updated to"))
    # Drill-down from the metrics dashboards (not shown in the filter panel).
    channel = forms.ChoiceField(
        required=False, choices=[("", ""), *Ticket.Channel.choices], widget=forms.HiddenInput
    )
    tier = forms.ChoiceField(
        required=False, choices=[("", ""), *Client.Tier.choices], widget=forms.HiddenInput
    )
    resolved_from = _date_field(_("Resolved from"))
    resolved_to = _date_field(_("Resolved to"))
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("", _("Default order")), *SORT_CHOICES],
        error_messages={"invalid_choice": _("“%(value)s” is not a sort order offered here.")},
    )
    after = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)
    before = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    def __init__(
        self,
        data: Mapping[str, Any] | None,
        *,
        teams: Sequence[TeamOption],
        categories: Sequence[Category],
        default_sort: str,
        language_code: str = "en",
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.default_sort = default_sort
        self._team_ids = {team.slug: team.id for team in teams}
        self._category_ids = {category.slug: category.pk for category in categories}
        self.fields["team"].choices = [
            ("", _("Any visible team")),
            *[(team.slug, team.name) for team in teams],
        ]
        self.fields["category"].choices = [
            ("", _("Any category")),
            *[(category.slug, category.localized_name(language_code)) for category in categories],
        ]
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Nobody (unassigned)")),
            *member_choices(teams),
        ]
        self.fields["sort"].initial = default_sort

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for start, end in (
            ("created_from", "created_to"),
            ("updated_from", "updated_to"),
            ("resolved_from", "resolved_to"),
        ):
            if cleaned.get(start) and cleaned.get(end) and cleaned[end] < cleaned[start]:
                self.add_error(end, _("The end date is before the start date."))
        if cleaned.get("after") and cleaned.get("before"):
            raise forms.ValidationError(
                _("This page link is not valid. Go back to the first page."), code="cursor"
            )
        if "sort" in cleaned:
            cleaned["sort_order"] = Sort.parse(cleaned["sort"] or self.default_sort)
            for key in CURSOR_KEYS:
                try:
                    cleaned[key] = (
                        Cursor.decode(cleaned[key], cleaned["sort_order"])
                        if cleaned.get(key)
                        else None
                    )
                except ValueError:
                    self.add_error(
                        None,
                        forms.ValidationError(
                            _("This page link is not valid. Go back to the first page."),
                            code="cursor",
                        ),
                    )
        return cleaned

    def filters(self, *, user_id: int) -> TicketFilters:
        """The validated filters (call after ``is_valid()``); ``me`` becomes ``user_id``."""
        data = self.cleaned_data
        assignee = data["assignee"]
        return TicketFilters(
            statuses=tuple(data["status"]),
            priorities=tuple(data["priority"]),
            category_id=self._category_ids.get(data["category"]),
            team_id=self._team_ids.get(data["team"]),
            assignee_id=_assignee_id(assignee, user_id=user_id),
            unassigned=assignee == "none",
            language=data["language"],
            tag=data["tag"],
            client=data["client"],
            created_from=day_start(data["created_from"]) if data["created_from"] else None,
            created_before=day_after(data["created_to"]) if data["created_to"] else None,
            updated_from=day_start(data["updated_from"]) if data["updated_from"] else None,
            updated_before=day_after(data["updated_to"]) if data["updated_to"] else None,
            channel=data.get("channel") or "",
            tier=data.get("tier") or "",
            resolved_from=day_start(data["resolved_from"]) if data.get("resolved_from") else None,
            resolved_before=day_after(data["resolved_to"]) if data.get("resolved_to") else None,
        )

    @property
    def sort_order(self) -> Sort:
        return self.cleaned_data["sort_order"]

    @property
    def active_filter_count(self) -> int:
        """How many filters (not sort or page) narrow the list, for the filter panel's summary."""
        if not self.is_bound:
            return 0
        return sum(bool(self.data.get(key)) for key in FILTER_KEYS if key != "sort")


def _assignee_id(value: str, *, user_id: int) -> int | None:
    if value == "me":
        return user_id
    return int(value) if value.isdigit() else None


def filter_query(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """The non-empty filter keys of a query string, as lists of strings (what a SavedFilter keeps
    and what list links carry); page cursors are left out."""
    getlist = getattr(data, "getlist", None)
    query: dict[str, list[str]] = {}
    for key in FILTER_KEYS:
        values = getlist(key) if getlist else _as_list(data.get(key))
        values = [str(value) for value in values if str(value).strip()]
        if values:
            query[key] = values
    return query


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


# --- Bulk actions -----------------------------------------------------------------------------

BULK_MAX_TICKETS = 500
# Resolving needs a resolution code and summary: done on the ticket page, not in bulk.
BULK_STATUS_CHOICES = [
    (value, label) for value, label in Ticket.Status.choices if value != Ticket.Status.RESOLVED
]


class MultipleIdField(forms.Field):
    """A list of positive integer ids from repeated inputs (the ticket checkboxes)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one ticket."),
        "invalid": _("The selection is not valid. Reload the page and select again."),
        "too_many": _("Select at most %(limit)s tickets at a time."),
    }

    def to_python(self, value: Any) -> list[int]:
        values = _as_list(value)
        ids: list[int] = []
        for item in values:
            text = str(item).strip()
            if not text.isdigit() or not 0 < int(text) <= MAX_BIGINT:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            ids.append(int(text))
        return list(dict.fromkeys(ids))

    def validate(self, value: list[int]) -> None:
        if not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(value) > BULK_MAX_TICKETS:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"limit": BULK_MAX_TICKETS}
            )


class BulkUpdateForm(forms.Form):
    """Changes to apply to the selected tickets; empty fields are left as they are (the service,
    ``tickets_bulk_update``, normalises tags and checks each ticket).

    ``teams`` are the teams the user may work on (with members): the assignee must be one of
    their members (or the user), the new team one of them. Whether an assignee belongs to each
    ticket's own team is the service's check.
    """

    ticket_ids = MultipleIdField()
    assignee = forms.ChoiceField(
        label=_("Assign to"),
        required=False,
        error_messages={"invalid_choice": _("“%(value)s” is not a member of your teams.")},
    )
    status = forms.ChoiceField(
        label=_("Set status"),
        required=False,
        choices=[("", _("No change")), *BULK_STATUS_CHOICES],
        error_messages={"invalid_choice": _("“%(value)s” cannot be set on several tickets.")},
    )
    priority = forms.TypedChoiceField(
        label=_("Set priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("No change")), *[(str(v), label) for v, label in Ticket.Priority.choices]],
        error_messages={"invalid_choice": _("“%(value)s” is not a ticket priority.")},
    )
    team = forms.ChoiceField(
        label=_("Move to team"),
        required=False,
        error_messages={"invalid_choice": _("“%(value)s” is not a team you work on.")},
    )
    add_tag = forms.CharField(label=_("Add tag"), required=False, max_length=50)

    def __init__(
        self, data: Mapping[str, Any] | None, *, teams: Sequence[TeamOption], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self._teams = {team.slug: team for team in teams}
        self.fields["assignee"].choices = [
            ("", _("No change")),
            ("me", _("Me")),
            ("none", _("Nobody (unassign)")),
            *member_choices(teams),
        ]
        self.fields["team"].choices = [
            ("", _("No change")),
            *[(team.slug, team.name) for team in teams],
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and not any(
            cleaned.get(name) not in ("", None)
            for name in ("assignee", "status", "priority", "team", "add_tag")
        ):
            raise forms.ValidationError(_("Choose at least one change to apply."), code="empty")
        return cleaned

    def assignee_change(self, *, user_id: int) -> tuple[bool, int | None]:
        """Whether to change the assignee, and to whom (``None`` unassigns)."""
        value = self.cleaned_data["assignee"]
        if not value:
            return False, None
        if value == "none":
            return True, None
        return True, _assignee_id(value, user_id=user_id)

    def team_id(self) -> int | None:
        team = self._teams.get(self.cleaned_data["team"])
        return team.id if team else None


# --- Saved filters (writes) ---------------------------------------------------------------


class SavedFilterForm(forms.Form):
    """Save the current list's filters under a name, for oneself or shared with one's team."""

    name = forms.CharField(label=_("Name"), max_length=100)
    team = forms.ChoiceField(
        label=_("Share with"),
        required=False,
        error_messages={
            "invalid_choice": _("You can only share a filter with a team you belong to.")
        },
    )

    def __init__(
        self, data: Mapping[str, Any] | None, *, teams: Sequence[TeamOption], **kwargs: Any
    ) -> None:
        super().__init__(data, **kwargs)
        self._team_ids = {team.slug: team.id for team in teams if team.is_member}
        self.fields["team"].choices = [
            ("", _("Only me")),
            *[(team.slug, team.name) for team in teams if team.is_member],
        ]

    def team_id(self) -> int | None:
        return self._team_ids.get(self.cleaned_data["team"])


class DuplicateFilterName(ApplicationError):
    """The owner already has a saved filter of that name."""

    code = "duplicate_name"


@transaction.atomic
def saved_filter_create(
    *, owner: Any, name: str, team_id: int | None, view: str, query: Mapping[str, list[str]]
) -> SavedFilter:
    """Save ``query`` (normalised list filters) of list ``view`` as ``name`` for ``owner``.

    Shared with team ``team_id`` when given, which must be a team ``owner`` belongs to
    (``NotAllowed`` otherwise). A name the owner already uses raises ``DuplicateFilterName``.
    """
    name = name.strip()
    if team_id is not None and not owner.memberships.filter(team_id=team_id).exists():
        raise NotAllowed(_("You can only share a filter with a team you belong to."))
    if SavedFilter.objects.filter(owner=owner, name=name).exists():
        raise DuplicateFilterName(
            _("You already have a saved filter named “%(name)s”.") % {"name": name}
        )
    try:
        with transaction.atomic():
            return SavedFilter.objects.create(
                owner=owner,
                name=name,
                team_id=team_id,
                query={"view": view, "filters": dict(query)},
            )
    except IntegrityError as error:  # a concurrent save of the same name
        raise DuplicateFilterName(
            _("You already have a saved filter named “%(name)s”.") % {"name": name}
        ) from error


@transaction.atomic
def saved_filter_delete(*, actor: Any, saved_filter: SavedFilter) -> None:
    """Delete one of the actor's own saved filters (a teammate's shared filter is not theirs)."""
    if saved_filter.owner_id != actor.pk:
        raise NotAllowed(_("Only the person who saved a filter may delete it."))
    saved_filter.delete()
