"""Template helpers for SLA times: durations in words (the list rows' time-to-breach badge is
written by ``tickets.templatetags.ticket_table``)."""

from __future__ import annotations

from datetime import timedelta

from django import template

from tickets.templatetags.ticket_table import duration_text

register = template.Library()


@register.filter
def sla_duration(value: timedelta | None) -> str:
    """``timedelta`` → "45 h 00 min", "12 min", "5 d 3 h" (see ``duration_text``)."""
    return duration_text(value)
