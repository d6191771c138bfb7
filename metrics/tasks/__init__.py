"""Celery tasks of the metrics app, one module per area.

Celery's autodiscovery imports this package only: import each task module below.
"""

from metrics.tasks import reports  # noqa: F401
