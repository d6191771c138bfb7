"""The conversation: public replies, internal notes, client messages (reopen or follow-up) and
escalation."""

import sys
import types
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from supportdesk.errors import ApplicationError
from teams.models import TeamMembership
from tests.factories import (
    ClosedTicketFactory,
    MembershipFactory,
    ResolvedTicketFactory,
    TicketFactory,
    UserFactory,
)
from tickets.lifecycle import TicketReadOnly
from tickets.models import Message, Notification, Ticket, TicketEvent, TicketLink
from tickets.services.tickets import (
    StaleTicket,
    message_add_from_client,
    message_add_note,
    message_add_reply,
    ticket_escalate,
    ticket_update,
)

S = Ticket.Status
NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def ticket(team_a):
    return TicketFactory(team=team_a, status=S.NEW, language="zh-hant", channel="phone")


def _events(ticket) -> list[tuple[str, str, str, str]]:
    return list(
        TicketEvent.objects.filter(ticket=ticket)
        .order_by("pk")
        .values_list("action", "field", "old_value", "new_value")
    )


def _state(ticket) -> tuple:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.version,
        Message.objects.count(),
        TicketEvent.objects.count(),
    )


# --- Replies ---------------------------------------------------------------------------------


def test_a_reply_is_stored_rendered_and_starts_work_on_a_new_ticket(agent, ticket) -> None:
    message = message_add_reply(
        actor=agent, ticket=ticket, body="**Done**. <script>alert(1)</script>"
    )

    message.refresh_from_db()
    assert (message.kind, message.author, message.language, message.channel) == (
        Message.Kind.REPLY,
        agent,
        "zh-hant",
        "email",
    )
    assert (
        message.body_html == "<p><strong>Done</strong>. &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == (S.OPEN, 2)
    assert ticket.first_public_reply_at == message.created_at
    assert _events(ticket) == [("status_changed", "status", "new", "open"), ("replied", "", "", "")]


def test_a_reply_may_set_the_status_and_keeps_the_first_reply_time(agent, ticket) -> None:
    first = message_add_reply(actor=agent, ticket=ticket, body="Looking into it.")

    message_add_reply(
        actor=agent, ticket=ticket, body="Please try again.", set_status=S.PENDING_CLIENT
    )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == (S.PENDING_CLIENT, 3)
    assert ticket.first_public_reply_at == first.created_at


def test_a_reply_on_a_resolved_ticket_keeps_it_resolved(agent, team_a) -> None:
    resolved = ResolvedTicketFactory(team=team_a)

    message_add_reply(actor=agent, ticket=resolved, body="You're welcome.")

    resolved.refresh_from_db()
    assert resolved.status == S.RESOLVED


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param("  \n ", "Write a message first: it is empty.", id="blank_case"),
        pytest.param(
            "x" * 100_001, "The text is too long: at most 100,000 characters.", id="long_case"
        ),
    ],
)
def test_an_empty_or_oversized_reply_is_refused(agent, ticket, body, message) -> None:
    before = _state(ticket)

    with pytest.raises(ApplicationError) as caught:
        message_add_reply(actor=agent, ticket=ticket, body=body)

    assert (str(caught.value.message), caught.value.status) == (message, 400)
    assert _state(ticket) == before


def test_a_reply_that_would_resolve_without_a_code_saves_nothing(agent, team_a) -> None:
    ticket = TicketFactory(team=team_a, status=S.OPEN)
    before = _state(ticket)

    with pytest.raises(ApplicationError) as caught:
        message_add_reply(actor=agent, ticket=ticket, body="Fixed.", set_status=S.RESOLVED)

    assert str(caught.value.message) == "Choose a resolution code to resolve the ticket."
    assert _state(ticket) == before


def test_a_refused_attachment_leaves_no_message_behind(agent, ticket, monkeypatch) -> None:
    def attachments_store(*, message, uploads):
        raise ApplicationError("The file is too large.", code="too_large", status=413)

    fake = types.ModuleType("tickets.services.attachments")
    fake.attachments_store = attachments_store
    monkeypatch.setitem(sys.modules, "tickets.services.attachments", fake)
    before = _state(ticket)

    with pytest.raises(ApplicationError) as caught:
        message_add_reply(actor=agent, ticket=ticket, body="See attached.", uploads=["big.zip"])

    assert caught.value.status == 413
    assert _state(ticket) == before


