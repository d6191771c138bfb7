from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from tickets import hooks
        from tickets.mail.outbound import outbound_on_ticket_change

        # Mail to clients about their tickets (received, replies, escalation, resolution).
        hooks.register(outbound_on_ticket_change)
