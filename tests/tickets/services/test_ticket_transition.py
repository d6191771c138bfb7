"""ticket_transition: moves through the lifecycle, resolving with a code and a summary, and
refusals that leave the ticket exactly as it was."""

import pytest

from supportdesk.errors import ApplicationError
from tests.factories import (
    ClosedTicketFactory,
    ResolutionCodeFactory,
    ResolvedTicketFactory,
    TicketFactory,
)
from tickets.lifecycle import IllegalTransition
from tickets.models import Ticket, TicketEvent
from tickets.services.tickets import StaleTicket, ticket_transition, ticket_update

S = Ticket.Status


@pytest.fixture
def ticket(team_a):
    return TicketFactory(team=team_a, status=S.OPEN)


@pytest.fixture
def fixed(db):
    return ResolutionCodeFactory(slug="fixed", name_en="Fixed by agent")


def _state(ticket) -> tuple:
    ticket.refresh_from_db()
    return (
        ticket.status,
        ticket.version,
        ticket.resolution_code_id,
        ticket.resolution_summary,
        ticket.resolved_at,
        TicketEvent.objects.filter(ticket=ticket).count(),
    )


def _events(ticket) -> list[tuple[str, str, str, str]]:
    return list(
        TicketEvent.objects.filter(ticket=ticket)
        .order_by("pk")
        .values_list("action", "field", "old_value", "new_value")
    )


def test_moving_between_open_statuses(agent, ticket) -> None:
    moved = ticket_transition(
        actor=agent, ticket=ticket, to_status=S.PENDING_CLIENT, expected_version=1
    )

    assert (moved.status, moved.version) == (S.PENDING_CLIENT, 2)
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.action, event.field, event.old_value, event.new_value) == (
        "status_changed",
        "status",
        "open",
        "pending_client",
    )
    assert (event.actor, event.source, event.ticket_version) == (agent, "web", 2)


def test_resolving_records_the_code_and_summary(agent, ticket, fixed) -> None:
    resolved = ticket_transition(
        actor=agent,
        ticket=ticket,
        to_status=S.RESOLVED,
        resolution_code="fixed",
        resolution_summary="  Cleared the cached session.  ",
    )

    resolved.refresh_from_db()
    assert (resolved.status, resolved.resolution_code, resolved.resolution_summary) == (
        S.RESOLVED,
        fixed,
        "Cleared the cached session.",
    )
    assert resolved.resolved_at == resolved.updated_at
    assert _events(ticket) == [
        ("resolved", "status", "open", "resolved"),
        ("field_changed", "resolution_code", "", "Fixed by agent"),
        ("field_changed", "resolution_summary", "", "Cleared the cached session."),
    ]


@pytest.mark.parametrize(
    ("code", "summary", "message"),
    [
        pytest.param(
            "fixed",
            "   ",
            "Write a resolution summary to resolve the ticket.",
            id="no_summary_case",
        ),
        pytest.param(
            None, "Done.", "Choose a resolution code to resolve the ticket.", id="no_code_case"
        ),
        pytest.param(
            "unheard-of",
            "Done.",
            "Unknown or inactive resolution code: choose one from the list.",
            id="unknown_code_case",
        ),
        pytest.param(
            "retired",
            "Done.",
            "Unknown or inactive resolution code: choose one from the list.",
            id="inactive_code_case",
        ),
    ],
)
def test_resolving_without_a_code_and_summary_changes_nothing(
    agent, ticket, fixed, code, summary, message
) -> None:
    ResolutionCodeFactory(slug="retired", is_active=False)
    before = _state(ticket)

    with pytest.raises(ApplicationError) as caught:
        ticket_transition(
            actor=agent,
            ticket=ticket,
            to_status=S.RESOLVED,
            resolution_code=code,
            resolution_summary=summary,
        )

    assert (str(caught.value.message), caught.value.status) == (message, 400)
    assert _state(ticket) == before


def test_an_illegal_move_is_refused_with_both_statuses_named(agent, team_a) -> None:
    new = TicketFactory(team=team_a, status=S.NEW)
    resolved = ResolvedTicketFactory(team=team_a)

    with pytest.raises(IllegalTransition) as caught:
        ticket_transition(actor=agent, ticket=resolved, to_status=S.PENDING_CLIENT)

    assert str(caught.value.message) == (
        "A ticket that is Resolved cannot be moved to Pending client."
    )
    assert caught.value.status == 409
    with pytest.raises(IllegalTransition):
        ticket_transition(actor=agent, ticket=new, to_status=S.CLOSED)
    assert _state(new)[:2] == (S.NEW, 1)


def test_a_closed_ticket_cannot_be_reopened(agent, team_a) -> None:
    closed = ClosedTicketFactory(team=team_a)
    before = _state(closed)

    with pytest.raises(IllegalTransition) as caught:
        ticket_transition(actor=agent, ticket=closed, to_status=S.OPEN)

    assert str(caught.value.message) == "A ticket that is Closed cannot be moved to Open."
    assert _state(closed) == before


def test_closing_a_resolved_ticket_makes_it_read_only(agent, team_a) -> None:
    resolved = ResolvedTicketFactory(team=team_a)

    closed = ticket_transition(actor=agent, ticket=resolved, to_status=S.CLOSED)

    assert (closed.status, closed.closed_at) == (S.CLOSED, closed.updated_at)
    assert _events(resolved) == [("closed", "status", "resolved", "closed")]
    with pytest.raises(ApplicationError) as caught:
        ticket_update(actor=agent, ticket=closed, changes={"priority": 1}, expected_version=None)
    assert caught.value.code == "read_only"


def test_reopening_clears_the_resolution_and_keeps_it_in_the_trail(agent, team_a) -> None:
    resolved = ResolvedTicketFactory(
        team=team_a,
        resolution_code=ResolutionCodeFactory(slug="fixed", name_en="Fixed by agent"),
        resolution_summary="Reset the password.",
    )

    reopened = ticket_transition(actor=agent, ticket=resolved, to_status=S.OPEN)

    reopened.refresh_from_db()
    assert (reopened.status, reopened.resolution_code, reopened.resolution_summary) == (
        S.OPEN,
        None,
        "",
    )
    assert reopened.resolved_at is None
    assert _events(resolved) == [
        ("reopened", "status", "resolved", "open"),
        ("field_changed", "resolution_code", "Fixed by agent", ""),
        ("field_changed", "resolution_summary", "Reset the password.", ""),
    ]


def test_a_stale_transition_is_refused(agent, supervisor, ticket) -> None:
    ticket_transition(actor=supervisor, ticket=ticket, to_status=S.ON_HOLD)

    with pytest.raises(StaleTicket) as caught:
        ticket_transition(
            actor=agent, ticket=ticket, to_status=S.PENDING_CLIENT, expected_version=1
        )

    assert caught.value.details == {"changed_fields": ["status"], "current_version": 2}
    assert _state(ticket)[:2] == (S.ON_HOLD, 2)


def test_an_unknown_status_is_bad_input(agent, ticket) -> None:
    with pytest.raises(ApplicationError) as caught:
        ticket_transition(actor=agent, ticket=ticket, to_status="archived")

    assert caught.value.status == 400
    assert _state(ticket)[:2] == (S.OPEN, 1)
