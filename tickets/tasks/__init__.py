"""Celery tasks of the tickets app, one module per area.

Celery's autodiscovery imports this package only: import each task module below.
"""

from tickets.tasks import inbound, outbound, routing, webhooks  # noqa: F401
