"""API endpoints of the metric dictionary (``metrics.kpis``): the KPI definitions, and their
figures over a period with slices, by breakdown, and as a series by day, week or month.

The same figures as the dashboards, computed by the same functions (``kpi_table``,
``kpi_breakdown``, ``kpi_series``), with the dashboards' access rules
(``metrics.selectors.kpi_scope``). Durations are seconds, rates percent (0–100).

Query parameters (all optional): ``start`` / ``end`` (whole local days, both included; default
the 28 days ending today), ``time_zone`` (IANA name; default the caller's), ``team`` (slug),
``agent`` (user id, ``me`` or ``none``), ``category`` (slug), ``priority``, ``channel``,
``language``, ``tier``, ``kpi`` (repeatable: only these KPIs). Unknown parameters are refused.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from metrics.kpis import (
    DIMENSIONS,
    GRAINS,
    KPIS,
    MAX_PERIOD_DAYS,
    Kpi,
    Period,
    Unit,
    kpi_breakdown,
    kpi_series,
    kpi_table,
)
from metrics.selectors.dashboards import group_labels
from metrics.selectors.kpi_scope import KpiScope, kpi_scope_for, require_metrics_reader
from supportdesk.api.views import ApiView
from supportdesk.errors import ApplicationError
from teams.models import Language
from tickets.models import Client, Ticket

DEFAULT_DAYS = 28
# Days a period may name: far enough from the calendar's ends that the previous period and the
# instant after the period stay representable.
EARLIEST = date(1970, 1, 1)
LATEST = date(9000, 12, 31)
BOUNDS = {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()}
PK_MAX = 2**63 - 1


# --- Input ------------------------------------------------------------------------------------


class AgentParamField(serializers.Field):
    """A user id, ``me`` or ``none`` (the unassigned tickets)."""

    default_error_messages = {"invalid": _("Enter a user id, “me” or “none”.")}

    def to_internal_value(self, data: Any) -> int | str:
        text = str(data)
        if text in ("me", "none"):
            return text
        if not text.isdigit() or not 1 <= int(text) <= PK_MAX:
            self.fail("invalid")
        return int(text)

    def to_representation(self, value: Any) -> Any:
        return value


class MetricsQuerySerializer(serializers.Serializer):
    """Period and slices of a metrics request (query parameters)."""

    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    time_zone = serializers.CharField(required=False, max_length=64)
    team = serializers.SlugField(required=False, max_length=50)
    agent = AgentParamField(required=False)
    category = serializers.SlugField(required=False, max_length=100)
    priority = serializers.ChoiceField(required=False, choices=Ticket.Priority.choices)
    channel = serializers.ChoiceField(required=False, choices=Ticket.Channel.choices)
    language = serializers.ChoiceField(required=False, choices=Language.choices)
    tier = serializers.ChoiceField(required=False, choices=Client.Tier.choices)
    kpi = serializers.MultipleChoiceField(required=False, choices=[k.key for k in KPIS])

    def validate_time_zone(self, value: str) -> str:
        if value not in zoneinfo.available_timezones():
            raise ValidationError(_("Unknown time zone."))
        return value


class BreakdownQuerySerializer(MetricsQuerySerializer):
    group = serializers.ChoiceField(choices=list(DIMENSIONS))


class SeriesQuerySerializer(MetricsQuerySerializer):
    grain = serializers.ChoiceField(required=False, choices=list(GRAINS), default="week")


def _query(request: Request, serializer_class: type[MetricsQuerySerializer]) -> dict[str, Any]:
    allowed = set(serializer_class().fields)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ValidationError({name: [_("Unknown parameter.")] for name in unknown})
    repeated = sorted(
        name for name, values in request.query_params.lists() if len(values) > 1 and name != "kpi"
    )
    if repeated:
        raise ValidationError({name: [_("Give this parameter once.")] for name in repeated})
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _period(user: Any, data: dict[str, Any]) -> Period:
    time_zone = data.get("time_zone") or getattr(user, "time_zone", "") or "Asia/Hong_Kong"
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(time_zone))
    end: date = data.get("end") or today
    start: date = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
    for name, day in (("start", start), ("end", end)):
        if not EARLIEST <= day <= LATEST:
            raise ValidationError(
                {name: [_("Enter a date from %(first)s to %(last)s.") % BOUNDS]}, code="invalid"
            )
    if end < start:
        raise ValidationError({"end": [_("The end date is before the start date.")]})
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError(
            {"end": [_("A period may cover at most %(days)s days.") % {"days": MAX_PERIOD_DAYS}]}
        )
    return Period(start, end, time_zone)


def _scope(user: Any, data: dict[str, Any]) -> KpiScope:
    return kpi_scope_for(
        user=user,
        team_slug=data.get("team", ""),
        agent=data.get("agent"),
        category_slug=data.get("category", ""),
        slices={key: data.get(key) for key in ("priority", "channel", "language", "tier")},
    )


def _kpis(data: dict[str, Any]) -> list[Kpi]:
    wanted = data.get("kpi") or ()
    return [item for item in KPIS if item.key in wanted] if wanted else list(KPIS)


def _compute(function: Any, **kwargs: Any) -> Any:
    try:
        return function(**kwargs)
    except ApplicationError as error:  # a refusal of the metric dictionary itself
        raise ValidationError({"non_field_errors": [str(error.message)]}) from error


# --- Output -----------------------------------------------------------------------------------


class KpiDefinitionSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField(help_text="In the caller's language.")
    definition = serializers.CharField(help_text="The definition in words.")
    unit = serializers.ChoiceField(
        choices=[u.value for u in Unit],
        help_text="count; duration (seconds); percent (0–100); ratio.",
    )
    better = serializers.ChoiceField(
        choices=["up", "down", ""], help_text="Which direction is good (empty: neither)."
    )
    headline = serializers.BooleanField(help_text="Shown on the dashboards' headline cards.")


class KpiDefinitionListSerializer(serializers.Serializer):
    """Every KPI of the metric dictionary (a fixed list: no paging)."""

    results = KpiDefinitionSerializer(many=True)


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text="Last day included.")
    time_zone = serializers.CharField()


class ScopeSerializer(serializers.Serializer):
    """The tickets counted, as resolved from the request and the caller's access."""

    team = serializers.CharField(allow_null=True, help_text="Team slug; null: all in scope.")
    agent = serializers.IntegerField(
        allow_null=True, help_text="Only this agent's tickets (always yourself for agents)."
    )
    unassigned = serializers.BooleanField()
    personal = serializers.BooleanField(
        help_text="True when the caller may read only their own figures (agents)."
    )
    category = serializers.CharField(allow_null=True)
    priority = serializers.IntegerField(allow_null=True)
    channel = serializers.CharField(allow_null=True)
    language = serializers.CharField(allow_null=True)
    tier = serializers.CharField(allow_null=True)


class KpiFigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="Null when undefined (no tickets).")
    previous = serializers.FloatField(
        allow_null=True, help_text="The value over the previous period of the same length."
    )


class KpiFiguresSerializer(serializers.Serializer):
    period = PeriodSerializer()
    previous_period = PeriodSerializer()
    scope = ScopeSerializer()
    results = KpiFigureSerializer(many=True)


class KpiValuesField(serializers.DictField):
    child = serializers.FloatField(allow_null=True)


class KpiBreakdownRowSerializer(serializers.Serializer):
    key = serializers.JSONField(
        allow_null=True,
        help_text="The slice's value: a team, agent or category id, a priority (1–4), or a "
        "channel, language or tier code; null for tickets without one (e.g. unassigned).",
    )
    label = serializers.CharField()
    agent_hours = serializers.FloatField(allow_null=True)
    values = KpiValuesField(help_text="KPI key → value.")


class KpiBreakdownSerializer(serializers.Serializer):
    period = PeriodSerializer()
    scope = ScopeSerializer()
    group = serializers.ChoiceField(choices=list(DIMENSIONS))
    results = KpiBreakdownRowSerializer(many=True)
    total = KpiBreakdownRowSerializer(help_text="The whole scope (the headline figures).")


class SeriesPointSerializer(serializers.Serializer):
    bucket = serializers.DateField(help_text="First day of the day, week (Monday) or month.")
    created = serializers.IntegerField()
    resolved = serializers.IntegerField()


class KpiSeriesSerializer(serializers.Serializer):
    period = PeriodSerializer()
    scope = ScopeSerializer()
    grain = serializers.ChoiceField(choices=list(GRAINS))
    results = SeriesPointSerializer(many=True)


def _period_data(period: Period) -> dict[str, Any]:
    return {"start": period.start, "end": period.end, "time_zone": period.time_zone}


def _scope_data(resolved: KpiScope, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "team": resolved.team.slug if resolved.team else None,
        "agent": resolved.agent_id,
        "unassigned": resolved.unassigned,
        "personal": resolved.personal,
        "category": resolved.category.slug if resolved.category else None,
        **{key: data.get(key) for key in ("priority", "channel", "language", "tier")},
    }


def _row(row: Any, label: str) -> dict[str, Any]:
    return {"key": row.group, "label": label, "agent_hours": row.agent_hours, "values": row.values}


