"""API endpoints of the metrics app: a ticket's SLA clocks with their timelines (read only).

Registered from ``supportdesk.api_urls`` (``tickets`` never imports ``metrics``). Same access as
the ticket: a ticket outside the caller's teams is a 404; clients get 404 too (internal data).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from metrics.api.serializers import SlaClockListSerializer
from metrics.selectors.sla import sla_ticket_clocks
from supportdesk.api.views import ApiView, parse_pk
from teams import access
from tickets.selectors.api import ticket_api_detail_for


class TicketSlaClocksApi(ApiView):
    """The ticket's SLA clocks: state, due time, business time elapsed and remaining now, and
    each clock's events (started, paused, resumed, warning, breached, fulfilled …)."""

    @extend_schema(responses=SlaClockListSerializer, operation_id="tickets_sla_clocks_list")
    def get(self, request: Request, pk: Any) -> Response:
        if not access.is_staff_member(request.user):
            raise NotFound
        ticket = ticket_api_detail_for(user=request.user, ticket_id=parse_pk(pk))
        clocks = sla_ticket_clocks(ticket=ticket, now=timezone.now())
        return Response(SlaClockListSerializer({"results": clocks}).data)
