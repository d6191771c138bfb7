"""API endpoints for escalations: a ticket's escalations (list, escalate to tier 2 or to an
internal team), one escalation (read, record the internal team's answer, de-escalate), and
the internal teams (read).

Escalations are internal data: staff only (a client gets 404, as for a ticket they cannot
see). Writes go through ``tickets.services.escalations`` with ``source="api"``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from supportdesk.api.serializers import StrictSerializer
from supportdesk.api.views import ApiView, parse_pk
from teams import access
from tickets.models import Escalation, InternalTeam
from tickets.selectors import escalations as selectors
from tickets.selectors.api import ticket_api_detail_for
from tickets.services import escalations as services
from tickets.services.tickets import BODY_MAX_LENGTH, ticket_escalate

SOURCE = "api"


class InternalTeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = InternalTeam
        fields = ("id", "name", "contact_email", "description", "is_active", "jira_project_key")
        read_only_fields = fields


class EscalationSerializer(serializers.ModelSerializer):
    internal_team = InternalTeamSerializer(allow_null=True, read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Escalation
        fields = (
            "id",
            "ticket",
            "level",
            "internal_team",
            "reason",
            "escalated_by",
            "escalated_at",
            "returned_to",
            "handed_off_at",
            "answer",
            "answered_at",
            "answered_by",
            "de_escalated_at",
            "de_escalated_by",
            "update_interval_minutes",
            "is_open",
            "jira_issue_key",
            "jira_status",
            "jira_error",
        )
        read_only_fields = fields


class EscalationListSerializer(serializers.Serializer):
    """A ticket's escalations, oldest first (a handful: no paging)."""

    results = EscalationSerializer(many=True)


class InternalTeamListSerializer(serializers.Serializer):
    results = InternalTeamSerializer(many=True)


class EscalationCreateSerializer(StrictSerializer):
    """``internal_team`` empty or null: to the team's supervisors (tier 2)."""

    reason = serializers.CharField(max_length=BODY_MAX_LENGTH)
    internal_team = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )


class EscalationAnswerSerializer(StrictSerializer):
    answer = serializers.CharField(max_length=BODY_MAX_LENGTH)


class EscalationDeEscalateSerializer(StrictSerializer):
    note = serializers.CharField(max_length=BODY_MAX_LENGTH, required=False, allow_blank=True)


def _require_staff_or_404(request: Request) -> None:
    if not access.is_staff_member(request.user):
        raise NotFound


def _escalation(request: Request, pk: Any) -> Escalation:
    _require_staff_or_404(request)
    return selectors.escalation_for_action(user=request.user, escalation_id=parse_pk(pk))


def _escalation_data(escalation_id: int) -> dict[str, Any]:
    escalation = Escalation.objects.select_related("internal_team").filter(pk=escalation_id).get()
    return EscalationSerializer(escalation).data


class TicketEscalationsApi(ApiView):
    """A ticket's escalations, or escalate it."""

    @extend_schema(responses=EscalationListSerializer, operation_id="tickets_escalations_list")
    def get(self, request: Request, pk: Any) -> Response:
        _require_staff_or_404(request)
        ticket = ticket_api_detail_for(user=request.user, ticket_id=parse_pk(pk))
        escalations = selectors.ticket_escalations(ticket=ticket)
        return Response(EscalationListSerializer({"results": escalations}).data)

    @extend_schema(
        request=EscalationCreateSerializer,
        responses={201: EscalationSerializer},
        operation_id="tickets_escalations_create",
    )
    def post(self, request: Request, pk: Any) -> Response:
        """Escalate to the team's supervisors (no ``internal_team``) or to an internal team
        (the ticket waits in Pending internal; a Jira-backed team also gets a Jira issue)."""
        _require_staff_or_404(request)
        ticket = ticket_api_detail_for(user=request.user, ticket_id=parse_pk(pk))
        serializer = EscalationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ticket_escalate(
            actor=request.user,
            ticket=ticket,
            reason=data["reason"],
            internal_team=data.get("internal_team"),
            source=SOURCE,
        )
        latest = selectors.ticket_escalations(ticket=ticket).order_by("-escalated_at", "-id")[0]
        return Response(EscalationSerializer(latest).data, status=status.HTTP_201_CREATED)


class EscalationDetailApi(ApiView):
    """One escalation of a ticket the caller may see."""

    @extend_schema(responses=EscalationSerializer)
    def get(self, request: Request, pk: Any) -> Response:
        escalation = _escalation(request, pk)
        return Response(_escalation_data(escalation.pk))


class EscalationAnswerApi(ApiView):
    """Record the internal team's answer (an internal note); the ticket goes back to Open once
    no other internal team is working on it."""

    @extend_schema(request=EscalationAnswerSerializer, responses=EscalationSerializer)
    def post(self, request: Request, pk: Any) -> Response:
        escalation = _escalation(request, pk)
        serializer = EscalationAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.escalation_record_answer(
            actor=request.user,
            escalation=escalation,
            answer=serializer.validated_data["answer"],
            source=SOURCE,
        )
        return Response(_escalation_data(escalation.pk))


class EscalationDeEscalateApi(ApiView):
    """Close the escalation and hand the ticket back to its agent (tier 2: the team's
    supervisors only)."""

    @extend_schema(request=EscalationDeEscalateSerializer, responses=EscalationSerializer)
    def post(self, request: Request, pk: Any) -> Response:
        escalation = _escalation(request, pk)
        serializer = EscalationDeEscalateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.escalation_de_escalate(
            actor=request.user,
            escalation=escalation,
            note=serializer.validated_data.get("note", ""),
            source=SOURCE,
        )
        return Response(_escalation_data(escalation.pk))


class InternalTeamListApi(ApiView):
    """The active internal teams a ticket can be escalated to (staff)."""

    @extend_schema(responses=InternalTeamListSerializer)
    def get(self, request: Request) -> Response:
        access.require(access.is_staff_member(request.user))
        teams = selectors.internal_teams_active()
        return Response(InternalTeamListSerializer({"results": teams}).data)
