"""Jira Cloud calls for engineering escalations (see ``tickets.services.jira``)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from tickets.services.jira import JiraError, jira_issue_create, jira_issue_sync


def _delay(attempt: int) -> int:
    return min(30 * 2 ** (attempt - 1), 3600)


@shared_task(bind=True, name="tickets.jira_issue_create", ignore_result=True, max_retries=None)
def jira_issue_create_task(self, escalation_id: int) -> None:  # type: ignore[no-untyped-def]
    """Create the escalation's Jira issue; retried with exponential backoff until
    ``JIRA_MAX_ATTEMPTS``; the last error stays on the escalation. Idempotent."""
    attempt = self.request.retries + 1
    try:
        jira_issue_create(escalation_id=escalation_id)
    except JiraError as error:
        if attempt >= settings.JIRA_MAX_ATTEMPTS:
            return
        raise self.retry(exc=error, countdown=_delay(attempt)) from error


@shared_task(bind=True, name="tickets.jira_issue_sync", ignore_result=True, max_retries=None)
def jira_issue_sync_task(self, issue_key: str) -> None:  # type: ignore[no-untyped-def]
    """Read a Jira issue named by Jira's webhook and move its escalation along. Idempotent."""
    attempt = self.request.retries + 1
    try:
        jira_issue_sync(issue_key=issue_key)
    except JiraError as error:
        if attempt >= settings.JIRA_MAX_ATTEMPTS:
            return
        raise self.retry(exc=error, countdown=_delay(attempt)) from error
