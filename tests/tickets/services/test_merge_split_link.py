"""Merging duplicates, splitting a message into a new ticket, and linking tickets — each recorded
at both ends."""

from datetime import timedelta

import pytest
from django.utils import timezone

from supportdesk.errors import ApplicationError, NotAllowed
from tests.factories import (
    ClosedTicketFactory,
    MembershipFactory,
    MessageFactory,
    ResolutionCodeFactory,
    TicketFactory,
)
from tickets.lifecycle import TicketReadOnly
from tickets.models import Message, Ticket, TicketEvent, TicketLink
from tickets.services.tickets import ticket_link, ticket_merge, ticket_split

S = Ticket.Status


@pytest.fixture
def target(team_a):
    return TicketFactory(team=team_a, status=S.OPEN, subject="Cannot log in")


@pytest.fixture
def duplicate(team_a, target):
    duplicate = TicketFactory(
        team=team_a,
        client=target.client,
        status=S.NEW,
        description="I still cannot log in!",
        created_at=timezone.now() - timedelta(minutes=30),
    )
    MessageFactory(ticket=duplicate, body="Screenshot follows")
    return duplicate


def _events(ticket) -> list[tuple[str, str, str, str]]:
    return list(
        TicketEvent.objects.filter(ticket=ticket)
        .order_by("pk")
        .values_list("action", "field", "old_value", "new_value")
    )


def _state(*tickets) -> list[tuple]:
    rows = []
    for ticket in tickets:
        ticket.refresh_from_db()
        rows.append((ticket.status, ticket.version, ticket.messages.count()))
    return [*rows, TicketEvent.objects.count(), TicketLink.objects.count()]


# --- Merge -----------------------------------------------------------------------------------


def test_merging_moves_the_conversation_and_closes_the_duplicate(agent, duplicate, target) -> None:
    ResolutionCodeFactory(slug="duplicate", name_en="Duplicate")
    MessageFactory(ticket=target, body="Original question")

    merged = ticket_merge(actor=agent, duplicate=duplicate, target=target)

    assert merged == target
    assert list(target.messages.order_by("created_at").values_list("body", flat=True)) == [
        "I still cannot log in!",
        "Screenshot follows",
        "Original question",
    ]
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into, duplicate.resolution_code.slug) == (
        S.CLOSED,
        target,
        "duplicate",
    )
    assert duplicate.resolution_summary == f"Merged into {target.reference}."
    assert duplicate.closed_at is not None
    assert duplicate.messages.count() == 0
    link = TicketLink.objects.get()
    assert (link.source, link.target, link.kind, link.created_by) == (
        duplicate,
        target,
        TicketLink.Kind.MERGED_INTO,
        agent,
    )
    assert _events(duplicate) == [
        ("merged_into", "merged_into", "", target.reference),
        ("closed", "status", "new", "closed"),
        ("field_changed", "resolution_code", "", "Duplicate"),
        ("field_changed", "resolution_summary", "", f"Merged into {target.reference}."),
    ]
    assert _events(target) == [("merged_from", "", "", duplicate.reference)]
    assert (duplicate.version, merged.version) == (2, 2)


def test_an_earlier_reply_on_the_duplicate_becomes_the_targets_first_reply(
    agent, duplicate, target
) -> None:
    answered = timezone.now() - timedelta(minutes=20)
    later = timezone.now() - timedelta(minutes=5)
    Ticket.objects.filter(pk=duplicate.pk).update(first_public_reply_at=answered)
    Ticket.objects.filter(pk=target.pk).update(first_public_reply_at=later)
    duplicate.refresh_from_db()
    target.refresh_from_db()
    ticket_merge(actor=agent, duplicate=duplicate, target=target)
    target.refresh_from_db()
    assert target.first_public_reply_at == answered


def test_a_later_reply_on_the_duplicate_leaves_the_targets_first_reply(
    agent, duplicate, target
) -> None:
    earlier = timezone.now() - timedelta(minutes=25)
    Ticket.objects.filter(pk=duplicate.pk).update(first_public_reply_at=timezone.now())
    Ticket.objects.filter(pk=target.pk).update(first_public_reply_at=earlier)
    duplicate.refresh_from_db()
    target.refresh_from_db()
    ticket_merge(actor=agent, duplicate=duplicate, target=target)
    target.refresh_from_db()
    assert target.first_public_reply_at == earlier


def test_without_a_duplicate_code_the_duplicate_is_closed_without_one(
    agent, duplicate, target
) -> None:
    ticket_merge(actor=agent, duplicate=duplicate, target=target)

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.resolution_code) == (S.CLOSED, None)


def test_a_ticket_cannot_be_merged_into_itself(agent, target) -> None:
    before = _state(target)

    with pytest.raises(ApplicationError) as caught:
        ticket_merge(actor=agent, duplicate=target, target=target)

    assert (str(caught.value.message), caught.value.status) == (
        "A ticket cannot be merged into itself.",
        400,
    )
    assert _state(target) == before


