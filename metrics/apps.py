from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("Metrics, SLAs and reports")

    def ready(self) -> None:
        from metrics.services.sla_clocks import on_ticket_change, on_ticket_changes
        from tickets import hooks

        hooks.register(on_ticket_change, many=on_ticket_changes)
