"""The supervisor's board: their home page, live (htmx polling), with one- or two-click actions.

Every action posts a plain form: success redirects back to the board (post/redirect/get); a
refusal re-renders the board with the reason and the refusal's status (400, 403, 404, 409). An
assignment to someone off shift or not available asks for confirmation (409 with an *Assign
anyway* button); outside the team or over capacity it is refused.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from metrics.selectors import board as selectors
from metrics.selectors.sla import sla_board_flags
from metrics.views import board_rows
from supportdesk.errors import ApplicationError
from teams import access
from teams.access import Role
from tickets.models import Ticket
from tickets.selectors import ticket as ticket_selectors
from tickets.services import routing as routing_services
from tickets.services import tickets as ticket_services

BOARD_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR)
POLL_SECONDS = 5
_URL_PLACEHOLDER = 987654321
REASON_MAX_CHARS = 2_000


def _assignee_options(data: selectors.BoardData) -> dict[int, str]:
    """Per team, the ``<option>`` list of its members, rendered once for every row."""
    members: dict[int, list[tuple[int, str]]] = {}
    for agent in data.agents:
        members.setdefault(agent.team_id, []).append(
            (agent.user_id, agent.full_name or agent.email)
        )
    return {
        team_id: format_html_join("", '<option value="{}">{}</option>', rows)
        for team_id, rows in members.items()
    }


def _split_url(name: str) -> tuple[str, str]:
    """A URL with a ticket id as (before, after) the id, so that rows only concatenate."""
    before, after = reverse(name, args=[_URL_PLACEHOLDER]).split(str(_URL_PLACEHOLDER))
    return before, after


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    data = selectors.board_for(user=request.user, now=now)
    options = _assignee_options(data)
    page = board_rows.RowContext(
        now=now,
        csrf_input=format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        ),
        bulk_url=reverse("metrics:board_bulk"),
        detail_url=_split_url("tickets:detail"),
        escalate_url=_split_url("metrics:board_escalate"),
        coaching_url=_split_url("tickets:coaching_note_create"),
        target_options=format_html(
            '<option value="tier2">{}</option>{}',
            _("Supervisors (tier 2)"),
            format_html_join("", '<option value="{}">{}</option>', data.internal_teams),
        ),
        assignee_options=options,
        priority_labels=board_rows.priority_labels(),
        labels=board_rows.row_labels(),
    )
    flags = sla_board_flags(user=request.user, now=now, team_ids=data.team_ids)
    return {
        "board": data,
        # Each panel's rows as HTML (metrics/views/board_rows.py).
        "rows": {
            kind: board_rows.ticket_rows_html(tickets, kind=kind, page=page)
            for kind, tickets in (
                ("escalation", data.escalations),
                ("at_risk", data.at_risk),
                ("unassigned", data.unassigned),
                ("internal", data.internal_waiting),
            )
        },
        "agent_rows": board_rows.agent_rows_html(data.agents, page=page),
        "team_names": ", ".join(name for _pk, name in data.teams),
        "priorities": Ticket.Priority.choices,
        "poll_seconds": POLL_SECONDS,
        "now": now,
        "sla_flags": flags,
        "flag_rows": board_rows.flag_rows_html(flags.pending_after_client, page=page),
        "pause_rows": board_rows.pause_rows_html(flags.unusual_pause, page=page),
        "all_assignee_options": format_html_join(
            "",
            '<optgroup label="{}">{}</optgroup>',
            ((name, options.get(pk, "")) for pk, name in data.teams),
        ),
        **extra,
    }


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """The supervisor's home: what needs their attention in the teams they supervise."""
    access.require_role(request.user, BOARD_ROLES)
    template = "metrics/partials/board_panels.html" if request.htmx else "metrics/board.html"
    return render(request, template, _context(request))


def _refused(request: HttpRequest, error: ApplicationError) -> HttpResponse:
    confirm = None
    if error.code == routing_services.AssignmentNeedsConfirmation.code:
        confirm = {
            "ticket_ids": request.POST.getlist("ticket_ids"),
            "assignee": request.POST.get("assignee", ""),
        }
    context = _context(request, board_error=error, confirm=confirm)
    return render(request, "metrics/board.html", context, status=error.status)


@login_required
@require_POST
def board_bulk(request: HttpRequest) -> HttpResponse:
    """Assign, reassign, take over or change the priority of one or many tickets."""
    access.require_role(request.user, BOARD_ROLES)
    action = request.POST.get("action", "")
    ticket_ids = request.POST.getlist("ticket_ids")
    try:
        if not ticket_ids:
            raise ApplicationError(gettext_lazy("Select at least one ticket first."))
        if action == "assign":
            assignee = request.POST.get("assignee", "")
            if not assignee:
                raise ApplicationError(gettext_lazy("Choose who should get the tickets."))
            count = routing_services.tickets_assign_checked(
                actor=request.user,
                ticket_ids=ticket_ids,
                assignee=assignee,
                confirmed=request.POST.get("confirmed") == "1",
            )
        elif action == "take_over":
            count = ticket_services.tickets_bulk_update(
                actor=request.user, ticket_ids=ticket_ids, changes={"assignee": request.user.pk}
            )
        elif action == "priority":
            count = ticket_services.tickets_bulk_update(
                actor=request.user,
                ticket_ids=ticket_ids,
                changes={"priority": request.POST.get("priority", "")},
            )
        else:
            raise ApplicationError(gettext_lazy("Unknown action."))
    except ApplicationError as error:
        return _refused(request, error)
    messages.success(request, _("Done: %(count)s ticket(s) changed.") % {"count": count})
    return redirect("metrics:board")


@login_required
@require_POST
def board_escalate(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """Escalate one ticket to the supervisors or hand it off to an internal team."""
    access.require_role(request.user, BOARD_ROLES)
    ticket = ticket_selectors.ticket_for_action(user=request.user, ticket_id=ticket_id)
    reason = request.POST.get("reason", "").strip()
    target = request.POST.get("target", "")
    try:
        if len(reason) > REASON_MAX_CHARS:
            raise ApplicationError(
                gettext_lazy("The reason is too long: at most %(max)s characters.")
                % {"max": f"{REASON_MAX_CHARS:,}"}
            )
        ticket_services.ticket_escalate(
            actor=request.user,
            ticket=ticket,
            reason=reason,
            internal_team=None if target in ("", "tier2") else target,
        )
    except ApplicationError as error:
        return _refused(request, error)
    messages.success(request, _("%(reference)s was escalated.") % {"reference": ticket.reference})
    return redirect("metrics:board")


urlpatterns = [
    path("board/", board, name="board"),
    path("board/actions/", board_bulk, name="board_bulk"),
    path("board/escalate/<int:ticket_id>/", board_escalate, name="board_escalate"),
]
