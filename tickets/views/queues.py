"""The agent's ticket lists: My tickets, My teams' queue, Unassigned and All tickets.

One view and one template serve the four lists; the query string carries the filters, the sort
order and the keyset cursor (see ``tickets.filters``). Saved filters and bulk actions post to
their own URLs and, on a refusal, render the list they came from with the error and its status
(400 invalid, 403 not allowed, 409 conflict) — nothing is changed then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from supportdesk import exports
from supportdesk.errors import ApplicationError
from teams import access
from teams.access import Role
from tickets.filters import (
    SORTS,
    BulkUpdateForm,
    SavedFilterForm,
    TicketFilterForm,
    filter_query,
    saved_filter_create,
    saved_filter_delete,
)
from tickets.selectors import queues as selectors
from tickets.selectors.queues import QueueView, TeamOption
from tickets.services.assignment import AssignmentNeedsConfirmation
from tickets.services.tickets import tickets_bulk_update

PAGE_SIZE = selectors.PAGE_SIZE
EXPORT_MAX_ROWS = 10_000
WORKING_ROLES = (Role.AGENT, Role.SUPERVISOR)
DESK_WIDE_ROLES = (Role.MANAGER, Role.ADMINISTRATOR)
BULK_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR)


@dataclass(frozen=True)
class ListSpec:
    """What distinguishes one ticket list from another."""

    view: QueueView
    url_name: str
    title: Promise
    empty_text: Promise
    default_sort: str
    roles: tuple[Role, ...]

    @property
    def url(self) -> str:
        return reverse(self.url_name)


LISTS: dict[str, ListSpec] = {
    spec.view.value: spec
    for spec in (
        ListSpec(
            QueueView.MINE,
            "tickets:mine",
            gettext_lazy("My tickets"),
            gettext_lazy("No open tickets are assigned to you."),
            "-updated",
            WORKING_ROLES,
        ),
        ListSpec(
            QueueView.TEAM,
            "tickets:team_queue",
            gettext_lazy("My teams' queue"),
            gettext_lazy("Your teams have no open tickets."),
            "priority",
            WORKING_ROLES,
        ),
        ListSpec(
            QueueView.UNASSIGNED,
            "tickets:unassigned",
            gettext_lazy("Unassigned"),
            gettext_lazy("Every open ticket of your teams has an owner."),
            "priority",
            WORKING_ROLES,
        ),
        ListSpec(
            QueueView.ALL,
            "tickets:all",
            gettext_lazy("All tickets"),
            gettext_lazy("There are no tickets yet."),
            "-created",
            DESK_WIDE_ROLES,
        ),
    )
}


def _list_url(spec: ListSpec, query: dict[str, list[str]]) -> str:
    return f"{spec.url}?{urlencode(query, doseq=True)}" if query else spec.url


def _spec_for(request: HttpRequest, view: str | None) -> ListSpec:
    spec = LISTS.get(view or "")
    if spec is None:
        raise Http404
    access.require_role(request.user, spec.roles)
    return spec


def _render_list(
    request: HttpRequest,
    spec: ListSpec,
    query: QueryDict,
    *,
    status: int = 200,
    teams: list[TeamOption] | None = None,
    save_form: SavedFilterForm | None = None,
    bulk_form: BulkUpdateForm | None = None,
    bulk_error: Any = None,
    bulk_confirm: bool = False,
) -> HttpResponse:
    """Render list ``spec`` for the query string ``query``; invalid filters answer 400 and show
    no tickets at all."""
    user = request.user
    if teams is None:
        teams = selectors.team_options_for(user=user)
    member_team_ids = [team.id for team in teams if team.is_member]
    form = TicketFilterForm(
        query,
        teams=teams,
        categories=selectors.category_list(),
        default_sort=spec.default_sort,
        language_code=get_language() or "en",
    )
    saved_filters = selectors.saved_filter_list_for(user=user, member_team_ids=member_team_ids)
    workable = selectors.workable_team_options(user=user, teams=teams)
    current = filter_query(query) if form.is_valid() else {}
    page = None
    if form.is_valid():
        page = selectors.ticket_queue_page(
            user=user,
            view=spec.view,
            member_team_ids=member_team_ids,
            filters=form.filters(user_id=user.pk),
            sort=form.sort_order,
            after=form.cleaned_data["after"],
            before=form.cleaned_data["before"],
            page_size=PAGE_SIZE,
        )
    else:
        status = max(status, 400)
    if page is not None and query.get("export") in exports.FORMATS:
        return _export_list(request, spec, query["export"], member_team_ids, form)
    selectable = bool(workable) and access.has_role(user, *BULK_ROLES)
    if bulk_form is None and selectable:
        bulk_form = BulkUpdateForm(None, teams=workable)
    context = {
        "spec": spec,
        "title": spec.title,
        "tabs": [
            {"url": other.url, "label": other.title, "current": other.view == spec.view}
            for other in LISTS.values()
            if access.has_role(user, *other.roles)
        ],
        "form": form,
        "page": page,
        "tickets": page.tickets if page else [],
        "empty_text": (
            _("No tickets match these filters.") if form.active_filter_count else spec.empty_text
        ),
        "query_string": urlencode(current, doseq=True),
        "links": _page_links(spec, current, page),
        "sort_links": _sort_links(current, form) if page else {},
        "saved_filters": [
            {
                "object": saved,
                "url": _saved_filter_url(saved),
                "is_own": saved.owner_id == user.pk,
                "is_current": saved.query == {"view": spec.view.value, "filters": current},
            }
            for saved in saved_filters
        ],
        "save_form": save_form or SavedFilterForm(None, teams=teams),
        "can_share": any(team.is_member for team in teams),
        "selectable": selectable,
        "bulk_form": bulk_form,
        "bulk_error": bulk_error,
        "bulk_confirm": bulk_confirm,
        "selected_ids": set(_selected_ids(bulk_form)),
    }
    return render(request, "tickets/ticket_list.html", context, status=status)


def _export_list(
    request: HttpRequest,
    spec: ListSpec,
    export_format: str,
    member_team_ids: list[int],
    form: TicketFilterForm,
) -> HttpResponse:
    """The list with its current filters and sort as CSV or XLSX (first EXPORT_MAX_ROWS)."""
    user = request.user
    page = selectors.ticket_queue_page(
        user=user,
        view=spec.view,
        member_team_ids=member_team_ids,
        filters=form.filters(user_id=user.pk),
        sort=form.sort_order,
        page_size=EXPORT_MAX_ROWS,
    )
    language = get_language() or "en"
    headers = [
        _("Reference"), _("Subject"), _("Status"), _("Priority"), _("Category"), _("Team"),
        _("Assignee"), _("Client"), _("Channel"), _("Language"), _("Created"), _("Updated"),
        _("Resolved"),
    ]  # fmt: skip
    rows = [
        [
            ticket.reference,
            ticket.subject,
            ticket.get_status_display(),
            ticket.get_priority_display(),
            ticket.category.localized_name(language),
            ticket.team.name,
            ticket.assignee.full_name if ticket.assignee else "",
            ticket.client.name,
            ticket.get_channel_display(),
            ticket.get_language_display(),
            ticket.created_at,
            ticket.updated_at,
            ticket.resolved_at,
        ]
        for ticket in page.tickets
    ]
    return exports.table_response(
        export_format=export_format,
        filename=f"tickets-{spec.view.value}-{timezone.localdate().isoformat()}",
        headers=headers,
        rows=rows,
    )


def _page_links(spec: ListSpec, current: dict[str, list[str]], page: Any) -> dict[str, str]:
    if page is None:
        return {}
    links = {"first": _list_url(spec, current)}
    if page.next_cursor:
        links["next"] = _list_url(spec, {**current, "after": [page.next_cursor.encode()]})
    if page.previous_cursor:
        links["previous"] = _list_url(spec, {**current, "before": [page.previous_cursor.encode()]})
    return links


def _sort_links(current: dict[str, list[str]], form: TicketFilterForm) -> dict[str, dict]:
    """Per sortable column: the header link (toggles the direction) and its ``aria-sort``."""
    sort = form.sort_order
    links = {}
    for name in SORTS:
        is_current = name == sort.key.name
        links[name] = {
            "url": "?" + urlencode({**current, "sort": [sort.toggled_param(name)]}, doseq=True),
            "aria": ("descending" if sort.descending else "ascending") if is_current else "",
        }
    return links


def _saved_filter_url(saved: Any) -> str:
    query = saved.query if isinstance(saved.query, dict) else {}
    spec = LISTS.get(str(query.get("view", "")), LISTS[QueueView.TEAM.value])
    filters = query.get("filters") if isinstance(query.get("filters"), dict) else {}
    return _list_url(spec, filter_query(filters))


def _selected_ids(bulk_form: BulkUpdateForm | None) -> list[str]:
    if bulk_form is None or not bulk_form.is_bound:
        return []
    return [str(value) for value in bulk_form.data.getlist("ticket_ids")]


def _safe_next(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


# --- Lists ------------------------------------------------------------------------------------


@require_safe
@login_required
def ticket_list(request: HttpRequest, view: str) -> HttpResponse:
    """A ticket list: ``?status=open&status=new&priority=1&team=tech-hk&sort=-updated&after=…``."""
    spec = _spec_for(request, view)
    return _render_list(request, spec, request.GET)


# --- Saved filters ----------------------------------------------------------------------------


@require_POST
@login_required
def saved_filter_save(request: HttpRequest) -> HttpResponse:
    """Save the filters of the list the form was posted from (fields ``view`` and ``query``)."""
    spec = _spec_for(request, request.POST.get("view"))
    query = QueryDict(request.POST.get("query", ""))
    teams = selectors.team_options_for(user=request.user)
    form = SavedFilterForm(request.POST, teams=teams)
    status = 400
    filters = TicketFilterForm(
        query, teams=teams, categories=selectors.category_list(), default_sort=spec.default_sort
    )
    # A filter that cannot be applied is not saved; the list then shows why (400).
    if form.is_valid() and filters.is_valid():
        try:
            saved_filter_create(
                owner=request.user,
                name=form.cleaned_data["name"],
                team_id=form.team_id(),
                view=spec.view.value,
                query=filter_query(query),
            )
        except ApplicationError as error:
            form.add_error("name", error.message)
            status = error.status
        else:
            messages.success(
                request,
                _("Saved the filter “%(name)s”.") % {"name": form.cleaned_data["name"]},
            )
            return redirect(_list_url(spec, filter_query(query)))
    return _render_list(request, spec, query, status=status, teams=teams, save_form=form)


@require_safe
@login_required
def saved_filter_open(request: HttpRequest, filter_id: int) -> HttpResponse:
    """Open a saved filter (one's own or shared with one's team): its list with its query."""
    access.require(access.is_staff_member(request.user))
    saved = access.get_visible_or_404(
        selectors.saved_filters_visible_to(user=request.user), pk=filter_id
    )
    return redirect(_saved_filter_url(saved))


@require_POST
@login_required
def saved_filter_remove(request: HttpRequest, filter_id: int) -> HttpResponse:
    """Delete one of one's own saved filters; anyone else's is not found (404)."""
    access.require(access.is_staff_member(request.user))
    saved = access.get_visible_or_404(
        selectors.saved_filters_owned_by(user=request.user), pk=filter_id
    )
    saved_filter_delete(actor=request.user, saved_filter=saved)
    messages.success(request, _("Deleted the filter “%(name)s”.") % {"name": saved.name})
    return redirect(_safe_next(request, reverse("home")))


# --- Bulk actions -----------------------------------------------------------------------------


@require_POST
@login_required
def bulk_update(request: HttpRequest) -> HttpResponse:
    """Apply the chosen changes to the selected tickets, all or none (one event per ticket and
    field, written by the service)."""
    spec = _spec_for(request, request.POST.get("view"))
    access.require_role(request.user, BULK_ROLES)
    query = QueryDict(request.POST.get("query", ""))
    teams = selectors.team_options_for(user=request.user)
    workable = selectors.workable_team_options(user=request.user, teams=teams)
    access.require(bool(workable))
    form = BulkUpdateForm(request.POST, teams=workable)
    if not form.is_valid():
        return _render_list(request, spec, query, status=400, teams=teams, bulk_form=form)
    try:
        count = tickets_bulk_update(
            actor=request.user,
            ticket_ids=form.cleaned_data["ticket_ids"],
            changes=_bulk_changes(form, user_id=request.user.pk),
            source="web",
            confirm_assignment=request.POST.get("confirmed") == "1",
        )
    except ApplicationError as error:
        return _render_list(
            request,
            spec,
            query,
            status=error.status,
            teams=teams,
            bulk_form=form,
            bulk_error=error.message,
            # Off shift or not available: the form again, with "Assign anyway" (as the board).
            bulk_confirm=error.code == AssignmentNeedsConfirmation.code,
        )
    messages.success(
        request,
        ngettext("Updated %(count)s ticket.", "Updated %(count)s tickets.", count)
        % {"count": count},
    )
    return redirect(_list_url(spec, filter_query(query)))


def _bulk_changes(form: BulkUpdateForm, *, user_id: int) -> dict[str, Any]:
    """The service's ``changes``: only the fields the agent chose."""
    data = form.cleaned_data
    changes: dict[str, Any] = {}
    change_assignee, assignee_id = form.assignee_change(user_id=user_id)
    if change_assignee:
        changes["assignee"] = assignee_id
    if data["status"]:
        changes["status"] = data["status"]
    if data["priority"] is not None:
        changes["priority"] = data["priority"]
    team_id = form.team_id()
    if team_id is not None:
        changes["team"] = team_id
    if data["add_tag"]:
        changes["add_tag"] = data["add_tag"]
    return changes


# --- Ticket page (moving to tickets/views/ticket.py) and the client portal ------------------


@login_required
def client_home(request: HttpRequest) -> HttpResponse:
    access.require_role(request.user, (Role.CLIENT,))
    tickets = selectors.ticket_list_for_client(user=request.user)
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tickets/client_home.html", {"page": page})


urlpatterns = [
    path("mine/", ticket_list, {"view": QueueView.MINE.value}, name="mine"),
    path("queue/", ticket_list, {"view": QueueView.TEAM.value}, name="team_queue"),
    path("unassigned/", ticket_list, {"view": QueueView.UNASSIGNED.value}, name="unassigned"),
    path("all/", ticket_list, {"view": QueueView.ALL.value}, name="all"),
    path("filters/", saved_filter_save, name="saved_filter_create"),
    path("filters/<int:filter_id>/", saved_filter_open, name="saved_filter_open"),
    path("filters/<int:filter_id>/delete/", saved_filter_remove, name="saved_filter_delete"),
    path("bulk/", bulk_update, name="bulk_update"),
    path("my-requests/", client_home, name="client_home"),
]