def test_a_reply_based_on_a_stale_version_is_refused(agent, supervisor, ticket) -> None:
    message_add_from_client(ticket=ticket, client=ticket.client, body="Any news?")

    with pytest.raises(StaleTicket) as caught:
        message_add_reply(actor=agent, ticket=ticket, body="Hello", expected_version=1)

    assert caught.value.details == {"changed_fields": ["messages"], "current_version": 2}
    assert Message.objects.filter(kind=Message.Kind.REPLY).count() == 0


def test_replies_and_notes_need_an_author(ticket) -> None:
    with pytest.raises(ApplicationError) as caught:
        message_add_reply(actor=None, ticket=ticket, body="Automated")

    assert caught.value.code == "no_author"


def test_a_closed_ticket_takes_no_reply_or_note(agent, team_a) -> None:
    closed = ClosedTicketFactory(team=team_a)

    with pytest.raises(TicketReadOnly):
        message_add_reply(actor=agent, ticket=closed, body="Hello again")
    with pytest.raises(TicketReadOnly):
        message_add_note(actor=agent, ticket=closed, body="Note")

    assert Message.objects.count() == 0


# --- Notes -----------------------------------------------------------------------------------


def test_a_note_is_internal_and_changes_no_status(agent, ticket) -> None:
    note = message_add_note(actor=agent, ticket=ticket, body="客戶已驗證身份")

    assert (note.kind, note.is_public, note.language, note.channel) == (
        Message.Kind.NOTE,
        False,
        "zh-hant",
        "web",
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version, ticket.first_public_reply_at) == (S.NEW, 2, None)
    assert _events(ticket) == [("noted", "", "", "")]


# --- Client messages -------------------------------------------------------------------------


def test_a_client_answer_moves_pending_client_back_to_open(agent, team_a) -> None:
    ticket = TicketFactory(team=team_a, status=S.PENDING_CLIENT, assignee=agent)

    message = message_add_from_client(ticket=ticket, client=ticket.client, body="Tried, no luck.")

    assert (message.ticket, message.kind, message.client, message.author) == (
        ticket,
        Message.Kind.CLIENT,
        ticket.client,
        None,
    )
    ticket.refresh_from_db()
    assert ticket.status == S.OPEN
    event = TicketEvent.objects.filter(ticket=ticket).order_by("pk").first()
    assert (event.action, event.actor, event.source) == ("status_changed", None, "email")
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind) == (agent, Notification.Kind.CLIENT_REPLIED)


@pytest.mark.parametrize(
    "status",
    [
        pytest.param(S.NEW, id="new_case"),
        pytest.param(S.OPEN, id="open_case"),
        pytest.param(S.PENDING_INTERNAL, id="pending_internal_case"),
        pytest.param(S.ON_HOLD, id="on_hold_case"),
    ],
)
def test_a_client_message_leaves_other_open_statuses_alone(team_a, status) -> None:
    ticket = TicketFactory(team=team_a, status=status)

    message_add_from_client(ticket=ticket, client=ticket.client, body="More details", channel="web")

    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == (status, 2)
    assert _events(ticket) == [("client_message", "", "", "")]


def test_a_client_reply_within_the_window_reopens_the_ticket(team_a, settings) -> None:
    settings.TICKET_REOPEN_WINDOW_DAYS = 7
    resolved = ResolvedTicketFactory(team=team_a, resolved_at=NOW - timedelta(days=6))

    with time_machine.travel(NOW, tick=False):
        message = message_add_from_client(
            ticket=resolved, client=resolved.client, body="It broke again."
        )

    assert message.ticket == resolved
    resolved.refresh_from_db()
    assert (resolved.status, resolved.resolution_code, resolved.resolved_at) == (
        S.OPEN,
        None,
        None,
    )
    assert _events(resolved)[0] == ("reopened", "status", "resolved", "open")
    assert TicketLink.objects.count() == 0


