"""Reads for the team, desk and personal dashboards: figures from the metric dictionary, the
previous period for comparison, charts and the links to the tickets behind each figure.

A fixed number of queries per page: the KPI table of the period, of the previous period and of
the breakdown (each one statement, plus one for agent-hours), the series, the category bars,
and the name look-ups of the breakdown (one query per dimension).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from metrics import charts
from metrics.kpis import (
    DIMENSIONS,
    KPI_BY_KEY,
    KPIS,
    Kpi,
    KpiRow,
    Period,
    Scope,
    Unit,
    kpi_breakdown,
    kpi_series,
    kpi_table,
)
from teams import access
from teams.models import Language, Team, User
from tickets.models import Category, Client, Ticket

ALL_STATUSES = [status.value for status in Ticket.Status]
OPEN_STATUSES = [status.value for status in Ticket.OPEN_STATUSES]
TABLE_KPIS = (
    "created",
    "resolved",
    "backlog",
    "frt_median_business",
    "resolution_median_business",
    "reopen_rate",
    "fcr_rate",
    "escalation_rate",
    "tickets_per_agent_hour",
)


@dataclass
class Card:
    """One headline figure with its previous-period value and the link to its tickets."""

    kpi: Kpi
    value: float | None
    previous: float | None
    link: str = ""

    @property
    def change(self) -> float | None:
        if self.value is None or not self.previous:
            return None
        return 100.0 * (self.value - self.previous) / self.previous

    @property
    def trend(self) -> str:
        """``good``, ``bad`` or ``""`` for the arrow's colour."""
        change = self.change
        if change is None or abs(change) < 0.5 or not self.kpi.better:
            return ""
        return "good" if (change > 0) == (self.kpi.better == "up") else "bad"


@dataclass
class TableRow:
    label: str
    key: Any
    values: list[tuple[Kpi, float | None, str]] = field(default_factory=list)


@dataclass
class Dashboard:
    period: Period
    previous: Period
    cards: list[Card]
    table_kpis: list[Kpi]
    rows: list[TableRow]
    total: TableRow
    group: str
    series_chart: SafeString
    category_chart: SafeString
    series: list[Any]


def list_url_for(user: Any) -> str:
    """The ticket list drill-downs open: All tickets for desk-wide readers, else the team queue
    (with every status ticked, since it lists open tickets only by default)."""
    if access.reads_whole_desk(user):
        return reverse("tickets:all")
    return reverse("tickets:team_queue")


class Drilldown:
    """Builds ticket-list URLs for a figure, with the filters that select its tickets."""

    def __init__(self, *, user: Any, scope: Scope, team: Team | None) -> None:
        self.base = list_url_for(user)
        self.all_statuses = not access.reads_whole_desk(user)
        self.scope = scope
        self.team = team
        self._team_slugs: dict[int, str] | None = None
        self._category_slugs: dict[int, str] | None = None

    def team_slugs(self) -> dict[int, str]:
        if self._team_slugs is None:
            self._team_slugs = dict(Team.objects.values_list("id", "slug"))
        return self._team_slugs

    def category_slugs(self) -> dict[int, str]:
        if self._category_slugs is None:
            self._category_slugs = dict(Category.objects.values_list("id", "slug"))
        return self._category_slugs

    def url(self, kind: str, period: Period, extra: dict[str, Any] | None = None) -> str:  # noqa: C901 - a flat mapping of filters
        if not kind:
            return ""
        query: dict[str, Any] = {}
        if kind == "created":
            query.update(created_from=period.start.isoformat(), created_to=period.end.isoformat())
        elif kind == "resolved":
            query.update(resolved_from=period.start.isoformat(), resolved_to=period.end.isoformat())
        elif kind == "open":
            query.update(created_to=period.end.isoformat(), status=OPEN_STATUSES)
        if "status" not in query and self.all_statuses:
            query["status"] = ALL_STATUSES
        filters = dict(self.scope.filters)
        filters.update(extra or {})
        if self.team is not None and "team" not in filters:
            filters["team"] = self.team.pk
        for key, value in filters.items():
            if value is None:
                if key == "agent":
                    query["assignee"] = "none"
                continue
            if key == "team":
                query["team"] = self.team_slugs().get(value, "")
            elif key == "category":
                query["category"] = self.category_slugs().get(value, "")
            elif key == "agent":
                query["assignee"] = value
            elif key in ("priority", "channel", "language", "tier"):
                query[key] = value
        return f"{self.base}?{urlencode(query, doseq=True)}"


def group_labels(group: str, keys: list[Any]) -> dict[Any, str]:
    """Display names of a breakdown's keys (one query for teams, agents or categories)."""
    language = get_language() or "en"
    if group == "team":
        return dict(Team.objects.filter(pk__in=keys).values_list("pk", "name"))
    if group == "agent":
        return dict(User.objects.filter(pk__in=keys).values_list("pk", "full_name"))
    if group == "category":
        return {
            category.pk: category.localized_name(language)
            for category in Category.objects.filter(pk__in=keys)
        }
    choices = {
        "priority": Ticket.Priority.choices,
        "channel": Ticket.Channel.choices,
        "language": Language.choices,
        "tier": Client.Tier.choices,
    }[group]
    return {value: str(label) for value, label in choices}


