"""SLA pages: policies and calendars (with closures and a due-time preview), and the ticket
page's clock fragment with its timeline and the supervisor's "re-apply current policy"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from metrics.forms import CalendarForm, ClosureForm, PolicyForm, PreviewForm
from metrics.selectors import sla as selectors
from metrics.services import sla_config as services
from metrics.services.sla_clocks import sla_policy_reapply
from supportdesk.errors import ApplicationError
from supportdesk.forms import submit_form
from teams import access
from tickets.selectors.ticket import ticket_for_action


def _require_manager(request: HttpRequest) -> None:
    access.require(access.can_manage_sla(request.user))


@login_required
def sla_settings(request: HttpRequest) -> HttpResponse:
    """The ordered policy list and the calendars."""
    _require_manager(request)
    return render(
        request,
        "metrics/sla/settings.html",
        {
            "policies": selectors.sla_current_policies(),
            "calendars": selectors.sla_calendars(),
            "preview_form": PreviewForm(),
        },
    )


def _save_calendar(request: HttpRequest, calendar, form: CalendarForm):
    def save(data):
        return services.sla_calendar_save(
            actor=request.user,
            calendar=calendar,
            name=data["name"],
            time_zone=data["time_zone"],
            always_open=data["always_open"],
            weekly_hours=services.weekly_hours_from_text(data["weekly_hours"]),
            holiday_source=data["holiday_source"],
            holiday_country=data["holiday_country"],
            holiday_subdivision=data["holiday_subdivision"],
            holiday_market=data["holiday_market"],
        )

    return submit_form(form, save)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_edit(request: HttpRequest, calendar_id: int | None = None) -> HttpResponse:
    _require_manager(request)
    calendar = selectors.sla_calendar_get(calendar_id=calendar_id) if calendar_id else None
    status = 200
    if request.method == "POST":
        form = CalendarForm(request.POST)
        saved, status = _save_calendar(request, calendar, form)
        if saved is not None:
            messages.success(request, _("Calendar “%(name)s” saved.") % {"name": saved.name})
            return redirect("metrics:sla_calendar", saved.pk)
    else:
        form = CalendarForm(initial=CalendarForm.initial_for(calendar) if calendar else None)
    return render(
        request,
        "metrics/sla/calendar_form.html",
        {
            "form": form,
            "calendar": calendar,
            "closure_form": ClosureForm(),
            "closures": calendar.closures.all() if calendar else [],
        },
        status=status,
    )


@login_required
@require_POST
def closure_add(request: HttpRequest, calendar_id: int) -> HttpResponse:
    _require_manager(request)
    calendar = selectors.sla_calendar_get(calendar_id=calendar_id)
    form = ClosureForm(request.POST)
    saved, status = submit_form(
        form,
        lambda data: services.sla_closure_add(
            actor=request.user,
            calendar=calendar,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            reason=data["reason"],
        ),
    )
    if saved is not None:
        messages.success(request, _("Closure added; running clocks were moved."))
        return redirect("metrics:sla_calendar", calendar.pk)
    return render(
        request,
        "metrics/sla/calendar_form.html",
        {
            "form": CalendarForm(initial=CalendarForm.initial_for(calendar)),
            "calendar": calendar,
            "closure_form": form,
            "closures": calendar.closures.all(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, family: int | None = None) -> HttpResponse:
    """Create a policy, or write a new version of one (tickets keep the version they have)."""
    _require_manager(request)
    policy = selectors.sla_policy_current(family=family) if family else None
    status = 200
    if request.method == "POST":
        form = PolicyForm(request.POST)
        saved, status = submit_form(
            form,
            lambda data: services.sla_policy_save(
                actor=request.user,
                family=policy.family if policy else None,
                name=data["name"],
                position=data["position"],
                is_active=data["is_active"],
                targets=form.targets(),
                priorities=data["priorities"],
                channels=data["channels"],
                client_tiers=data["client_tiers"],
                categories=data["categories"],
                teams=data["teams"],
                warning_percent=data["warning_percent"],
                raise_priority=data["raise_priority"],
                reassign_to_supervisor=data["reassign_to_supervisor"],
                notify_email=data["notify_email"],
            ),
        )
        if saved is not None:
            messages.success(
                request,
                _("Policy “%(name)s” saved as version %(version)s.")
                % {"name": saved.name, "version": saved.version},
            )
            return redirect("metrics:sla_settings")
    else:
        form = PolicyForm(initial=PolicyForm.initial_for(policy) if policy else None)
    return render(
        request, "metrics/sla/policy_form.html", {"form": form, "policy": policy}, status=status
    )


@login_required
def policy_preview(request: HttpRequest) -> HttpResponse:
    """Due and warning times of a policy's targets for a ticket created at a given time."""
    _require_manager(request)
    form = PreviewForm(request.GET or None)
    rows, status = None, 200
    if request.GET:
        rows, status = submit_form(
            form,
            lambda data: services.sla_policy_preview(policy=data["policy"], start=data["start"]),
        )
    template = (
        "metrics/sla/partials/preview_result.html" if request.htmx else "metrics/sla/preview.html"
    )
    return render(request, template, {"preview_form": form, "rows": rows}, status=status)


def _clocks_response(request: HttpRequest, ticket, status: int = 200, error: str = ""):
    return render(
        request,
        "metrics/sla/partials/ticket_clocks.html",
        {
            "ticket": ticket,
            "clocks": selectors.sla_ticket_clocks(ticket=ticket, now=timezone.now()),
            "can_reapply": access.can_manage_sla_of_team(request.user, ticket.team_id),
            "error": error,
        },
        status=status,
    )


@login_required
def ticket_clocks(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The ticket page's SLA panel (an htmx fragment): clocks and their timelines."""
    ticket = ticket_for_action(user=request.user, ticket_id=ticket_id)
    return _clocks_response(request, ticket)


@login_required
@require_POST
def ticket_reapply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_for_action(user=request.user, ticket_id=ticket_id)
    access.require(access.can_manage_sla_of_team(request.user, ticket.team_id))
    try:
        sla_policy_reapply(actor=request.user, ticket=ticket)
    except ApplicationError as error:
        return _clocks_response(request, ticket, status=error.status, error=str(error.message))
    return _clocks_response(request, ticket)


urlpatterns = [
    path("sla/", sla_settings, name="sla_settings"),
    path("sla/calendars/new/", calendar_edit, name="sla_calendar_new"),
    path("sla/calendars/<int:calendar_id>/", calendar_edit, name="sla_calendar"),
    path("sla/calendars/<int:calendar_id>/closures/", closure_add, name="sla_closure_add"),
    path("sla/policies/new/", policy_edit, name="sla_policy_new"),
    path("sla/policies/<int:family>/", policy_edit, name="sla_policy"),
    path("sla/preview/", policy_preview, name="sla_preview"),
    path("sla/tickets/<int:ticket_id>/clocks/", ticket_clocks, name="sla_ticket_clocks"),
    path("sla/tickets/<int:ticket_id>/reapply/", ticket_reapply, name="sla_ticket_reapply"),
]
