"""The permission matrix of the metrics and reports endpoints: every endpoint × role (agent of
team A, agent of another team, supervisor of team A, manager, client, anonymous), asserting the
status, the problem-details body of a refusal, and that nothing changed."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from metrics.models import Report
from tests.api_clients import token_client
from tests.factories import TicketFactory
from tests.metrics.factories import ReportFactory
from tickets.models import Ticket, WebhookDelivery

ROLES = ("agent", "outsider", "supervisor", "manager", "client_user", "anonymous")
WEEK = "start=2026-11-16&end=2026-11-22"

# (endpoint label, method, path template, expected status per role)
READS = [
    ("kpi definitions", "get", "/api/v1/metrics/kpis", (200, 200, 200, 200, 403, 401)),
    ("figures, own scope", "get", f"/api/v1/metrics/figures?{WEEK}",
     (200, 200, 200, 200, 403, 401)),
    ("figures, team A", "get", f"/api/v1/metrics/figures?{WEEK}&team=tech-hk",
     (200, 403, 200, 200, 403, 401)),
    ("figures, team A's supervisor", "get",
     f"/api/v1/metrics/figures?{WEEK}&team=tech-hk&agent={{supervisor}}",
     (403, 403, 200, 200, 403, 401)),
    ("figures, team B", "get", f"/api/v1/metrics/figures?{WEEK}&team=accounts",
     (403, 200, 403, 200, 403, 401)),
    ("figures, unassigned", "get", f"/api/v1/metrics/figures?{WEEK}&team=tech-hk&agent=none",
     (403, 403, 200, 200, 403, 401)),
    ("breakdown by agent", "get",
     f"/api/v1/metrics/breakdown?{WEEK}&team=tech-hk&group=agent",
     (200, 403, 200, 200, 403, 401)),
    ("breakdown, whole desk", "get", f"/api/v1/metrics/breakdown?{WEEK}&group=team",
     (200, 200, 200, 200, 403, 401)),
    ("series", "get", f"/api/v1/metrics/series?{WEEK}&team=tech-hk&grain=day",
     (200, 403, 200, 200, 403, 401)),
    ("series, team B", "get", f"/api/v1/metrics/series?{WEEK}&team=accounts",
     (403, 200, 403, 200, 403, 401)),
    ("report list", "get", "/api/v1/reports", (403, 403, 200, 200, 403, 401)),
    ("team report", "get", "/api/v1/reports/{team_report}", (404, 404, 200, 200, 404, 401)),
    ("desk report", "get", "/api/v1/reports/{desk_report}", (404, 404, 404, 200, 404, 401)),
    ("team report pdf", "get", "/api/v1/reports/{team_report}/download",
     (404, 404, 200, 200, 404, 401)),
    ("desk report pdf", "get", "/api/v1/reports/{desk_report}/download",
     (404, 404, 404, 200, 404, 401)),
]  # fmt: skip

WRITES = [
    ("regenerate team report", "post", "/api/v1/reports/{team_report}/regenerate",
     (404, 404, 202, 202, 404, 401)),
    ("regenerate desk report", "post", "/api/v1/reports/{desk_report}/regenerate",
     (404, 404, 404, 202, 404, 401)),
]  # fmt: skip


@pytest.fixture
def archive(settings, tmp_path, team_a, team_b, agent, supervisor, outsider):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    TicketFactory(team=team_a, assignee=agent)
    TicketFactory(team=team_b, assignee=outsider)
    ids = {"supervisor": supervisor.pk}
    for name, team in (("team_report", team_a), ("desk_report", None)):
        report = ReportFactory(team=team, status=Report.Status.DONE, attempts=1)
        report.file.save(report.download_name, ContentFile(b"%PDF-1.7"), save=True)
        ids[name] = report.pk
    return ids


def _client_for(role: str, request) -> APIClient:
    if role == "anonymous":
        return APIClient()
    return token_client(request.getfixturevalue(role))


def _state() -> tuple:
    return (
        tuple(
            Report.objects.order_by("pk").values_list(
                "pk", "status", "attempts", "requested_by", "error", "file"
            )
        ),
        Ticket.objects.count(),
        WebhookDelivery.objects.count(),
    )


def _check(response, expected: int) -> None:
    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == expected


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)), ids=ROLES)
@pytest.mark.parametrize(
    "label, method, template, expected", READS, ids=[case[0] for case in READS]
)
@pytest.mark.django_db
def test_reads_follow_the_dashboards_and_archives_rules(
    request, archive, role_index, role, label, method, template, expected
):
    before = _state()
    response = getattr(_client_for(role, request), method)(template.format(**archive))
    _check(response, expected[role_index])
    assert _state() == before


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)), ids=ROLES)
@pytest.mark.parametrize(
    "label, method, template, expected", WRITES, ids=[case[0] for case in WRITES]
)
@pytest.mark.django_db
def test_writes_follow_the_archives_rules_and_denials_change_nothing(
    request, archive, role_index, role, label, method, template, expected, monkeypatch
):
    queued: list[int] = []
    monkeypatch.setattr("metrics.tasks.reports.report_generate_task.delay", queued.append)
    before = _state()
    response = getattr(_client_for(role, request), method)(template.format(**archive))
    _check(response, expected[role_index])
    if response.status_code >= 400:
        assert _state() == before
    else:
        assert _state() != before
        assert response.json()["status"] == "queued"
