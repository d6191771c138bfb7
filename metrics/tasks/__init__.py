"""Celery tasks of the metrics app, one module per area.

Celery's autodiscovery imports this package only: import each task module below.
"""

from metrics.tasks import reports, sla  # noqa: F401  (registers the tasks)