def _row_values(row: KpiRow, kpis: list[Kpi], drill: Drilldown, period: Period, extra: dict):
    return [(item, row[item.key], drill.url(item.drilldown, period, extra)) for item in kpis]


def dashboard_build(
    *,
    user: Any,
    period: Period,
    scope: Scope,
    group: str,
    grain: str,
    team: Team | None = None,
) -> Dashboard:
    """Everything a dashboard page shows, for ``scope`` (already checked by the view)."""
    previous = period.previous()
    drill = Drilldown(user=user, scope=scope, team=team)
    grouped, current_row = kpi_breakdown(period=period, scope=scope, group=group)
    previous_row = kpi_table(period=previous, scope=scope)[0]
    cards = [
        Card(item, current_row[item.key], previous_row[item.key], drill.url(item.drilldown, period))
        for item in KPIS
        if item.headline
    ]
    table_kpis = [item for item in KPIS if item.key in TABLE_KPIS]
    labels = group_labels(group, [row.group for row in grouped if row.group is not None])
    rows = [
        TableRow(
            label=labels.get(row.group, str(row.group)) if row.group is not None else _("(none)"),
            key=row.group,
            values=_row_values(row, table_kpis, drill, period, {group: row.group}),
        )
        for row in grouped
    ]
    total = TableRow(
        label=_("All"),
        key=None,
        values=[
            (item, current_row[item.key], drill.url(item.drilldown, period)) for item in table_kpis
        ],
    )
    series = kpi_series(period=period, scope=scope, grain=grain)
    bucket_periods = [_bucket_period(point.bucket, grain, period) for point in series]
    bucket_labels = [date_format(point.bucket, "SHORT_DATE_FORMAT") for point in series]
    series_chart = charts.line_chart(
        bucket_labels,
        [
            charts.Series(
                _("Tickets created"),
                [point.created for point in series],
                [drill.url("created", bucket) for bucket in bucket_periods],
            ),
            charts.Series(
                _("Tickets resolved"),
                [point.resolved for point in series],
                [drill.url("resolved", bucket) for bucket in bucket_periods],
            ),
        ],
        title=_("Tickets created and resolved"),
    )
    by_category = (
        list(grouped)
        if group == "category"
        else kpi_table(period=period, scope=scope, group="category", kpis=[KPI_BY_KEY["created"]])
    )
    category_names = group_labels("category", [row.group for row in by_category])
    by_category.sort(key=lambda row: -(row["created"] or 0))
    category_chart = charts.bar_chart(
        [category_names.get(row.group, "") for row in by_category],
        [row["created"] or 0 for row in by_category],
        links=[drill.url("created", period, {"category": row.group}) for row in by_category],
        title=_("Tickets created by category"),
    )
    return Dashboard(
        period=period,
        previous=previous,
        cards=cards,
        table_kpis=table_kpis,
        rows=rows,
        total=total,
        group=group,
        series_chart=series_chart,
        category_chart=category_chart,
        series=series,
    )


def _bucket_period(bucket: date, grain: str, period: Period) -> Period:
    """The days of one chart bucket, clipped to the period."""
    if grain == "day":
        end = bucket
    elif grain == "week":
        end = bucket + timedelta(days=6)
    else:
        next_month = (bucket.replace(day=28) + timedelta(days=4)).replace(day=1)
        end = next_month - timedelta(days=1)
    return Period(max(bucket, period.start), min(end, period.end), period.time_zone)


def agents_of_team(team: Team) -> list[tuple[int, str]]:
    return list(
        User.objects.filter(memberships__team=team)
        .order_by("full_name")
        .values_list("pk", "full_name")
    )


def team_open_counts(*, user: Any) -> list[Any]:
    """The first desk overview's workload table, kept on the desk dashboard: open and
    unassigned tickets per visible team, counted over the open tickets only (the open-status
    partial indexes) rather than joining every ticket to its team."""
    counts = {
        row["team_id"]: row
        for row in Ticket.objects.filter(status__in=OPEN_STATUSES)
        .values("team_id")
        .annotate(
            open_count=Count("id"),
            unassigned_count=Count("id", filter=Q(assignee__isnull=True)),
        )
        .order_by()
    }
    teams = list(access.teams_visible_to(user).order_by("name"))
    for team in teams:
        row = counts.get(team.pk, {})
        team.open_count = row.get("open_count", 0)
        team.unassigned_count = row.get("unassigned_count", 0)
    return teams


def dimension_choices() -> list[tuple[str, str]]:
    return [(key, str(dimension.label)) for key, dimension in DIMENSIONS.items()]


def unit_of(item: Kpi) -> Unit:
    return item.unit
