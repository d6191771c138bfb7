from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from tickets import hooks
        from tickets.mail.outbound import outbound_on_ticket_change
        from tickets.services.webhooks import webhooks_on_ticket_change
        from tickets.tasks.routing import queue_auto_assignment

        # New tickets are auto-assigned by a Celery task queued on commit (tickets.routing).
        hooks.register(queue_auto_assignment)
        # Mail to clients about their tickets (received, replies, escalation, resolution).
        hooks.register(outbound_on_ticket_change)
        # Outbound webhooks follow every ticket change through the one extension point.
        hooks.register(webhooks_on_ticket_change)
