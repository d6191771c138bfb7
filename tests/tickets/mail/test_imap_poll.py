"""The poll task against a real IMAP server (dovecot on loopback): it fetches, creates tickets,
is idempotent, records failures on the mailbox and retries them."""

import imaplib

import pytest

from tests.tickets.mail.factories import MailboxFactory, make_email
from tickets.models import InboundEmail, Mailbox, Ticket
from tickets.tasks.inbound import inbound_poll, inbound_poll_mailbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(imap_server, team_a):
    return MailboxFactory(
        team=team_a,
        host=imap_server.host,
        port=imap_server.port,
        use_ssl=False,
        username=imap_server.username,
        password=imap_server.password,
    )


def test_polling_creates_tickets_and_a_second_poll_creates_nothing(imap_server, mailbox) -> None:
    imap_server.append(make_email(subject="First", message_id="<imap-1@mail.example>"))
    imap_server.append(make_email(subject="Second", message_id="<imap-2@mail.example>"))
    imap_server.drop("1700000000.M1P1.test", make_email(subject="Third"))

    assert inbound_poll_mailbox(mailbox.pk) == 3

    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "First",
        "Second",
        "Third",
    ]
    mailbox.refresh_from_db()
    assert (mailbox.last_uid, mailbox.last_error) == (3, "")
    assert mailbox.last_polled_at is not None
    assert inbound_poll_mailbox(mailbox.pk) == 0
    assert (Ticket.objects.count(), InboundEmail.objects.count()) == (3, 3)


def test_a_reread_folder_creates_nothing_new(imap_server, mailbox) -> None:
    imap_server.append(make_email(message_id="<imap-again@mail.example>"))
    inbound_poll_mailbox(mailbox.pk)
    Mailbox.objects.filter(pk=mailbox.pk).update(last_uid=0)

    assert inbound_poll_mailbox(mailbox.pk) == 1

    assert list(InboundEmail.objects.values_list("outcome", flat=True)) == ["created"]
    assert Ticket.objects.count() == 1


def test_the_beat_task_polls_every_active_mailbox(imap_server, mailbox, celery_eager) -> None:
    imap_server.append(make_email(subject="Via beat"))
    inbound_poll()
    assert Ticket.objects.get().subject == "Via beat"


def test_a_wrong_password_is_recorded_on_the_mailbox_and_raised_for_retry(
    imap_server, mailbox
) -> None:
    mailbox.set_password("wrong")
    mailbox.save()

    with pytest.raises(imaplib.IMAP4.error):
        inbound_poll_mailbox.run(mailbox.pk)

    mailbox.refresh_from_db()
    assert "AUTHENTICATIONFAILED" in mailbox.last_error or "failed" in mailbox.last_error.lower()
    assert Ticket.objects.count() == 0


def test_the_poll_is_scheduled_every_minute_in_code() -> None:
    from supportdesk.celery import app

    entry = app.conf.beat_schedule["tickets.inbound_poll"]

    assert (entry["task"], entry["schedule"]) == ("tickets.inbound_poll", 60.0)
