"""The tickets API: lists (filters, search, cursor pages, constant queries), bad input as
problem details with nothing changed, the version check, clients never seeing notes,
attachments up and down."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.api_clients import token_client
from tests.factories import ResolutionCodeFactory, TicketFactory
from tickets.api.serializers import TicketSerializer
from tickets.models import Attachment, Message, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def _snapshot(ticket: Ticket) -> tuple:
    fresh = Ticket.objects.get(pk=ticket.pk)
    return (
        fresh.version,
        fresh.status,
        fresh.subject,
        fresh.priority,
        Message.objects.filter(ticket=ticket).count(),
        TicketEvent.objects.filter(ticket=ticket).count(),
    )


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:supportdesk:problem:{code}"
    assert body["title"]
    assert body["detail"]
    return body


def test_cursor_pages_walk_a_team_queue_without_gaps_or_repeats(agent, team_a, team_b):
    tickets = TicketFactory.create_batch(7, team=team_a, status="open")
    TicketFactory.create_batch(3, team=team_b, status="open")
    api = token_client(agent, "read")
    seen: list[int] = []
    url = "/api/v1/tickets?team=tech-hk&status=open&page_size=3&sort=-created"
    while url:
        body = api.get(url).json()
        seen.extend(row["id"] for row in body["results"])
        url = body["next"]
    assert sorted(seen) == sorted(ticket.pk for ticket in tickets)
    assert len(seen) == len(set(seen))
    last_page = api.get("/api/v1/tickets?team=tech-hk&status=open&page_size=3&sort=-created")
    previous = api.get(last_page.json()["next"]).json()["previous"]
    assert [row["id"] for row in api.get(previous).json()["results"]] == seen[:3]


@pytest.mark.parametrize("rows", [3, 30], ids=["few_case", "many_case"])
def test_the_list_runs_a_fixed_number_of_queries(agent, team_a, rows):
    TicketFactory.create_batch(rows, team=team_a, status="open")
    api = token_client(agent)
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/tickets?team=tech-hk&status=open")
    assert response.status_code == 200
    assert len(response.json()["results"]) == rows
    assert len(queries) == 5, [query["sql"][:120] for query in queries]


BENCH_LIST = (
    "/api/v1/tickets?team=tech-hk&status=new&status=open&status=pending_client"
    "&status=pending_internal&status=on_hold&page_size=50"
)


@pytest.mark.parametrize("rows", [5, 50], ids=["five_case", "fifty_case"])
def test_the_benchmarked_list_runs_the_same_queries_for_5_and_50_tickets(
    client, settings, agent, team_a, rows
):
    # The benchmark's request (a team's open tickets, 50 a page, the browser's session); the
    # rate limit counted in a local-memory cache, so that only the database queries count.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    TicketFactory.create_batch(rows, team=team_a, status="open")
    TicketFactory.create_batch(rows, team=team_a, status="open", assignee=agent, tags=["x"])
    client.force_login(agent)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(BENCH_LIST, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 50 if rows == 50 else 2 * rows
    # Session, user, roles, the visible teams (to check ``team``), the page's ids, its rows.
    assert len(queries) == 6, [query["sql"][:120] for query in queries]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Hong_Kong"], ids=["utc_case", "hong_kong_case"])
def test_list_rows_are_the_tickets_as_the_ticket_serializer_writes_them(
    client, agent, team_a, zone
):
    agent.time_zone = zone
    agent.save(update_fields=["time_zone"])
    now = timezone.now()
    TicketFactory(team=team_a, status="open", tags=["a", "b"], sla_due_at=now)
    TicketFactory(team=team_a, status="open", assignee=agent, first_public_reply_at=now)
    code = ResolutionCodeFactory()
    resolved = {"resolution_code": code, "resolution_summary": "Fixed.", "resolved_at": now}
    TicketFactory(team=team_a, status="resolved", sla_breached=True, **resolved)
    TicketFactory(team=team_a, status="closed", closed_at=now, **resolved)
    client.force_login(agent)
    listed = client.get("/api/v1/tickets?sort=-created").json()["results"]
    tickets = Ticket.objects.filter(pk__in=[row["id"] for row in listed]).select_related(
        "team", "category", "client", "assignee"
    )
    by_id = {ticket.pk: ticket for ticket in tickets}
    with timezone.override(zone):
        expected = [TicketSerializer(by_id[row["id"]]).data for row in listed]
    assert len(listed) == 4
    assert listed[0]["created_at"].endswith("Z" if zone == "UTC" else "+08:00")
    assert [list(row.items()) for row in listed] == [
        list(json.loads(json.dumps(row)).items()) for row in expected
    ]


def test_agent_and_message_lists_run_a_fixed_number_of_queries(
    agent, supervisor, ticket, django_assert_max_num_queries
):
    api = token_client(supervisor)
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/agents").status_code == 200
    with django_assert_max_num_queries(6):
        assert api.get(f"/api/v1/tickets/{ticket.pk}/messages").status_code == 200


def test_search_finds_a_ticket_by_reference(agent, team_a):
    ticket = TicketFactory(team=team_a)
    body = token_client(agent).get(f"/api/v1/tickets?q=SD-{ticket.pk:06d}").json()
    assert [row["id"] for row in body["results"]] == [ticket.pk]


def test_filters_refuse_unknown_values_and_parameters(agent, team_b):
    api = token_client(agent)
    body = _problem(api.get("/api/v1/tickets?team=accounts"), 400, "validation_error")
    assert list(body["errors"]) == ["team"]
    body = _problem(api.get("/api/v1/tickets?colour=red"), 400, "validation_error")
    assert body["errors"] == {"colour": ["Unknown parameter."]}
    _problem(api.get("/api/v1/tickets?after=garbage"), 400, "validation_error")


def test_a_client_sees_own_tickets_and_never_internal_notes(client_user, ticket, team_a):
    TicketFactory(team=team_a)
    api = token_client(client_user)
    listed = api.get("/api/v1/tickets").json()["results"]
    assert [row["id"] for row in listed] == [ticket.pk]
    assert "assignee" not in listed[0]
    messages = api.get(f"/api/v1/tickets/{ticket.pk}/messages").json()["results"]
    assert [message["kind"] for message in messages] == ["reply"]
    assert "Secret note" not in str(messages)


@pytest.mark.parametrize(
    "payload, content_type, field",
    [
        ('{"version": 1, "subject": ', "application/json", None),
        ('{"version": "one"}', "application/json", "version"),
        ('{"version": 1, "priority": 9}', "application/json", "priority"),
        ('{"version": 1, "subject": "x", "colour": "red"}', "application/json", "colour"),
        ('["not", "an", "object"]', "application/json", "non_field_errors"),
    ],
    ids=["malformed_case", "wrong_type_case", "bad_choice_case", "unknown_field_case",
         "not_object_case"],
)  # fmt: skip
def test_bad_input_is_a_problem_and_changes_nothing(agent, ticket, payload, content_type, field):
    before = _snapshot(ticket)
    response = token_client(agent).generic(
        "PATCH", f"/api/v1/tickets/{ticket.pk}", payload, content_type=content_type
    )
    body = _problem(response, 400, "parse_error" if field is None else "validation_error")
    if field:
        assert field in body["errors"]
    assert _snapshot(ticket) == before


def test_an_oversized_body_is_refused_with_413(agent, ticket, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = _snapshot(ticket)
    response = token_client(agent).patch(
        f"/api/v1/tickets/{ticket.pk}", {"version": 1, "subject": "x" * 2000}, format="json"
    )
    _problem(response, 413, "too_large")
    assert _snapshot(ticket) == before


def test_an_unsupported_media_type_is_refused_with_415(agent, ticket):
    response = token_client(agent).generic(
        "PATCH", f"/api/v1/tickets/{ticket.pk}", "subject=x", content_type="text/plain"
    )
    _problem(response, 415, "unsupported_media_type")


def test_a_stale_version_is_a_409_naming_what_changed(agent, ticket):
    api = token_client(agent)
    assert (
        api.patch(f"/api/v1/tickets/{ticket.pk}", {"version": 1, "priority": 1}).status_code == 200
    )
    before = _snapshot(ticket)
    body = _problem(
        api.patch(f"/api/v1/tickets/{ticket.pk}", {"version": 1, "subject": "Mine"}, format="json"),
        409,
        "stale",
    )
    assert body["changed_fields"] == ["priority"]
    assert body["current_version"] == 2
    assert _snapshot(ticket) == before


def test_an_illegal_transition_is_a_409(agent, ticket):
    before = _snapshot(ticket)
    body = _problem(
        token_client(agent).post(
            f"/api/v1/tickets/{ticket.pk}/transition", {"to_status": "closed"}, format="json"
        ),
        409,
        "illegal_transition",
    )
    assert "Closed" in body["detail"]
    assert _snapshot(ticket) == before


def test_resolving_needs_a_resolution_and_then_succeeds(agent, ticket):
    api = token_client(agent)
    url = f"/api/v1/tickets/{ticket.pk}/transition"
    body = _problem(api.post(url, {"to_status": "resolved"}, format="json"), 400, "invalid")
    assert "resolution_code" in body["errors"]
    response = api.post(
        url,
        {"to_status": "resolved", "resolution_code": "fixed", "resolution_summary": "Cleared."},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "resolved"
    assert response.json()["resolution_code"] == "fixed"


def test_errors_speak_the_users_language(agent, ticket):
    agent.language = "zh-hant"
    agent.save()
    body = _problem(
        token_client(agent).post(
            f"/api/v1/tickets/{ticket.pk}/transition", {"to_status": "closed"}, format="json"
        ),
        409,
        "illegal_transition",
    )
    assert body["title"] == "衝突"


def test_attachments_go_up_with_a_reply_and_come_down(agent, ticket):
    api = token_client(agent)
    upload = SimpleUploadedFile("log.txt", b"connection reset", content_type="text/plain")
    response = api.post(
        f"/api/v1/tickets/{ticket.pk}/messages",
        {"kind": "reply", "body": "See the log", "files": [upload]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    attachment = response.json()["attachments"][0]
    assert attachment["original_name"] == "log.txt"
    download = api.get(attachment["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"connection reset"
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_blocked_file_type_is_415_and_nothing_is_stored(agent, ticket):
    before = (_snapshot(ticket), Attachment.objects.count())
    upload = SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = token_client(agent).post(
        f"/api/v1/tickets/{ticket.pk}/messages",
        {"kind": "reply", "body": "Run this", "files": [upload]},
        format="multipart",
    )
    _problem(response, 415, "blocked_type")
    assert (_snapshot(ticket), Attachment.objects.count()) == before


def test_created_tickets_record_the_api_as_source(agent, ticket):
    token_client(agent).patch(f"/api/v1/tickets/{ticket.pk}", {"version": 1, "subject": "API"})
    assert TicketEvent.objects.filter(ticket=ticket, source="api").exists()


def test_session_writes_need_csrf(agent, ticket):
    from rest_framework.test import APIClient

    api = APIClient(enforce_csrf_checks=True)
    api.force_login(agent)
    assert api.get(f"/api/v1/tickets/{ticket.pk}").status_code == 200
    response = api.patch(f"/api/v1/tickets/{ticket.pk}", {"version": 1, "subject": "x"})
    _problem(response, 403, "permission_denied")


def test_a_client_pages_through_own_tickets(client_user, team_a):
    own = TicketFactory.create_batch(3, team=team_a, client=client_user.client_profile)
    api = token_client(client_user, "read")
    seen: list[int] = []
    url = "/api/v1/tickets?page_size=2"
    while url:
        body = api.get(url).json()
        seen.extend(row["id"] for row in body["results"])
        url = body["next"]
    assert seen == sorted((ticket.pk for ticket in own), reverse=True)
    body = _problem(api.get("/api/v1/tickets?team=tech-hk"), 400, "validation_error")
    assert list(body["errors"]) == ["team"]


def test_a_read_token_refusal_speaks_the_users_language(agent, ticket):
    agent.language = "zh-hant"
    agent.save()
    body = _problem(
        token_client(agent, "read").post(
            f"/api/v1/tickets/{ticket.pk}/escalate", {"reason": "x"}, format="json"
        ),
        403,
        "permission_denied",
    )
    assert body["detail"] == "此 API 權杖為唯讀，不能更改任何內容。"
