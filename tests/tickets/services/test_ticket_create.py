"""ticket_create: a new ticket with its audit trail, or a clear refusal and nothing saved."""

import pytest

from supportdesk.errors import ApplicationError, NotAllowed
from tests.factories import CategoryFactory, ClientFactory, MembershipFactory, UserFactory
from tickets.models import Notification, Ticket, TicketEvent
from tickets.services.tickets import ticket_create


@pytest.fixture
def category(db):
    return CategoryFactory()


@pytest.fixture
def customer(db):
    return ClientFactory(name="Chan Siu Ming")


def _create(*, actor, team, customer, category, **overrides):
    arguments = {
        "actor": actor,
        "client": customer,
        "subject": "Cannot log in to the desktop platform",
        "description": "Error 1040 since this morning.",
        "category": category,
        "team": team,
        **overrides,
    }
    return ticket_create(**arguments)


def test_it_opens_a_new_ticket_with_a_created_event(agent, team_a, customer, category) -> None:
    ticket = _create(
        actor=agent,
        team=team_a,
        customer=customer,
        category=category,
        priority=2,
        channel="phone",
        language="zh-hant",
        tags=["Login ", "login", "2FA"],
        platform_os=" Windows   11 ",
        source="api",
    )

    ticket.refresh_from_db()
    assert (ticket.status, ticket.version, ticket.priority) == (Ticket.Status.NEW, 1, 2)
    assert (ticket.channel, ticket.language, ticket.tags) == ("phone", "zh-hant", ["login", "2fa"])
    assert ticket.platform_os == "Windows 11"
    assert ticket.created_at == ticket.updated_at
    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.action, event.actor, event.source, event.ticket_version) == (
        "created",
        agent,
        "api",
        1,
    )


def test_an_assignee_is_recorded_and_notified(
    supervisor, agent, team_a, customer, category
) -> None:
    ticket = _create(
        actor=supervisor, team=team_a, customer=customer, category=category, assignee=agent
    )

    assigned = TicketEvent.objects.get(ticket=ticket, action="assigned")
    assert (assigned.field, assigned.old_value, assigned.new_value) == (
        "assignee",
        "",
        "Alice Agent",
    )
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.actor) == (
        agent,
        Notification.Kind.ASSIGNED,
        supervisor,
    )


def test_inbound_email_creates_without_an_actor(team_a, customer, category) -> None:
    ticket = _create(actor=None, team=team_a, customer=customer, category=category, source="email")

    event = TicketEvent.objects.get(ticket=ticket)
    assert (event.actor, event.source) == (None, "email")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        pytest.param({"subject": "   "}, "subject", "Enter a subject.", id="blank_subject_case"),
        pytest.param(
            {"subject": "x" * 251},
            "subject",
            "The subject is too long: at most 250 characters.",
            id="long_subject_case",
        ),
        pytest.param(
            {"description": "\n \n"},
            "description",
            "Write a message first: it is empty.",
            id="blank_description_case",
        ),
        pytest.param(
            {"description": "x" * 100_001},
            "description",
            "The text is too long: at most 100,000 characters.",
            id="long_description_case",
        ),
        pytest.param(
            {"priority": 7}, "priority", "Choose a priority from P1 to P4.", id="bad_priority_case"
        ),
        pytest.param(
            {"channel": "fax"}, "channel", "“fax” is not a valid channel.", id="bad_channel_case"
        ),
        pytest.param(
            {"client": 987654},
            "client",
            "Unknown client: choose an existing client.",
            id="unknown_client_case",
        ),
        pytest.param(
            {"tags": ["x" * 51]},
            "tags",
            "A tag is too long: at most 50 characters.",
            id="long_tag_case",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    agent, team_a, customer, category, overrides, field, message
) -> None:
    with pytest.raises(ApplicationError) as caught:
        _create(actor=agent, team=team_a, customer=customer, category=category, **overrides)

    assert (str(caught.value.message), caught.value.status) == (message, 400)
    assert caught.value.details["field"] == field
    assert (Ticket.objects.count(), TicketEvent.objects.count()) == (0, 0)


def test_an_inactive_category_is_refused(agent, team_a, customer) -> None:
    retired = CategoryFactory(slug="retired", is_active=False)

    with pytest.raises(ApplicationError) as caught:
        _create(actor=agent, team=team_a, customer=customer, category=retired)

    assert str(caught.value.message) == "Unknown or inactive category: choose one from the list."
    assert Ticket.objects.count() == 0


def test_an_assignee_outside_the_team_is_refused(
    agent, outsider, team_a, customer, category
) -> None:
    with pytest.raises(ApplicationError) as caught:
        _create(actor=agent, team=team_a, customer=customer, category=category, assignee=outsider)

    assert str(caught.value.message) == (
        "Oscar Outsider is not a member of the team Technical Assistance HK."
    )
    assert Ticket.objects.count() == 0


def test_a_manager_who_is_a_member_still_cannot_be_assigned(
    agent, manager, team_a, customer, category
) -> None:
    MembershipFactory(team=team_a, user=manager)

    with pytest.raises(ApplicationError):
        _create(actor=agent, team=team_a, customer=customer, category=category, assignee=manager)

    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("persona", ["outsider", "manager", "client_user"])
def test_only_people_who_work_the_team_create_its_tickets(
    request, persona, team_a, customer, category
) -> None:
    actor = request.getfixturevalue(persona)

    with pytest.raises(NotAllowed) as caught:
        _create(actor=actor, team=team_a, customer=customer, category=category)

    assert caught.value.status == 403
    assert Ticket.objects.count() == 0


def test_an_inactive_assignee_is_refused(agent, team_a, customer, category) -> None:
    former = UserFactory(full_name="Former Agent", is_active=False)
    MembershipFactory(team=team_a, user=former)

    with pytest.raises(ApplicationError) as caught:
        _create(actor=agent, team=team_a, customer=customer, category=category, assignee=former)

    assert str(caught.value.message) == "Unknown assignee: choose a member of the team."
