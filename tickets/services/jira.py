"""Jira Cloud for engineering escalations.

An internal team with a ``jira_project_key`` is a Jira project: escalating to it queues
``tickets.tasks.jira.jira_issue_create_task`` after commit, which creates the issue through
Jira Cloud REST API v3 (``POST /rest/api/3/issue``: summary, ADF description with the ticket's
summary, the reason and a link back) and stores its key on the escalation. A failure is
recorded on the escalation (``jira_error``, ``jira_attempts``) and retried with backoff.

Jira's webhook (``POST /api/v1/integrations/jira/webhook``, signed with
``JIRA_WEBHOOK_SECRET``) names an issue; ``jira_issue_sync`` then reads the issue back from
Jira (``GET /rest/api/3/issue/{key}``: the webhook body is never trusted for the state) and,
once its status category is *Done*, records the internal team's answer through
``escalation_record_answer`` (internal note + audit event; the ticket returns to support).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError
from tickets.models import Escalation

logger = logging.getLogger(__name__)

SUMMARY_MAX = 250
ISSUE_KEY_MAX = 40


class JiraError(Exception):
    """Jira could not be reached or refused the request (retryable)."""


def jira_configured() -> bool:
    """Base URL (http or https) and credentials are set."""
    return (
        str(settings.JIRA_BASE_URL).startswith(("https://", "http://"))
        and bool(settings.JIRA_EMAIL)
        and bool(settings.JIRA_API_TOKEN)
    )


def _request(method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    if not jira_configured():
        raise JiraError("Jira is not configured (JIRA_BASE_URL, JIRA_EMAIL, JIRA_API_TOKEN).")
    credentials = f"{settings.JIRA_EMAIL}:{settings.JIRA_API_TOKEN}".encode()
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked by jira_configured
        settings.JIRA_BASE_URL.rstrip("/") + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={
            "Authorization": "Basic " + base64.b64encode(credentials).decode(),
            "Accept": "application/json",
            "Content-Type": "application/json",
        },
    )
    try:
        timeout = settings.JIRA_TIMEOUT_SECONDS
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        detail = error.read()[:500].decode("utf-8", "replace")
        raise JiraError(f"Jira answered {error.code}: {detail}") from error
    except (OSError, ValueError) as error:
        raise JiraError(f"Jira could not be reached: {error}") from error


def _text(text: str) -> dict[str, Any]:
    """An ADF paragraph (ADF refuses empty text nodes: an empty paragraph instead)."""
    content = [{"type": "text", "text": text}] if text else []
    return {"type": "paragraph", "content": content}


def jira_issue_fields(escalation: Escalation) -> dict[str, Any]:
    """The ``fields`` of the Jira issue for ``escalation`` (an ADF description)."""
    ticket = escalation.ticket
    url = settings.SITE_URL.rstrip("/") + reverse("tickets:detail", args=[ticket.pk])
    summary = f"[{ticket.reference}] {ticket.subject}".replace("\n", " ")[:SUMMARY_MAX]
    description = {
        "type": "doc",
        "version": 1,
        "content": [
            _text(f"Escalated from SupportDesk ticket {ticket.reference}: {ticket.subject}"),
            _text(ticket.description[:5000]),
            {"type": "heading", "attrs": {"level": 3}, "content": [
                {"type": "text", "text": "Reason"}]},
            _text(escalation.reason[:5000]),
            {"type": "paragraph", "content": [{
                "type": "text",
                "text": f"Open {ticket.reference} in SupportDesk",
                "marks": [{"type": "link", "attrs": {"href": url}}],
            }]},
        ],
    }  # fmt: skip
    return {
        "project": {"key": escalation.internal_team.jira_project_key},
        "issuetype": {"name": escalation.internal_team.jira_issue_type or "Task"},
        "summary": summary,
        "description": description,
        "labels": ["supportdesk"],
    }


def jira_escalation_queue(escalation: Escalation) -> None:
    """Called inside the escalation's transaction: create its Jira issue after commit."""
    if escalation.internal_team is None or not escalation.internal_team.jira_project_key:
        return

    def enqueue() -> None:
        from tickets.tasks.jira import jira_issue_create_task

        jira_issue_create_task.delay(escalation.pk)

    transaction.on_commit(enqueue)


