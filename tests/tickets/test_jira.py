"""Jira Cloud for engineering escalations, against a small local Jira (http.server on
127.0.0.1) implementing ``POST /rest/api/3/issue`` and ``GET /rest/api/3/issue/{key}`` as
Atlassian documents them (basic auth with email + API token, JSON, ADF descriptions)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.test import APIClient

from supportdesk.celery import app as celery_app
from tickets.models import Escalation, InternalTeam, Message, Ticket, TicketEvent
from tickets.services.jira import JiraError, jira_issue_create
from tickets.services.tickets import ticket_escalate

pytestmark = pytest.mark.django_db
SECRET = "jira-webhook-secret"


class FakeJira:
    """Issues live in ``self.issues``; ``fail_next`` answers the next POSTs with 503."""

    def __init__(self) -> None:
        self.issues: dict[str, dict] = {}
        self.requests: list[dict] = []
        self.fail_next = 0
        jira = self

        class Handler(BaseHTTPRequestHandler):
            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                expected = "Basic " + base64.b64encode(b"bot@example.com:tok").decode()
                if self.headers.get("Authorization") != expected:
                    self._reply(401, {"errorMessages": ["Unauthorized"]})
                    return False
                return True

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                jira.requests.append({"method": "POST", "path": self.path, "body": body})
                if not self._authorised():
                    return
                if self.path != "/rest/api/3/issue":
                    self._reply(404, {"errorMessages": ["Not found"]})
                    return
                if jira.fail_next:
                    jira.fail_next -= 1
                    self._reply(503, {"errorMessages": ["Service unavailable"]})
                    return
                fields = body.get("fields", {})
                errors = {
                    name: f"{name} is required."
                    for name in ("project", "summary", "issuetype")
                    if not fields.get(name)
                }
                if fields.get("description", {}).get("type") != "doc":
                    errors["description"] = "Operation value must be an Atlassian Document."
                if errors:
                    self._reply(400, {"errorMessages": [], "errors": errors})
                    return
                number = len(jira.issues) + 1
                key = f"{fields['project']['key']}-{number}"
                jira.issues[key] = {
                    "id": str(10000 + number),
                    "key": key,
                    "fields": {
                        **fields,
                        "status": {
                            "name": "To Do",
                            "statusCategory": {"key": "new", "name": "To Do"},
                        },
                        "resolution": None,
                    },
                }
                self._reply(
                    201, {"id": str(10000 + number), "key": key, "self": f"/rest/api/3/issue/{key}"}
                )

            def do_GET(self) -> None:  # noqa: N802
                jira.requests.append({"method": "GET", "path": self.path})
                if not self._authorised():
                    return
                key = self.path.split("?")[0].removeprefix("/rest/api/3/issue/")
                if key not in jira.issues:
                    self._reply(404, {"errorMessages": ["Issue does not exist"]})
                    return
                self._reply(200, jira.issues[key])

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def resolve(self, key: str) -> None:
        self.issues[key]["fields"]["status"] = {
            "name": "Done",
            "statusCategory": {"key": "done", "name": "Done"},
        }
        self.issues[key]["fields"]["resolution"] = {"name": "Fixed"}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def jira(settings):
    server = FakeJira()
    settings.JIRA_BASE_URL = server.url
    settings.JIRA_EMAIL = "bot@example.com"
    settings.JIRA_API_TOKEN = "tok"
    settings.JIRA_WEBHOOK_SECRET = SECRET
    settings.SITE_URL = "https://desk.example.com"
    yield server
    server.close()


@pytest.fixture
def eager():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def engineering():
    return InternalTeam.objects.create(
        name="Trading Platform", contact_email="eng@example.com", jira_project_key="ENG"
    )


def _signed_webhook(payload: dict, secret: str = SECRET):
    body = json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return APIClient().post(
        "/api/v1/integrations/jira/webhook",
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE=signature,
    )


def _issue_updated(key: str) -> dict:
    return {
        "webhookEvent": "jira:issue_updated",
        "issue": {"key": key, "fields": {"status": {"name": "Done"}}},
    }


def test_round_trip_escalate_issue_webhook_answered(
    jira, eager, engineering, agent, team_a, django_capture_on_commit_callbacks
):
    from tests.api_clients import token_client
    from tests.factories import TicketFactory

    ticket = TicketFactory(team=team_a, status="open", subject="Orders rejected")
    api = token_client(agent)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            f"/api/v1/tickets/{ticket.pk}/escalations",
            {"reason": "Matching engine rejects", "internal_team": engineering.pk},
            format="json",
        )
    assert created.status_code == 201, created.content
    escalation = Escalation.objects.get(ticket=ticket)
    assert escalation.jira_issue_key == "ENG-1"
    shown = api.get(f"/api/v1/escalations/{escalation.pk}").json()
    assert (shown["jira_issue_key"], shown["jira_error"]) == ("ENG-1", "")
    assert escalation.jira_error == ""
    fields = jira.issues["ENG-1"]["fields"]
    assert fields["project"] == {"key": "ENG"}
    assert fields["issuetype"] == {"name": "Task"}
    assert fields["summary"] == f"[{ticket.reference}] Orders rejected"
    text = json.dumps(fields["description"])
    assert "Matching engine rejects" in text
    assert f"https://desk.example.com/tickets/{ticket.pk}" in text
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.PENDING_INTERNAL

    # Still To Do: the webhook records the status, nothing else moves.
    assert _signed_webhook(_issue_updated("ENG-1")).status_code == 202
    escalation.refresh_from_db()
    assert (escalation.jira_status, escalation.answered_at) == ("To Do", None)

    jira.resolve("ENG-1")
    with django_capture_on_commit_callbacks(execute=True):
        response = _signed_webhook(_issue_updated("ENG-1"))
    assert response.status_code == 202, response.content
    escalation.refresh_from_db()
    assert escalation.jira_status == "Done"
    assert escalation.answered_at is not None
    assert escalation.answer == "Jira ENG-1: Done (Fixed)."
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.OPEN
    event = TicketEvent.objects.get(ticket=ticket, action="escalation_answered")
    assert (event.source, event.new_value) == ("automation", "Trading Platform")
    assert not Message.objects.filter(ticket=ticket, body=escalation.answer).exists()
    # Jira redelivers: answered once only.
    assert _signed_webhook(_issue_updated("ENG-1")).status_code == 202
    assert TicketEvent.objects.filter(ticket=ticket, action="escalation_answered").count() == 1


def test_failures_are_recorded_on_the_escalation_and_retried(jira, engineering, agent, team_a):
    from tests.factories import TicketFactory

    ticket = TicketFactory(team=team_a, status="open")
    ticket_escalate(actor=agent, ticket=ticket, reason="Down", internal_team=engineering)
    escalation = Escalation.objects.get(ticket=ticket)
    jira.fail_next = 1
    with pytest.raises(JiraError):
        jira_issue_create(escalation_id=escalation.pk)
    escalation.refresh_from_db()
    assert "503" in escalation.jira_error and escalation.jira_attempts == 1
    assert escalation.jira_issue_key == ""
    assert jira_issue_create(escalation_id=escalation.pk) == "ENG-1"
    assert jira_issue_create(escalation_id=escalation.pk) == "ENG-1"  # idempotent
    assert len([r for r in jira.requests if r["method"] == "POST"]) == 2
    escalation.refresh_from_db()
    assert (escalation.jira_error, escalation.jira_attempts) == ("", 2)


def test_the_task_retries_with_backoff(jira, engineering, agent, team_a, monkeypatch):
    from tests.factories import TicketFactory
    from tickets.tasks import jira as jira_tasks

    ticket = TicketFactory(team=team_a, status="open")
    ticket_escalate(actor=agent, ticket=ticket, reason="Down", internal_team=engineering)
    escalation = Escalation.objects.get(ticket=ticket)
    jira.fail_next = 1
    retried = {}

    class Retry(Exception):
        pass

    def fake_retry(exc, countdown):
        retried["countdown"] = countdown
        return Retry()

    monkeypatch.setattr(jira_tasks.jira_issue_create_task, "retry", fake_retry)
    with pytest.raises(Retry):
        jira_tasks.jira_issue_create_task.run(escalation.pk)
    assert retried["countdown"] == 30
    escalation.refresh_from_db()
    assert escalation.jira_error


def test_no_jira_for_plain_internal_teams(jira, agent, team_a, django_capture_on_commit_callbacks):
    from tests.factories import TicketFactory

    team = InternalTeam.objects.create(name="Compliance", contact_email="c@example.com")
    ticket = TicketFactory(team=team_a, status="open")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_escalate(actor=agent, ticket=ticket, reason="KYC", internal_team=team)
    assert jira.requests == []


@pytest.mark.parametrize(
    "how, status",
    [("wrong signature", 403), ("no signature", 403), ("query secret", 202), ("no issue", 400),
     ("not json", 400)],
)  # fmt: skip
def test_webhook_refusals(jira, eager, how, status):
    api = APIClient()
    url = "/api/v1/integrations/jira/webhook"
    payload = _issue_updated("ENG-9")
    if how == "wrong signature":
        response = _signed_webhook(payload, secret="guess")
    elif how == "no signature":
        response = api.post(url, payload, format="json")
    elif how == "query secret":
        response = api.post(f"{url}?secret={SECRET}", payload, format="json")
    elif how == "no issue":
        response = _signed_webhook({"webhookEvent": "jira:issue_updated"})
    else:
        body = b"{not json"
        signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        response = api.post(
            url, body, content_type="application/json", HTTP_X_HUB_SIGNATURE=signature
        )
    assert response.status_code == status, response.content
    if status >= 400:
        assert response["Content-Type"] == "application/problem+json"


def test_webhook_is_off_without_a_secret(settings):
    settings.JIRA_WEBHOOK_SECRET = ""
    response = APIClient().post(
        "/api/v1/integrations/jira/webhook", _issue_updated("ENG-1"), format="json"
    )
    assert response.status_code == 404


def test_an_internal_team_becomes_a_jira_project(administrator):
    from supportdesk.errors import ApplicationError
    from tickets.services.escalations import internal_team_save

    data = {"name": "Platform", "contact_email": "p@example.com", "jira_project_key": " eng "}
    team = internal_team_save(actor=administrator, data=data)
    assert (team.jira_project_key, team.jira_issue_type) == ("ENG", "Task")
    with pytest.raises(ApplicationError) as refused:
        internal_team_save(
            actor=administrator, internal_team=team, data={**data, "jira_project_key": "1-bad"}
        )
    assert refused.value.status == 400
    team.refresh_from_db()
    assert team.jira_project_key == "ENG"


def test_the_escalation_panel_shows_the_jira_issue(
    client, agent, team_a, engineering, django_capture_on_commit_callbacks
):
    from tests.factories import TicketFactory

    ticket = TicketFactory(team=team_a, status="open")
    ticket_escalate(actor=agent, ticket=ticket, reason="Down", internal_team=engineering)
    Escalation.objects.filter(ticket=ticket).update(jira_error="Jira answered 503", jira_attempts=2)
    client.force_login(agent)
    page = client.get(f"/tickets/{ticket.pk}/escalations/").content.decode()
    assert "The Jira issue could not be created (2 attempts):" in page
    assert "Jira answered 503" in page
    Escalation.objects.filter(ticket=ticket).update(
        jira_issue_key="ENG-7", jira_status="In Progress"
    )
    page = client.get(f"/tickets/{ticket.pk}/escalations/").content.decode()
    assert "Jira issue ENG-7 · status In Progress" in page
