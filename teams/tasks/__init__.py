"""Celery tasks of the teams app, one module per area.

Celery's autodiscovery imports this package only: import each task module below.
"""

from teams.tasks import training  # noqa: F401
