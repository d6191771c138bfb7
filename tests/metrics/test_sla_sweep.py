"""The breach sweep: warnings and breaches recorded exactly once per clock, notifications,
escalation actions, catch-up after downtime, and paused/finished clocks left alone."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from metrics.models import Metric, SlaClock, SlaClockEvent, SlaPolicy
from metrics.services.sla_clocks import sla_policy_reapply
from metrics.services.sla_sweep import sla_breach_sweep
from metrics.tasks.sla import sla_breach_sweep_task
from tests.factories import CategoryFactory, ClientFactory, ResolutionCodeFactory
from tests.metrics.factories import policy_with_targets
from tickets.models import Notification, Ticket, TicketEvent
from tickets.services.tickets import (
    message_add_reply,
    ticket_create,
    ticket_transition,
)

S = Ticket.Status
NOW = datetime(2026, 7, 6, 1, 0, tzinfo=UTC)
K = SlaClockEvent.Kind


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _create(agent, team, **kwargs) -> Ticket:
    return ticket_create(
        actor=agent,
        client=ClientFactory(),
        subject="Order stuck",
        description="My order is stuck in pending.",
        category=CategoryFactory(),
        team=team,
        assignee=agent,
        **kwargs,
    )


def _sweep_at(when: datetime):
    return sla_breach_sweep(now=when)


def _events(ticket, metric=Metric.FIRST_RESPONSE) -> list[tuple[str, datetime]]:
    return list(
        SlaClockEvent.objects.filter(
            clock__ticket=ticket, clock__metric=metric, kind__in=[K.WARNING, K.BREACHED]
        )
        .order_by("at")
        .values_list("kind", "at")
    )


def test_it_warns_then_breaches_once_each(agent, supervisor, team_a, traveller):
    policy_with_targets(resolution=None)
    ticket = _create(agent, team_a)

    assert _sweep_at(NOW + timedelta(minutes=44)).warnings == 0
    first = _sweep_at(NOW + timedelta(minutes=45))
    rerun = _sweep_at(NOW + timedelta(minutes=46))
    breach = _sweep_at(NOW + timedelta(minutes=61))
    again = _sweep_at(NOW + timedelta(minutes=90))

    assert (first.warnings, rerun.warnings, breach.breaches, again.breaches) == (1, 0, 1, 0)
    assert _events(ticket) == [
        (K.WARNING, NOW + timedelta(minutes=45)),
        (K.BREACHED, NOW + timedelta(hours=1)),
    ]
    clock = SlaClock.objects.get(ticket=ticket, metric=Metric.FIRST_RESPONSE)
    assert clock.state == SlaClock.State.BREACHED
    ticket.refresh_from_db()
    assert ticket.sla_breached is True
    assert list(
        Notification.objects.filter(kind=Notification.Kind.SLA)
        .order_by("pk")
        .values_list("recipient__email", "text")
    ) == [
        ("agent@desk.example", f"{ticket.reference}: First response SLA at risk"),
        ("supervisor@desk.example", f"{ticket.reference}: First response SLA at risk"),
        ("agent@desk.example", f"{ticket.reference}: First response SLA breached"),
        ("supervisor@desk.example", f"{ticket.reference}: First response SLA breached"),
    ]


def test_catch_up_after_downtime_is_one_event_per_clock(agent, team_a, traveller):
    policy_with_targets()
    ticket = _create(agent, team_a)

    result = _sweep_at(NOW + timedelta(days=3))

    assert (result.breaches, result.warnings) == (2, 0)
    assert _events(ticket) == [(K.BREACHED, NOW + timedelta(hours=1))]
    assert _events(ticket, Metric.RESOLUTION) == [(K.BREACHED, NOW + timedelta(hours=8))]


def test_paused_and_finished_clocks_are_skipped(agent, team_a, traveller):
    policy_with_targets()
    ticket = _create(agent, team_a)
    message_add_reply(actor=agent, ticket=ticket, body="On it.", set_status=S.PENDING_CLIENT)
    other = _create(agent, team_a)
    ticket_transition(
        actor=agent,
        ticket=other,
        to_status=S.RESOLVED,
        resolution_code=ResolutionCodeFactory(),
        resolution_summary="Done.",
    )

    result = _sweep_at(NOW + timedelta(days=3))

    assert (result.breaches, result.warnings) == (0, 0)


def test_a_reply_after_the_due_time_but_before_the_sweep_is_still_a_breach(
    agent, team_a, traveller
):
    policy_with_targets()
    ticket = _create(agent, team_a)
    traveller.shift(timedelta(minutes=61))
    message_add_reply(actor=agent, ticket=ticket, body="Sorry for the wait.")

    clock = SlaClock.objects.get(ticket=ticket, metric=Metric.FIRST_RESPONSE)
    assert (clock.state, clock.breached_at, clock.is_met) == (
        SlaClock.State.FULFILLED,
        NOW + timedelta(hours=1),
        False,
    )
    assert _sweep_at(NOW + timedelta(minutes=62)).breaches == 0


def test_a_deadline_change_rearms_the_warning(agent, supervisor, team_a, traveller):
    policy = policy_with_targets(resolution=None)
    ticket = _create(agent, team_a)
    _sweep_at(NOW + timedelta(minutes=50))
    SlaPolicy.objects.filter(pk=policy.pk).update(is_current=False)
    policy_with_targets(
        family=policy.family, version=2, resolution=None, first_response=timedelta(hours=4)
    )
    traveller.shift(timedelta(minutes=55))
    sla_policy_reapply(actor=supervisor, ticket=ticket)

    result = _sweep_at(NOW + timedelta(hours=3))

    assert result.warnings == 1
    assert [kind for kind, _at in _events(ticket)] == [K.WARNING, K.WARNING]


def test_breach_runs_the_escalation_actions(agent, supervisor, team_a, traveller):
    policy_with_targets(
        resolution=None,
        raise_priority=True,
        reassign_to_supervisor=True,
        notify_email="dealing-desk@broker.example",
    )
    ticket = _create(agent, team_a, priority=3)

    with pytest.MonkeyPatch.context() as patch:
        queued: list[list[int]] = []
        patch.setattr(
            "metrics.tasks.sla.sla_send_emails_task.delay", lambda ids: queued.append(ids)
        )
        from django.db import transaction

        with transaction.atomic():
            result = _sweep_at(NOW + timedelta(hours=2))
        # on_commit callbacks of the test transaction run here
    ticket.refresh_from_db()
    assert result.breaches == 1
    assert (ticket.priority, ticket.assignee) == (2, supervisor)
    assert TicketEvent.objects.filter(ticket=ticket, source="automation").count() == 2


def test_emails_go_to_assignee_supervisors_and_internal_team_once(
    agent, supervisor, team_a, traveller, django_capture_on_commit_callbacks, monkeypatch
):
    from metrics.tasks.sla import sla_send_emails_task

    monkeypatch.setattr(
        sla_send_emails_task, "delay", lambda ids: sla_send_emails_task.apply((ids,))
    )
    policy_with_targets(resolution=None, notify_email="dealing-desk@broker.example")
    ticket = _create(agent, team_a)

    with django_capture_on_commit_callbacks(execute=True):
        sla_breach_sweep_task.apply()
    traveller.shift(timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        sla_breach_sweep_task.apply()
    from metrics.services.sla_mail import sla_events_email

    assert sla_events_email(event_ids=list(SlaClockEvent.objects.values_list("pk", flat=True))) == 0

    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        ("agent@desk.example", f"[SLA breached] {ticket.reference} First response"),
        ("dealing-desk@broker.example", f"[SLA breached] {ticket.reference} First response"),
        ("supervisor@desk.example", f"[SLA breached] {ticket.reference} First response"),
    ]


def test_the_sweep_is_declared_every_minute_in_code():
    from supportdesk.celery import app

    entry = app.conf.beat_schedule["metrics.sla_breach_sweep"]
    assert (entry["task"], entry["schedule"]) == ("metrics.sla_breach_sweep", 60.0)
