"""The weekly management report: its figures (from the metric dictionary) and its PDF.

Content, for one Monday–Sunday week in the report's time zone and one scope (a team or the
desk): headline KPIs against the previous week and the average of the four weeks before;
volume and backlog charts; top categories with their week-over-week change and spikes;
escalations; the agent performance table; QA (headline) and training status; areas for
improvement derived from the data (rising categories, slowest resolution, lowest first-contact
resolution, worst SLA attainment, overdue training, a low QA score).

The PDF is rendered by WeasyPrint (A4, page numbers, a cover with the period and the
generation time) with the Noto CJK fonts embedded; :func:`check_fonts` refuses clearly when
they are missing rather than printing empty boxes for Chinese text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from metrics import charts
from metrics.kpis import KPIS, Kpi, Period, Scope, backlog_series, kpi_series, kpi_table
from metrics.models import Report
from metrics.selectors import trends
from metrics.selectors.dashboards import group_labels
from teams.selectors.training import training_summary_for_teams

CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)
AGENT_KPIS = (
    "resolved",
    "frt_median_business",
    "resolution_median_business",
    "fcr_rate",
    "reopen_rate",
    "tickets_per_agent_hour",
)
RISING_MIN_COUNT = 5
RISING_MIN_CHANGE = 20.0
QA_SCORE_FLOOR = 80


class ReportError(RuntimeError):
    """The report cannot be produced (its message is stored in the archive)."""


def check_fonts() -> Path:
    """The Noto CJK regular font file, or ``ReportError`` naming the Debian package."""
    for candidate in CJK_FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    raise ReportError(
        "The Noto CJK fonts are missing (Debian package fonts-noto-cjk); Chinese text cannot "
        "be embedded in the PDF."
    )


@dataclass
class HeadlineRow:
    kpi: Kpi
    value: float | None
    previous: float | None
    average: float | None


def report_period(report: Report) -> Period:
    return Period(report.period_start, report.period_end, report.time_zone)


def report_scope(report: Report) -> Scope:
    return Scope(team_ids=(report.team_id,) if report.team_id else None)


def report_data(report: Report) -> dict[str, Any]:
    """Every figure of the report (call under the report's language and time zone)."""
    period = report_period(report)
    scope = report_scope(report)
    current = kpi_table(period=period, scope=scope)[0]
    previous = kpi_table(period=period.shifted_weeks(-1), scope=scope)[0]
    earlier = [kpi_table(period=period.shifted_weeks(-w), scope=scope)[0] for w in range(1, 5)]
    headline = []
    for item in KPIS:
        values = [row[item.key] for row in earlier if row[item.key] is not None]
        headline.append(
            HeadlineRow(
                item,
                current[item.key],
                previous[item.key],
                sum(values) / len(values) if values else None,
            )
        )
    eight_weeks = Period(period.start - timedelta(weeks=7), period.end, period.time_zone)
    weekly = kpi_series(period=eight_weeks, scope=scope, grain="week")
    daily = kpi_series(period=period, scope=scope, grain="day")
    backlog = backlog_series(period=period, scope=scope, weeks=8)
    week = trends.TrendWeek(period.start, period.time_zone)
    team_ids = list(scope.team_ids) if scope.team_ids else None
    categories = trends.week_over_week(week=week, team_ids=team_ids, dimension="category")
    spikes = [row for row in trends.spikes(week=week, team_ids=team_ids, unit="week")]
    agent_kpis = [item for item in KPIS if item.key in AGENT_KPIS]
    agents = kpi_table(period=period, scope=scope, group="agent", kpis=agent_kpis)
    agent_names = group_labels("agent", [row.group for row in agents if row.group])
    escalation_kpis = [
        k for k in KPIS if k.key in ("created", "escalation_rate", "internal_median")
    ]
    by_team = kpi_table(period=period, scope=scope, group="team", kpis=escalation_kpis)
    team_names = group_labels("team", [row.group for row in by_team])
    by_category = kpi_table(
        period=period,
        scope=scope,
        group="category",
        kpis=[
            k
            for k in KPIS
            if k.key in ("resolved", "resolution_median_business", "fcr_rate", "sla_attainment")
        ],
    )
    # Training as it stood at the end of the week (so a regenerated report says the same).
    training = training_summary_for_teams(team_ids=team_ids, today=period.end)
    category_names = group_labels("category", [row.group for row in by_category])
    labels = [point.bucket.strftime("%m-%d") for point in weekly]
    return {
        "period": period,
        "headline": headline,
        "volume_chart": charts.line_chart(
            labels,
            [
                charts.Series(_("Tickets created"), [p.created for p in weekly]),
                charts.Series(_("Tickets resolved"), [p.resolved for p in weekly]),
            ],
            title=_("Tickets per week (8 weeks)"),
            width=680,
        ),
        "daily_chart": charts.bar_chart(
            [date_format(p.bucket, "D j") for p in daily],
            [p.created for p in daily],
            title=_("Tickets created per day"),
            width=680,
        ),
        "backlog_chart": charts.line_chart(
            [day.strftime("%m-%d") for day, _count in backlog],
            [charts.Series(_("Backlog at week end"), [count for _day, count in backlog])],
            title=_("Backlog at the end of each week"),
            width=680,
        ),
        "categories": categories,
        "spikes": [row for row in spikes if row["is_spike"]],
        "agents": [
            {
                "name": agent_names.get(row.group, "") if row.group else _("(unassigned)"),
                "values": [(item, row[item.key]) for item in agent_kpis],
            }
            for row in agents
        ],
        "agent_kpis": agent_kpis,
        "escalation_kpis": escalation_kpis,
        "escalations": [
            {
                "name": team_names.get(row.group, ""),
                "values": [(item, row[item.key]) for item in escalation_kpis],
            }
            for row in by_team
        ],
        "training": training,
        "improvements": [
            *improvements(categories, by_category, category_names, current),
            *people_improvements(training, current),
        ],
    }


def improvements(
    categories: list[dict[str, Any]], by_category: list[Any], names: dict[Any, str], desk: Any
) -> list[str]:
    """Areas for improvement derived from the figures: rising categories, the categories with
    the slowest resolution and the lowest first-contact resolution."""
    found: list[str] = []
    for row in categories:
        if row["current"] >= RISING_MIN_COUNT and (row["change"] or 0) >= RISING_MIN_CHANGE:
            found.append(
                _(
                    "%(category)s is rising: %(current)s tickets, %(change)s%% more than the week "
                    "before."
                )
                % {
                    "category": row["label"],
                    "current": row["current"],
                    "change": round(row["change"]),
                }
            )
    timed = [r for r in by_category if r["resolution_median_business"] is not None]
    if timed:
        slowest = max(timed, key=lambda r: r["resolution_median_business"])
        overall = desk["resolution_median_business"]
        if overall and slowest["resolution_median_business"] > overall:
            found.append(
                _(
                    "%(category)s has the slowest resolution: median %(hours)s business hours "
                    "against %(overall)s overall."
                )
                % {
                    "category": names.get(slowest.group, ""),
                    "hours": round(slowest["resolution_median_business"] / 3600, 1),
                    "overall": round(overall / 3600, 1),
                }
            )
    attained = [r for r in by_category if r["sla_attainment"] is not None]
    if attained:
        worst = min(attained, key=lambda r: r["sla_attainment"])
        overall = desk["sla_attainment"]
        if overall is not None and worst["sla_attainment"] < overall:
            found.append(
                _(
                    "%(category)s has the worst SLA attainment: %(rate)s%% of its clocks met "
                    "against %(overall)s%% overall."
                )
                % {
                    "category": names.get(worst.group, ""),
                    "rate": round(worst["sla_attainment"], 1),
                    "overall": round(overall, 1),
                }
            )
    rated = [r for r in by_category if r["fcr_rate"] is not None and (r["resolved"] or 0) >= 5]
    if rated:
        lowest = min(rated, key=lambda r: r["fcr_rate"])
        found.append(
            _("%(category)s has the lowest first-contact resolution: %(rate)s%%.")
            % {"category": names.get(lowest.group, ""), "rate": round(lowest["fcr_rate"], 1)}
        )
    return found


def people_improvements(training: list[dict[str, Any]], desk: Any) -> list[str]:
    """Areas for improvement about people: overdue training per team, and a QA score below
    ``QA_SCORE_FLOOR``."""
    found = [
        _("%(team)s has %(count)s required training courses overdue.")
        % {"team": row["name"], "count": row["overdue"]}
        for row in training
        if row["overdue"]
    ]
    qa_score = desk["qa_score"]
    if qa_score is not None and qa_score < QA_SCORE_FLOOR:
        found.append(
            _("The average QA score is %(score)s%%, below %(floor)s%%: plan coaching.")
            % {"score": round(qa_score, 1), "floor": QA_SCORE_FLOOR}
        )
    return found


def render_pdf(report: Report, *, generated_at: datetime) -> bytes:
    """The report's PDF, in its language and time zone."""
    font = check_fonts()
    from weasyprint import HTML  # imported here: it loads Pango, which only reports need

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

    with translation.override(report.language), timezone.override(report.time_zone):
        context = report_data(report)
        context.update(
            report=report,
            scope_name=report.team.name if report.team_id else _("Whole desk"),
            generated_at=timezone.localtime(generated_at),
            font_url=font.as_uri(),
            language_code=report.language,
        )
        html = render_to_string("reports/weekly.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
