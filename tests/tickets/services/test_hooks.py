"""Other apps follow ticket changes through ``tickets.hooks``: every write service announces
what it changed, inside its transaction."""

import pytest

from tests.factories import ClientFactory, ResolutionCodeFactory, TicketFactory
from tickets import hooks
from tickets.models import Message, Ticket
from tickets.services.tickets import (
    message_add_from_client,
    message_add_note,
    message_add_reply,
    ticket_create,
    ticket_escalate,
    ticket_merge,
    ticket_transition,
    tickets_bulk_update,
)

S = Ticket.Status


@pytest.fixture
def changes():
    seen: list[hooks.TicketChange] = []
    hooks.register(seen.append)
    yield seen
    hooks.unregister(seen.append)


def test_creating_a_ticket_announces_a_created_change(changes, agent, team_a):
    ticket = ticket_create(
        actor=agent,
        client=ClientFactory(),
        subject="Cannot log in",
        description="Since this morning.",
        category=TicketFactory().category,
        team=team_a,
    )
    (change,) = changes
    assert change.created and change.ticket == ticket and change.actor == agent
    assert change.actions() == {"created"}


def test_reply_note_and_client_message_carry_the_message(changes, agent, team_a):
    ticket = TicketFactory(team=team_a, status=S.NEW)
    reply = message_add_reply(actor=agent, ticket=ticket, body="Hello")
    note = message_add_note(actor=agent, ticket=ticket, body="Internal")
    incoming = message_add_from_client(ticket=ticket, client=ticket.client, body="Thanks")
    assert [change.messages for change in changes] == [(reply,), (note,), (incoming,)]
    assert changes[0].status_change() == (S.NEW, S.OPEN)
    assert [m.kind for m in (reply, note, incoming)] == [
        Message.Kind.REPLY,
        Message.Kind.NOTE,
        Message.Kind.CLIENT,
    ]


def test_transitions_escalation_and_bulk_edits_are_announced(changes, agent, team_a):
    ticket = TicketFactory(team=team_a, status=S.OPEN)
    other = TicketFactory(team=team_a, status=S.OPEN)
    ticket_transition(actor=agent, ticket=ticket, to_status=S.PENDING_CLIENT)
    ticket_escalate(actor=agent, ticket=ticket, reason="Needs a specialist")
    tickets_bulk_update(actor=agent, ticket_ids=[ticket.pk, other.pk], changes={"priority": 1})
    assert changes[0].status_change() == (S.OPEN, S.PENDING_CLIENT)
    assert "escalated" in changes[1].actions() and changes[1].messages[0].kind == "note"
    assert {change.ticket.pk for change in changes[2:]} == {ticket.pk, other.pk}


def test_a_merge_announces_both_tickets(changes, agent, team_a):
    duplicate = TicketFactory(team=team_a, status=S.OPEN)
    target = TicketFactory(team=team_a, status=S.OPEN)
    ticket_merge(actor=agent, duplicate=duplicate, target=target)
    assert [change.ticket.pk for change in changes] == [duplicate.pk, target.pk]
    assert changes[0].status_change() == (S.OPEN, S.CLOSED)


def test_a_listener_that_fails_rolls_the_whole_operation_back(agent, team_a):
    ticket = TicketFactory(team=team_a, status=S.OPEN)
    ResolutionCodeFactory()

    def refuse(change: hooks.TicketChange) -> None:
        raise RuntimeError("listener failed")

    hooks.register(refuse)
    try:
        with pytest.raises(RuntimeError):
            message_add_reply(actor=agent, ticket=ticket, body="Lost?")
    finally:
        hooks.unregister(refuse)
    ticket.refresh_from_db()
    assert ticket.version == 1 and not ticket.messages.exists()


def test_a_bulk_edit_reaches_a_batch_listener_in_one_call(agent, team_a):
    tickets = TicketFactory.create_batch(3, team=team_a, status=S.OPEN)
    single: list[hooks.TicketChange] = []
    batches: list[list[hooks.TicketChange]] = []
    hooks.register(single.append, many=lambda changes: batches.append(list(changes)))
    try:
        tickets_bulk_update(
            actor=agent, ticket_ids=[ticket.pk for ticket in tickets], changes={"priority": 1}
        )
    finally:
        hooks.unregister(single.append)
    assert single == []
    assert [[change.ticket.pk for change in batch] for batch in batches] == [
        sorted(ticket.pk for ticket in tickets)
    ]
