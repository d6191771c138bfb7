from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from tickets import hooks
        from tickets.tasks.routing import queue_auto_assignment

        hooks.register(queue_auto_assignment)
