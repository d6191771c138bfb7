"""@mentions in internal notes notify colleagues who may see the ticket, and nobody else."""

import pytest

from teams.access import Role
from tests.factories import MembershipFactory, TicketFactory, UserFactory
from tickets.models import Notification
from tickets.services.mentions import mentions_parse
from tickets.services.tickets import message_add_note


@pytest.fixture
def ticket(team_a):
    return TicketFactory(team=team_a)


def _notified(kind: str = Notification.Kind.MENTION) -> set[str]:
    return set(
        Notification.objects.filter(kind=kind).values_list("recipient__full_name", flat=True)
    )


@pytest.mark.parametrize(
    ("text", "emails", "names"),
    [
        pytest.param("ping @alice@desk.example.", {"alice@desk.example"}, set(), id="email_case"),
        pytest.param("ask @[Sam  Supervisor]!", set(), {"sam supervisor"}, id="name_case"),
        pytest.param(
            "mail bob@desk.example or me@x.example", set(), set(), id="plain_address_case"
        ),
        pytest.param(
            "@ALICE@Desk.Example and @alice@desk.example",
            {"alice@desk.example"},
            set(),
            id="repeated_case",
        ),
        pytest.param("@[Unclosed name", set(), set(), id="unclosed_bracket_case"),
    ],
)
def test_parsing_mentions(text: str, emails: set[str], names: set[str]) -> None:
    mentions = mentions_parse(text)

    assert (set(mentions.emails), set(mentions.names)) == (emails, names)


def test_colleagues_mentioned_by_email_or_name_are_notified(agent, supervisor, ticket) -> None:
    note = message_add_note(
        actor=agent,
        ticket=ticket,
        body="@supervisor@desk.example and @[sam supervisor] please check",
    )

    notification = Notification.objects.get()
    assert (notification.recipient, notification.ticket, notification.actor) == (
        supervisor,
        ticket,
        agent,
    )
    assert notification.text == note.body


def test_a_manager_who_reads_every_team_is_notified(agent, manager, ticket) -> None:
    message_add_note(actor=agent, ticket=ticket, body="FYI @[Mia Manager]")

    assert _notified() == {"Mia Manager"}


def test_the_author_is_never_notified(agent, ticket) -> None:
    message_add_note(actor=agent, ticket=ticket, body="note to self @agent@desk.example")

    assert Notification.objects.count() == 0


def test_people_who_cannot_see_the_team_are_not_notified(
    agent, outsider, client_user, ticket
) -> None:
    former = UserFactory(full_name="Former Colleague", is_active=False, roles=[Role.AGENT])
    MembershipFactory(team=ticket.team, user=former)

    message_add_note(
        actor=agent,
        ticket=ticket,
        body=(
            "@outsider@desk.example @client@mail.example @[Former Colleague] @nobody@desk.example"
        ),
    )

    assert Notification.objects.count() == 0


def test_a_second_team_member_is_notified_alongside(agent, supervisor, ticket) -> None:
    colleague = UserFactory(full_name="Bob Builder", roles=[Role.AGENT])
    MembershipFactory(team=ticket.team, user=colleague)

    message_add_note(
        actor=agent, ticket=ticket, body="@[Bob Builder] @supervisor@desk.example see above"
    )

    assert _notified() == {"Bob Builder", "Sam Supervisor"}
