"""Models of the metrics app, one module per area; import them from here."""

from metrics.models.reports import BusinessDay, BusinessInterval, Report, ReportSubscription
from metrics.models.sla import (
    DEFAULT_PAUSE_STATUSES,
    OPEN_CLOCK_STATES,
    REPLY_METRICS,
    Metric,
    SlaCalendar,
    SlaClock,
    SlaClockEvent,
    SlaClosure,
    SlaPolicy,
    SlaTarget,
    SlaTicketPolicy,
)

__all__ = [
    "BusinessDay",
    "BusinessInterval",
    "Report",
    "ReportSubscription",
    "DEFAULT_PAUSE_STATUSES",
    "OPEN_CLOCK_STATES",
    "REPLY_METRICS",
    "Metric",
    "SlaCalendar",
    "SlaClock",
    "SlaClockEvent",
    "SlaClosure",
    "SlaPolicy",
    "SlaTarget",
    "SlaTicketPolicy",
]
