"""Factories of the metrics tests: SLA calendars and policies, shifts, reports, subscriptions."""

from __future__ import annotations

import itertools
from datetime import date, time, timedelta

import factory
from django.utils import timezone

from metrics.models import Metric, Report, ReportSubscription, SlaCalendar, SlaPolicy, SlaTarget
from teams.models import Shift
from tests.factories import UserFactory

_families = itertools.count(1000)


class SlaCalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaCalendar

    name = factory.Sequence(lambda n: f"Calendar {n}")
    time_zone = "Asia/Hong_Kong"
    always_open = True
    weekly_hours = factory.LazyFunction(dict)
    holiday_source = SlaCalendar.HolidaySource.NONE


def office_calendar(**kwargs) -> SlaCalendar:
    """Monday–Friday 09:00–18:00 Hong Kong, Hong Kong general holidays."""
    return SlaCalendarFactory(
        always_open=False,
        weekly_hours={str(day): [["09:00", "18:00"]] for day in range(5)},
        holiday_source=SlaCalendar.HolidaySource.PUBLIC,
        **kwargs,
    )


class SlaPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaPolicy

    family = factory.LazyFunction(lambda: next(_families))
    name = factory.Sequence(lambda n: f"Policy {n}")
    position = 10
    warning_percent = 75
    created_at = factory.LazyFunction(timezone.now)


def policy_with_targets(
    *,
    calendar: SlaCalendar | None = None,
    first_response: timedelta | None = timedelta(hours=1),
    next_response: timedelta | None = timedelta(hours=2),
    periodic_update: timedelta | None = timedelta(hours=4),
    resolution: timedelta | None = timedelta(hours=8),
    **kwargs,
) -> SlaPolicy:
    calendar = calendar or SlaCalendarFactory()
    policy = SlaPolicyFactory(**kwargs)
    targets = {
        Metric.FIRST_RESPONSE: (first_response, []),
        Metric.NEXT_RESPONSE: (next_response, []),
        Metric.PERIODIC_UPDATE: (periodic_update, []),
        Metric.RESOLUTION: (resolution, ["pending_client", "on_hold"]),
    }
    for metric, (duration, pauses) in targets.items():
        if duration is not None:
            SlaTarget.objects.create(
                policy=policy,
                metric=metric,
                target_seconds=int(duration.total_seconds()),
                calendar=calendar,
                pause_statuses=pauses,
            )
    return policy


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    user = factory.SubFactory(UserFactory)
    weekday = 0
    starts_at = time(9)
    ends_at = time(18)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    team = None
    period_start = date(2026, 11, 16)
    period_end = date(2026, 11, 22)
    language = "en"


class ReportSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportSubscription

    user = factory.SubFactory(UserFactory)
    team = None
    language = "en"
