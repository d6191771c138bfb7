"""SLA models: business-hours calendars, ordered versioned policies with per-metric targets, and
per-ticket clocks with their event timeline (``docs/sla-calendars.md``)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from metrics.calendars import BusinessCalendar, MarketHolidays, PublicHolidays
from teams.models import Team
from tickets.models import Category, Ticket


class SlaCalendar(models.Model):
    """A named business-hours calendar: zone, weekly hours, holiday source, closures or 24×7.

    ``weekly_hours`` is JSON ``{"0": [["09:00", "18:00"]], …}`` (Monday is ``"0"``); an interval
    whose end is at or before its start crosses midnight. ``business_calendar()`` builds the
    engine object of ``metrics.calendars`` (cached per row version, closures included).
    """

    class HolidaySource(models.TextChoices):
        NONE = "none", _("No holidays")
        PUBLIC = "public", _("Public holidays of a country")
        MARKET = "market", _("A market's trading holidays")

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Hong_Kong")
    always_open = models.BooleanField(_("24×7"), default=False)
    weekly_hours = models.JSONField(_("weekly hours"), default=dict, blank=True)
    holiday_source = models.CharField(
        _("holidays"), max_length=10, choices=HolidaySource.choices, default=HolidaySource.PUBLIC
    )
    holiday_country = models.CharField(_("country"), max_length=2, default="HK", blank=True)
    holiday_subdivision = models.CharField(_("subdivision"), max_length=10, blank=True)
    holiday_market = models.CharField(_("market"), max_length=10, default="XHKG", blank=True)
    revision = models.PositiveIntegerField(
        default=1, help_text="Bumped by every change, closures included (calendar cache key)."
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("SLA calendar")
        verbose_name_plural = _("SLA calendars")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def holiday_source_object(self) -> PublicHolidays | MarketHolidays | None:
        if self.holiday_source == self.HolidaySource.PUBLIC:
            return PublicHolidays(self.holiday_country or "HK", self.holiday_subdivision or None)
        if self.holiday_source == self.HolidaySource.MARKET:
            return MarketHolidays(self.holiday_market or "XHKG")
        return None

    def build(self, closures: list[tuple[datetime, datetime]]) -> BusinessCalendar:
        """The engine object for these values (raises ``CalendarError`` on bad values)."""
        holidays = self.holiday_source_object()
        if self.always_open:
            return BusinessCalendar.always_open(
                time_zone=self.time_zone, holidays=holidays, closures=closures
            )
        hours = {
            int(day): [tuple(pair) for pair in pairs] for day, pairs in self.weekly_hours.items()
        }
        return BusinessCalendar(
            time_zone=self.time_zone, weekly_hours=hours, holidays=holidays, closures=closures
        )

    def business_calendar(self) -> BusinessCalendar:
        """The cached engine object of this row at its current revision."""
        key = (self.pk, self.revision)
        with _CACHE_LOCK:
            cached = _CALENDAR_CACHE.get(key)
        if cached is not None:
            return cached
        closures = list(self.closures.values_list("starts_at", "ends_at"))
        calendar = self.build(closures)
        with _CACHE_LOCK:
            if len(_CALENDAR_CACHE) > 256:
                _CALENDAR_CACHE.clear()
            _CALENDAR_CACHE[key] = calendar
        return calendar


_CALENDAR_CACHE: dict[tuple[int, int], BusinessCalendar] = {}
_CACHE_LOCK = threading.Lock()


class SlaClosure(models.Model):
    """An ad hoc closure of a calendar (typhoon signal No. 8, black rainstorm), ``[start, end)``."""

    calendar = models.ForeignKey(SlaCalendar, on_delete=models.CASCADE, related_name="closures")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    reason = models.CharField(_("reason"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("entered"))

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="sla_closure_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.reason


class Metric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    PERIODIC_UPDATE = "periodic_update", _("Periodic update while escalated")
    RESOLUTION = "resolution", _("Resolution")


REPLY_METRICS = (Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE, Metric.PERIODIC_UPDATE)
DEFAULT_PAUSE_STATUSES: dict[str, list[str]] = {
    Metric.FIRST_RESPONSE: [],
    Metric.NEXT_RESPONSE: [],
    Metric.PERIODIC_UPDATE: [],
    Metric.RESOLUTION: [Ticket.Status.PENDING_CLIENT, Ticket.Status.ON_HOLD],
}


class SlaPolicy(models.Model):
    """One version of an SLA policy. Policies form an ordered list (``position``); the first
    current policy whose conditions all match a ticket applies. An empty condition matches
    everything. Editing a policy writes a new row with the same ``family`` and ``version + 1``
    and makes it the current one; clocks keep the row they started with until a supervisor
    re-applies the current version.
    """

    family = models.PositiveIntegerField(_("policy"), db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    priorities = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    channels = ArrayField(models.CharField(max_length=10), default=list, blank=True)
    client_tiers = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="+")
    teams = models.ManyToManyField(Team, blank=True, related_name="+")
    warning_percent = models.PositiveSmallIntegerField(
        _("warning at percent of target"), default=75
    )
    raise_priority = models.BooleanField(_("raise priority on breach"), default=False)
    reassign_to_supervisor = models.BooleanField(
        _("reassign to a supervisor on breach"), default=False
    )
    notify_email = models.EmailField(
        _("notify internal team (email) on breach"), blank=True, default=""
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["position", "family", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["family", "version"], name="sla_policy_version_unique"),
            models.UniqueConstraint(
                fields=["family"],
                condition=models.Q(is_current=True),
                name="sla_policy_one_current",
            ),
            models.CheckConstraint(
                condition=models.Q(warning_percent__gte=1, warning_percent__lte=99),
                name="sla_policy_warning_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def matches(self, ticket: Ticket, *, category_ids: set[int], team_ids: set[int]) -> bool:
        """Whether the conditions match (M2M ids passed in, read once by the caller)."""
        client_tier = getattr(getattr(ticket, "client", None), "tier", None)
        return (
            (not self.priorities or ticket.priority in self.priorities)
            and (not self.channels or ticket.channel in self.channels)
            and (not self.client_tiers or client_tier in self.client_tiers)
            and (not category_ids or ticket.category_id in category_ids)
            and (not team_ids or ticket.team_id in team_ids)
        )


class SlaTarget(models.Model):
    """A policy's target for one metric: a business-time duration counted in a calendar, and
    the ticket statuses that pause it."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    target_seconds = models.PositiveIntegerField(_("target (seconds of business time)"))
    calendar = models.ForeignKey(SlaCalendar, on_delete=models.PROTECT, related_name="targets")
    pause_statuses = ArrayField(models.CharField(max_length=20), default=list, blank=True)

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["policy", "metric"], name="sla_target_per_metric"),
            models.CheckConstraint(
                condition=models.Q(target_seconds__gt=0), name="sla_target_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {timedelta(seconds=self.target_seconds)}"

    @property
    def target(self) -> timedelta:
        return timedelta(seconds=self.target_seconds)


class SlaTicketPolicy(models.Model):
    """The policy version a ticket's clocks follow (chosen at creation, changed only when a
    supervisor re-applies the current version)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="sla_policy")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="+")
    applied_at = models.DateTimeField(_("applied"))

    class Meta:
        verbose_name = _("ticket SLA policy")
        verbose_name_plural = _("ticket SLA policies")

    def __str__(self) -> str:
        return f"{self.policy} for {self.ticket_id}"


OPEN_CLOCK_STATES = ("running", "paused", "breached")


class SlaClock(models.Model):
    """One metric of one ticket, timed in business time.

    ``elapsed`` is the business time banked up to ``since``; while running (or breached, which
    still runs until fulfilled) the clock gains business time from ``since`` on. ``due_at`` and
    ``warn_at`` are the instants the target and the warning threshold are reached (``None`` while
    paused). ``warned_at`` / ``breached_at`` are set exactly once by the sweep (conditional
    UPDATE … WHERE … IS NULL); their events are unique per clock and due time.
    """

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        BREACHED = "breached", _("Breached")
        FULFILLED = "fulfilled", _("Fulfilled")
        STOPPED = "stopped", _("Stopped")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_clocks")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="clocks")
    calendar = models.ForeignKey(SlaCalendar, on_delete=models.PROTECT, related_name="clocks")
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices)
    target = models.DurationField(_("target"))
    pause_statuses = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    warning_percent = models.PositiveSmallIntegerField(default=75)
    started_at = models.DateTimeField(_("started"))
    since = models.DateTimeField(help_text="Start of the current running stretch.")
    elapsed = models.DurationField(_("business time elapsed"), default=timedelta)
    paused_total = models.DurationField(_("time paused"), default=timedelta)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    warn_at = models.DateTimeField(_("warning at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("fulfilled or stopped"), null=True, blank=True)
    pause_reason = models.CharField(_("pause reason"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "metric"], name="sla_clock_ticket_idx"),
            # The sweep's two scans: cost grows with the clocks due, not with the clocks stored.
            models.Index(
                fields=["due_at"],
                name="sla_clock_due_idx",
                condition=models.Q(state="running", breached_at__isnull=True),
            ),
            models.Index(
                fields=["warn_at"],
                name="sla_clock_warn_idx",
                condition=models.Q(state="running", warned_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "metric"],
                condition=models.Q(state__in=OPEN_CLOCK_STATES),
                name="sla_clock_one_open_per_metric",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} of {self.ticket_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CLOCK_STATES

    @property
    def is_met(self) -> bool:
        return self.state == self.State.FULFILLED and self.breached_at is None

    def elapsed_at(self, now: datetime, calendar: Any) -> timedelta:
        """Business time elapsed at ``now`` (``calendar``: this clock's engine object)."""
        if self.state in (self.State.RUNNING, self.State.BREACHED):
            return self.elapsed + calendar.business_time_between(self.since, now)
        return self.elapsed


class SlaClockEvent(models.Model):
    """One line of a clock's timeline. Warnings and breaches are unique per clock and due time,
    so the database, not luck, keeps them to one each."""

    class Kind(models.TextChoices):
        STARTED = "started", _("Started")
        PAUSED = "paused", _("Paused")
        RESUMED = "resumed", _("Resumed")
        WARNING = "warning", _("Warning")
        BREACHED = "breached", _("Breached")
        FULFILLED = "fulfilled", _("Fulfilled")
        STOPPED = "stopped", _("Stopped")
        REAPPLIED = "reapplied", _("Policy re-applied")
        DUE_CHANGED = "due_changed", _("Due time changed")

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("time"))
    recorded_at = models.DateTimeField(_("recorded"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    elapsed = models.DurationField(_("business time elapsed"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SLA clock event")
        verbose_name_plural = _("SLA clock events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["clock", "at"], name="sla_event_clock_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["clock", "kind", "due_at"],
                condition=models.Q(kind__in=("warning", "breached")),
                name="sla_event_once_per_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of clock {self.clock_id}"


__all__ = [
    "DEFAULT_PAUSE_STATUSES",
    "Metric",
    "OPEN_CLOCK_STATES",
    "REPLY_METRICS",
    "SlaCalendar",
    "SlaClock",
    "SlaClockEvent",
    "SlaClosure",
    "SlaPolicy",
    "SlaTarget",
    "SlaTicketPolicy",
]
