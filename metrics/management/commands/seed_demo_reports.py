"""Demo data for the dashboards and reports, on top of ``seed_demo`` (idempotent).

* Weekly shifts for every team member who has none (Mon–Fri 09:00–18:00 Hong Kong; every
  fourth person works 14:00–23:00), so that tickets per agent-hour say something.
* Report subscriptions: the demo manager (desk, in their language) and each supervisor (their
  teams, in their language).
* Last week's desk report in English and Traditional Chinese, generated now, so that it is in
  the archive after ``make run`` (the weekly schedule then takes over).
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from metrics.models import Report, ReportSubscription
from metrics.services import reports as services
from teams.models import Shift, TeamMembership, User


class Command(BaseCommand):
    help = "Shifts, report subscriptions and last week's desk report for the demo desk."

    def handle(self, *args: Any, **options: Any) -> None:
        if not User.objects.filter(email="manager@supportdesk.example").exists():
            self.stdout.write("No demo desk (run seed_demo first): nothing to do.")
            return
        shifts = self._shifts()
        subscriptions = self._subscriptions()
        reports = self._last_week_reports()
        self.stdout.write(
            f"Demo reports: {shifts} shifts added, {subscriptions} subscriptions, "
            f"last week's desk report: {', '.join(reports)}."
        )

    def _shifts(self) -> int:
        members = (
            User.objects.filter(memberships__isnull=False, shifts__isnull=True)
            .distinct()
            .order_by("pk")
        )
        rows = []
        for index, user in enumerate(members):
            starts, ends = (time(14), time(23)) if index % 4 == 3 else (time(9), time(18))
            rows += [
                Shift(user=user, weekday=day, starts_at=starts, ends_at=ends) for day in range(5)
            ]
        Shift.objects.bulk_create(rows)
        return len(rows)

    def _subscriptions(self) -> int:
        manager = User.objects.get(email="manager@supportdesk.example")
        ReportSubscription.objects.get_or_create(
            user=manager, team=None, defaults={"language": manager.language}
        )
        for membership in TeamMembership.objects.filter(
            role=TeamMembership.Role.SUPERVISOR
        ).select_related("user"):
            ReportSubscription.objects.get_or_create(
                user=membership.user,
                team_id=membership.team_id,
                defaults={"language": membership.user.language},
            )
        return ReportSubscription.objects.count()

    def _last_week_reports(self) -> list[str]:
        start, end = services.previous_week(timezone.localdate())
        done = []
        for language in ("en", "zh-hant"):
            report, _created = Report.objects.get_or_create(
                team=None,
                period_start=start,
                language=language,
                defaults={"period_end": end},
            )
            if report.status != Report.Status.DONE:
                try:
                    report = services.report_generate(report_id=report.pk)
                except Exception as error:  # noqa: BLE001 - recorded on the report, shown below
                    # Without Pango or the CJK fonts the demo still starts; the archive shows
                    # the failure and a manager can regenerate once they are installed.
                    self.stderr.write(f"Last week's {language} report failed: {error}")
                    report.refresh_from_db()
            done.append(f"{language} {report.status}")
        return done
