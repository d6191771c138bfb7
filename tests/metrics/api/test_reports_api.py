"""The reports endpoints (``/api/v1/reports…``: list, read, download, regenerate) and the
``report.generated`` webhook event."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from metrics.models import Report
from metrics.reports import weekly
from metrics.services import reports as services
from tests.api_clients import token_client
from tests.metrics.factories import ReportFactory
from tests.tickets.test_webhooks import Receiver
from tickets.models import Webhook, WebhookDelivery
from tickets.services.webhooks import webhook_create

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7 weekly report"


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def done_report(**kwargs) -> Report:
    report = ReportFactory(status=Report.Status.DONE, attempts=1, **kwargs)
    report.file.save(report.download_name, ContentFile(PDF), save=True)
    return report


@pytest.fixture
def reports(media, team_a, team_b):
    return {
        "desk": done_report(),
        "team_a": done_report(team=team_a),
        "team_b": done_report(team=team_b, period_start=date(2026, 11, 9),
                              period_end=date(2026, 11, 15)),
        "queued": ReportFactory(team=team_a, language="zh-hant"),
    }  # fmt: skip


def test_a_manager_lists_every_report_newest_first_by_cursor(manager, reports):
    api = token_client(manager)
    first = api.get("/api/v1/reports", {"page_size": 2})
    assert first.status_code == 200
    body = first.json()
    assert [row["id"] for row in body["results"]] == [reports["queued"].pk, reports["team_b"].pk]
    assert body["previous"] is None
    second = api.get(body["next"]).json()
    assert [row["id"] for row in second["results"]] == [reports["team_a"].pk, reports["desk"].pk]
    assert second["next"] is None


def test_a_supervisor_lists_their_teams_reports_only(supervisor, reports):
    body = token_client(supervisor).get("/api/v1/reports").json()
    assert [row["id"] for row in body["results"]] == [reports["queued"].pk, reports["team_a"].pk]
    row = body["results"][1]
    assert row["scope"] == "team"
    assert row["team"]["slug"] == "tech-hk"
    assert (row["period_start"], row["period_end"]) == ("2026-11-16", "2026-11-22")
    assert row["status"] == "done"
    assert row["download_url"].endswith(f"/api/v1/reports/{reports['team_a'].pk}/download")
    assert body["results"][0]["download_url"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"team": "desk"}, ["desk"]),
        ({"team": "accounts"}, ["team_b"]),
        ({"status": "queued"}, ["queued"]),
        ({"language": "zh-hant"}, ["queued"]),
    ],
    ids=["desk_case", "team_case", "status_case", "language_case"],
)
def test_the_list_filters(manager, reports, query, expected):
    body = token_client(manager).get("/api/v1/reports", query).json()
    assert [row["id"] for row in body["results"]] == [reports[name].pk for name in expected]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"page_size": "0"}, "page_size"),
        ({"team": "a\x00b"}, "team"),
        ({"x": "1"}, "x"),
    ],
    ids=["status_case", "page_size_case", "team_case", "unknown_case"],
)
def test_bad_list_parameters_are_400(manager, query, field):
    response = token_client(manager).get("/api/v1/reports", query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_the_pdf_downloads_after_the_archives_permission_check(supervisor, outsider, reports):
    response = token_client(supervisor).get(f"/api/v1/reports/{reports['team_a'].pk}/download")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    assert "weekly-tech-hk-2026-11-16-en.pdf" in response["Content-Disposition"]
    desk = token_client(supervisor).get(f"/api/v1/reports/{reports['desk'].pk}/download")
    assert desk.status_code == 404
    assert token_client(outsider).get(f"/api/v1/reports/{reports['team_a'].pk}").status_code == 404


def test_a_report_without_a_file_is_409(manager, reports):
    response = token_client(manager).get(f"/api/v1/reports/{reports['queued'].pk}/download")
    assert response.status_code == 409
    assert response.json()["code"] == "not_ready"


def test_regenerating_answers_202_queued_and_enqueues_the_task(
    supervisor, reports, django_capture_on_commit_callbacks
):
    report = reports["team_a"]
    with (
        mock.patch("metrics.tasks.reports.report_generate_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = token_client(supervisor).post(f"/api/v1/reports/{report.pk}/regenerate")
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    assert response.json()["id"] == report.pk
    delay.assert_called_once_with(report.pk)
    report.refresh_from_db()
    assert (report.status, report.requested_by) == (Report.Status.QUEUED, supervisor)


def test_regenerating_a_report_in_progress_is_409_and_changes_nothing(manager, reports):
    report = reports["queued"]
    response = token_client(manager).post(f"/api/v1/reports/{report.pk}/regenerate")
    assert response.status_code == 409
    report.refresh_from_db()
    assert (report.status, report.requested_by) == (Report.Status.QUEUED, None)


def test_a_read_only_token_cannot_regenerate(manager, reports):
    report = reports["desk"]
    response = token_client(manager, scope="read").post(f"/api/v1/reports/{report.pk}/regenerate")
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == Report.Status.DONE


def test_regenerate_refuses_a_body(manager, reports):
    response = token_client(manager).post(
        f"/api/v1/reports/{reports['desk'].pk}/regenerate", {"week": "2026-11-09"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["week"]


# --- The report.generated webhook event --------------------------------------------------------


def test_report_generated_is_an_event_administrators_can_subscribe_to(
    client, administrator, receiver
):
    assert ("report.generated", "Report generated") in Webhook.Event.choices
    client.force_login(administrator)
    page = client.get(reverse("tickets:webhooks"))
    assert page.status_code == 200
    assert 'value="report.generated"' in page.content.decode()
    hook = webhook_create(actor=administrator, url=receiver.url, events=["report.generated"])
    assert hook.events == ["report.generated"]


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    server = Receiver()
    yield server
    server.close()


def test_a_generated_report_is_delivered_signed_after_commit(
    media, administrator, team_a, receiver, celery_eager, django_capture_on_commit_callbacks
):
    hook = webhook_create(actor=administrator, url=receiver.url, events=["report.generated"])
    report = ReportFactory(team=team_a)
    with (
        mock.patch.object(weekly, "render_pdf", return_value=PDF),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.report_generate(report_id=report.pk)
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert (delivery.event, delivery.status, delivery.attempts) == (
        "report.generated",
        "succeeded",
        1,
    )
    request = receiver.received[0]
    headers = request["headers"]
    assert headers["X-SupportDesk-Event"] == "report.generated"
    timestamp = headers["X-SupportDesk-Timestamp"]
    expected = hmac.new(
        hook.secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256
    ).hexdigest()
    assert headers["X-SupportDesk-Signature"] == f"sha256={expected}"
    payload = json.loads(request["body"])
    assert payload["event"] == "report.generated"
    assert payload["report"] | {"generated_at": None} == {
        "id": report.pk,
        "scope": "team",
        "team_id": team_a.pk,
        "team": "tech-hk",
        "period_start": "2026-11-16",
        "period_end": "2026-11-22",
        "time_zone": "Asia/Hong_Kong",
        "language": "en",
        "status": "done",
        "attempts": 1,
        "generated_at": None,
        "url": f"http://localhost:8000/api/v1/reports/{report.pk}",
        "download_url": f"http://localhost:8000/api/v1/reports/{report.pk}/download",
        "archive_url": "http://localhost:8000/metrics/reports/",
    }
    assert payload["report"]["generated_at"]


def test_a_failed_generation_sends_no_event(
    media, administrator, receiver, django_capture_on_commit_callbacks
):
    webhook_create(actor=administrator, url=receiver.url, events=["report.generated"])
    report = ReportFactory()
    with (
        mock.patch.object(weekly, "render_pdf", side_effect=weekly.ReportError("no fonts")),
        mock.patch("tickets.tasks.webhooks.webhooks_dispatch_task.delay") as dispatch,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(weekly.ReportError),
    ):
        services.report_generate(report_id=report.pk)
    dispatch.assert_not_called()
    assert not WebhookDelivery.objects.exists()


def test_a_page_of_reports_costs_a_fixed_number_of_queries(
    manager, reports, team_a, django_assert_num_queries
):
    for week in (2, 3, 4):
        ReportFactory(team=team_a, period_start=date(2026, 10, week * 7 - 6),
                      period_end=date(2026, 10, week * 7))  # fmt: skip
    api = token_client(manager)
    # Token (with its user), roles, then the page (teams joined): whatever the page's length.
    with django_assert_num_queries(3):
        response = api.get("/api/v1/reports", {"page_size": 100})
    assert len(response.json()["results"]) == 7
