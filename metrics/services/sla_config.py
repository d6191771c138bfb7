"""Writes for SLA configuration: calendars, closures and versioned policies, with validation.

Every refusal is an ``ApplicationError`` (400) with a translated message, raised before
anything is written; each service is one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrics.calendars import BusinessCalendar, CalendarError
from metrics.models import (
    DEFAULT_PAUSE_STATUSES,
    Metric,
    SlaCalendar,
    SlaClock,
    SlaClockEvent,
    SlaClosure,
    SlaPolicy,
    SlaTarget,
)
from metrics.services.sla_clocks import RUNNING_STATES, _schedule
from supportdesk.errors import ApplicationError, NotAllowed
from teams import access
from tickets.lifecycle import interpolate_lazy
from tickets.models import Ticket

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_LINE = re.compile(
    r"^(?P<day>[a-z]{3})[a-z]*\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})$"
)


def _invalid(message: Any, field: str | None = None) -> ApplicationError:
    return ApplicationError(message, code="invalid", status=400, details={"field": field})


def _require_manager(actor: Any) -> None:
    if not access.can_manage_sla(actor):
        raise NotAllowed(_("Only supervisors and administrators may change SLA settings."))


def weekly_hours_from_text(text: str) -> dict[str, list[list[str]]]:
    """``"mon 09:00-18:00"`` lines (several per day allowed) → the JSON the model stores."""
    hours: dict[str, list[list[str]]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lower()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None or match["day"] not in WEEKDAYS:
            raise _invalid(
                interpolate_lazy(
                    _("Line %(number)s: write a weekday and an interval, e.g. “mon 09:00-18:00”."),
                    number=number,
                ),
                "weekly_hours",
            )
        day = str(WEEKDAYS.index(match["day"]))
        hours.setdefault(day, []).append([match["start"].zfill(5), match["end"].zfill(5)])
    return hours


def weekly_hours_to_text(hours: dict[str, list[list[str]]]) -> str:
    return "\n".join(
        f"{WEEKDAYS[int(day)]} {start}-{end}"
        for day in sorted(hours, key=int)
        for start, end in hours[day]
    )


def _built(calendar: SlaCalendar, closures: list[tuple[datetime, datetime]]) -> BusinessCalendar:
    try:
        built = calendar.build(closures)
    except CalendarError as error:
        raise _invalid(
            interpolate_lazy(_("The calendar is not valid: %(error)s"), error=str(error)),
            "weekly_hours",
        ) from error
    if not calendar.always_open and not calendar.weekly_hours:
        raise _invalid(
            _("Give at least one interval of business hours, or choose 24×7."), "weekly_hours"
        )
    return built


def _reschedule(calendar: SlaCalendar, before: BusinessCalendar, now: datetime) -> int:
    """Running clocks of ``calendar`` keep what they banked under the old rules (up to ``now``)
    and get new due times under the new ones, from ``now`` on. Returns how many moved."""
    clocks = list(
        SlaClock.objects.select_for_update(of=("self",)).filter(
            calendar=calendar, state__in=RUNNING_STATES
        )
    )
    events = []
    for clock in clocks:
        if now > clock.since:
            clock.elapsed += before.business_time_between(clock.since, now)
            clock.since = now
        clock.calendar = calendar
        _schedule(clock)
        events.append(
            SlaClockEvent(
                clock=clock,
                kind=SlaClockEvent.Kind.DUE_CHANGED,
                at=now,
                recorded_at=now,
                reason=str(_("calendar changed: %(name)s") % {"name": calendar.name})[:200],
                elapsed=clock.elapsed,
                due_at=clock.due_at,
            )
        )
    SlaClock.objects.bulk_update(clocks, ["elapsed", "since", "due_at", "warn_at"], batch_size=1000)
    SlaClockEvent.objects.bulk_create(events, batch_size=1000)
    ticket_ids = {clock.ticket_id for clock in clocks}
    if ticket_ids:
        sla_refresh_ticket_columns(ticket_ids=ticket_ids)
    return len(clocks)


def sla_refresh_ticket_columns(*, ticket_ids: Iterable[int]) -> None:
    """Recompute ``sla_due_at`` and ``sla_breached`` of these tickets in one UPDATE."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE tickets_ticket AS t SET
              sla_due_at = (SELECT min(c.due_at) FROM metrics_slaclock c
                            WHERE c.ticket_id = t.id AND c.state IN ('running', 'breached')),
              sla_breached = EXISTS (SELECT 1 FROM metrics_slaclock c
                            WHERE c.ticket_id = t.id AND c.breached_at IS NOT NULL
                              AND c.state IN ('breached', 'paused'))
            WHERE t.id = ANY(%s)
            """,
            [list(ticket_ids)],
        )


@transaction.atomic
def sla_calendar_save(
    *,
    actor: Any,
    calendar: SlaCalendar | None,
    name: str,
    time_zone: str,
    always_open: bool,
    weekly_hours: dict[str, list[list[str]]],
    holiday_source: str,
    holiday_country: str = "HK",
    holiday_subdivision: str = "",
    holiday_market: str = "XHKG",
) -> SlaCalendar:
    """Create or change a calendar. Refuses overlapping or zero-length intervals, unknown zones
    and holiday sources (nothing saved). Running clocks on it are rescheduled from now on."""
    _require_manager(actor)
    name = (name or "").strip()
    if not name:
        raise _invalid(_("Give the calendar a name."), "name")
    duplicate = SlaCalendar.objects.filter(name=name)
    if calendar is not None:
        duplicate = duplicate.exclude(pk=calendar.pk)
    if duplicate.exists():
        raise _invalid(_("Another calendar already has this name."), "name")
    before = calendar.business_calendar() if calendar is not None else None
    row = calendar or SlaCalendar()
    row.name = name
    row.time_zone = time_zone
    row.always_open = always_open
    row.weekly_hours = {} if always_open else weekly_hours
    row.holiday_source = holiday_source
    row.holiday_country = (holiday_country or "").upper()
    row.holiday_subdivision = holiday_subdivision or ""
    row.holiday_market = (holiday_market or "").upper()
    closures = list(row.closures.values_list("starts_at", "ends_at")) if row.pk else []
    _built(row, closures)
    row.revision = (row.revision or 0) + 1 if row.pk else 1
    row.save()
    if before is not None:
        _reschedule(row, before, timezone.now())
    return row


@transaction.atomic
def sla_closure_add(
    *, actor: Any, calendar: SlaCalendar, starts_at: datetime, ends_at: datetime, reason: str
) -> SlaClosure:
    """Close ``calendar`` for ``[starts_at, ends_at)`` (typhoon signal No. 8, black rainstorm).

    Business time already counted by running clocks stays counted; from now on the closure
    pauses them (their due times move out by the closed business time)."""
    _require_manager(actor)
    for value in (starts_at, ends_at):
        if value is None or timezone.is_naive(value):
            raise _invalid(_("Give the closure's start and end with a time zone."), "starts_at")
    if ends_at <= starts_at:
        raise _invalid(_("A closure must end after it starts."), "ends_at")
    reason = (reason or "").strip()[:200]
    if not reason:
        raise _invalid(_("Say why the desk is closed (e.g. typhoon signal No. 8)."), "reason")
    calendar = SlaCalendar.objects.select_for_update().get(pk=calendar.pk)
    before = calendar.business_calendar()
    now = timezone.now()
    closure = SlaClosure.objects.create(
        calendar=calendar,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=actor,
        created_at=now,
    )
    calendar.revision += 1
    calendar.save(update_fields=["revision", "updated_at"])
    _reschedule(calendar, before, now)
    return closure


@dataclass(frozen=True)
class TargetInput:
    """One target as typed: a metric, minutes of business time, a calendar, pause statuses."""

    metric: str
    minutes: int | None
    calendar: SlaCalendar | None
    pause_statuses: Sequence[str] = ()


@transaction.atomic
def sla_policy_save(
    *,
    actor: Any,
    family: int | None,
    name: str,
    position: int,
    targets: Sequence[TargetInput],
    priorities: Sequence[int] = (),
    channels: Sequence[str] = (),
    client_tiers: Sequence[str] = (),
    categories: Sequence[Any] = (),
    teams: Sequence[Any] = (),
    warning_percent: int = 75,
    raise_priority: bool = False,
    reassign_to_supervisor: bool = False,
    notify_email: str = "",
    is_active: bool = True,
) -> SlaPolicy:
    """Write a new version of policy ``family`` (a new policy when ``None``) and make it current.

    Refuses a policy with no targets, a target without a calendar or with a non-positive
    duration, and a warning threshold outside 1–99 %. Tickets keep the version they started with.
    """
    _require_manager(actor)
    name = (name or "").strip()
    if not name:
        raise _invalid(_("Give the policy a name."), "name")
    if not 1 <= int(warning_percent) <= 99:
        raise _invalid(_("The warning threshold must be between 1 and 99 %."), "warning_percent")
    given = [target for target in targets if target.minutes is not None]
    if not given:
        raise _invalid(_("A policy needs at least one target."), None)
    seen: set[str] = set()
    for target in given:
        if target.metric not in Metric.values or target.metric in seen:
            raise _invalid(_("Each metric can have one target."), None)
        seen.add(target.metric)
        if target.minutes <= 0:
            raise _invalid(_("A target must be at least one minute."), None)
        if target.calendar is None:
            raise _invalid(_("Choose the calendar each target counts in."), None)
        unknown = set(target.pause_statuses) - set(Ticket.Status.values)
        if unknown:
            raise _invalid(_("Pause rules can only name ticket statuses."), None)
    now = timezone.now()
    if family is None:
        family = (SlaPolicy.objects.aggregate(top=Max("family"))["top"] or 0) + 1
        version = 1
    else:
        previous = SlaPolicy.objects.select_for_update().filter(family=family, is_current=True)
        current = previous.first()
        if current is None:
            raise ApplicationError(_("This policy no longer exists."), code="not_found", status=404)
        version = current.version + 1
        previous.update(is_current=False)
    policy = SlaPolicy.objects.create(
        family=family,
        version=version,
        is_current=True,
        is_active=is_active,
        name=name,
        position=position,
        priorities=sorted({int(p) for p in priorities}),
        channels=sorted(set(channels)),
        client_tiers=sorted(set(client_tiers)),
        warning_percent=int(warning_percent),
        raise_priority=raise_priority,
        reassign_to_supervisor=reassign_to_supervisor,
        notify_email=notify_email or "",
        created_by=actor,
        created_at=now,
    )
    policy.categories.set(categories)
    policy.teams.set(teams)
    SlaTarget.objects.bulk_create(
        SlaTarget(
            policy=policy,
            metric=target.metric,
            target_seconds=int(target.minutes) * 60,
            calendar=target.calendar,
            pause_statuses=list(target.pause_statuses),
        )
        for target in given
    )
    return policy


def default_pause_statuses(metric: str) -> list[str]:
    return list(DEFAULT_PAUSE_STATUSES.get(metric, []))


@dataclass(frozen=True)
class PreviewRow:
    metric: str
    metric_label: str
    target: timedelta
    calendar: str
    warning_at: datetime
    due_at: datetime


def sla_policy_preview(*, policy: SlaPolicy, start: datetime) -> list[PreviewRow]:
    """Due times (and warning times) of each of the policy's targets for a clock started at
    ``start`` that never pauses. Raises ``ApplicationError`` for a naive start."""
    if start is None or timezone.is_naive(start):
        raise _invalid(_("Give the start time with a time zone."), "start")
    rows = []
    for target in policy.targets.select_related("calendar").order_by("metric"):
        calendar = target.calendar.business_calendar()
        rows.append(
            PreviewRow(
                metric=target.metric,
                metric_label=str(Metric(target.metric).label),
                target=target.target,
                calendar=target.calendar.name,
                warning_at=calendar.add_business_time(
                    start, target.target * policy.warning_percent / 100
                ),
                due_at=calendar.add_business_time(start, target.target),
            )
        )
    order = list(Metric.values)
    return sorted(rows, key=lambda row: order.index(row.metric))