def jira_issue_create(*, escalation_id: int) -> str | None:
    """Create the escalation's Jira issue and store its key; idempotent (an escalation that has
    its key is left alone). Raises ``JiraError`` after recording the failure on the
    escalation."""
    escalation = (
        Escalation.objects.select_related("ticket", "internal_team")
        .filter(pk=escalation_id, internal_team__isnull=False)
        .first()
    )
    if escalation is None or escalation.jira_issue_key:
        return None if escalation is None else escalation.jira_issue_key
    if not escalation.internal_team.jira_project_key:
        return None
    try:
        created = _request("POST", "/rest/api/3/issue", {"fields": jira_issue_fields(escalation)})
        key = str(created.get("key") or "")[:ISSUE_KEY_MAX]
        if not key:
            raise JiraError("Jira's answer had no issue key.")
    except JiraError as error:
        Escalation.objects.filter(pk=escalation_id).update(
            jira_error=str(error)[:1000], jira_attempts=F("jira_attempts") + 1
        )
        logger.warning("jira.issue_failed", extra={"escalation_id": escalation_id})
        raise
    # A concurrent attempt may have stored a key first: keep the first one.
    Escalation.objects.filter(pk=escalation_id, jira_issue_key="").update(
        jira_issue_key=key, jira_error="", jira_attempts=F("jira_attempts") + 1
    )
    logger.info("jira.issue_created", extra={"escalation_id": escalation_id, "key": key})
    return key


def jira_webhook_signature_ok(*, body: bytes, signature: str, query_secret: str) -> bool:
    """Jira's ``X-Hub-Signature: sha256=<HMAC-SHA256(secret, body)>`` (webhooks registered
    with a secret), or the secret as the ``secret`` query parameter (legacy webhooks)."""
    secret = settings.JIRA_WEBHOOK_SECRET
    if not secret:
        return False
    if signature:
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(signature.strip(), expected)
    return bool(query_secret) and hmac.compare_digest(query_secret, secret)


def jira_webhook_issue_key(payload: Any) -> str:
    """The issue key of a Jira webhook body (400 when it has none)."""
    issue = payload.get("issue") if isinstance(payload, dict) else None
    key = issue.get("key") if isinstance(issue, dict) else None
    if not isinstance(key, str) or not key or len(key) > ISSUE_KEY_MAX:
        raise ApplicationError(_("The Jira event names no issue."), code="no_issue")
    return key


def jira_issue_sync(*, issue_key: str) -> Escalation | None:
    """Read the issue from Jira and move its open escalation along: record the status, and
    once the status category is Done, the internal team's answer (the ticket goes back to
    support). Idempotent: an answered escalation is not answered twice."""
    from tickets.services.escalations import escalation_record_answer

    escalation = (
        Escalation.objects.filter(jira_issue_key=issue_key, de_escalated_at__isnull=True)
        .order_by("-id")
        .first()
    )
    if escalation is None:
        return None
    issue = _request("GET", f"/rest/api/3/issue/{issue_key}?fields=status,resolution")
    fields = issue.get("fields") or {}
    status = fields.get("status") or {}
    name = str(status.get("name") or "")[:100]
    category = str((status.get("statusCategory") or {}).get("key") or "")
    Escalation.objects.filter(pk=escalation.pk).update(jira_status=name)
    if category != "done" or escalation.answered_at is not None:
        return escalation
    resolution = str((fields.get("resolution") or {}).get("name") or "")
    answer = f"Jira {issue_key}: {name}" + (f" ({resolution})" if resolution else "") + "."
    try:
        return escalation_record_answer(
            actor=None, escalation=escalation, answer=answer, source="automation"
        )
    except ApplicationError:
        # A closed ticket (read only) or a race with a person recording the answer: the Jira
        # status is on the escalation; nothing else to do, and nothing to retry.
        logger.info("jira.answer_skipped", extra={"escalation_id": escalation.pk})
        return escalation
