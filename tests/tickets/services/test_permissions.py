"""Who may change a ticket: its team's agents and supervisors and administrators. An agent of
another team and a manager (who reads everything) are refused, and nothing changes."""

import pytest

from supportdesk.errors import NotAllowed
from teams.access import Role
from tests.factories import (
    MembershipFactory,
    MessageFactory,
    ResolutionCodeFactory,
    TicketFactory,
    UserFactory,
)
from tickets.models import Message, Notification, Ticket, TicketEvent, TicketLink
from tickets.services.tickets import (
    message_add_note,
    message_add_reply,
    ticket_assign,
    ticket_escalate,
    ticket_link,
    ticket_merge,
    ticket_split,
    ticket_transition,
    ticket_update,
    tickets_bulk_update,
)

S = Ticket.Status
MEMBER = "tina@desk.example"

ACTIONS = {
    "update": lambda actor, ticket, other, message: ticket_update(
        actor=actor, ticket=ticket, changes={"priority": 1}, expected_version=1
    ),
    "assign": lambda actor, ticket, other, message: ticket_assign(
        actor=actor, ticket=ticket, assignee=ticket.team.memberships.get(user__email=MEMBER).user
    ),
    "transition": lambda actor, ticket, other, message: ticket_transition(
        actor=actor, ticket=ticket, to_status=S.PENDING_CLIENT
    ),
    "resolve": lambda actor, ticket, other, message: ticket_transition(
        actor=actor,
        ticket=ticket,
        to_status=S.RESOLVED,
        resolution_code="fixed",
        resolution_summary="Done.",
    ),
    "escalate": lambda actor, ticket, other, message: ticket_escalate(
        actor=actor, ticket=ticket, reason="Urgent"
    ),
    "reply": lambda actor, ticket, other, message: message_add_reply(
        actor=actor, ticket=ticket, body="Hello"
    ),
    "note": lambda actor, ticket, other, message: message_add_note(
        actor=actor, ticket=ticket, body="Hmm"
    ),
    "merge": lambda actor, ticket, other, message: ticket_merge(
        actor=actor, duplicate=other, target=ticket
    ),
    "split": lambda actor, ticket, other, message: ticket_split(
        actor=actor, message=message, subject="Split off"
    ),
    "link": lambda actor, ticket, other, message: ticket_link(
        actor=actor, ticket=ticket, other=other
    ),
    "bulk": lambda actor, ticket, other, message: tickets_bulk_update(
        actor=actor, ticket_ids=[ticket.pk, other.pk], changes={"priority": 1}
    ),
}
ACTION_CASES = [pytest.param(name, id=f"{name}_case") for name in ACTIONS]


@pytest.fixture
def tickets(team_a):
    ResolutionCodeFactory(slug="fixed")
    MembershipFactory(team=team_a, user=UserFactory(email=MEMBER, roles=[Role.AGENT]))
    ticket = TicketFactory(team=team_a, status=S.OPEN, priority=3)
    other = TicketFactory(team=team_a, status=S.OPEN, priority=3)
    message = MessageFactory(ticket=ticket)
    return ticket, other, message


def _snapshot() -> tuple:
    return (
        list(Ticket.objects.order_by("pk").values_list("status", "priority", "version")),
        Message.objects.count(),
        TicketEvent.objects.count(),
        TicketLink.objects.count(),
        Notification.objects.count(),
    )


@pytest.mark.parametrize(
    "persona",
    [pytest.param("outsider", id="outsider_case"), pytest.param("manager", id="manager_case")],
)
@pytest.mark.parametrize("action", ACTION_CASES)
def test_people_outside_the_team_change_nothing(request, persona, action, tickets) -> None:
    actor = request.getfixturevalue(persona)
    before = _snapshot()

    with pytest.raises(NotAllowed) as caught:
        ACTIONS[action](actor, *tickets)

    assert caught.value.status == 403
    assert _snapshot() == before


@pytest.mark.parametrize(
    "persona",
    [
        pytest.param("agent", id="agent_case"),
        pytest.param("supervisor", id="supervisor_case"),
        pytest.param("administrator", id="administrator_case"),
    ],
)
@pytest.mark.parametrize("action", ACTION_CASES)
def test_the_team_and_administrators_may_act(request, persona, action, tickets) -> None:
    actor = request.getfixturevalue(persona)
    before = TicketEvent.objects.count()

    ACTIONS[action](actor, *tickets)

    assert TicketEvent.objects.filter(actor=actor).count() > before