def test_a_client_reply_after_the_window_opens_a_linked_ticket(team_a, settings) -> None:
    settings.TICKET_REOPEN_WINDOW_DAYS = 7
    resolved = ResolvedTicketFactory(
        team=team_a, resolved_at=NOW - timedelta(days=8), subject="MT5 crash", priority=2
    )

    with time_machine.travel(NOW, tick=False):
        message = message_add_from_client(
            ticket=resolved, client=resolved.client, body="It broke again."
        )

    follow_up = message.ticket
    assert follow_up != resolved
    assert (follow_up.subject, follow_up.status, follow_up.priority, follow_up.team) == (
        "MT5 crash",
        S.NEW,
        2,
        team_a,
    )
    assert follow_up.description == "It broke again."
    link = TicketLink.objects.get()
    assert (link.source, link.target, link.kind) == (
        follow_up,
        resolved,
        TicketLink.Kind.FOLLOW_UP_OF,
    )
    assert _events(follow_up) == [
        ("created", "", "", ""),
        ("linked", "follow_up_of", "", resolved.reference),
        ("client_message", "", "", ""),
    ]
    assert _events(resolved) == [("linked", "follow_up", "", follow_up.reference)]
    resolved.refresh_from_db()
    assert (resolved.status, resolved.version) == (S.RESOLVED, 1)


def test_a_client_reply_to_a_closed_ticket_opens_a_linked_ticket(agent, team_a) -> None:
    closed = ClosedTicketFactory(team=team_a, assignee=agent)

    message = message_add_from_client(ticket=closed, client=closed.client, body="One more thing")

    assert message.ticket != closed
    assert TicketLink.objects.get().target == closed
    closed.refresh_from_db()
    assert (closed.status, closed.version, closed.messages.count()) == (S.CLOSED, 1, 0)
    notification = Notification.objects.get()
    assert (notification.recipient, notification.ticket) == (agent, message.ticket)


def test_an_unknown_client_is_refused(ticket) -> None:
    with pytest.raises(ApplicationError) as caught:
        message_add_from_client(ticket=ticket, client=424242, body="Hi")

    assert str(caught.value.message) == "Unknown client: choose an existing client."
    assert Message.objects.count() == 0


# --- Escalation ------------------------------------------------------------------------------


def test_escalating_raises_the_level_notes_the_reason_and_tells_supervisors(
    agent, supervisor, team_a, ticket
) -> None:
    second = UserFactory(full_name="Second Supervisor")
    MembershipFactory(team=team_a, user=second, role=TeamMembership.Role.SUPERVISOR)

    escalated = ticket_escalate(actor=agent, ticket=ticket, reason="Client threatens to leave.")

    assert (escalated.escalation_level, escalated.version) == (1, 2)
    note = Message.objects.get(ticket=ticket)
    assert (note.kind, note.author, note.body) == (
        Message.Kind.NOTE,
        agent,
        "Client threatens to leave.",
    )
    assert _events(ticket) == [("escalated", "escalation_level", "0", "1")]
    assert set(Notification.objects.values_list("recipient", "kind", "text", "actor")) == {
        (supervisor.pk, "escalation", "Client threatens to leave.", agent.pk),
        (second.pk, "escalation", "Client threatens to leave.", agent.pk),
    }


def test_a_supervisor_escalating_is_not_notified_of_their_own_escalation(
    supervisor, ticket
) -> None:
    ticket_escalate(actor=supervisor, ticket=ticket, reason="Needs tier 2.")

    assert Notification.objects.count() == 0


def test_escalating_needs_a_reason(agent, ticket) -> None:
    with pytest.raises(ApplicationError):
        ticket_escalate(actor=agent, ticket=ticket, reason=" ")

    ticket.refresh_from_db()
    assert (ticket.escalation_level, ticket.version) == (0, 1)


def test_fields_edited_after_a_client_message_need_the_new_version(agent, ticket) -> None:
    message_add_from_client(ticket=ticket, client=ticket.client, body="Hello?")

    updated = ticket_update(actor=agent, ticket=ticket, changes={"priority": 1}, expected_version=2)

    assert updated.version == 3
