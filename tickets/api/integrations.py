"""Inbound integrations: Jira's webhook (issue created/updated) for engineering escalations.

Not a user endpoint: no token or session; Jira proves itself with ``JIRA_WEBHOOK_SECRET``
(``X-Hub-Signature: sha256=…`` over the body, or ``?secret=`` for legacy webhooks). The issue's
state is read back from Jira in a Celery task, never taken from the body.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ParseError, PermissionDenied
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from supportdesk.api.views import ApiView
from tickets.services.jira import jira_webhook_issue_key, jira_webhook_signature_ok


class _RawJsonParser(BaseParser):
    """Keeps the raw body: the signature is computed over the exact bytes Jira sent."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):  # type: ignore[no-untyped-def]
        return stream.read() if stream is not None else b""


class JiraWebhookAcceptedSerializer(serializers.Serializer):
    issue = serializers.CharField()


class JiraWebhookApi(ApiView):
    """Jira's webhook: the named issue is read back from Jira and its escalation moves along
    (status category Done: the internal team's answer is recorded; the ticket goes back to
    support)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []
    parser_classes = [_RawJsonParser]

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={202: JiraWebhookAcceptedSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        if not settings.JIRA_WEBHOOK_SECRET:
            raise NotFound
        body = request.data if isinstance(request.data, bytes) else b""
        if not jira_webhook_signature_ok(
            body=body,
            signature=request.headers.get("X-Hub-Signature", ""),
            query_secret=request.query_params.get("secret", ""),
        ):
            raise PermissionDenied(_("The Jira webhook signature does not match."))
        try:
            payload = json.loads(body)
        except ValueError as error:
            raise ParseError(_("Send a JSON object.")) from error
        key = jira_webhook_issue_key(payload)
        from tickets.tasks.jira import jira_issue_sync_task

        jira_issue_sync_task.delay(key)
        return Response({"issue": key}, status=status.HTTP_202_ACCEPTED)
