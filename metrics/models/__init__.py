"""Models of the metrics app, one module per area; import them from here."""

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
