"""ticket_update and ticket_assign: one event per changed field, no lost updates, Closed tickets
read-only."""

import pytest

from supportdesk.errors import ApplicationError
from teams.access import Role
from tests.factories import (
    CategoryFactory,
    ClosedTicketFactory,
    MembershipFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
)
from tickets.lifecycle import TicketReadOnly
from tickets.models import Notification, TicketEvent
from tickets.services.tickets import (
    StaleTicket,
    message_add_note,
    ticket_assign,
    ticket_update,
)


@pytest.fixture
def ticket(team_a):
    return TicketFactory(team=team_a, subject="Login fails", priority=3, tags=["login"])


def _events(ticket) -> list[tuple[str, str, str, str]]:
    return list(
        TicketEvent.objects.filter(ticket=ticket)
        .order_by("pk")
        .values_list("action", "field", "old_value", "new_value")
    )


def test_each_changed_field_gets_one_event_with_old_and_new_values(agent, ticket) -> None:
    web = CategoryFactory(slug="web", name_en="Web portal", name_zh_hant="網上平台")
    old_updated_at = ticket.updated_at

    updated = ticket_update(
        actor=agent,
        ticket=ticket,
        changes={
            "subject": "  Login fails  on Windows ",
            "priority": "1",
            "category": web.pk,
            "tags": "login, Windows 11",
            "assignee": agent,
            "language": "en",
        },
        expected_version=1,
        source="api",
    )

    updated.refresh_from_db()
    assert (updated.subject, updated.priority, updated.category, updated.assignee) == (
        "Login fails on Windows",
        1,
        web,
        agent,
    )
    assert updated.tags == ["login", "windows-11"]
    assert updated.version == 2
    assert updated.updated_at > old_updated_at
    assert _events(ticket) == [
        ("assigned", "assignee", "", "Alice Agent"),
        ("field_changed", "subject", "Login fails", "Login fails on Windows"),
        ("field_changed", "priority", "3", "1"),
        ("field_changed", "category", "Desktop trading platform", "Web portal"),
        ("field_changed", "tags", "login", "login, windows-11"),
    ]
    assert set(
        TicketEvent.objects.filter(ticket=ticket).values_list("actor", "source", "ticket_version")
    ) == {(agent.pk, "api", 2)}


def test_saving_unchanged_values_writes_nothing(agent, ticket) -> None:
    updated = ticket_update(
        actor=agent,
        ticket=ticket,
        changes={"subject": "Login fails", "priority": 3, "tags": ["login"]},
        expected_version=1,
    )

    assert updated.version == 1
    assert TicketEvent.objects.count() == 0


def test_a_stale_save_is_refused_listing_what_changed(agent, supervisor, ticket) -> None:
    ticket_update(actor=supervisor, ticket=ticket, changes={"priority": 1}, expected_version=1)
    message_add_note(actor=supervisor, ticket=ticket, body="Checked the logs.")

    with pytest.raises(StaleTicket) as caught:
        ticket_update(actor=agent, ticket=ticket, changes={"subject": "Mine"}, expected_version=1)

    error = caught.value
    assert (error.status, error.code) == (409, "stale")
    assert error.details == {"changed_fields": ["messages", "priority"], "current_version": 3}
    assert str(error.message) == (
        "Someone else changed this ticket after you opened it. Review their changes, "
        "then apply yours again."
    )
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.version) == ("Login fails", 3)


def test_a_save_based_on_the_current_version_goes_through(agent, supervisor, ticket) -> None:
    ticket_update(actor=supervisor, ticket=ticket, changes={"priority": 1}, expected_version=1)

    updated = ticket_update(
        actor=agent, ticket=ticket, changes={"subject": "Mine"}, expected_version=2
    )

    assert (updated.subject, updated.priority, updated.version) == ("Mine", 1, 3)


def test_unknown_fields_are_refused(agent, ticket) -> None:
    with pytest.raises(ApplicationError) as caught:
        ticket_update(
            actor=agent, ticket=ticket, changes={"status": "closed"}, expected_version=None
        )

    assert str(caught.value.message) == "These fields cannot be changed here: status."
    ticket.refresh_from_db()
    assert (ticket.status, ticket.version) == ("new", 1)


def test_an_assignee_from_another_team_is_refused_and_nothing_changes(
    agent, outsider, ticket
) -> None:
    with pytest.raises(ApplicationError) as caught:
        ticket_update(
            actor=agent,
            ticket=ticket,
            changes={"priority": 1, "assignee": outsider.pk},
            expected_version=1,
        )

    assert str(caught.value.message) == (
        "Oscar Outsider is not a member of the team Technical Assistance HK."
    )
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.assignee, ticket.version) == (3, None, 1)
    assert TicketEvent.objects.count() == 0


def test_a_transfer_drops_an_assignee_who_is_not_in_the_new_team(agent, ticket) -> None:
    ticket_assign(actor=agent, ticket=ticket, assignee=agent)
    tier2 = TeamFactory(name="Platform Tier 2", slug="tier2")

    moved = ticket_update(
        actor=agent, ticket=ticket, changes={"team": tier2.pk}, expected_version=2
    )

    assert (moved.team, moved.assignee) == (tier2, None)
    assert _events(ticket)[-2:] == [
        ("transferred", "team", "Technical Assistance HK", "Platform Tier 2"),
        ("assigned", "assignee", "Alice Agent", ""),
    ]


def test_a_transfer_with_an_assignee_of_the_new_team(agent, ticket) -> None:
    tier2 = TeamFactory(name="Platform Tier 2", slug="tier2")
    specialist = UserFactory(full_name="Tina Tier", roles=[Role.AGENT])
    MembershipFactory(team=tier2, user=specialist)

    moved = ticket_update(
        actor=agent,
        ticket=ticket,
        changes={"team": tier2, "assignee": specialist},
        expected_version=1,
    )

    assert (moved.team, moved.assignee) == (tier2, specialist)
    assert Notification.objects.get().recipient == specialist


def test_a_closed_ticket_is_read_only(agent, team_a) -> None:
    closed = ClosedTicketFactory(team=team_a, priority=3)

    with pytest.raises(TicketReadOnly) as caught:
        ticket_update(actor=agent, ticket=closed, changes={"priority": 1}, expected_version=1)

    assert caught.value.status == 409
    assert str(caught.value.message) == "This ticket is closed and can no longer be changed."
    closed.refresh_from_db()
    assert closed.priority == 3


def test_assigning_notifies_the_assignee(supervisor, agent, ticket) -> None:
    assigned = ticket_assign(actor=supervisor, ticket=ticket, assignee=agent)

    assert (assigned.assignee, assigned.version) == (agent, 2)
    assert _events(ticket) == [("assigned", "assignee", "", "Alice Agent")]
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.ticket) == (
        agent,
        Notification.Kind.ASSIGNED,
        ticket,
    )


def test_assigning_to_oneself_notifies_nobody(agent, ticket) -> None:
    ticket_assign(actor=agent, ticket=ticket, assignee=agent)

    assert Notification.objects.count() == 0


def test_unassigning(agent, ticket) -> None:
    ticket_assign(actor=agent, ticket=ticket, assignee=agent)

    unassigned = ticket_assign(actor=agent, ticket=ticket, assignee=None)

    assert unassigned.assignee is None
    assert _events(ticket)[-1] == ("assigned", "assignee", "Alice Agent", "")
