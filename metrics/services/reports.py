"""Writes for the weekly management report: request, generate, email, schedule, subscribe.

Flow:
1. Celery beat runs ``metrics.weekly_reports`` on the schedule managers edit
   (:func:`report_schedule_update`, django-celery-beat; default Monday 08:00 Asia/Hong_Kong).
2. :func:`weekly_reports_queue` creates one ``Report`` per scope (the desk and each team) and
   language (English, plus every language a subscriber of that scope reads) for the previous
   Monday–Sunday, and queues ``metrics.report_generate`` for each, on commit.
3. :func:`report_generate` marks the report running (another attempt), renders the PDF, stores
   it and marks it done; on failure it stores the error, marks it failed and re-raises so that
   the task retries with back-off. Done, it emails the PDF to the scope's subscribers of that
   language and sends the ``report.generated`` webhook event, both on commit.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from metrics.models import Report, ReportSubscription
from metrics.reports import weekly
from supportdesk.errors import ApplicationError, Conflict, NotAllowed
from teams import access
from teams.models import Language, Team
from tickets.services.webhooks import webhooks_announce_event

logger = logging.getLogger(__name__)

SCHEDULE_NAME = "Weekly management report"
SCHEDULE_TASK = "metrics.weekly_reports"
DEFAULT_WEEKDAY = 1  # crontab: 0 = Sunday, 1 = Monday
DEFAULT_HOUR = 8


def previous_week(today: date) -> tuple[date, date]:
    """Monday and Sunday of the complete week before ``today``'s week."""
    monday = today - timedelta(days=today.weekday()) - timedelta(days=7)
    return monday, monday + timedelta(days=6)


def _enqueue(report_id: int) -> None:
    from metrics.tasks.reports import report_generate_task

    transaction.on_commit(lambda: report_generate_task.delay(report_id))


@transaction.atomic
def report_request(
    *,
    actor: Any,
    team: Team | None,
    period_start: date,
    language: str,
) -> Report:
    """Queue the report of one week (``period_start`` a Monday) and scope, creating it or
    regenerating the archived one. Refused while it is being generated."""
    if not access.can_manage_reports(actor) and not (
        team is not None and access.can_supervise_team(actor, team)
    ):
        raise NotAllowed(_("You may not generate this report."))
    if period_start.weekday() != 0:
        raise ApplicationError(_("A weekly report starts on a Monday."), details={"field": "week"})
    if period_start > previous_week(timezone.localdate())[0]:
        raise ApplicationError(_("Only complete weeks can be reported."), details={"field": "week"})
    if language not in Language.values:
        raise ApplicationError(_("Unknown language."), details={"field": "language"})
    report, created = Report.objects.select_for_update().get_or_create(
        team=team,
        period_start=period_start,
        language=language,
        defaults={
            "period_end": period_start + timedelta(days=6),
            "time_zone": settings.TIME_ZONE,
            "requested_by": actor,
        },
    )
    if not created:
        if report.status in (Report.Status.QUEUED, Report.Status.RUNNING):
            raise Conflict(_("This report is already being generated."))
        report.status = Report.Status.QUEUED
        report.error = ""
        report.requested_by = actor
        report.save(update_fields=["status", "error", "requested_by"])
    _enqueue(report.pk)
    return report


@transaction.atomic
def weekly_reports_queue(*, now: datetime) -> list[Report]:
    """Create and queue last week's reports (idempotent: an existing one is left alone)."""
    start, end = previous_week(timezone.localtime(now, timezone=_zone()).date())
    wanted: dict[int | None, set[str]] = {None: {Language.ENGLISH}}
    for team_id in Team.objects.values_list("pk", flat=True):
        wanted[team_id] = {Language.ENGLISH}
    for team_id, language in ReportSubscription.objects.values_list("team_id", "language"):
        wanted.setdefault(team_id, set()).add(language)
    reports = []
    for team_id, languages in wanted.items():
        for language in sorted(languages):
            report, created = Report.objects.get_or_create(
                team_id=team_id,
                period_start=start,
                language=language,
                defaults={"period_end": end, "time_zone": settings.TIME_ZONE},
            )
            if created or report.status == Report.Status.FAILED:
                _enqueue(report.pk)
            reports.append(report)
    return reports


def _zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(settings.TIME_ZONE)


