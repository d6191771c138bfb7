"""Models of the metrics app, one module per area; import them from here."""

from metrics.models.reports import BusinessInterval, Report, ReportSubscription

__all__ = ["BusinessInterval", "Report", "ReportSubscription"]
