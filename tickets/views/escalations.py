"""Escalation actions posted from the ticket page's escalation panel (and the board): answer
from an internal team, de-escalate, and the client-update interval. Escalating itself is
``tickets.views.ticket.ticket_escalate`` (to the supervisors or, with ``internal_team``, to an
internal team)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from supportdesk.errors import ApplicationError
from teams import access
from tickets import lifecycle
from tickets.selectors import escalations as selectors
from tickets.services import escalations as services
from tickets.views.ticket import _back, _refused, _ticket


def _escalation(request: HttpRequest, escalation_id: int):
    access.require(access.is_staff_member(request.user))
    return selectors.escalation_for_action(user=request.user, escalation_id=escalation_id)


@login_required
@require_POST
def escalation_answer(request: HttpRequest, escalation_id: int) -> HttpResponse:
    escalation = _escalation(request, escalation_id)
    values = {"answer": request.POST.get("answer", "")}
    try:
        services.escalation_record_answer(
            actor=request.user, escalation=escalation, answer=values["answer"]
        )
    except ApplicationError as error:
        return _refused(request, escalation.ticket_id, error, form="escalation", values=values)
    messages.success(request, _("The internal team's answer was recorded."))
    return _back(escalation.ticket, "escalations")


@login_required
@require_POST
def escalation_de_escalate(request: HttpRequest, escalation_id: int) -> HttpResponse:
    escalation = _escalation(request, escalation_id)
    try:
        services.escalation_de_escalate(
            actor=request.user, escalation=escalation, note=request.POST.get("note", "")
        )
    except ApplicationError as error:
        return _refused(request, escalation.ticket_id, error, form="escalation")
    messages.success(request, _("De-escalated: the ticket is back with its agent."))
    return _back(escalation.ticket, "escalations")


@login_required
@require_POST
def escalation_update_interval(request: HttpRequest, escalation_id: int) -> HttpResponse:
    escalation = _escalation(request, escalation_id)
    try:
        services.escalation_set_update_interval(
            actor=request.user,
            escalation=escalation,
            minutes=request.POST.get("update_interval_minutes", ""),
        )
    except ApplicationError as error:
        return _refused(request, escalation.ticket_id, error, form="escalation")
    messages.success(request, _("The client update interval was saved."))
    return _back(escalation.ticket, "escalations")


@login_required
@require_GET
def escalation_panel(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The ticket page's escalation panel, loaded by htmx after the page (history, time with
    each party, escalate to an internal team, answer, de-escalate, update interval)."""
    ticket = _ticket(request, ticket_id)
    can_work = access.can_work_on_team(request.user, ticket.team_id) and not (
        lifecycle.is_read_only(ticket.status)
    )
    context = {
        "ticket": ticket,
        "can_work": can_work,
        "escalation_panel_inline": True,
        "values": {},
        **selectors.ticket_escalation_panel(user=request.user, ticket=ticket),
    }
    return render(request, "tickets/partials/ticket_escalations.html", context)


urlpatterns = [
    path("<int:ticket_id>/escalations/", escalation_panel, name="escalation_panel"),
    path("escalations/<int:escalation_id>/answer/", escalation_answer, name="escalation_answer"),
    path(
        "escalations/<int:escalation_id>/de-escalate/",
        escalation_de_escalate,
        name="escalation_de_escalate",
    ),
    path(
        "escalations/<int:escalation_id>/update-interval/",
        escalation_update_interval,
        name="escalation_update_interval",
    ),
]
