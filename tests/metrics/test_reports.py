"""The weekly report: PDF figures in both languages, archive, failures, schedule, email."""

import shutil
import subprocess
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from metrics.models import Report
from metrics.reports import weekly
from metrics.services import reports as services
from metrics.tasks.reports import report_generate_task
from supportdesk.errors import ApplicationError, Conflict
from tests.metrics.factories import ReportFactory, ReportSubscriptionFactory

pytestmark = pytest.mark.django_db
HK = ZoneInfo("Asia/Hong_Kong")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=HK)
needs_pdf_tools = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)


def pdf_text(report: Report) -> str:
    with report.file.open("rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF")
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode()


def pdf_fonts(report: Report) -> str:
    result = subprocess.run(
        ["pdffonts", report.file.path], capture_output=True, check=True, text=True
    )
    return result.stdout


@needs_pdf_tools
@pytest.mark.parametrize(
    ("language", "title", "created_label", "desk_label"),
    [
        ("en", "Weekly management report", "Tickets created", "Whole desk"),
        ("zh-hant", "每週管理報告", "新建個案", "整個服務台"),
    ],
    ids=["english_case", "chinese_case"],
)
def test_the_pdf_shows_the_weeks_figures_in_the_recipients_language(
    week_tickets, team_a, language, title, created_label, desk_label, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report = ReportFactory(team=team_a, language=language)
    services.report_generate(report_id=report.pk, now=NOW)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE
    assert report.attempts == 1
    text = pdf_text(report)
    assert title in text
    assert "2026-11-16" in text and "2026-11-22" in text  # the period on the cover
    assert "2026-11-23 08:00" in text  # generation time, Hong Kong
    lines = {line.split("  ")[0].strip(): line.split() for line in text.splitlines() if line}
    # Created: this week 4, the week before 1 (T5), 4-week average (1 + 0 + 0 + 0) / 4 → 0.
    created = next(line for line in text.splitlines() if line.strip().startswith(created_label))
    assert created.split()[-3:] == ["4", "1", "0"]
    backlog_value = "2"
    assert any(backlog_value in values for values in lines.values())
    assert "Alice Agent" in text  # the agent performance table
    fonts = pdf_fonts(report)
    assert "CJK" in fonts and " yes yes " in fonts  # embedded, subset
    desk = ReportFactory(language=language)
    services.report_generate(report_id=desk.pk, now=NOW)
    desk.refresh_from_db()
    assert desk_label in pdf_text(desk)


def test_a_failed_generation_is_recorded_and_retried(week_tickets, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = ReportFactory()
    with mock.patch.object(weekly, "CJK_FONT_CANDIDATES", ("/nonexistent/font.ttc",)):
        with pytest.raises(weekly.ReportError, match="fonts-noto-cjk"):
            services.report_generate(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED
    assert "fonts-noto-cjk" in report.error
    assert report.attempts == 1
    assert report_generate_task.autoretry_for == (Exception,)
    assert report_generate_task.max_retries == 3


def test_generation_emails_the_subscribers_of_that_scope_and_language(
    week_tickets,
    manager,
    supervisor,
    team_a,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path
    ReportSubscriptionFactory(user=manager, team=None, language="zh-hant")
    ReportSubscriptionFactory(user=supervisor, team=team_a, language="en")
    report = ReportFactory(language="zh-hant")
    with django_capture_on_commit_callbacks(execute=True):
        services.report_generate(report_id=report.pk, now=NOW)
    assert [message.to for message in mail.outbox] == [[manager.email]]
    assert "每週報告" in mail.outbox[0].subject
    assert mail.outbox[0].attachments[0][2] == "application/pdf"


@time_machine.travel(NOW, tick=False)
def test_the_weekly_run_queues_last_weeks_reports_once(
    team_a, team_b, manager, django_capture_on_commit_callbacks
):
    ReportSubscriptionFactory(user=manager, team=None, language="zh-hant")
    with mock.patch.object(report_generate_task, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            reports = services.weekly_reports_queue(now=NOW)
        with django_capture_on_commit_callbacks(execute=True):
            services.weekly_reports_queue(now=NOW)
    assert {(r.team_id, r.language) for r in reports} == {
        (None, "en"),
        (None, "zh-hant"),
        (team_a.pk, "en"),
        (team_b.pk, "en"),
    }
    assert {(r.period_start, r.period_end) for r in reports} == {
        (date(2026, 11, 16), date(2026, 11, 22))
    }
    assert delay.call_count == 4


def test_the_default_schedule_is_monday_0800_hong_kong(db):
    task = PeriodicTask.objects.get(name=services.SCHEDULE_NAME)
    assert task.task == "metrics.weekly_reports"
    assert (task.crontab.day_of_week, task.crontab.hour, task.crontab.minute) == ("1", "8", "0")
    assert str(task.crontab.timezone) == "Asia/Hong_Kong"


def test_a_manager_edits_the_schedule_in_the_ui(client, manager, supervisor):
    client.force_login(manager)
    response = client.post(reverse("metrics:report_schedule"), {"weekday": "2", "time": "07:30"})
    assert response.status_code == 302
    crontab = PeriodicTask.objects.get(name=services.SCHEDULE_NAME).crontab
    assert (crontab.day_of_week, crontab.hour, crontab.minute) == ("2", "7", "30")
    client.force_login(supervisor)
    assert (
        client.post(reverse("metrics:report_schedule"), {"weekday": "3", "time": "09:00"})
    ).status_code == 403
    crontab = PeriodicTask.objects.get(name=services.SCHEDULE_NAME).crontab
    assert crontab.day_of_week == "2"


@time_machine.travel(NOW, tick=False)
def test_requesting_a_report_queues_it_and_refuses_a_second_run(
    client, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with mock.patch.object(report_generate_task, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("metrics:report_request"),
                {"week": "2026-11-16", "scope": "", "language": "en"},
            )
        assert response.status_code == 302
        report = Report.objects.get()
        delay.assert_called_once_with(report.pk)
        response = client.post(reverse("metrics:report_regenerate", args=[report.pk]))
    assert response.status_code == 409
    assert "already being generated" in response.content.decode()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("week", "message"),
    [("2026-11-17", "starts on a Monday"), ("2026-11-23", "complete weeks")],
    ids=["not_monday_case", "current_week_case"],
)
def test_bad_report_requests_are_refused(manager, week, message):
    with pytest.raises(ApplicationError, match=message):
        services.report_request(
            actor=manager, team=None, period_start=date.fromisoformat(week), language="en"
        )
    assert not Report.objects.exists()


def test_a_running_report_cannot_be_regenerated(manager):
    report = ReportFactory(status=Report.Status.RUNNING)
    with pytest.raises(Conflict):
        services.report_request(
            actor=manager, team=None, period_start=report.period_start, language="en"
        )


def test_archive_scopes_and_downloads(client, manager, supervisor, outsider, team_a, team_b):
    desk = ReportFactory(status=Report.Status.DONE)
    own = ReportFactory(team=team_a, status=Report.Status.FAILED, error="boom", attempts=4)
    other = ReportFactory(team=team_b)
    client.force_login(supervisor)
    response = client.get(reverse("metrics:reports"))
    assert response.status_code == 200
    assert list(response.context["reports"]) == [own]
    assert "boom" in response.content.decode()  # the failure is visible
    assert client.get(reverse("metrics:report_download", args=[desk.pk])).status_code == 404
    assert client.get(reverse("metrics:report_status", args=[other.pk])).status_code == 404
    client.force_login(manager)
    assert set(client.get(reverse("metrics:reports")).context["reports"]) == {desk, own, other}
    assert client.get(reverse("metrics:report_download", args=[desk.pk])).status_code == 409
    client.force_login(outsider)
    assert client.get(reverse("metrics:reports")).status_code == 403


@needs_pdf_tools
def test_training_status_and_people_improvements_are_in_the_report(
    week_tickets, team_a, agent, supervisor, settings, tmp_path
):
    """As the week ended (Sunday 22): the agent's compliance refresher was due on the 20th
    (overdue), the supervisor's release briefing is due on the 25th (due soon, reminders 14
    days ahead); a QA review of T1 at 70 % puts the QA score under the floor."""
    from teams.models import TrainingCourse, TrainingRequirement
    from tickets.models import QualityReview, Scorecard

    refresher = TrainingCourse.objects.create(name="Compliance refresher", validity_days=365)
    briefing = TrainingCourse.objects.create(name="Release 7.2 briefing")
    TrainingRequirement.objects.create(user=agent, course=refresher, due_on=date(2026, 11, 20))
    TrainingRequirement.objects.create(user=supervisor, course=briefing, due_on=date(2026, 11, 25))
    QualityReview.objects.create(
        ticket=week_tickets["t1"],
        agent=agent,
        reviewer=supervisor,
        scorecard=Scorecard.objects.create(name="Desk"),
        total=70,
    )
    settings.MEDIA_ROOT = tmp_path
    report = ReportFactory(team=team_a, language="en")

    data = weekly.report_data(report)

    assert [(row["name"], row["overdue"], row["due_soon"]) for row in data["training"]] == [
        (team_a.name, 1, 1)
    ]
    assert f"{team_a.name} has 1 required training courses overdue." in data["improvements"]
    assert any("QA score is 70.0%" in item for item in data["improvements"])
    services.report_generate(report_id=report.pk, now=NOW)
    report.refresh_from_db()
    text = pdf_text(report)
    assert "Training status" in text and "QA score, average" in text
