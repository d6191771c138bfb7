"""Factories of the metrics tests (shifts, reports, subscriptions)."""

from datetime import date, time

import factory

from metrics.models import Report, ReportSubscription
from teams.models import Shift
from tests.factories import UserFactory


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
