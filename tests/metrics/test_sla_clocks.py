"""SLA clocks follow every ticket lifecycle path, in the ticket's own transaction."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import transaction

from metrics.models import Metric, SlaClock, SlaClockEvent, SlaTicketPolicy
from metrics.services.sla_clocks import sla_policy_reapply
from supportdesk.errors import ApplicationError
from tests.factories import CategoryFactory, ClientFactory, ResolutionCodeFactory
from tests.metrics.factories import SlaCalendarFactory, office_calendar, policy_with_targets
from tickets.models import Ticket
from tickets.services.tickets import (
    message_add_from_client,
    message_add_note,
    message_add_reply,
    ticket_create,
    ticket_transition,
    ticket_update,
)

S = Ticket.Status
C = SlaClock.State
NOW = datetime(2026, 7, 6, 1, 0, tzinfo=UTC)  # Monday 09:00 in Hong Kong


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def policy(db):
    return policy_with_targets()


def _create(agent, team, **kwargs) -> Ticket:
    return ticket_create(
        actor=agent,
        client=ClientFactory(),
        subject="Cannot log in",
        description="The app says my password is wrong.",
        category=CategoryFactory(),
        team=team,
        **kwargs,
    )


def _clock(ticket: Ticket, metric: str) -> SlaClock:
    return SlaClock.objects.filter(ticket=ticket, metric=metric).order_by("-id").first()


def _kinds(clock: SlaClock) -> list[str]:
    return list(clock.events.order_by("at", "id").values_list("kind", flat=True))


def _resolve(agent, ticket) -> Ticket:
    return ticket_transition(
        actor=agent,
        ticket=ticket,
        to_status=S.RESOLVED,
        resolution_code=ResolutionCodeFactory(),
        resolution_summary="Reset the password.",
    )


def test_creation_starts_first_response_and_resolution(agent, team_a, policy, traveller):
    ticket = _create(agent, team_a)

    clocks = SlaClock.objects.filter(ticket=ticket).order_by("metric")
    assert [(c.metric, c.state, c.due_at) for c in clocks] == [
        (Metric.FIRST_RESPONSE, C.RUNNING, NOW + timedelta(hours=1)),
        (Metric.RESOLUTION, C.RUNNING, NOW + timedelta(hours=8)),
    ]
    assert SlaTicketPolicy.objects.get(ticket=ticket).policy == policy
    ticket.refresh_from_db()
    assert ticket.sla_due_at == NOW + timedelta(hours=1)
    assert ticket.sla_breached is False


def test_no_policy_no_clocks(agent, team_a, traveller):
    ticket = _create(agent, team_a)

    assert not SlaClock.objects.filter(ticket=ticket).exists()
    assert Ticket.objects.get(pk=ticket.pk).sla_due_at is None


def test_first_matching_policy_in_order_applies(agent, team_a, traveller):
    policy_with_targets(position=20, name="Everything")
    urgent = policy_with_targets(position=10, priorities=[1], first_response=timedelta(minutes=15))

    ticket = _create(agent, team_a, priority=1)
    normal = _create(agent, team_a, priority=3)

    assert SlaTicketPolicy.objects.get(ticket=ticket).policy == urgent
    assert _clock(ticket, Metric.FIRST_RESPONSE).due_at == NOW + timedelta(minutes=15)
    assert SlaTicketPolicy.objects.get(ticket=normal).policy.name == "Everything"


def test_public_reply_fulfils_first_response_but_a_note_does_not(agent, team_a, policy, traveller):
    ticket = _create(agent, team_a)
    traveller.shift(timedelta(minutes=10))
    message_add_note(actor=agent, ticket=ticket, body="Checking the logs.")
    assert _clock(ticket, Metric.FIRST_RESPONSE).state == C.RUNNING

    traveller.shift(timedelta(minutes=20))
    message_add_reply(actor=agent, ticket=ticket, body="Please try again now.")

    clock = _clock(ticket, Metric.FIRST_RESPONSE)
    assert (clock.state, clock.elapsed, clock.is_met) == (C.FULFILLED, timedelta(minutes=30), True)
    assert _kinds(clock) == ["started", "fulfilled"]
    ticket.refresh_from_db()
    assert ticket.sla_due_at == NOW + timedelta(hours=8)


def test_client_message_starts_next_response_fulfilled_by_the_reply(
    agent, team_a, policy, traveller
):
    ticket = _create(agent, team_a)
    message_add_reply(actor=agent, ticket=ticket, body="Hello.")
    traveller.shift(timedelta(minutes=5))
    message_add_from_client(ticket=ticket, client=ticket.client, body="Still broken.")
    traveller.shift(timedelta(minutes=5))
    message_add_from_client(ticket=ticket, client=ticket.client, body="Any news?")
    clock = _clock(ticket, Metric.NEXT_RESPONSE)
    assert (clock.state, clock.started_at) == (C.RUNNING, NOW + timedelta(minutes=5))

    traveller.shift(timedelta(minutes=50))
    message_add_reply(actor=agent, ticket=ticket, body="Fixed now.")

    clock.refresh_from_db()
    assert (clock.state, clock.elapsed) == (C.FULFILLED, timedelta(minutes=55))
    assert SlaClock.objects.filter(ticket=ticket, metric=Metric.NEXT_RESPONSE).count() == 1


def test_resolution_pauses_in_pending_client_and_resumes(agent, team_a, policy, traveller):
    ticket = _create(agent, team_a)
    traveller.shift(timedelta(hours=1))
    message_add_reply(
        actor=agent, ticket=ticket, body="Which version?", set_status=S.PENDING_CLIENT
    )
    clock = _clock(ticket, Metric.RESOLUTION)
    assert (clock.state, clock.elapsed, clock.due_at) == (C.PAUSED, timedelta(hours=1), None)
    assert clock.pause_reason == "Pending client"

    traveller.shift(timedelta(hours=3))
    message_add_from_client(ticket=ticket, client=ticket.client, body="Version 5.")

    clock.refresh_from_db()
    assert clock.state == C.RUNNING
    assert clock.paused_total == timedelta(hours=3)
    assert clock.due_at == NOW + timedelta(hours=4) + timedelta(hours=7)
    assert _kinds(clock) == ["started", "paused", "resumed"]


def test_on_hold_pauses_resolution_and_reply_metrics_never_pause(agent, team_a, policy, traveller):
    ticket = _create(agent, team_a)
    ticket_transition(actor=agent, ticket=ticket, to_status=S.OPEN)
    ticket_transition(actor=agent, ticket=ticket, to_status=S.ON_HOLD)

    assert _clock(ticket, Metric.RESOLUTION).state == C.PAUSED
    assert _clock(ticket, Metric.FIRST_RESPONSE).state == C.RUNNING


def test_resolve_fulfils_resolution_and_reopen_resumes_it(agent, team_a, policy, traveller):
    ticket = _create(agent, team_a)
    message_add_reply(actor=agent, ticket=ticket, body="Done.")
    traveller.shift(timedelta(hours=2))
    ticket = _resolve(agent, ticket)
    clock = _clock(ticket, Metric.RESOLUTION)
    assert (clock.state, clock.elapsed) == (C.FULFILLED, timedelta(hours=2))
    assert Ticket.objects.get(pk=ticket.pk).sla_due_at is None

    traveller.shift(timedelta(hours=1))
    message_add_from_client(ticket=ticket, client=ticket.client, body="It broke again.")

    clock.refresh_from_db()
    assert (clock.state, clock.elapsed) == (C.RUNNING, timedelta(hours=2))
    assert clock.due_at == NOW + timedelta(hours=3) + timedelta(hours=6)
    assert _kinds(clock) == ["started", "fulfilled", "resumed"]
    assert _clock(ticket, Metric.NEXT_RESPONSE).state == C.RUNNING


def test_resolving_without_a_reply_stops_first_response(agent, team_a, policy, traveller):
    ticket = _create(agent, team_a)
    _resolve(agent, ticket)

    assert _clock(ticket, Metric.FIRST_RESPONSE).state == C.STOPPED


def test_periodic_update_runs_while_pending_internal(agent, team_a, policy, traveller):
    ticket = _create(agent, team_a)
    message_add_reply(actor=agent, ticket=ticket, body="Escalating to dealing.")
    ticket_transition(actor=agent, ticket=ticket, to_status=S.PENDING_INTERNAL)
    first = _clock(ticket, Metric.PERIODIC_UPDATE)
    assert (first.state, first.due_at) == (C.RUNNING, NOW + timedelta(hours=4))

    traveller.shift(timedelta(hours=3))
    message_add_reply(actor=agent, ticket=ticket, body="Still with dealing.")
    first.refresh_from_db()
    second = _clock(ticket, Metric.PERIODIC_UPDATE)
    assert first.state == C.FULFILLED
    assert (second.state, second.due_at) == (C.RUNNING, NOW + timedelta(hours=7))

    traveller.shift(timedelta(hours=1))
    ticket_transition(actor=agent, ticket=ticket, to_status=S.OPEN)
    second.refresh_from_db()
    assert second.state == C.STOPPED


def test_close_stops_everything(agent, team_a, policy, traveller):
    ticket = _create(agent, team_a)
    ticket = _resolve(agent, ticket)
    ticket_transition(actor=agent, ticket=ticket, to_status=S.CLOSED)

    assert set(SlaClock.objects.filter(ticket=ticket).values_list("state", flat=True)) == {
        C.STOPPED,
        C.FULFILLED,
    }


def test_a_ticket_keeps_its_policy_version_until_reapplied(
    agent, supervisor, team_a, policy, traveller
):
    from metrics.models import SlaPolicy, SlaTarget

    ticket = _create(agent, team_a)
    SlaPolicy.objects.filter(pk=policy.pk).update(is_current=False)
    newer = policy_with_targets(family=policy.family, version=2, first_response=timedelta(hours=3))
    assert _clock(ticket, Metric.FIRST_RESPONSE).policy == policy

    traveller.shift(timedelta(minutes=30))
    assert sla_policy_reapply(actor=supervisor, ticket=ticket) == newer

    clock = _clock(ticket, Metric.FIRST_RESPONSE)
    assert (clock.policy, clock.elapsed) == (newer, timedelta(minutes=30))
    assert clock.due_at == NOW + timedelta(hours=3)
    assert "reapplied" in _kinds(clock)
    assert SlaTarget.objects.filter(policy=newer).count() == 4


def test_only_a_supervisor_of_the_team_reapplies(agent, outsider, team_a, policy, traveller):
    ticket = _create(agent, team_a)
    for actor in (agent, outsider):
        with pytest.raises(ApplicationError) as error:
            sla_policy_reapply(actor=actor, ticket=ticket)
        assert error.value.status == 403


def test_business_hours_calendar_sets_due_times(agent, team_a, traveller):
    policy_with_targets(calendar=office_calendar(), first_response=timedelta(hours=8))
    traveller.move_to(datetime(2026, 7, 10, 1, 0, tzinfo=UTC))  # Friday 09:00 HK

    ticket = _create(agent, team_a)

    # Friday 09:00 + 8 business hours on 09:00-18:00 is Friday 17:00, not Monday.
    assert _clock(ticket, Metric.FIRST_RESPONSE).due_at == datetime(2026, 7, 10, 9, tzinfo=UTC)


def test_unrelated_changes_do_not_touch_clocks(agent, team_a, policy, traveller):
    ticket = _create(agent, team_a)
    before = SlaClockEvent.objects.count()

    ticket_update(actor=agent, ticket=ticket, changes={"tags": ["vip"]}, expected_version=None)

    assert SlaClockEvent.objects.count() == before


def test_always_open_calendar_factory_is_24x7(db):
    calendar = SlaCalendarFactory().business_calendar()
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert calendar.add_business_time(start, timedelta(hours=30)) == start + timedelta(hours=30)


@pytest.mark.parametrize("count", [3, 30])
def test_a_bulk_edit_moves_every_tickets_clocks_in_a_fixed_number_of_queries(
    agent, team_a, policy, traveller, count, django_assert_max_num_queries
):
    from tickets.services.tickets import tickets_bulk_update

    tickets = [_create(agent, team_a) for _ in range(count)]
    for ticket in tickets:
        message_add_reply(actor=agent, ticket=ticket, body="Looking into it.")
    traveller.shift(timedelta(minutes=30))

    with django_assert_max_num_queries(18):
        tickets_bulk_update(
            actor=agent,
            ticket_ids=[ticket.pk for ticket in tickets],
            changes={"status": S.PENDING_CLIENT, "priority": 2},
        )

    for ticket in tickets:
        resolution = _clock(ticket, Metric.RESOLUTION)
        assert resolution.state == C.PAUSED
        assert resolution.elapsed == timedelta(minutes=30)
        assert _kinds(resolution) == ["started", "paused"]
        ticket.refresh_from_db()
        assert ticket.sla_due_at is None  # nothing is running while the client is awaited


def test_the_supervisors_update_interval_sets_the_periodic_update_target(
    agent, supervisor, team_a, traveller
):
    from tests.tickets.factories import InternalTeamFactory
    from tickets.models import Escalation
    from tickets.services.escalations import escalation_set_update_interval
    from tickets.services.tickets import ticket_escalate

    policy_with_targets(periodic_update=timedelta(hours=4))
    ticket = _create(agent, team_a)
    message_add_reply(actor=agent, ticket=ticket, body="We are on it.")
    ticket_escalate(actor=agent, ticket=ticket, reason="Fills", internal_team=InternalTeamFactory())
    ticket.refresh_from_db()
    assert ticket.status == S.PENDING_INTERNAL
    assert _clock(ticket, Metric.PERIODIC_UPDATE).due_at == NOW + timedelta(hours=4)

    traveller.shift(timedelta(minutes=10))
    escalation = Escalation.objects.get(ticket=ticket)
    escalation_set_update_interval(actor=supervisor, escalation=escalation, minutes=30)

    periodic = _clock(ticket, Metric.PERIODIC_UPDATE)
    assert periodic.target == timedelta(minutes=30)
    assert periodic.due_at == NOW + timedelta(minutes=30)  # 10 min banked, 20 to go
    assert _kinds(periodic) == ["started", "due_changed"]

    traveller.shift(timedelta(minutes=5))
    message_add_reply(actor=agent, ticket=ticket, body="Update: engineering is testing a fix.")
    restarted = _clock(ticket, Metric.PERIODIC_UPDATE)
    assert restarted.pk != periodic.pk
    assert restarted.due_at == NOW + timedelta(minutes=15 + 30)


def test_changes_to_a_ticket_created_in_the_same_transaction_move_its_clocks_without_reading_them(
    agent, team_a, policy, traveller
):
    with transaction.atomic():
        ticket = _create(agent, team_a)
        message_add_reply(actor=agent, ticket=ticket, body="Hello.")

    first = _clock(ticket, Metric.FIRST_RESPONSE)
    assert (first.state, first.stopped_at) == (C.FULFILLED, NOW)
    assert _kinds(first) == ["started", "fulfilled"]
    assert _clock(ticket, Metric.RESOLUTION).state == C.RUNNING


def test_a_rolled_back_savepoint_ends_what_the_transaction_remembered(
    agent, team_a, policy, traveller
):
    with transaction.atomic():
        try:
            with transaction.atomic():
                ticket = _create(agent, team_a)
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        assert not SlaClock.objects.filter(ticket_id=ticket.pk).exists()
        # A new ticket in the same transaction reads and writes its own clocks as usual.
        other = _create(agent, team_a)
        message_add_reply(actor=agent, ticket=other, body="Hello.")

    assert _clock(other, Metric.FIRST_RESPONSE).state == C.FULFILLED
    assert SlaTicketPolicy.objects.filter(ticket=other).count() == 1
