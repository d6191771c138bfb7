"""Escalations: to the team's supervisors (tier 2) or to an internal team, and back."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.core import Ticket


class InternalTeam(models.Model):
    """A team outside the support desk that tickets are handed to (Platform Engineering,
    Trading Desk, Compliance …). Administrators edit the list; ``contact_email`` receives the
    hand-off."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    contact_email = models.EmailField(_("contact email"))
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Jira: escalating to a team with a project key also opens an issue in that Jira project
    # (tickets.services.jira; base URL and credentials from settings JIRA_*).
    jira_project_key = models.CharField(
        _("Jira project key"),
        max_length=20,
        blank=True,
        help_text=_("Escalations to this team also open an issue in this Jira project."),
    )
    jira_issue_type = models.CharField(_("Jira issue type"), max_length=50, default="Task")

    class Meta:
        verbose_name = _("internal team")
        verbose_name_plural = _("internal teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Escalation(models.Model):
    """One escalation of a ticket, from the moment an agent raises it until it is closed.

    *Tier 2*: the team's supervisors own it until one de-escalates, which returns the ticket to
    ``returned_to`` (the assignee when it was raised). *Internal team*: the ticket is handed off
    to ``internal_team`` at ``handed_off_at`` and waits (status Pending internal) until its answer
    is recorded (``answered_at``); closing it is the de-escalation. The time with each internal
    team is ``handed_off_at`` → ``answered_at`` (or now), measured in SQL by
    ``tickets.selectors.escalations``.

    ``update_interval_minutes``: while the escalation is open the client must get a progress
    update at least this often; the supervisor sets it and the SLA metrics enforce it.
    """

    class Level(models.TextChoices):
        TIER2 = "tier2", _("Tier 2 (supervisors)")
        INTERNAL = "internal", _("Internal team")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations")
    level = models.CharField(_("escalated to"), max_length=10, choices=Level.choices)
    internal_team = models.ForeignKey(
        InternalTeam,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations",
        verbose_name=_("internal team"),
    )
    reason = models.TextField(_("reason"))
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(_("escalated"))
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handed_off_at = models.DateTimeField(_("handed off"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    de_escalated_at = models.DateTimeField(_("de-escalated"), null=True, blank=True)
    de_escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    update_interval_minutes = models.PositiveIntegerField(
        _("client update every (minutes)"), null=True, blank=True
    )
    # The Jira issue of an escalation to a team configured as a Jira project.
    jira_issue_key = models.CharField(_("Jira issue"), max_length=40, blank=True, db_index=True)
    jira_status = models.CharField(_("Jira status"), max_length=100, blank=True)
    jira_error = models.TextField(_("Jira error"), blank=True)
    jira_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["escalated_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(level="tier2") & models.Q(internal_team__isnull=True))
                | (
                    models.Q(level="internal")
                    & models.Q(internal_team__isnull=False)
                    & models.Q(handed_off_at__isnull=False)
                ),
                name="escalation_target_matches_level",
            ),
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(level="tier2", de_escalated_at__isnull=True),
                name="escalation_one_open_tier2",
            ),
            models.UniqueConstraint(
                fields=["ticket", "internal_team"],
                condition=models.Q(level="internal", de_escalated_at__isnull=True),
                name="escalation_one_open_per_internal_team",
            ),
        ]
        indexes = [
            models.Index(
                fields=["level", "escalated_at"],
                condition=models.Q(de_escalated_at__isnull=True),
                name="escalation_open_idx",
            ),
            models.Index(fields=["ticket", "escalated_at"], name="escalation_ticket_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} · {self.ticket_id}"

    @property
    def is_open(self) -> bool:
        return self.de_escalated_at is None

    @property
    def is_waiting_on_internal_team(self) -> bool:
        return self.level == self.Level.INTERNAL and self.is_open and self.answered_at is None
