"""tickets_bulk_update: the same change on many tickets — all of them or none, one event per
ticket per field."""

import pytest

from supportdesk.errors import ApplicationError, NotAllowed
from teams.access import Role
from tests.factories import (
    ClosedTicketFactory,
    MembershipFactory,
    ResolutionCodeFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
)
from tickets.lifecycle import IllegalTransition, TicketReadOnly
from tickets.models import Notification, Ticket, TicketEvent
from tickets.services.tickets import tickets_bulk_update

S = Ticket.Status


@pytest.fixture
def tickets(team_a):
    return TicketFactory.create_batch(3, team=team_a, status=S.OPEN, priority=3, tags=["api"])


def _ids(tickets) -> list[int]:
    return [ticket.pk for ticket in tickets]


def _snapshot() -> list[tuple]:
    rows = Ticket.objects.order_by("pk").values_list(
        "status", "priority", "assignee", "team", "tags", "version"
    )
    return [*rows, TicketEvent.objects.count(), Notification.objects.count()]


def test_assigning_many_tickets_writes_one_event_per_ticket(supervisor, agent, tickets) -> None:
    changed = tickets_bulk_update(
        actor=supervisor, ticket_ids=_ids(tickets), changes={"assignee": agent.pk}
    )

    assert changed == 3
    assert set(Ticket.objects.values_list("assignee", "version")) == {(agent.pk, 2)}
    assert list(
        TicketEvent.objects.order_by("ticket").values_list(
            "ticket", "action", "field", "new_value", "actor", "ticket_version"
        )
    ) == [
        (ticket.pk, "assigned", "assignee", "Alice Agent", supervisor.pk, 2) for ticket in tickets
    ]
    assert Notification.objects.filter(recipient=agent).count() == 3


def test_several_fields_give_one_event_per_ticket_per_field(agent, tickets) -> None:
    tickets_bulk_update(
        actor=agent,
        ticket_ids=[str(pk) for pk in _ids(tickets)],
        changes={"status": S.PENDING_INTERNAL, "priority": 1, "add_tag": "Outage"},
        source="api",
    )

    assert (
        list(Ticket.objects.values_list("status", "priority", "tags"))
        == [(S.PENDING_INTERNAL, 1, ["api", "outage"])] * 3
    )
    for ticket in tickets:
        assert list(
            TicketEvent.objects.filter(ticket=ticket)
            .order_by("pk")
            .values_list("action", "field", "old_value", "new_value", "source")
        ) == [
            ("field_changed", "priority", "3", "1", "api"),
            ("field_changed", "tags", "api", "api, outage", "api"),
            ("status_changed", "status", "open", "pending_internal", "api"),
        ]


def test_tickets_the_change_does_not_alter_are_left_alone(agent, team_a, tickets) -> None:
    urgent = TicketFactory(team=team_a, status=S.OPEN, priority=1)

    changed = tickets_bulk_update(
        actor=agent, ticket_ids=[*_ids(tickets), urgent.pk], changes={"priority": 1}
    )

    assert changed == 3
    urgent.refresh_from_db()
    assert urgent.version == 1
    assert TicketEvent.objects.filter(ticket=urgent).count() == 0


def test_a_foreign_ticket_in_the_selection_changes_nothing(agent, team_b, tickets) -> None:
    foreign = TicketFactory(team=team_b, status=S.OPEN)
    before = _snapshot()

    with pytest.raises(NotAllowed) as caught:
        tickets_bulk_update(
            actor=agent, ticket_ids=[*_ids(tickets), foreign.pk], changes={"priority": 1}
        )

    assert caught.value.status == 403
    assert str(caught.value.message) == (
        "Some of the selected tickets are not yours to change. Nothing was changed."
    )
    assert _snapshot() == before


def test_an_unknown_id_is_refused_like_a_foreign_one(agent, tickets) -> None:
    before = _snapshot()

    with pytest.raises(NotAllowed):
        tickets_bulk_update(
            actor=agent, ticket_ids=[*_ids(tickets), 99_999_999], changes={"priority": 1}
        )

    assert _snapshot() == before


def test_a_closed_ticket_in_the_selection_changes_nothing(agent, team_a, tickets) -> None:
    closed = ClosedTicketFactory(team=team_a)
    before = _snapshot()

    with pytest.raises(TicketReadOnly) as caught:
        tickets_bulk_update(
            actor=agent, ticket_ids=[*_ids(tickets), closed.pk], changes={"priority": 1}
        )

    assert str(caught.value.message) == (
        f"Closed tickets cannot be changed: {closed.reference}. Nothing was changed."
    )
    assert _snapshot() == before


