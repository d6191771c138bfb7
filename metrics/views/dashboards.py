"""The desk (managers), team (supervisors) and personal (agents) dashboards, and their exports.

Query string: ``start`` / ``end`` (whole days in the viewer's time zone, end included),
``grain`` (day, week, month), ``group`` (breakdown), on the desk ``team`` (a slug) and on the
personal page ``team`` (one of the agent's teams); ``export=csv|xlsx`` (with ``table=headline``
or ``breakdown``) downloads a table instead of the page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from metrics.kpis import GRAINS, KPIS, Period, Scope, kpi_table
from metrics.selectors import dashboards as selectors
from supportdesk.errors import ApplicationError
from supportdesk.exports import FORMATS, table_response
from teams import access
from teams.access import Role
from teams.models import Team

DEFAULT_DAYS = 28


class DashboardForm(forms.Form):
    """The date range, grain, breakdown and (where offered) team of a dashboard."""

    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
    )
    grain = forms.ChoiceField(
        label=_("Chart by"),
        required=False,
        choices=[("day", _("Day")), ("week", _("Week")), ("month", _("Month"))],
    )
    group = forms.ChoiceField(label=_("Break down by"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    export = forms.ChoiceField(required=False, choices=[("", ""), *[(f, f) for f in FORMATS]])
    table = forms.ChoiceField(
        required=False, choices=[("", ""), ("headline", "headline"), ("breakdown", "breakdown")]
    )

    def __init__(
        self, data: Any, *, teams: list[Team], default_group: str, all_teams_label: Any = None
    ) -> None:
        super().__init__(data)
        self.default_group = default_group
        self.teams = {team.slug: team for team in teams}
        self.fields["group"].choices = selectors.dimension_choices()
        self.fields["team"].choices = [
            ("", all_teams_label or _("All my teams")),
            *[(t.slug, t.name) for t in teams],
        ]

    def period(self, time_zone: str) -> Period:
        today = timezone.localdate()
        end = self.cleaned_data.get("end") or today
        start = self.cleaned_data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        return Period(start, end, time_zone)

    @property
    def chosen_grain(self) -> str:
        return self.cleaned_data.get("grain") or "week"

    @property
    def chosen_group(self) -> str:
        return self.cleaned_data.get("group") or self.default_group


def _render_dashboard(
    request: HttpRequest,
    *,
    kind: str,
    title: str,
    scope: Scope,
    form: DashboardForm,
    team: Team | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    time_zone = timezone.get_current_timezone_name()
    context: dict[str, Any] = {"kind": kind, "title": title, "form": form, "team": team}
    context.update(extra or {})
    try:
        period = form.period(time_zone)
        dashboard = selectors.dashboard_build(
            user=request.user,
            period=period,
            scope=scope,
            group=form.chosen_group,
            grain=form.chosen_grain,
            team=team,
        )
    except ApplicationError as error:
        context["error"] = error.message
        return render(request, "metrics/dashboards/dashboard.html", context, status=error.status)
    if form.cleaned_data.get("export"):
        return _export(form, dashboard, kind)
    context.update(dashboard=dashboard, grains=GRAINS, query=request.GET.urlencode())
    return render(request, "metrics/dashboards/dashboard.html", context)


def _export(form: DashboardForm, dashboard: selectors.Dashboard, kind: str) -> HttpResponse:
    period = dashboard.period
    name = f"{kind}-{period.start.isoformat()}-{period.end.isoformat()}"
    if form.cleaned_data.get("table") == "headline":
        return table_response(
            export_format=form.cleaned_data["export"],
            filename=f"{name}-headline",
            headers=[
                gettext("Metric"),
                gettext("Value"),
                gettext("Previous period"),
                gettext("Unit"),
            ],
            rows=[
                [
                    str(card.kpi.label),
                    _plain(card.value, card.kpi),
                    _plain(card.previous, card.kpi),
                    _unit_label(card.kpi),
                ]
                for card in dashboard.cards
            ],
        )
    headers = [str(selectors.DIMENSIONS[dashboard.group].label)] + [
        f"{item.label} ({_unit_label(item)})" for item in dashboard.table_kpis
    ]
    rows = [
        [row.label, *[_plain(value, item) for item, value, _link in row.values]]
        for row in [*dashboard.rows, dashboard.total]
    ]
    return table_response(
        export_format=form.cleaned_data["export"],
        filename=f"{name}-by-{dashboard.group}",
        headers=headers,
        rows=rows,
    )


def _plain(value: float | None, item: Any) -> float | str:
    """Exported value: durations in hours, rates in percent, rounded; blank when undefined."""
    if value is None:
        return ""
    if item.unit == "count":
        return round(value)
    if item.unit == "duration":
        return round(value / 3600, 2)
    return round(value, 2)


def _unit_label(item: Any) -> str:
    return {
        "count": gettext("tickets"),
        "duration": gettext("hours"),
        "percent": "%",
        "ratio": gettext("ratio"),
    }[item.unit]


def _bad_form(request: HttpRequest, form: DashboardForm, title: str, kind: str) -> HttpResponse:
    context = {"kind": kind, "title": title, "form": form, "error": _("Check the range form.")}
    return render(request, "metrics/dashboards/dashboard.html", context, status=400)


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """The manager's desk-wide dashboard (optionally narrowed to one team)."""
    access.require_role(request.user, (Role.MANAGER, Role.ADMINISTRATOR))
    teams = list(access.teams_visible_to(request.user).order_by("name"))
    form = DashboardForm(
        request.GET, teams=teams, default_group="team", all_teams_label=_("Whole desk")
    )
    title = gettext("Desk overview")
    if not form.is_valid():
        return _bad_form(request, form, title, "desk")
    team = form.teams.get(form.cleaned_data["team"])
    scope = Scope(team_ids=(team.pk,) if team else None)
    workload = selectors.team_open_counts(user=request.user)
    return _render_dashboard(
        request,
        kind="desk",
        title=title,
        scope=scope,
        form=form,
        team=team,
        extra={"workload": workload},
    )


