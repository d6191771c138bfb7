"""Celery tasks of the tickets app, one module per area.

Celery's autodiscovery imports this package only: import each task module below.
"""

from tickets.tasks import inbound  # noqa: E402, F401  (registers the inbound mail tasks)
