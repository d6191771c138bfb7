"""Display of KPI values: durations in hours and minutes (or days), rates in percent."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


def format_duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(minutes)s min") % {"minutes": minutes}
    hours = seconds / 3600
    if hours < 48:
        return _("%(hours)s h") % {"hours": number_format(round(hours, 1), 1)}
    return _("%(days)s d") % {"days": number_format(round(hours / 24, 1), 1)}


@register.filter
def format_kpi(value: float | None, kpi: Any) -> str:
    """``value`` of ``kpi`` as a reader expects it; an em dash when it is undefined."""
    if value is None:
        return "—"
    unit = getattr(kpi, "unit", kpi)
    if unit == "count":
        return number_format(round(value), 0, force_grouping=True)
    if unit == "duration":
        return format_duration(value)
    if unit == "percent":
        return f"{number_format(round(value, 1), 1)} %"
    return number_format(round(value, 2), 2)


@register.filter
def format_change(value: float | None) -> str:
    if value is None:
        return ""
    arrow = "▲" if value > 0 else ("▼" if value < 0 else "＝")
    return f"{arrow} {number_format(abs(round(value, 1)), 1)} %"