_PERIOD_PARAMETERS = [
    OpenApiParameter("start", OpenApiTypes.DATE, description="First day (default: 27 days "
                     "before the end)."),
    OpenApiParameter("end", OpenApiTypes.DATE, description="Last day, included (default: "
                     "today). At most 366 days after the start."),
    OpenApiParameter("time_zone", str, description="IANA time zone of the days (default: "
                     "yours)."),
    OpenApiParameter("team", str, description="Team slug."),
    OpenApiParameter("agent", str, description="A user id, “me” or “none” (unassigned)."),
    OpenApiParameter("category", str, description="Category slug."),
    OpenApiParameter("priority", int, enum=Ticket.Priority.values),
    OpenApiParameter("channel", str, enum=Ticket.Channel.values),
    OpenApiParameter("language", str, enum=Language.values),
    OpenApiParameter("tier", str, enum=Client.Tier.values),
    OpenApiParameter("kpi", str, many=True, enum=[k.key for k in KPIS],
                     description="Only these KPIs (repeatable)."),
]  # fmt: skip


# --- Endpoints --------------------------------------------------------------------------------


class KpiDefinitionListApi(ApiView):
    """The metric dictionary: every KPI with its name and definition in words, and its unit."""

    @extend_schema(responses=KpiDefinitionListSerializer, operation_id="metrics_kpis_list")
    def get(self, request: Request) -> Response:
        require_metrics_reader(request.user)
        if request.query_params:
            raise ValidationError(
                {name: [_("Unknown parameter.")] for name in sorted(request.query_params)}
            )
        results = [
            {
                "key": item.key,
                "name": str(item.label),
                "definition": str(item.definition),
                "unit": str(item.unit),
                "better": item.better,
                "headline": item.headline,
            }
            for item in KPIS
        ]
        return Response(KpiDefinitionListSerializer({"results": results}).data)


class KpiFiguresApi(ApiView):
    """Each KPI over the period and over the previous period of the same length."""

    @extend_schema(
        parameters=_PERIOD_PARAMETERS,
        responses=KpiFiguresSerializer,
        operation_id="metrics_figures_retrieve",
    )
    def get(self, request: Request) -> Response:
        require_metrics_reader(request.user)
        data = _query(request, MetricsQuerySerializer)
        period = _period(request.user, data)
        resolved = _scope(request.user, data)
        kpis = _kpis(data)
        current = _compute(kpi_table, period=period, scope=resolved.scope, kpis=kpis)[0]
        previous = _compute(kpi_table, period=period.previous(), scope=resolved.scope, kpis=kpis)[0]
        body = {
            "period": _period_data(period),
            "previous_period": _period_data(period.previous()),
            "scope": _scope_data(resolved, data),
            "results": [
                {
                    "key": item.key,
                    "name": str(item.label),
                    "unit": str(item.unit),
                    "value": current[item.key],
                    "previous": previous[item.key],
                }
                for item in kpis
            ],
        }
        return Response(KpiFiguresSerializer(body).data)


class KpiBreakdownApi(ApiView):
    """The KPIs per value of one slice (``group``), and the total of the whole scope."""

    @extend_schema(
        parameters=[
            OpenApiParameter("group", str, required=True, enum=list(DIMENSIONS)),
            *_PERIOD_PARAMETERS,
        ],
        responses=KpiBreakdownSerializer,
        operation_id="metrics_breakdown_retrieve",
    )
    def get(self, request: Request) -> Response:
        require_metrics_reader(request.user)
        data = _query(request, BreakdownQuerySerializer)
        period = _period(request.user, data)
        resolved = _scope(request.user, data)
        group = data["group"]
        rows, total = _compute(
            kpi_breakdown, period=period, scope=resolved.scope, group=group, kpis=_kpis(data)
        )
        labels = group_labels(group, [row.group for row in rows if row.group is not None])
        body = {
            "period": _period_data(period),
            "scope": _scope_data(resolved, data),
            "group": group,
            "results": [
                _row(row, labels.get(row.group, str(row.group)) if row.group is not None else "")
                for row in rows
            ],
            "total": _row(total, ""),
        }
        return Response(KpiBreakdownSerializer(body).data)


class KpiSeriesApi(ApiView):
    """Tickets created and resolved per day, week (from Monday) or month of the period, in its
    time zone; every bucket present, zeros included."""

    @extend_schema(
        parameters=[
            OpenApiParameter("grain", str, enum=list(GRAINS), description="Default: week."),
            *_PERIOD_PARAMETERS,
        ],
        responses=KpiSeriesSerializer,
        operation_id="metrics_series_retrieve",
    )
    def get(self, request: Request) -> Response:
        require_metrics_reader(request.user)
        data = _query(request, SeriesQuerySerializer)
        period = _period(request.user, data)
        resolved = _scope(request.user, data)
        series = _compute(kpi_series, period=period, scope=resolved.scope, grain=data["grain"])
        body = {
            "period": _period_data(period),
            "scope": _scope_data(resolved, data),
            "grain": data["grain"],
            "results": [
                {"bucket": point.bucket, "created": point.created, "resolved": point.resolved}
                for point in series
            ],
        }
        return Response(KpiSeriesSerializer(body).data)
