"""API endpoints of the tickets app: tickets (list, search, create, read, edit, lifecycle,
messages and notes, attachments), clients and knowledge-base articles.

Thin: access through ``teams.access`` (via the selectors, which scope every queryset), input
validated by serializers, writes by ``tickets.services`` with ``source="api"``. A ticket outside
the caller's scope is a 404, exactly as for an id that does not exist.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from supportdesk.api.pagination import ApiCursorPagination
from supportdesk.api.views import ApiView, ApiViewMixin, parse_pk
from teams import access
from tickets.api.serializers import (
    ArticleSerializer,
    ClientSerializer,
    ClientTicketSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    TicketAssignSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketEscalateSerializer,
    TicketSerializer,
    TicketTransitionSerializer,
    TicketUpdateSerializer,
    ticket_rows_representation,
)
from tickets.filters import CURSOR_KEYS, FILTER_KEYS, TicketFilterForm
from tickets.models import Ticket
from tickets.selectors import api as selectors
from tickets.selectors.knowledge import article_detail_for, article_list_visible_to
from tickets.selectors.queues import category_list, team_options_for, ticket_list_rows_page
from tickets.selectors.search import search_results_for
from tickets.services import tickets as services

SOURCE = "api"
DEFAULT_SORT = "-created"
MAX_PAGE_SIZE = 100
LIST_PARAMS = frozenset({*FILTER_KEYS, *CURSOR_KEYS, "q", "page_size"})
# A client's list is their own tickets, newest first, paged by ``cursor``; no filters.
CLIENT_PARAMS = frozenset({"cursor", "page_size"})
FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "private, no-store",
}


@extend_schema_serializer(many=False)
class TicketPageSerializer(serializers.Serializer):
    """One page of tickets: ``next`` / ``previous`` are full URLs (``null`` at either end)."""

    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = PolymorphicProxySerializer(
        component_name="TicketListItem",
        serializers=[TicketSerializer, ClientTicketSerializer],
        resource_type_field_name="audience",
        many=True,
    )


@extend_schema_serializer(many=False)
class MessagePageSerializer(serializers.Serializer):
    """One page of a conversation, oldest first."""

    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = MessageSerializer(many=True)


TICKET_OR_CLIENT_TICKET = PolymorphicProxySerializer(
    component_name="TicketForCaller",
    serializers=[TicketDetailSerializer, ClientTicketSerializer],
    resource_type_field_name="audience",
)


_LIST_PARAMETERS = [
    OpenApiParameter("q", str, description="Search: a reference, a client's email or account "
                     "number, or full text (staff; ranked, at most 50 results, no paging)."),
    OpenApiParameter("status", str, many=True, enum=Ticket.Status.values),
    OpenApiParameter("priority", int, many=True, enum=Ticket.Priority.values),
    OpenApiParameter("category", str, description="Category slug."),
    OpenApiParameter("team", str, description="Team slug (a team you can see)."),
    OpenApiParameter("assignee", str, description="A user id, “me” or “none”."),
    OpenApiParameter("language", str, enum=["en", "zh-hant"]),
    OpenApiParameter("tag", str),
    OpenApiParameter("client", str, description="Client id, account number or email (exact)."),
    OpenApiParameter("created_from", OpenApiTypes.DATE),
    OpenApiParameter("created_to", OpenApiTypes.DATE),
    OpenApiParameter("updated_from", OpenApiTypes.DATE),
    OpenApiParameter("updated_to", OpenApiTypes.DATE),
    OpenApiParameter("sort", str, enum=["priority", "-priority", "created", "-created", "updated",
                                        "-updated", "subject", "-subject", "status", "-status"]),
    OpenApiParameter("after", str, description="Cursor of the next page (from “next”)."),
    OpenApiParameter("before", str, description="Cursor of the previous page."),
    OpenApiParameter("cursor", str, description="Clients only: the page cursor (from “next”)."),
    OpenApiParameter("page_size", int, description="1 to 100, default 50."),
]  # fmt: skip


def _form_errors(form: Any) -> dict[str, list[str]]:
    return {
        ("non_field_errors" if name == "__all__" else name): [str(message) for message in errors]
        for name, errors in form.errors.items()
    }


def _page_size(request: Request) -> int:
    raw = request.query_params.get("page_size") or "50"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ValidationError({"page_size": [_("Ask for 1 to 100 rows per page.")]})
    return int(raw)


def _service_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in ("version", "confirmed")}


class TicketViewSet(ApiViewMixin, viewsets.ViewSet):
    """Tickets the caller may read; changes through the ticket services."""

    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Ticket.objects.none()  # for the schema's path parameter type only

    def _ticket(self, request: Request, pk: Any) -> Ticket:
        return selectors.ticket_api_detail_for(user=request.user, ticket_id=parse_pk(pk))

    def _detail(self, request: Request, ticket: Ticket, status_code: int = 200) -> Response:
        serializer = (
            TicketDetailSerializer
            if access.is_staff_member(request.user)
            else ClientTicketSerializer
        )
        return Response(serializer(ticket).data, status=status_code)

    def _require_staff(self, request: Request) -> None:
        access.require(access.is_staff_member(request.user))

    @extend_schema(parameters=_LIST_PARAMETERS, responses=TicketPageSerializer)
    def list(self, request: Request) -> Response:
        """Tickets of the caller's teams (a client: their own), filtered, sorted and paged by
        cursor; or the results of a search (``q``)."""
        user = request.user
        access.require(access.is_staff_member(user) or access.is_client(user))
        is_staff = access.is_staff_member(user)
        unknown = sorted(set(request.query_params) - (LIST_PARAMS if is_staff else CLIENT_PARAMS))
        if unknown:
            raise ValidationError({name: [_("Unknown parameter.")] for name in unknown})
        page_size = _page_size(request)
        if not is_staff:
            return self._client_list(request)
        if request.query_params.get("q"):
            results = search_results_for(
                user=user, text=request.query_params["q"], language=request.LANGUAGE_CODE
            )
            tickets = [*results.exact, *(hit.ticket for hit in results.tickets)]
            return Response(
                {
                    "next": None,
                    "previous": None,
                    "results": TicketSerializer(tickets, many=True).data,
                }
            )
        params = request.query_params
        # The filter form needs the categories only to check a ``category`` slug, and the
        # teams' members only to check an ``assignee`` id: each is read only when asked for.
        assignee = params.get("assignee", "")
        form = TicketFilterForm(
            params,
            teams=team_options_for(user=user, with_members=assignee not in ("", "me", "none")),
            categories=category_list() if params.get("category") else [],
            default_sort=DEFAULT_SORT,
            language_code=request.LANGUAGE_CODE,
        )
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        page = ticket_list_rows_page(
            user=user,
            filters=form.filters(user_id=user.pk),
            sort=form.sort_order,
            after=form.cleaned_data["after"],
            before=form.cleaned_data["before"],
            page_size=page_size,
        )
        return Response(
            {
                "next": self._link(request, "after", page.next_cursor),
                "previous": self._link(request, "before", page.previous_cursor),
                "results": ticket_rows_representation(page.tickets),
            }
        )

    def _link(self, request: Request, key: str, cursor: Any) -> str | None:
        if cursor is None:
            return None
        params = [
            (name, value)
            for name, values in request.query_params.lists()
            if name not in CURSOR_KEYS
            for value in values
        ]
        params.append((key, cursor.encode()))
        return request.build_absolute_uri(request.path) + "?" + urlencode(params)

    def _client_list(self, request: Request) -> Response:
        queryset = selectors.ticket_list_api_visible_to(user=request.user)
        paginator = ApiCursorPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(ClientTicketSerializer(page, many=True).data)

    @extend_schema(responses=TICKET_OR_CLIENT_TICKET)
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return self._detail(request, self._ticket(request, pk))

    @extend_schema(request=TicketCreateSerializer, responses={201: TicketDetailSerializer})
    def create(self, request: Request) -> Response:
        """Open a ticket (staff of the ticket's team)."""
        self._require_staff(request)
        serializer = TicketCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = services.ticket_create(
            actor=request.user, source=SOURCE, **serializer.validated_data
        )
        ticket = selectors.ticket_api_detail_for(user=request.user, ticket_id=ticket.pk)
        return self._detail(request, ticket, status.HTTP_201_CREATED)

    @extend_schema(request=TicketUpdateSerializer, responses=TicketDetailSerializer)
    def partial_update(self, request: Request, pk: Any = None) -> Response:
        """Edit fields; ``version`` must be the version read (409 with the changed fields
        otherwise)."""
        self._require_staff(request)
        ticket = self._ticket(request, pk)
        serializer = TicketUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.ticket_update(
            actor=request.user,
            ticket=ticket,
            changes=_service_kwargs(serializer.validated_data),
            expected_version=serializer.validated_data["version"],
            source=SOURCE,
            confirm_assignment=serializer.validated_data.get("confirmed", False),
        )
        return self._detail(request, self._ticket(request, pk))

    @extend_schema(request=TicketTransitionSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: Any = None) -> Response:
        """Move through the lifecycle (409 for a move the lifecycle refuses)."""
        self._require_staff(request)
        ticket = self._ticket(request, pk)
        serializer = TicketTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.ticket_transition(
            actor=request.user,
            ticket=ticket,
            to_status=data["to_status"],
            expected_version=data.get("version"),
            resolution_code=data.get("resolution_code") or None,
            resolution_summary=data.get("resolution_summary", ""),
            source=SOURCE,
        )
        return self._detail(request, self._ticket(request, pk))

    @extend_schema(request=TicketAssignSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: Any = None) -> Response:
        """Assign to a member of the ticket's team (``null`` unassigns)."""
        self._require_staff(request)
        ticket = self._ticket(request, pk)
        serializer = TicketAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.ticket_assign(
            actor=request.user,
            ticket=ticket,
            assignee=serializer.validated_data["assignee"],
            source=SOURCE,
            confirm_assignment=serializer.validated_data.get("confirmed", False),
        )
        return self._detail(request, self._ticket(request, pk))

    @extend_schema(request=TicketEscalateSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request: Request, pk: Any = None) -> Response:
        """Raise the escalation level by one; the reason becomes an internal note."""
        self._require_staff(request)
        ticket = self._ticket(request, pk)
        serializer = TicketEscalateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.ticket_escalate(
            actor=request.user,
            ticket=ticket,
            reason=serializer.validated_data["reason"],
            source=SOURCE,
        )
        return self._detail(request, self._ticket(request, pk))

    @extend_schema(
        methods=["GET"],
        responses=MessagePageSerializer,
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
    )
    @extend_schema(
        methods=["POST"],
        request={
            "application/json": MessageCreateSerializer,
            "multipart/form-data": MessageCreateSerializer,
        },
        responses={201: MessageSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def messages(self, request: Request, pk: Any = None) -> Response:
        """The conversation (oldest first; clients never see internal notes), or add to it: a
        reply or note (staff), a message (the ticket's client)."""
        ticket = self._ticket(request, pk)
        if request.method == "GET":
            paginator = MessagePagination()
            page = paginator.paginate_queryset(
                selectors.message_list_for(user=request.user, ticket=ticket), request, view=self
            )
            return paginator.get_paginated_response(MessageSerializer(page, many=True).data)
        serializer = MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        uploads = data.get("files", [])
        if not access.is_staff_member(request.user):
            message = services.message_add_from_client(
                ticket=ticket,
                client=ticket.client_id,
                body=data["body"],
                uploads=uploads,
                channel="web",
                source=SOURCE,
            )
        elif data["kind"] == "note":
            message = services.message_add_note(
                actor=request.user, ticket=ticket, body=data["body"], uploads=uploads, source=SOURCE
            )
        else:
            message = services.message_add_reply(
                actor=request.user,
                ticket=ticket,
                body=data["body"],
                uploads=uploads,
                set_status=data.get("set_status"),
                expected_version=data.get("version"),
                source=SOURCE,
            )
        message = selectors.message_list_for(user=request.user, ticket=message.ticket).get(
            pk=message.pk
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class MessagePagination(ApiCursorPagination):
    ordering = ("created_at", "id")


class AttachmentDownloadApi(ApiView):
    """Download an attachment (after the ticket's permission check)."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> FileResponse:
        attachment = selectors.attachment_api_visible_to(
            user=request.user, attachment_id=parse_pk(pk)
        )
        response = FileResponse(
            attachment.file.open("rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
        for header, value in FILE_HEADERS.items():
            response[header] = value
        return response


class ClientViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Clients the caller may read (a client: their own record)."""

    serializer_class = ClientSerializer

    def get_queryset(self) -> Any:
        return selectors.client_list_visible_to(user=self.request.user).order_by("-id")

    def get_object(self) -> Any:
        return access.get_visible_or_404(self.get_queryset(), pk=parse_pk(self.kwargs["pk"]))


class ArticleViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Knowledge-base articles (staff; drafts for editors only)."""

    serializer_class = ArticleSerializer

    def get_queryset(self) -> Any:
        return article_list_visible_to(user=self.request.user).order_by("-id")

    def get_object(self) -> Any:
        return article_detail_for(user=self.request.user, article_id=parse_pk(self.kwargs["pk"]))
