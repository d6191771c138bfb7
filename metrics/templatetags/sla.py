"""Template helpers for SLA times: durations in words and the list rows' time-to-breach badge."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def sla_duration(value: timedelta | None) -> str:
    """``timedelta`` → "45 h 00 min", "12 min", and past 99 hours "5 d 3 h" (sign dropped).
    Business-time targets read best in hours (45 business hours is not "1 d 21 h")."""
    if value is None:
        return ""
    seconds = abs(int(value.total_seconds()))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if seconds < 100 * 3_600:
        hours += days * 24
        days = 0
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}


@register.inclusion_tag("metrics/sla/partials/due_badge.html")
def sla_due_badge(due_at: datetime | None, breached: bool, now: datetime | None = None) -> dict:
    """The time-to-breach badge of a ticket list row, from ``Ticket.sla_due_at``/``sla_breached``:
    red when overdue or breached, amber within the hour, green otherwise."""
    if due_at is None:
        return {"due_at": None, "breached": breached}
    now = now or timezone.now()
    left = due_at - now
    if breached or left <= timedelta(0):
        tone = "late"
    elif left <= timedelta(hours=1):
        tone = "warn"
    else:
        tone = "ok"
    return {"due_at": due_at, "left": left, "overdue": left <= timedelta(0), "tone": tone}
