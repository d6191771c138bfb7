"""The report archive: browse, download, (re)generate with progress, schedule, subscriptions."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from metrics.models import Report, ReportSubscription
from metrics.selectors.reports import report_list_visible_to
from metrics.services import reports as services
from supportdesk.forms import submit_form
from teams import access
from teams.models import Language, Team, User

WEEKDAYS = [
    (1, _("Monday")),
    (2, _("Tuesday")),
    (3, _("Wednesday")),
    (4, _("Thursday")),
    (5, _("Friday")),
    (6, _("Saturday")),
    (0, _("Sunday")),
]


def reports_visible_to(user: Any) -> QuerySet[Report]:
    """Reports the user may read (see ``access.can_read_report``)."""
    return report_list_visible_to(user=user)


class RequestForm(forms.Form):
    week = forms.DateField(
        label=_("Week starting (Monday)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    scope = forms.ChoiceField(label=_("Scope"))
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def __init__(self, *args: Any, teams: list[Team], desk: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {team.slug: team for team in teams}
        choices = [("", _("Whole desk"))] if desk else []
        self.fields["scope"].choices = choices + [(t.slug, t.name) for t in teams]
        self.fields["scope"].required = not desk


class ScheduleForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), choices=WEEKDAYS, coerce=int)
    time = forms.TimeField(
        label=_("Time (Hong Kong)"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


class SubscriptionForm(forms.Form):
    email = forms.EmailField(label=_("Email address of a staff member"))
    scope = forms.ChoiceField(label=_("Scope"), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def __init__(self, *args: Any, teams: list[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {team.slug: team for team in teams}
        self.fields["scope"].choices = [("", _("Whole desk"))] + [(t.slug, t.name) for t in teams]


def _archive_context(request: HttpRequest, **forms_: Any) -> dict[str, Any]:
    user = request.user
    manager = access.can_manage_reports(user)
    teams = list(
        (access.teams_visible_to(user) if manager else access.teams_supervised_by(user)).order_by(
            "name"
        )
    )
    schedule = services.report_schedule()
    crontab = schedule.crontab if schedule else None
    return {
        "reports": reports_visible_to(user)[:200],
        "manager": manager,
        "schedule": schedule,
        "request_form": forms_.get("request_form")
        or RequestForm(
            teams=teams,
            desk=manager,
            initial={
                "week": services.previous_week(timezone.localdate())[0],
                "language": getattr(user, "language", "en"),
            },
        ),
        "schedule_form": forms_.get("schedule_form")
        or ScheduleForm(
            initial={
                "weekday": int(crontab.day_of_week) if crontab else services.DEFAULT_WEEKDAY,
                "time": f"{int(crontab.hour):02d}:{int(crontab.minute):02d}"
                if crontab
                else "08:00",
            }
        ),
        "subscription_form": forms_.get("subscription_form") or SubscriptionForm(teams=teams),
        "subscriptions": ReportSubscription.objects.select_related("user", "team").order_by(
            "team__name", "user__email"
        )
        if manager
        else [],
        "teams": teams,
    }


@login_required
def archive(request: HttpRequest) -> HttpResponse:
    access.require(access.can_read_reports(request.user))
    return render(request, "reports/archive.html", _archive_context(request))


@login_required
@require_POST
def report_request(request: HttpRequest) -> HttpResponse:
    access.require(access.can_read_reports(request.user))
    context = _archive_context(request)
    form = RequestForm(
        request.POST, teams=context["teams"], desk=access.can_manage_reports(request.user)
    )

    def save(data: dict[str, Any]) -> Report:
        week: date = data["week"]
        return services.report_request(
            actor=request.user,
            team=form.teams.get(data["scope"]),
            period_start=week,
            language=data["language"],
        )

    report, status = submit_form(form, save)
    if report is not None:
        return redirect("metrics:reports")
    context["request_form"] = form
    return render(request, "reports/archive.html", context, status=status)


@login_required
@require_POST
def report_regenerate(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.get_visible_or_404(reports_visible_to(request.user), pk=report_id)
    context = _archive_context(request)
    form = RequestForm(
        {
            "week": report.period_start,
            "scope": report.team.slug if report.team_id else "",
            "language": report.language,
        },
        teams=[report.team] if report.team_id else context["teams"],
        desk=report.team_id is None,
    )

    def save(data: dict[str, Any]) -> Report:
        return services.report_request(
            actor=request.user,
            team=report.team,
            period_start=report.period_start,
            language=report.language,
        )

    result, status = submit_form(form, save)
    if request.htmx and result is not None:
        return render(request, "reports/partials/report_status.html", {"report": result})
    if result is not None:
        return redirect("metrics:reports")
    context["request_form"] = form
    return render(request, "reports/archive.html", context, status=status)


@login_required
def report_status(request: HttpRequest, report_id: int) -> HttpResponse:
    """The status cell of one report (polled by htmx while queued or running)."""
    report = access.get_visible_or_404(reports_visible_to(request.user), pk=report_id)
    return render(request, "reports/partials/report_status.html", {"report": report})


@login_required
def report_download(request: HttpRequest, report_id: int) -> HttpResponse:
    report = access.get_visible_or_404(reports_visible_to(request.user), pk=report_id)
    if not report.file:
        return render(
            request,
            "reports/archive.html",
            {**_archive_context(request), "error": _("This report has no file yet.")},
            status=409,
        )
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.download_name,
        content_type="application/pdf",
    )


@login_required
@require_POST
def schedule_update(request: HttpRequest) -> HttpResponse:
    access.require(access.can_manage_reports(request.user))
    form = ScheduleForm(request.POST)
    result, status = submit_form(
        form,
        lambda data: services.report_schedule_update(
            actor=request.user,
            weekday=data["weekday"],
            hour=data["time"].hour,
            minute=data["time"].minute,
        ),
    )
    if result is not None:
        return redirect("metrics:reports")
    return render(
        request,
        "reports/archive.html",
        _archive_context(request, schedule_form=form),
        status=status,
    )


@login_required
@require_POST
def subscription_add(request: HttpRequest) -> HttpResponse:
    access.require(access.can_manage_reports(request.user))
    context = _archive_context(request)
    form = SubscriptionForm(request.POST, teams=context["teams"])

    def save(data: dict[str, Any]) -> ReportSubscription:
        user = User.objects.filter(email__iexact=data["email"], is_active=True).first()
        if user is None:
            from supportdesk.errors import ApplicationError

            raise ApplicationError(
                _("No active user has this email address."), details={"field": "email"}
            )
        return services.report_subscription_set(
            actor=request.user,
            user=user,
            team=form.teams.get(data["scope"]),
            language=data["language"],
        )

    result, status = submit_form(form, save)
    if result is not None:
        return redirect("metrics:reports")
    context["subscription_form"] = form
    return render(request, "reports/archive.html", context, status=status)


@login_required
@require_POST
def subscription_delete(request: HttpRequest, subscription_id: int) -> HttpResponse:
    access.require(access.can_manage_reports(request.user))
    subscription = access.get_visible_or_404(ReportSubscription.objects.all(), pk=subscription_id)
    services.report_subscription_delete(actor=request.user, subscription=subscription)
    return redirect("metrics:reports")


urlpatterns = [
    path("reports/", archive, name="reports"),
    path("reports/request/", report_request, name="report_request"),
    path("reports/<int:report_id>/regenerate/", report_regenerate, name="report_regenerate"),
    path("reports/<int:report_id>/status/", report_status, name="report_status"),
    path("reports/<int:report_id>/download/", report_download, name="report_download"),
    path("reports/schedule/", schedule_update, name="report_schedule"),
    path("reports/subscriptions/", subscription_add, name="report_subscription_add"),
    path(
        "reports/subscriptions/<int:subscription_id>/delete/",
        subscription_delete,
        name="report_subscription_delete",
    ),
]
