"""The inbound-mail pages: mailboxes and the quarantine (administrators only), the origin of
each emailed message on the ticket page, and moving a misfiled message (agents of both teams)."""

import pytest
from django.urls import reverse

from tests.factories import MessageFactory, TicketFactory
from tests.tickets.mail.factories import MailboxFactory, make_email
from tickets.models import InboundEmail, Mailbox, TicketEvent
from tickets.services.inbound import inbound_email_ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(team_a):
    return MailboxFactory(team=team_a)


@pytest.fixture
def quarantined(mailbox, settings):
    settings.INBOUND_SENDER_LIMIT_PER_HOUR = 0
    inbound_email_ingest(
        raw=make_email(subject="<script>alert(1)</script>", body="<b>raw</b> body"),
        mailbox=mailbox,
    )
    settings.INBOUND_SENDER_LIMIT_PER_HOUR = 30
    return InboundEmail.objects.get()


@pytest.mark.parametrize(
    "url_name", ["tickets:mailbox_list", "tickets:mailbox_create", "tickets:inbound_list"]
)
@pytest.mark.parametrize("persona", ["agent", "supervisor", "manager", "client_user"])
def test_only_administrators_see_the_mail_pages(client, request, url_name, persona) -> None:
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse(url_name)).status_code == 403


def test_the_quarantine_lists_the_email_with_its_reason(client, administrator, quarantined):
    client.force_login(administrator)

    response = client.get(reverse("tickets:inbound_list"))

    assert response.status_code == 200
    assert "Rate limited" in response.content.decode()
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_the_detail_shows_the_raw_source_escaped(
    client, administrator, quarantined, django_assert_max_num_queries
) -> None:
    client.force_login(administrator)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("tickets:inbound_detail", args=[quarantined.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "&lt;b&gt;raw&lt;/b&gt; body" in page
    assert "<b>raw</b>" not in page
    assert 'id="retry-button"' in page


def test_an_administrator_retries_a_quarantined_email(client, administrator, quarantined):
    client.force_login(administrator)

    response = client.post(reverse("tickets:inbound_retry", args=[quarantined.pk]))

    assert response.status_code == 302
    quarantined.refresh_from_db()
    assert quarantined.outcome == "created"
    assert quarantined.ticket is not None


def test_an_agent_cannot_retry(client, agent, quarantined):
    client.force_login(agent)

    response = client.post(reverse("tickets:inbound_retry", args=[quarantined.pk]))

    assert response.status_code == 403
    quarantined.refresh_from_db()
    assert quarantined.outcome == "quarantined"


def test_an_administrator_creates_a_mailbox_with_an_encrypted_password(
    client, administrator, team_a
) -> None:
    from tests.factories import CategoryFactory

    category = CategoryFactory()
    client.force_login(administrator)

    response = client.post(
        reverse("tickets:mailbox_create"),
        {
            "name": "HK support",
            "email_address": "support@desk.example",
            "host": "imap.desk.example",
            "port": "993",
            "use_ssl": "on",
            "username": "support",
            "password": "imap-pass",
            "folder": "INBOX",
            "team": team_a.pk,
            "category": category.pk,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert mailbox.password == "imap-pass"
    assert b"imap-pass" not in bytes(mailbox.password_encrypted)
    listing = client.get(reverse("tickets:mailbox_list")).content.decode()
    assert "imap-pass" not in listing
    edit = client.get(reverse("tickets:mailbox_edit", args=[mailbox.pk])).content.decode()
    assert "imap-pass" not in edit


def test_a_bad_mailbox_form_is_refused_with_400(client, administrator, team_a) -> None:
    client.force_login(administrator)

    response = client.post(reverse("tickets:mailbox_create"), {"name": "x", "port": "99999"})

    assert response.status_code == 400
    assert Mailbox.objects.count() == 0


def test_the_ticket_page_says_why_each_email_is_there(
    client, agent, mailbox, django_assert_max_num_queries
) -> None:
    ticket = TicketFactory(team=mailbox.team, status="open")
    inbound_email_ingest(
        raw=make_email(sender=ticket.client.email, subject=f"Re: [{ticket.reference}] x"),
        mailbox=mailbox,
    )
    client.force_login(agent)

    with django_assert_max_num_queries(30):
        response = client.get(reverse("tickets:detail", args=[ticket.pk]))

    page = response.content.decode()
    assert "Why is this email here?" in page
    assert f"The subject names {ticket.reference}." in page
    assert "Move to another ticket" in page


def test_an_agent_moves_a_misfiled_message(client, agent, mailbox) -> None:
    wrong = TicketFactory(team=mailbox.team, status="open")
    right = TicketFactory(team=mailbox.team, status="open", client=wrong.client)
    inbound_email_ingest(
        raw=make_email(sender=wrong.client.email, subject=f"Re: [{wrong.reference}] x"),
        mailbox=mailbox,
    )
    message = wrong.messages.get()
    client.force_login(agent)

    response = client.post(
        reverse("tickets:message_move", args=[wrong.pk, message.pk]),
        {"reference": right.reference},
    )

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.ticket == right
    email = InboundEmail.objects.get()
    assert email.ticket == right
    assert email.threading[-1]["code"] == "moved"
    assert TicketEvent.objects.filter(ticket=wrong, action="message_moved_out").exists()
    assert TicketEvent.objects.filter(
        ticket=right, action="message_moved_in", new_value=wrong.reference
    ).exists()
    page = client.get(reverse("tickets:detail", args=[right.pk])).content.decode()
    assert f"moved a client message here from {wrong.reference}" in page


def test_an_outsider_cannot_move_a_message_of_team_a(client, outsider, mailbox, team_b) -> None:
    ticket = TicketFactory(team=mailbox.team, status="open")
    message = MessageFactory(ticket=ticket)
    own = TicketFactory(team=team_b, status="open")
    client.force_login(outsider)

    response = client.post(
        reverse("tickets:message_move", args=[ticket.pk, message.pk]),
        {"reference": own.reference},
    )

    assert response.status_code == 404
    message.refresh_from_db()
    assert message.ticket == ticket


def test_an_agent_cannot_move_a_message_into_another_teams_ticket(
    client, agent, mailbox, team_b
) -> None:
    ticket = TicketFactory(team=mailbox.team, status="open")
    message = MessageFactory(ticket=ticket)
    other = TicketFactory(team=team_b, status="open")
    client.force_login(agent)

    response = client.post(
        reverse("tickets:message_move", args=[ticket.pk, message.pk]),
        {"reference": other.reference},
    )

    assert response.status_code == 400
    message.refresh_from_db()
    assert message.ticket == ticket


def test_the_ticket_page_reads_email_origins_in_a_fixed_number_of_queries(
    client, agent, mailbox
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(ticket) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("tickets:detail", args=[ticket.pk])).status_code == 200
        return len(queries)

    one = TicketFactory(team=mailbox.team, status="open")
    many = TicketFactory(team=mailbox.team, status="open", client=one.client)
    inbound_email_ingest(
        raw=make_email(sender=one.client.email, subject=f"[{one.reference}]"), mailbox=mailbox
    )
    for n in range(6):
        inbound_email_ingest(
            raw=make_email(sender=many.client.email, subject=f"[{many.reference}] {n}"),
            mailbox=mailbox,
        )
    client.force_login(agent)
    count(one)  # warm the per-session queries

    assert count(many) == count(one)
