"""Where imported tickets came from: one row per (source helpdesk, external id)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.core import Ticket


class ImportedTicket(models.Model):
    """Maps a ticket of another helpdesk (``source`` such as *zendesk*, and its id there) to
    the ticket it became, so that importing the same file again changes nothing."""

    source = models.CharField(_("source"), max_length=50)
    external_id = models.CharField(_("external id"), max_length=100)
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="import_origin")
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        verbose_name = _("imported ticket")
        verbose_name_plural = _("imported tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], name="imported_ticket_unique_external_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id} → {self.ticket_id}"