def test_one_illegal_move_changes_nothing_and_names_the_ticket(agent, team_a, tickets) -> None:
    new = TicketFactory(team=team_a, status=S.NEW)
    before = _snapshot()

    with pytest.raises(IllegalTransition) as caught:
        tickets_bulk_update(
            actor=agent, ticket_ids=[*_ids(tickets), new.pk], changes={"status": S.CLOSED}
        )

    assert str(caught.value.message) == (
        f"{tickets[0].reference}: A ticket that is Open cannot be moved to Closed. "
        "Nothing was changed."
    )
    assert _snapshot() == before


def test_resolving_in_bulk_needs_a_code_and_summary(agent, tickets) -> None:
    ResolutionCodeFactory(slug="known-issue", name_en="Known issue")
    before = _snapshot()

    with pytest.raises(ApplicationError):
        tickets_bulk_update(actor=agent, ticket_ids=_ids(tickets), changes={"status": S.RESOLVED})
    assert _snapshot() == before

    tickets_bulk_update(
        actor=agent,
        ticket_ids=_ids(tickets),
        changes={
            "status": S.RESOLVED,
            "resolution_code": "known-issue",
            "resolution_summary": "Exchange outage, now over.",
        },
    )
    assert set(
        Ticket.objects.values_list("status", "resolution_code__slug", "resolution_summary")
    ) == {(S.RESOLVED, "known-issue", "Exchange outage, now over.")}


def test_an_assignee_outside_a_tickets_team_changes_nothing(agent, team_b, tickets) -> None:
    MembershipFactory(team=team_b, user=agent)
    foreign_team_ticket = TicketFactory(team=team_b, status=S.OPEN)
    colleague = UserFactory(full_name="Bob Builder", roles=[Role.AGENT])
    MembershipFactory(team=tickets[0].team, user=colleague)
    before = _snapshot()

    with pytest.raises(ApplicationError) as caught:
        tickets_bulk_update(
            actor=agent,
            ticket_ids=[*_ids(tickets), foreign_team_ticket.pk],
            changes={"assignee": colleague.pk},
        )

    assert str(caught.value.message) == (
        f"{foreign_team_ticket.reference}: Bob Builder is not a member of the team "
        "Account Services. Nothing was changed."
    )
    assert _snapshot() == before


def test_a_transfer_unassigns_tickets_whose_assignee_is_not_in_the_new_team(
    agent, team_a, tickets
) -> None:
    Ticket.objects.filter(pk=tickets[0].pk).update(assignee=agent)
    tier2 = TeamFactory(name="Platform Tier 2", slug="tier2")

    tickets_bulk_update(actor=agent, ticket_ids=_ids(tickets), changes={"team": tier2.pk})

    assert set(Ticket.objects.values_list("team", "assignee")) == {(tier2.pk, None)}
    assert list(
        TicketEvent.objects.filter(ticket=tickets[0])
        .order_by("pk")
        .values_list("action", "old_value", "new_value")
    ) == [
        ("transferred", "Technical Assistance HK", "Platform Tier 2"),
        ("assigned", "Alice Agent", ""),
    ]


@pytest.mark.parametrize(
    ("ticket_ids", "changes", "message"),
    [
        pytest.param([], {"priority": 1}, "Select at least one ticket.", id="empty_case"),
        pytest.param(
            ["x"],
            {"priority": 1},
            "The selection contains something that is not a ticket.",
            id="junk_id_case",
        ),
        pytest.param([1], {}, "Choose a change to apply.", id="no_change_case"),
        pytest.param(
            [1],
            {"subject": "x"},
            "These fields cannot be changed in bulk: subject.",
            id="unknown_field_case",
        ),
    ],
)
def test_a_bad_request_is_refused(agent, ticket_ids, changes, message) -> None:
    with pytest.raises(ApplicationError) as caught:
        tickets_bulk_update(actor=agent, ticket_ids=ticket_ids, changes=changes)

    assert (str(caught.value.message), caught.value.status) == (message, 400)


@pytest.mark.parametrize(
    "count", [pytest.param(5, id="five_case"), pytest.param(50, id="fifty_case")]
)
def test_the_number_of_queries_does_not_grow_with_the_selection(
    supervisor, agent, team_a, count, django_assert_max_num_queries
) -> None:
    selected = TicketFactory.create_batch(count, team=team_a, status=S.OPEN)

    # 12, plus one per transaction for the SLA hook (metrics: "does any ticket have an SLA?"),
    # plus the assignee's profile locked by the assignment check (an agent without a profile).
    with django_assert_max_num_queries(14):
        tickets_bulk_update(
            actor=supervisor,
            ticket_ids=_ids(selected),
            changes={"assignee": agent.pk, "priority": 2, "status": S.PENDING_CLIENT},
        )

    assert TicketEvent.objects.count() == 3 * count
