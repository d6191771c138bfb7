"""Routing rules: which team a new ticket goes to, decided by the first matching rule."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from teams.models import Language, Team
from tickets.models.core import Category, Client, Ticket


class RoutingRule(models.Model):
    """One ordered rule: a ticket matching every condition set here goes to ``team``.

    Empty conditions match anything. Rules are tried in ``position`` order (then id); the first
    active rule that matches wins; with none, the ticket stays on the team it was created in.
    Administrators edit and reorder rules in the UI (``tickets.views.routing``).
    """

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("category"),
    )
    language = models.CharField(_("language"), max_length=10, choices=Language.choices, blank=True)
    client_tier = models.CharField(
        _("client tier"), max_length=20, choices=Client.Tier.choices, blank=True
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Ticket.Channel.choices, blank=True
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="routing_rules", verbose_name=_("team")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["is_active", "position", "id"], name="routing_rule_order_idx")
        ]

    def __str__(self) -> str:
        return self.name

    def matches(self, ticket: Ticket, client_tier: str) -> bool:
        """Whether every condition set on this rule holds for ``ticket``."""
        return (
            (self.category_id is None or self.category_id == ticket.category_id)
            and (not self.language or self.language == ticket.language)
            and (not self.client_tier or self.client_tier == client_tier)
            and (not self.channel or self.channel == ticket.channel)
        )
