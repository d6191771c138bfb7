"""API endpoints of the teams app: teams and agents (status, skills, shifts), read through
``teams.access``; an agent sets their own status."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from supportdesk.api.views import ApiViewMixin, parse_pk
from teams import access
from teams.api.serializers import AgentSerializer, AgentStatusSerializer, TeamSerializer
from teams.models import AgentSkill, TeamMembership, User
from teams.services.agent_status import agent_status_set


class TeamViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Teams the caller can see."""

    serializer_class = TeamSerializer

    def get_queryset(self) -> Any:
        return access.teams_visible_to(self.request.user).order_by("-id")

    def get_object(self) -> Any:
        return access.get_visible_or_404(self.get_queryset(), pk=parse_pk(self.kwargs["pk"]))


class AgentViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Members of the teams the caller can see, with status, skills and shifts (a fixed number
    of queries per page: one per related list)."""

    serializer_class = AgentSerializer

    def get_queryset(self) -> Any:
        return (
            access.users_visible_to(self.request.user)
            .select_related("agent_profile")
            .prefetch_related(
                Prefetch("memberships", TeamMembership.objects.select_related("team")),
                Prefetch("skills", AgentSkill.objects.select_related("skill")),
                "shifts",
            )
            .order_by("-id")
        )

    def get_object(self) -> Any:
        return access.get_visible_or_404(self.get_queryset(), pk=parse_pk(self.kwargs["pk"]))

    @extend_schema(request=AgentStatusSerializer, responses=AgentStatusSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request: Request, pk: Any = None) -> Response:
        """Set your own status (available, busy, away, offline)."""
        agent: User = self.get_object()
        serializer = AgentStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = agent_status_set(
            actor=request.user, agent=agent, status=serializer.validated_data["status"]
        )
        return Response(AgentStatusSerializer(profile).data)