@login_required
def team_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """A team's dashboard for its supervisors (and managers)."""
    team = access.get_visible_or_404(access.teams_visible_to(request.user), slug=slug)
    access.require(access.can_view_team_dashboard(request.user, team))
    form = DashboardForm(request.GET, teams=[team], default_group="agent")
    title = gettext("Team dashboard: %(team)s") % {"team": team.name}
    if not form.is_valid():
        return _bad_form(request, form, title, "team")
    return _render_dashboard(
        request, kind="team", title=title, scope=Scope(team_ids=(team.pk,)), form=form, team=team
    )


@login_required
def personal_dashboard(request: HttpRequest) -> HttpResponse:
    """An agent's own figures: the tickets assigned to them, in one of their teams or all."""
    access.require(access.can_view_personal_dashboard(request.user))
    teams = list(access.teams_visible_to(request.user).order_by("name"))
    form = DashboardForm(request.GET, teams=teams, default_group="category")
    title = gettext("My dashboard")
    requested = request.GET.get("team", "")
    # Asking for a team the agent is not on is refused outright (403), not silently ignored.
    access.require(not requested or requested in form.teams)
    if not form.is_valid():
        return _bad_form(request, form, title, "personal")
    team = form.teams.get(form.cleaned_data["team"])
    team_ids = (team.pk,) if team else tuple(t.pk for t in teams)
    scope = Scope(team_ids=team_ids, filters=(("agent", request.user.pk),))
    return _render_dashboard(
        request, kind="personal", title=title, scope=scope, form=form, team=team
    )


@login_required
def dashboards_index(request: HttpRequest) -> HttpResponse:
    """Which dashboards the user may open."""
    teams = [
        team
        for team in access.teams_visible_to(request.user).order_by("name")
        if access.can_view_team_dashboard(request.user, team)
    ]
    access.require(
        bool(teams)
        or access.can_view_personal_dashboard(request.user)
        or access.reads_whole_desk(request.user)
    )
    return render(
        request,
        "metrics/dashboards/index.html",
        {
            "teams": teams,
            "personal": access.can_view_personal_dashboard(request.user),
            "desk": access.reads_whole_desk(request.user),
        },
    )


@login_required
def kpi_api(request: HttpRequest) -> JsonResponse:
    """The metric dictionary's figures as JSON: ``?start&end`` (local days of the viewer's
    zone) and ``team`` (a slug; without it the whole desk, for managers). Each KPI with its
    definition, unit (durations in seconds), value and previous-period value."""
    slug = request.GET.get("team", "")
    team: Team | None = None
    if slug:
        team = access.get_visible_or_404(access.teams_visible_to(request.user), slug=slug)
        access.require(access.can_view_team_dashboard(request.user, team))
        scope = Scope(team_ids=(team.pk,))
    else:
        access.require(access.reads_whole_desk(request.user))
        scope = Scope()
    form = DashboardForm(request.GET, teams=[team] if team else [], default_group="team")
    if not form.is_valid():
        return JsonResponse({"detail": gettext("Enter a date as YYYY-MM-DD.")}, status=400)
    try:
        period = form.period(timezone.get_current_timezone_name())
        current = kpi_table(period=period, scope=scope)[0]
        previous = kpi_table(period=period.previous(), scope=scope)[0]
    except ApplicationError as error:
        return JsonResponse({"detail": str(error.message)}, status=error.status)
    return JsonResponse(
        {
            "period": {
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "time_zone": period.time_zone,
            },
            "team": slug or None,
            "kpis": [
                {
                    "key": item.key,
                    "label": str(item.label),
                    "definition": str(item.definition),
                    "unit": str(item.unit),
                    "value": current[item.key],
                    "previous": previous[item.key],
                }
                for item in KPIS
            ],
        }
    )


urlpatterns = [
    path("desk/", desk, name="desk"),
    path("dashboards/", dashboards_index, name="dashboards"),
    path("dashboards/me/", personal_dashboard, name="dashboard_personal"),
    path("dashboards/team/<slug:slug>/", team_dashboard, name="dashboard_team"),
    path("api/kpis/", kpi_api, name="kpi_api"),
]
