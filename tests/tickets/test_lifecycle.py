"""The ticket state machine: every pair of statuses is either a legal move or a clear refusal."""

import itertools

import pytest
from django.utils.functional import Promise

from tickets import lifecycle
from tickets.lifecycle import IllegalTransition, TicketReadOnly
from tickets.models import Ticket

S = Ticket.Status
ALL = list(S)

# Written out independently of ``lifecycle.TRANSITIONS``: this is the specification.
LEGAL = {
    (S.NEW, S.OPEN),
    (S.NEW, S.PENDING_CLIENT),
    (S.NEW, S.PENDING_INTERNAL),
    (S.NEW, S.ON_HOLD),
    (S.NEW, S.RESOLVED),
    (S.OPEN, S.PENDING_CLIENT),
    (S.OPEN, S.PENDING_INTERNAL),
    (S.OPEN, S.ON_HOLD),
    (S.OPEN, S.RESOLVED),
    (S.PENDING_CLIENT, S.OPEN),
    (S.PENDING_CLIENT, S.PENDING_INTERNAL),
    (S.PENDING_CLIENT, S.ON_HOLD),
    (S.PENDING_CLIENT, S.RESOLVED),
    (S.PENDING_INTERNAL, S.OPEN),
    (S.PENDING_INTERNAL, S.PENDING_CLIENT),
    (S.PENDING_INTERNAL, S.ON_HOLD),
    (S.PENDING_INTERNAL, S.RESOLVED),
    (S.ON_HOLD, S.OPEN),
    (S.ON_HOLD, S.PENDING_CLIENT),
    (S.ON_HOLD, S.PENDING_INTERNAL),
    (S.ON_HOLD, S.RESOLVED),
    (S.RESOLVED, S.OPEN),
    (S.RESOLVED, S.CLOSED),
}
PAIRS = list(itertools.product(ALL, ALL))
LEGAL_CASES = [
    pytest.param(old, new, id=f"{old}_to_{new}_case") for old, new in PAIRS if (old, new) in LEGAL
]
ILLEGAL_CASES = [
    pytest.param(old, new, id=f"{old}_to_{new}_case")
    for old, new in PAIRS
    if (old, new) not in LEGAL and old != new
]
SAME_CASES = [pytest.param(status, id=f"{status}_case") for status in ALL]


def test_the_table_covers_every_status_and_only_the_specified_moves() -> None:
    table = {(old, new) for old, targets in lifecycle.TRANSITIONS.items() for new in targets}

    assert set(lifecycle.TRANSITIONS) == set(S.values)
    assert table == LEGAL


@pytest.mark.parametrize(("old", "new"), LEGAL_CASES)
def test_a_legal_move_is_allowed(old: str, new: str) -> None:
    lifecycle.check_transition(old, new)

    assert new in lifecycle.allowed_transitions(old)
    assert lifecycle.can_transition(old, new)


@pytest.mark.parametrize(("old", "new"), ILLEGAL_CASES)
def test_an_illegal_move_is_refused_naming_both_statuses(old: str, new: str) -> None:
    with pytest.raises(IllegalTransition) as caught:
        lifecycle.check_transition(old, new)

    error = caught.value
    assert str(error.message) == (
        f"A ticket that is {S(old).label} cannot be moved to {S(new).label}."
    )
    assert (error.status, error.code) == (409, "illegal_transition")
    assert error.details == {"from": old, "to": new}
    assert not lifecycle.can_transition(old, new)


@pytest.mark.parametrize("status", SAME_CASES)
def test_moving_to_the_current_status_is_refused(status: str) -> None:
    with pytest.raises(IllegalTransition) as caught:
        lifecycle.check_transition(status, status)

    assert str(caught.value.message) == f"The ticket is already {S(status).label}."


def test_the_message_is_translated_when_displayed_not_when_raised() -> None:
    with pytest.raises(IllegalTransition) as caught:
        lifecycle.check_transition(S.CLOSED, S.OPEN)

    assert isinstance(caught.value.message, Promise)
    assert str(caught.value.message) == "A ticket that is Closed cannot be moved to Open."


def test_an_unknown_status_is_invalid_input() -> None:
    with pytest.raises(IllegalTransition) as caught:
        lifecycle.check_transition(S.OPEN, "archived")

    assert (caught.value.status, caught.value.code) == (400, "unknown_status")
    assert str(caught.value.message) == "“archived” is not a ticket status."


def test_closed_is_final() -> None:
    assert lifecycle.allowed_transitions(S.CLOSED) == frozenset()


@pytest.mark.parametrize(
    ("status", "is_open", "is_read_only"),
    [
        pytest.param(S.NEW, True, False, id="new_case"),
        pytest.param(S.OPEN, True, False, id="open_case"),
        pytest.param(S.PENDING_CLIENT, True, False, id="pending_client_case"),
        pytest.param(S.PENDING_INTERNAL, True, False, id="pending_internal_case"),
        pytest.param(S.ON_HOLD, True, False, id="on_hold_case"),
        pytest.param(S.RESOLVED, False, False, id="resolved_case"),
        pytest.param(S.CLOSED, False, True, id="closed_case"),
    ],
)
def test_which_statuses_are_open_and_which_read_only(
    status: str, is_open: bool, is_read_only: bool
) -> None:
    assert lifecycle.is_open(status) is is_open
    assert lifecycle.is_read_only(status) is is_read_only


def test_a_closed_ticket_refuses_changes() -> None:
    with pytest.raises(TicketReadOnly) as caught:
        lifecycle.require_writable(S.CLOSED)

    assert (caught.value.status, caught.value.code) == (409, "read_only")
    assert str(caught.value.message) == "This ticket is closed and can no longer be changed."


@pytest.mark.parametrize(
    ("old", "new", "action"),
    [
        pytest.param(S.OPEN, S.RESOLVED, "resolved", id="resolve_case"),
        pytest.param(S.RESOLVED, S.CLOSED, "closed", id="close_case"),
        pytest.param(S.RESOLVED, S.OPEN, "reopened", id="reopen_case"),
        pytest.param(S.OPEN, S.PENDING_CLIENT, "status_changed", id="wait_case"),
        pytest.param(S.PENDING_CLIENT, S.OPEN, "status_changed", id="resume_case"),
    ],
)
def test_each_move_is_recorded_under_its_action(old: str, new: str, action: str) -> None:
    assert lifecycle.event_action(old, new) == action
