"""The permission matrix: every API endpoint × role, asserting the status and that a denied
request changed nothing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api_clients import token_client
from tests.factories import CategoryFactory, ClientFactory
from tickets.models import Escalation, InternalTeam, Message, Ticket, TicketEvent
from tickets.services.escalations import escalation_open

ROLES = ("agent", "outsider", "supervisor", "manager", "client_user", "anonymous")


def _client_for(role: str, request) -> APIClient:
    if role == "anonymous":
        return APIClient()
    return token_client(request.getfixturevalue(role))


def _state(ticket: Ticket) -> tuple:
    fresh = Ticket.objects.get(pk=ticket.pk)
    return (
        fresh.version,
        fresh.status,
        fresh.subject,
        fresh.assignee_id,
        fresh.escalation_level,
        Message.objects.filter(ticket=ticket).count(),
        TicketEvent.objects.filter(ticket=ticket).count(),
        Ticket.objects.count(),
        Escalation.objects.count(),
        Escalation.objects.filter(answered_at__isnull=False).count(),
        Escalation.objects.filter(de_escalated_at__isnull=False).count(),
    )


# (endpoint label, method, path template, body, expected status per role)
READS = [
    ("ticket list", "get", "/api/v1/tickets", None, (200, 200, 200, 200, 200, 401)),
    ("ticket detail", "get", "/api/v1/tickets/{ticket}", None, (200, 404, 200, 200, 200, 401)),
    ("messages", "get", "/api/v1/tickets/{ticket}/messages", None, (200, 404, 200, 200, 200, 401)),
    ("public attachment", "get", "/api/v1/attachments/{public}/download", None,
     (200, 404, 200, 200, 200, 401)),
    ("note attachment", "get", "/api/v1/attachments/{note}/download", None,
     (200, 404, 200, 200, 404, 401)),
    ("client list", "get", "/api/v1/clients", None, (200, 200, 200, 200, 200, 401)),
    ("client detail", "get", "/api/v1/clients/{client}", None, (200, 404, 200, 200, 200, 401)),
    ("team list", "get", "/api/v1/teams", None, (200, 200, 200, 200, 200, 401)),
    ("team detail", "get", "/api/v1/teams/{team}", None, (200, 404, 200, 200, 404, 401)),
    ("agent list", "get", "/api/v1/agents", None, (200, 200, 200, 200, 200, 401)),
    ("agent detail", "get", "/api/v1/agents/{agent}", None, (200, 404, 200, 200, 404, 401)),
    ("article list", "get", "/api/v1/articles", None, (200, 200, 200, 200, 200, 401)),
    ("article detail", "get", "/api/v1/articles/{article}", None, (200, 200, 200, 200, 404, 401)),
    ("sla clocks", "get", "/api/v1/tickets/{ticket}/sla-clocks", None,
     (200, 404, 200, 200, 404, 401)),
    ("escalation list", "get", "/api/v1/tickets/{ticket}/escalations", None,
     (200, 404, 200, 200, 404, 401)),
    ("escalation detail", "get", "/api/v1/escalations/{escalation}", None,
     (200, 404, 200, 200, 404, 401)),
    ("internal teams", "get", "/api/v1/internal-teams", None, (200, 200, 200, 200, 403, 401)),
]  # fmt: skip

WRITES = [
    ("edit", "patch", "/api/v1/tickets/{ticket}", {"version": 1, "subject": "Changed"},
     (200, 404, 200, 403, 403, 401)),
    ("transition", "post", "/api/v1/tickets/{ticket}/transition", {"to_status": "on_hold"},
     (200, 404, 200, 403, 403, 401)),
    ("assign", "post", "/api/v1/tickets/{ticket}/assign", {"assignee": "{agent}"},
     (200, 404, 200, 403, 403, 401)),
    ("escalate", "post", "/api/v1/tickets/{ticket}/escalate", {"reason": "Trading halted"},
     (200, 404, 200, 403, 403, 401)),
    ("reply", "post", "/api/v1/tickets/{ticket}/messages", {"kind": "reply", "body": "Hello"},
     (201, 404, 201, 403, 201, 401)),
    ("note", "post", "/api/v1/tickets/{ticket}/messages", {"kind": "note", "body": "Hm"},
     (201, 404, 201, 403, 201, 401)),
    ("create", "post", "/api/v1/tickets", "create", (201, 403, 201, 403, 403, 401)),
    ("agent status", "post", "/api/v1/agents/{agent}/status", {"status": "busy"},
     (200, 404, 403, 403, 404, 401)),
    ("escalate to a team", "post", "/api/v1/tickets/{ticket}/escalations",
     {"reason": "Orders stuck", "internal_team": "{internal}"}, (201, 404, 201, 403, 404, 401)),
    ("escalate tier 2", "post", "/api/v1/tickets/{ticket}/escalations", {"reason": "Help"},
     (201, 404, 201, 403, 404, 401)),
    ("escalation answer", "post", "/api/v1/escalations/{escalation}/answer",
     {"answer": "Fixed"}, (200, 404, 200, 403, 404, 401)),
    ("de-escalate", "post", "/api/v1/escalations/{escalation}/de-escalate", {"note": "Done"},
     (200, 404, 200, 403, 404, 401)),
]  # fmt: skip


def _ids(ticket: Ticket, agent, template: str) -> dict[str, int]:
    ids = {"internal": InternalTeam.objects.create(name="Ops", contact_email="o@example.com").pk}
    if "{escalation}" in template:
        escalation_open(actor=agent, ticket=ticket, reason="Stuck", internal_team=ids["internal"])
        ids["escalation"] = Escalation.objects.get(ticket=ticket).pk
    return ids | {
        "ticket": ticket.pk,
        "public": ticket.public_attachment.pk,
        "note": ticket.note_attachment.pk,
        "client": ticket.client_id,
        "team": ticket.team_id,
        "agent": agent.pk,
        "article": ticket.article.pk,
    }


def _fill(value, ids):
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)), ids=ROLES)
@pytest.mark.parametrize(
    "label, method, template, body, expected", READS, ids=[case[0] for case in READS]
)
@pytest.mark.django_db
def test_reads_follow_the_access_rules(
    request, ticket, agent, role_index, role, label, method, template, body, expected
):
    ids = _ids(ticket, agent, template)
    before = _state(ticket)
    api = _client_for(role, request)
    response = getattr(api, method)(_fill(template, ids))
    assert response.status_code == expected[role_index], response.content[:300]
    assert _state(ticket) == before


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)), ids=ROLES)
@pytest.mark.parametrize(
    "label, method, template, body, expected", WRITES, ids=[case[0] for case in WRITES]
)
@pytest.mark.django_db
def test_writes_follow_the_access_rules_and_denials_change_nothing(
    request, ticket, agent, team_a, role_index, role, label, method, template, body, expected
):
    ids = _ids(ticket, agent, template)
    if body == "create":
        body = {
            "client": ClientFactory().pk,
            "subject": "Cannot log in",
            "description": "Since this morning.",
            "category": CategoryFactory().pk,
            "team": team_a.pk,
        }
    before = _state(ticket)
    api = _client_for(role, request)
    response = getattr(api, method)(_fill(template, ids), _fill(body, ids), format="json")
    assert response.status_code == expected[role_index], response.content[:300]
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == response.status_code
        assert _state(ticket) == before
    else:
        assert _state(ticket) != before or label == "agent status"
