"""The weekly management report: its archive, its subscribers, and the business-hours table the
report's SQL uses for business time."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from teams.models import Language, Team


class BusinessInterval(models.Model):
    """One business-hours interval of a calendar, materialised from ``metrics.calendars``.

    Rows are disjoint and sorted by ``starts_us`` (microseconds since the Unix epoch, UTC);
    ``cumulative_us`` is the business time of the calendar before ``starts_us``. The SQL
    function ``metrics_business_us(instant)`` (migration ``0001``) returns the business
    microseconds before an instant, so the business time between two instants is the difference
    of two index look-ups, exact to the microsecond and identical to
    ``BusinessCalendar.business_time_between`` (tests compare them).
    """

    calendar = models.CharField(max_length=20)
    starts_us = models.BigIntegerField()
    ends_us = models.BigIntegerField()
    cumulative_us = models.BigIntegerField()

    class Meta:
        verbose_name = _("business-hours interval")
        verbose_name_plural = _("business-hours intervals")
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "starts_us"], name="business_interval_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_us__gt=models.F("starts_us")),
                name="business_interval_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.calendar} {self.starts_us}–{self.ends_us}"


class BusinessDay(models.Model):
    """One local day of a calendar with the business time before it, for set-based SQL.

    ``cumulative_us`` is the calendar's business time before the day's business interval (or,
    on a closed day, before the next business interval); ``opens_us`` / ``closes_us`` bound the
    day's one business interval (``NULL`` on closed days). The business time before an instant
    is then ``cumulative_us + clamp(instant - opens_us, 0, closes_us - opens_us)`` of the row of
    the instant's local date: a hash join instead of one index look-up per ticket. Valid for
    calendars with at most one interval per local day that does not cross midnight (the Hong
    Kong desk calendar); ``metrics.business_time.materialise`` refuses any other.
    """

    calendar = models.CharField(max_length=20)
    day = models.DateField()
    cumulative_us = models.BigIntegerField()
    opens_us = models.BigIntegerField(null=True, blank=True)
    closes_us = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("business day")
        verbose_name_plural = _("business days")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="business_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.calendar} {self.day}"


class Report(models.Model):
    """One generated (or queued) weekly report: a period, a scope (a team or the whole desk) and
    a language. The same period, scope and language always give the same figures; regenerating
    replaces the file of the same row and counts another attempt."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports",
        help_text="Empty for the desk-wide report.",
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text="Last day included (a Sunday).")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Hong_Kong")
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ENGLISH
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file = models.FileField(_("file"), upload_to="reports/%Y/", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    generated_at = models.DateTimeField(_("generated"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_start", "team__name", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "period_start", "language"],
                name="report_unique_team_period_language",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="report_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        scope = self.team.name if self.team_id else "desk"
        return f"{scope} {self.period_start}–{self.period_end} {self.language}"

    @property
    def download_name(self) -> str:
        scope = self.team.slug if self.team_id else "desk"
        return f"weekly-{scope}-{self.period_start.isoformat()}-{self.language}.pdf"


class ReportSubscription(models.Model):
    """A recipient of the weekly report of one scope (a team, or the desk when empty), in the
    language they read it in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="report_subscriptions"
    )
    language = models.CharField(
        _("language"), max_length=10, choices=Language.choices, default=Language.ENGLISH
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "team"], name="report_subscription_unique", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.team or 'desk'} ({self.language})"