def report_generate(*, report_id: int, now: datetime | None = None) -> Report:
    """Render and store one report's PDF (see the module's flow, step 3)."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",)).select_related("team").get(pk=report_id)
        )
        report.status = Report.Status.RUNNING
        report.attempts += 1
        report.started_at = timezone.now()
        report.error = ""
        report.save(update_fields=["status", "attempts", "started_at", "error"])
    generated_at = now or timezone.now()
    try:
        pdf = weekly.render_pdf(report, generated_at=generated_at)
    except Exception as error:
        Report.objects.filter(pk=report_id).update(
            status=Report.Status.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        logger.exception("report.failed", extra={"report_id": report_id})
        raise
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",)).select_related("team").get(pk=report_id)
        )
        if report.file:
            report.file.delete(save=False)
        report.file.save(report.download_name, ContentFile(pdf), save=False)
        report.status = Report.Status.DONE
        report.generated_at = generated_at
        report.save(update_fields=["file", "status", "generated_at"])
        report_announce_generated(report=report)
        transaction.on_commit(lambda: report_email_subscribers(report_id=report_id))
    logger.info("report.done", extra={"report_id": report_id, "bytes": len(pdf)})
    return report


def report_webhook_payload(report: Report) -> dict[str, Any]:
    """The ``report`` member of a ``report.generated`` webhook delivery."""
    site = settings.SITE_URL.rstrip("/")
    return {
        "id": report.pk,
        "scope": "team" if report.team_id else "desk",
        "team_id": report.team_id,
        "team": report.team.slug if report.team_id else None,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "time_zone": report.time_zone,
        "language": report.language,
        "status": report.status,
        "attempts": report.attempts,
        "generated_at": report.generated_at,
        "url": site + reverse("api:report-detail", args=[report.pk]),
        "download_url": site + reverse("api:report-download", args=[report.pk]),
        "archive_url": site + reverse("metrics:reports"),
    }


def report_announce_generated(*, report: Report) -> None:
    """Queue the ``report.generated`` webhook event of a report whose PDF was just stored; it is
    recorded and delivered after the caller's transaction commits (nothing if it rolls back)."""
    webhooks_announce_event(
        event="report.generated",
        at=report.generated_at or timezone.now(),
        data={"report": report_webhook_payload(report)},
    )


def report_email_subscribers(*, report_id: int) -> int:
    """Email the report's PDF to the subscribers of its scope and language; returns how many."""
    report = Report.objects.select_related("team").get(pk=report_id)
    recipients = list(
        ReportSubscription.objects.filter(
            team_id=report.team_id, language=report.language, user__is_active=True
        ).values_list("user__email", flat=True)
    )
    if not recipients or not report.file:
        return 0
    with translation.override(report.language):
        scope = report.team.name if report.team_id else gettext("Whole desk")
        subject = gettext("Weekly report %(scope)s, %(start)s to %(end)s") % {
            "scope": scope,
            "start": report.period_start.isoformat(),
            "end": report.period_end.isoformat(),
        }
        body = gettext("The weekly management report is attached.")
    report.file.open("rb")
    try:
        content = report.file.read()
    finally:
        report.file.close()
    for recipient in recipients:
        message = EmailMessage(subject, body, to=[recipient])
        message.attach(report.download_name, content, "application/pdf")
        message.send()
    return len(recipients)


@transaction.atomic
def report_schedule_update(
    *, actor: Any, weekday: int, hour: int, minute: int, enabled: bool = True
) -> PeriodicTask:
    """Set the day (crontab weekday, 0 = Sunday) and time of the weekly report, in the desk's
    time zone."""
    if not access.can_manage_reports(actor):
        raise NotAllowed(_("Only managers may change the report schedule."))
    if not (0 <= weekday <= 6 and 0 <= hour <= 23 and 0 <= minute <= 59):
        raise ApplicationError(_("Choose a weekday and a time of day."))
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute=str(minute),
        hour=str(hour),
        day_of_week=str(weekday),
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    task, _created = PeriodicTask.objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "task": SCHEDULE_TASK,
            "crontab": crontab,
            "interval": None,
            "enabled": enabled,
            "kwargs": json.dumps({}),
        },
    )
    return task


def report_schedule() -> PeriodicTask | None:
    return PeriodicTask.objects.filter(name=SCHEDULE_NAME).select_related("crontab").first()


@transaction.atomic
def report_subscription_set(
    *, actor: Any, user: Any, team: Team | None, language: str
) -> ReportSubscription:
    if not access.can_manage_reports(actor):
        raise NotAllowed(_("Only managers may change report subscriptions."))
    if not access.can_read_report(user, team):
        raise ApplicationError(
            _("This person may not read that report."), details={"field": "email"}
        )
    subscription, _created = ReportSubscription.objects.update_or_create(
        user=user, team=team, defaults={"language": language}
    )
    return subscription


@transaction.atomic
def report_subscription_delete(*, actor: Any, subscription: ReportSubscription) -> None:
    if not access.can_manage_reports(actor):
        raise NotAllowed(_("Only managers may change report subscriptions."))
    subscription.delete()
