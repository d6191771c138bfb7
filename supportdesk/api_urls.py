"""The REST API, version 1 (mounted at /api/v1/): every app's endpoints on one router."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from teams.api.views import AgentViewSet, TeamViewSet
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
    *router.urls,
]
