"""Trends in technical issues: the page supervisors use to propose process improvements."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from metrics.selectors import trends as selectors
from metrics.selectors.dashboards import list_url_for
from teams import access


@login_required
def trends(request: HttpRequest) -> HttpResponse:
    """Week-over-week change, spikes, recurring and new issues for the teams the user reads.

    ``?week=YYYY-MM-DD`` picks the complete week containing that date (default: last week).
    """
    access.require(access.can_view_trends(request.user))
    zone = timezone.get_current_timezone_name()
    today = timezone.localdate()
    requested = request.GET.get("week", "")
    picked: date | None = parse_date(requested) if requested else None
    if requested and picked is None:
        return render(
            request,
            "metrics/trends.html",
            {"error": _("Enter a date as YYYY-MM-DD.")},
            status=400,
        )
    week = selectors.TrendWeek.last_complete(today, zone)
    if picked is not None:
        monday = picked - timedelta(days=picked.weekday())
        week = selectors.TrendWeek(min(monday, week.start), zone)
    team_ids = (
        None
        if access.reads_whole_desk(request.user)
        else list(access.teams_visible_to(request.user).values_list("pk", flat=True))
    )
    top, new = selectors.recurring_issues(week=week, team_ids=team_ids)
    context = {
        "week": week,
        "wow": {
            dimension: selectors.week_over_week(week=week, team_ids=team_ids, dimension=dimension)
            for dimension in selectors.PLATFORM_DIMENSIONS
        },
        "weekly_spikes": selectors.spikes(week=week, team_ids=team_ids, unit="week"),
        "daily_spikes": selectors.spikes(week=week, team_ids=team_ids, unit="day"),
        "top": top,
        "new": new,
        "k": selectors.SPIKE_K,
        "baseline_weeks": selectors.BASELINE_WEEKS,
        "min_count": selectors.SPIKE_MIN_COUNT,
        "recurring_weeks": selectors.RECURRING_WEEKS,
        "list_url": list_url_for(request.user),
    }
    return render(request, "metrics/trends.html", context)


urlpatterns = [path("trends/", trends, name="trends")]
