from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        # Outbound webhooks follow every ticket change through the one extension point.
        from tickets import hooks
        from tickets.services.webhooks import webhooks_on_ticket_change

        hooks.register(webhooks_on_ticket_change)
