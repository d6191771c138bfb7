"""seed_demo_sla: configuration, a replay that agrees with the live clocks, idempotency."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from metrics.models import SlaCalendar, SlaClock, SlaPolicy
from tests.factories import CategoryFactory, ClientFactory, ResolutionCodeFactory
from tickets.models import Ticket
from tickets.services.tickets import (
    message_add_from_client,
    message_add_reply,
    ticket_create,
    ticket_transition,
)

START = datetime(2026, 7, 6, 2, 0, tzinfo=UTC)  # Monday 10:00 Hong Kong


def _history(agent, team, category, code) -> Ticket:
    """Created, answered, pending client, client answers, resolved — a busy day."""
    with time_machine.travel(START, tick=False) as traveller:
        ticket = ticket_create(
            actor=agent,
            client=ClientFactory(),
            subject="Withdrawal pending",
            description="My withdrawal has been pending for two days.",
            category=category,
            team=team,
        )
        traveller.shift(timedelta(minutes=30))
        message_add_reply(actor=agent, ticket=ticket, body="Checking with finance.")
        traveller.shift(timedelta(minutes=30))
        message_add_reply(
            actor=agent, ticket=ticket, body="Which bank?", set_status=Ticket.Status.PENDING_CLIENT
        )
        traveller.shift(timedelta(hours=2))
        message_add_from_client(ticket=ticket, client=ticket.client, body="HSBC.")
        traveller.shift(timedelta(hours=2))
        ticket_transition(
            actor=agent,
            ticket=ticket,
            to_status=Ticket.Status.RESOLVED,
            resolution_code=code,
            resolution_summary="Released the withdrawal.",
        )
    return ticket


def _clocks(ticket) -> list[tuple]:
    return list(
        SlaClock.objects.filter(ticket=ticket)
        .order_by("metric", "started_at")
        .values_list(
            "metric", "state", "started_at", "elapsed", "due_at", "breached_at", "paused_total"
        )
    )


def test_replay_agrees_with_the_live_clocks_and_a_rerun_adds_nothing(administrator, agent, team_a):
    category, code = CategoryFactory(), ResolutionCodeFactory()
    replayed = _history(agent, team_a, category, code)

    call_command("seed_demo_sla")
    live = _history(agent, team_a, category, code)

    assert SlaCalendar.objects.count() == 3
    assert SlaPolicy.objects.count() == 3
    assert _clocks(replayed) == _clocks(live)
    assert [row[:2] for row in _clocks(live)] == [
        ("first_response", "fulfilled"),
        ("next_response", "stopped"),
        ("resolution", "fulfilled"),
    ]
    count = SlaClock.objects.count()
    call_command("seed_demo_sla")
    assert SlaClock.objects.count() == count


def test_it_needs_an_administrator(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("seed_demo_sla")