def test_closed_tickets_cannot_be_merged(agent, team_a, target) -> None:
    closed = ClosedTicketFactory(team=team_a)
    before = _state(closed, target)

    with pytest.raises(TicketReadOnly) as caught:
        ticket_merge(actor=agent, duplicate=closed, target=target)
    assert str(caught.value.message) == f"{closed.reference} is closed and cannot be merged."
    with pytest.raises(TicketReadOnly):
        ticket_merge(actor=agent, duplicate=target, target=closed)

    assert _state(closed, target) == before


def test_merging_across_a_team_the_actor_does_not_work_is_refused(agent, team_b, target) -> None:
    foreign = TicketFactory(team=team_b)
    MessageFactory(ticket=foreign)
    before = _state(foreign, target)

    with pytest.raises(NotAllowed):
        ticket_merge(actor=agent, duplicate=foreign, target=target)
    with pytest.raises(NotAllowed):
        ticket_merge(actor=agent, duplicate=target, target=foreign)

    assert _state(foreign, target) == before


def test_an_agent_of_both_teams_may_merge_across_them(agent, team_b, target) -> None:
    MembershipFactory(team=team_b, user=agent)
    other = TicketFactory(team=team_b)

    ticket_merge(actor=agent, duplicate=other, target=target)

    other.refresh_from_db()
    assert other.merged_into == target


# --- Split -----------------------------------------------------------------------------------


def test_splitting_makes_a_client_message_the_start_of_a_new_linked_ticket(agent, target) -> None:
    MessageFactory(ticket=target, body="First question")
    second = MessageFactory(
        ticket=target, body="Also: my statement is missing.", language="zh-hant", channel="email"
    )

    new_ticket = ticket_split(actor=agent, message=second, subject="Missing statement")

    new_ticket.refresh_from_db()
    assert (new_ticket.subject, new_ticket.description, new_ticket.status) == (
        "Missing statement",
        "Also: my statement is missing.",
        S.NEW,
    )
    assert (new_ticket.team, new_ticket.client, new_ticket.language, new_ticket.channel) == (
        target.team,
        target.client,
        "zh-hant",
        "email",
    )
    assert list(new_ticket.messages.all()) == [second]
    assert list(target.messages.values_list("body", flat=True)) == ["First question"]
    link = TicketLink.objects.get()
    assert (link.source, link.target, link.kind) == (
        new_ticket,
        target,
        TicketLink.Kind.SPLIT_FROM,
    )
    assert _events(new_ticket) == [
        ("created", "", "", ""),
        ("split_from", "split_from", "", target.reference),
    ]
    assert _events(target) == [("split_to", "", "", new_ticket.reference)]
    target.refresh_from_db()
    assert target.version == 2


def test_only_client_messages_can_be_split(agent, target) -> None:
    note = MessageFactory(ticket=target, kind=Message.Kind.NOTE, author=agent)
    before = _state(target)

    with pytest.raises(ApplicationError) as caught:
        ticket_split(actor=agent, message=note, subject="New")

    assert str(caught.value.message) == "Only a client message can be split into a new ticket."
    assert _state(target) == before
    assert Ticket.objects.count() == 1


def test_a_split_needs_a_subject(agent, target) -> None:
    message = MessageFactory(ticket=target)

    with pytest.raises(ApplicationError) as caught:
        ticket_split(actor=agent, message=message, subject="")

    assert caught.value.details["field"] == "subject"
    assert Ticket.objects.count() == 1


# --- Links -----------------------------------------------------------------------------------


def test_linking_records_both_ends_once(agent, team_a, target) -> None:
    other = TicketFactory(team=team_a)

    link = ticket_link(actor=agent, ticket=target, other=other)
    again = ticket_link(actor=agent, ticket=other, other=target)

    assert again == link
    assert (link.source, link.target, link.kind) == (target, other, "related")
    assert _events(target) == [("linked", "related", "", other.reference)]
    assert _events(other) == [("linked", "related", "", target.reference)]


def test_linking_to_a_closed_ticket_leaves_it_unchanged(agent, team_a, target) -> None:
    closed = ClosedTicketFactory(team=team_a)

    ticket_link(actor=agent, ticket=target, other=closed, kind="follow_up_of")

    closed.refresh_from_db()
    assert closed.version == 1
    assert _events(closed) == [("linked", "follow_up", "", target.reference)]


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("merged_into", id="merged_into_case"),
        pytest.param("split_from", id="split_case"),
    ],
)
def test_merge_and_split_links_are_made_only_by_their_services(agent, team_a, target, kind) -> None:
    other = TicketFactory(team=team_a)

    with pytest.raises(ApplicationError):
        ticket_link(actor=agent, ticket=target, other=other, kind=kind)

    assert TicketLink.objects.count() == 0


def test_a_ticket_cannot_be_linked_to_itself(agent, target) -> None:
    with pytest.raises(ApplicationError) as caught:
        ticket_link(actor=agent, ticket=target, other=target)

    assert str(caught.value.message) == "A ticket cannot be linked to itself."


def test_linking_to_another_teams_ticket_is_refused(agent, team_b, target) -> None:
    foreign = TicketFactory(team=team_b)

    with pytest.raises(NotAllowed):
        ticket_link(actor=agent, ticket=target, other=foreign)

    assert (TicketLink.objects.count(), TicketEvent.objects.count()) == (0, 0)
