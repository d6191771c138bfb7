"""Models of the metrics app, one module per area; import them from here."""

from metrics.models.reports import BusinessDay, BusinessInterval, Report, ReportSubscription

__all__ = ["BusinessDay", "BusinessInterval", "Report", "ReportSubscription"]
