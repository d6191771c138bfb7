"""Reads of the weekly report archive: which reports a user may see (the archive page and the
API ask the same functions)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from metrics.models import Report
from teams import access


def report_list_visible_to(*, user: Any) -> QuerySet[Report]:
    """Reports the user may read (see ``access.can_read_report``): every report for managers
    and administrators, the reports of the teams they supervise for supervisors, none for
    anyone else."""
    reports = Report.objects.select_related("team", "requested_by")
    if access.reads_whole_desk(user):
        return reports
    return reports.filter(Q(team__in=access.teams_supervised_by(user)) & Q(team__isnull=False))


def report_detail_for(*, user: Any, report_id: int) -> Report:
    """One report the user may read; any other (or a missing one) is a 404."""
    return access.get_visible_or_404(report_list_visible_to(user=user), pk=report_id)
