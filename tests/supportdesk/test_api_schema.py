"""The OpenAPI schema: valid with no warnings, served with its documentation pages, and
checked against the running app by schemathesis (bounded examples per operation; no 500s,
documented responses match the schema)."""

from __future__ import annotations

from io import StringIO

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from supportdesk.wsgi import application
from teams.services.api_tokens import api_token_create
from tests.factories import MessageFactory, TicketFactory
from tests.metrics.conftest import funding, week_tickets  # noqa: F401 - fixtures


@pytest.mark.django_db
def test_the_schema_validates_without_warnings():
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "/api/v1/tickets" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/", "/api/redoc/"])
def test_the_schema_and_its_documentation_are_served_without_a_cdn(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b"cdn.jsdelivr.net" not in response.content
    assert b"unpkg.com" not in response.content


@pytest.fixture
def api_token(db, team_a, agent):
    """A token of an agent with tickets; requests go through the real WSGI handler, which (unlike
    Django's test client) would close the test transaction's connection at each request."""
    ticket = TicketFactory(team=team_a, status="open")
    MessageFactory(ticket=ticket)
    TicketFactory.create_batch(3, team=team_a)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield api_token_create(user=agent, scope="write").secret
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Read from the app itself (the same view that serves /api/schema/); generating it reads no rows.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_live_api_conforms_to_its_schema(case, api_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


@pytest.fixture
def manager_token(db, manager, team_a, agent):
    """A manager's token (whole desk, every report) with tickets and an archived report, so
    that the metrics and reports operations answer 200 with real figures and rows."""
    from metrics.models import Report
    from tests.metrics.factories import ReportFactory

    TicketFactory.create_batch(3, team=team_a, assignee=agent)
    ReportFactory(team=team_a, status=Report.Status.FAILED, error="boom", attempts=4)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield api_token_create(user=manager, scope="read").secret
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.include(path_regex="^/api/v1/(metrics|reports)").parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_metrics_and_reports_conform_for_a_desk_wide_reader(case, manager_token):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {manager_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["agent", "client_user"])
def test_real_rows_conform_for_staff_and_clients(request, persona, team_a, client_user):
    """Known rows (not random ids) through the documented operations, for both audiences."""
    ticket = TicketFactory(team=team_a, client=client_user.client_profile, status="open")
    MessageFactory(ticket=ticket)
    token = api_token_create(user=request.getfixturevalue(persona), scope="read").secret
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request.addfinalizer(lambda: request_started.connect(close_old_connections))
    request.addfinalizer(lambda: request_finished.connect(close_old_connections))
    for path, parameters in (
        ("/api/v1/tickets", {}),
        ("/api/v1/tickets/{id}", {"id": ticket.pk}),
        ("/api/v1/tickets/{id}/messages", {"id": ticket.pk}),
        ("/api/v1/clients", {}),
    ):
        case = schema[path]["GET"].Case(path_parameters=parameters)
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, (path, response.text[:300])
        assert response.json()
        case.validate_response(response, checks=[response_schema_conformance, not_a_server_error])


@pytest.mark.django_db
def test_sla_clocks_and_escalations_conform(request, team_a, agent):
    """Real clocks (with events) and escalations (tier 2 and internal, one answered) through
    their documented operations."""
    from tests.factories import CategoryFactory, ClientFactory
    from tests.metrics.factories import policy_with_targets
    from tickets.models import Escalation, InternalTeam
    from tickets.services.escalations import escalation_open, escalation_record_answer
    from tickets.services.tickets import ticket_create

    policy_with_targets()
    ticket = ticket_create(
        actor=agent,
        client=ClientFactory(),
        subject="Order stuck",
        description="Pending since 9:00",
        category=CategoryFactory(),
        team=team_a,
    )
    team = InternalTeam.objects.create(
        name="Platform", contact_email="p@example.com", jira_project_key="ENG"
    )
    escalation_open(actor=agent, ticket=ticket, reason="Help")
    escalation_open(actor=agent, ticket=ticket, reason="Engine", internal_team=team)
    internal = Escalation.objects.get(internal_team=team)
    escalation_record_answer(actor=agent, escalation=internal, answer="Restarted")
    token = api_token_create(user=agent, scope="read").secret
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request.addfinalizer(lambda: request_started.connect(close_old_connections))
    request.addfinalizer(lambda: request_finished.connect(close_old_connections))
    for path, parameters in (
        ("/api/v1/tickets/{id}/sla-clocks", {"id": ticket.pk}),
        ("/api/v1/tickets/{id}/escalations", {"id": ticket.pk}),
        ("/api/v1/escalations/{id}", {"id": internal.pk}),
        ("/api/v1/internal-teams", {}),
    ):
        case = schema[path]["GET"].Case(path_parameters=parameters)
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, (path, response.text[:300])
        assert response.json()["results" if "{id}/" in path or "teams" in path else "id"]
        case.validate_response(response, checks=[response_schema_conformance, not_a_server_error])


@pytest.mark.django_db
@pytest.mark.usefixtures("week_tickets")
def test_metrics_and_reports_conform_with_real_rows(request, manager, team_a, settings, tmp_path):
    """The metrics endpoints over the hand-checked week, and an archived report (list, read,
    download, regenerate), through their documented operations with a manager's token."""
    from unittest import mock

    from django.core.files.base import ContentFile

    from metrics.models import Report
    from tests.metrics.factories import ReportFactory

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    report = ReportFactory(team=team_a, status=Report.Status.DONE, attempts=1)
    report.file.save(report.download_name, ContentFile(b"%PDF-1.7"), save=True)
    token = api_token_create(user=manager, scope="write").secret
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    request.addfinalizer(lambda: request_started.connect(close_old_connections))
    request.addfinalizer(lambda: request_finished.connect(close_old_connections))
    week = {"start": "2026-11-16", "end": "2026-11-22", "team": team_a.slug}
    for path, method, parameters, query, expected in (
        ("/api/v1/metrics/kpis", "GET", {}, {}, 200),
        ("/api/v1/metrics/figures", "GET", {}, week, 200),
        ("/api/v1/metrics/breakdown", "GET", {}, {**week, "group": "agent"}, 200),
        ("/api/v1/metrics/breakdown", "GET", {}, {**week, "group": "tier"}, 200),
        ("/api/v1/metrics/series", "GET", {}, {**week, "grain": "day"}, 200),
        ("/api/v1/reports", "GET", {}, {"page_size": 1}, 200),
        ("/api/v1/reports/{id}", "GET", {"id": report.pk}, {}, 200),
        ("/api/v1/reports/{id}/regenerate", "POST", {"id": report.pk}, {}, 202),
    ):
        case = schema[path][method].Case(path_parameters=parameters, query=query)
        with mock.patch("metrics.tasks.reports.report_generate_task.delay"):
            response = case.call(headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == expected, (path, response.text[:300])
        case.validate_response(response, checks=[response_schema_conformance, not_a_server_error])
