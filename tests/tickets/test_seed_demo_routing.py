"""``manage.py seed_demo_routing``: internal teams, ordered rules, profiles and shifts across 24
hours, escalations in every state; running it again changes nothing."""

import io
from datetime import UTC, datetime, time

import pytest
import time_machine
from django.core.management import call_command

from teams.models import AgentProfile, Shift
from tickets.models import Escalation, InternalTeam, RoutingRule

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


def _counts():
    return (
        InternalTeam.objects.count(),
        RoutingRule.objects.count(),
        AgentProfile.objects.count(),
        Shift.objects.count(),
        Escalation.objects.count(),
    )


@pytest.mark.django_db
def test_it_seeds_routing_and_escalations_idempotently():
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        call_command("seed_demo_routing", stdout=io.StringIO())
        first = _counts()
        call_command("seed_demo_routing", stdout=io.StringIO())
    assert _counts() == first
    assert {
        "Platform Engineering",
        "Trading Desk",
        "Market Data",
        "Account Operations",
        "Compliance",
    } <= set(InternalTeam.objects.values_list("name", flat=True))
    assert RoutingRule.objects.order_by("position").last().category is None  # catch-all last
    starts = set(Shift.objects.values_list("starts_at", flat=True))
    assert {time(7), time(15), time(23)} <= starts  # three rotations cover 24 hours
    assert set(AgentProfile.objects.values_list("status", flat=True)) == {"available", "away"}
    states = {
        (e.level, e.answered_at is not None, e.de_escalated_at is not None)
        for e in Escalation.objects.all()
    }
    assert {
        ("tier2", False, False),
        ("tier2", False, True),
        ("internal", False, False),
        ("internal", True, False),
        ("internal", False, True),
    } <= states
    assert Escalation.objects.filter(update_interval_minutes=60).exists()
