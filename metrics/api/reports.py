"""API endpoints of the weekly report archive: list, read, download the PDF, regenerate.

The same access as the archive page (``metrics.selectors.reports``, ``teams.access``): managers
and administrators read every report, supervisors their teams' reports; the list is refused
(403) to anyone else, and a report outside the caller's scope is a 404, as for an id that does
not exist. Regenerating goes through ``metrics.services.reports.report_request`` (the archive's
*Regenerate* button): managers, or a team report's supervisors; answered 202 with the report,
queued, while a worker renders it (poll the report for its status).
"""

from __future__ import annotations

import re
from typing import Any

from django.http import FileResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from metrics.models import Report
from metrics.selectors.reports import report_detail_for, report_list_visible_to
from metrics.services import reports as services
from supportdesk.api.pagination import ApiCursorPagination
from supportdesk.api.views import ApiView, parse_pk
from supportdesk.errors import ApplicationError
from teams import access
from teams.models import Language

FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
    "Cache-Control": "private, no-store",
}
LIST_PARAMS = frozenset({"cursor", "page_size", "team", "status", "language"})
DESK = "desk"
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")


class ReportTeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class ReportSerializer(serializers.ModelSerializer):
    """One archived (or queued) weekly report. ``download_url`` is set once it has a PDF."""

    scope = serializers.SerializerMethodField(help_text="“desk” or “team”.")
    team = ReportTeamSerializer(allow_null=True)
    requested_by = serializers.IntegerField(source="requested_by_id", allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = (
            "id",
            "scope",
            "team",
            "period_start",
            "period_end",
            "time_zone",
            "language",
            "status",
            "error",
            "attempts",
            "requested_by",
            "created_at",
            "started_at",
            "generated_at",
            "download_url",
        )
        read_only_fields = fields

    def get_scope(self, report: Report) -> str:
        return "team" if report.team_id else DESK

    def get_download_url(self, report: Report) -> str | None:
        if not report.file:
            return None
        path = reverse("api:report-download", args=[report.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class ReportPageSerializer(serializers.Serializer):
    """One page of reports, newest first: ``next`` / ``previous`` are full URLs or null."""

    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = ReportSerializer(many=True)


def _filtered(request: Request) -> Any:
    params = request.query_params
    unknown = sorted(set(params) - LIST_PARAMS)
    if unknown:
        raise ValidationError({name: [_("Unknown parameter.")] for name in unknown})
    reports = report_list_visible_to(user=request.user)
    team = params.get("team", "")
    if team and not SLUG.fullmatch(team):
        raise ValidationError({"team": [_("Unknown team.")]})
    if team == DESK:
        reports = reports.filter(team__isnull=True)
    elif team:
        reports = reports.filter(team__slug=team)
    if params.get("status"):
        if params["status"] not in Report.Status.values:
            raise ValidationError({"status": [_("Unknown status.")]})
        reports = reports.filter(status=params["status"])
    if params.get("language"):
        if params["language"] not in Language.values:
            raise ValidationError({"language": [_("Unknown language.")]})
        reports = reports.filter(language=params["language"])
    return reports


class ReportPagination(ApiCursorPagination):
    """Newest first; ``page_size`` 1 to 100."""


class ReportListApi(ApiView):
    """The archived weekly reports the caller may read (newest first, cursor-paginated)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("team", str, description="A team slug, or “desk” for the "
                             "desk-wide reports."),
            OpenApiParameter("status", str, enum=Report.Status.values),
            OpenApiParameter("language", str, enum=Language.values),
            OpenApiParameter("cursor", str, description="The page cursor (from “next”)."),
            OpenApiParameter("page_size", int, description="1 to 100, default 50."),
        ],
        responses=ReportPageSerializer,
        operation_id="reports_list",
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        access.require(access.can_read_reports(request.user))
        page_size = request.query_params.get("page_size", "50")
        if not page_size.isdigit() or not 1 <= int(page_size) <= ReportPagination.max_page_size:
            raise ValidationError({"page_size": [_("Ask for 1 to 100 rows per page.")]})
        paginator = ReportPagination()
        page = paginator.paginate_queryset(_filtered(request), request, view=self)
        data = ReportSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class ReportDetailApi(ApiView):
    """One report: scope, period, language, status (queued, running, done, failed), the last
    error and the number of attempts."""

    @extend_schema(responses=ReportSerializer, operation_id="reports_retrieve")
    def get(self, request: Request, pk: Any) -> Response:
        report = report_detail_for(user=request.user, report_id=parse_pk(pk))
        return Response(ReportSerializer(report, context={"request": request}).data)


class ReportDownloadApi(ApiView):
    """The report's PDF (409 while it has none)."""

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        operation_id="reports_download",
    )
    def get(self, request: Request, pk: Any) -> FileResponse:
        report = report_detail_for(user=request.user, report_id=parse_pk(pk))
        if not report.file:
            raise ApplicationError(_("This report has no file yet."), code="not_ready", status=409)
        response = FileResponse(
            report.file.open("rb"),
            as_attachment=True,
            filename=report.download_name,
            content_type="application/pdf",
        )
        for header, value in FILE_HEADERS.items():
            response[header] = value
        return response


class ReportRegenerateApi(ApiView):
    """Generate the report again (same period, scope and language: the same figures, a fresh
    file). Answered 202 with the report, queued; 409 while it is being generated."""

    @extend_schema(
        request=None,
        responses={202: ReportSerializer},
        operation_id="reports_regenerate",
    )
    def post(self, request: Request, pk: Any) -> Response:
        report = report_detail_for(user=request.user, report_id=parse_pk(pk))
        if request.data and not hasattr(request.data, "keys"):
            raise ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        if request.data:
            raise ValidationError({str(name): [_("Unknown field.")] for name in request.data})
        queued = services.report_request(
            actor=request.user,
            team=report.team,
            period_start=report.period_start,
            language=report.language,
        )
        fresh = report_detail_for(user=request.user, report_id=queued.pk)
        return Response(
            ReportSerializer(fresh, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )
