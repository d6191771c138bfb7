"""The REST API, version 1 (mounted at /api/v1/): every app's endpoints on one router."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from metrics.api.kpis import KpiBreakdownApi, KpiDefinitionListApi, KpiFiguresApi, KpiSeriesApi
from metrics.api.reports import (
    ReportDetailApi,
    ReportDownloadApi,
    ReportListApi,
    ReportRegenerateApi,
)
from metrics.api.views import TicketSlaClocksApi
from teams.api.views import AgentViewSet, TeamViewSet
from tickets.api.escalations import (
    EscalationAnswerApi,
    EscalationDeEscalateApi,
    EscalationDetailApi,
    InternalTeamListApi,
    TicketEscalationsApi,
)
from tickets.api.integrations import JiraWebhookApi
from tickets.api.views import (
    ArticleViewSet,
    AttachmentDownloadApi,
    ClientViewSet,
    TicketViewSet,
)

app_name = "api"

router = SimpleRouter(trailing_slash=False)
router.register("tickets", TicketViewSet, basename="ticket")
router.register("clients", ClientViewSet, basename="client")
router.register("articles", ArticleViewSet, basename="article")
router.register("teams", TeamViewSet, basename="team")
router.register("agents", AgentViewSet, basename="agent")

urlpatterns = [
    path(
        "attachments/<int:pk>/download",
        AttachmentDownloadApi.as_view(),
        name="attachment-download",
    ),
    path("tickets/<str:pk>/sla-clocks", TicketSlaClocksApi.as_view(), name="ticket-sla-clocks"),
    path("tickets/<str:pk>/escalations", TicketEscalationsApi.as_view(), name="ticket-escalations"),
    path("escalations/<str:pk>", EscalationDetailApi.as_view(), name="escalation-detail"),
    path("escalations/<str:pk>/answer", EscalationAnswerApi.as_view(), name="escalation-answer"),
    path(
        "escalations/<str:pk>/de-escalate",
        EscalationDeEscalateApi.as_view(),
        name="escalation-de-escalate",
    ),
    path("internal-teams", InternalTeamListApi.as_view(), name="internal-team-list"),
    path("metrics/kpis", KpiDefinitionListApi.as_view(), name="metrics-kpis"),
    path("metrics/figures", KpiFiguresApi.as_view(), name="metrics-figures"),
    path("metrics/breakdown", KpiBreakdownApi.as_view(), name="metrics-breakdown"),
    path("metrics/series", KpiSeriesApi.as_view(), name="metrics-series"),
    path("reports", ReportListApi.as_view(), name="report-list"),
    path("reports/<str:pk>", ReportDetailApi.as_view(), name="report-detail"),
    path("reports/<str:pk>/download", ReportDownloadApi.as_view(), name="report-download"),
    path("reports/<str:pk>/regenerate", ReportRegenerateApi.as_view(), name="report-regenerate"),
    path("integrations/jira/webhook", JiraWebhookApi.as_view(), name="jira-webhook"),
    *router.urls,
]
