"""inbound_email_ingest: every email gets an outcome, is threaded where it belongs (and says
why), never loops, never gives a stranger access, and is never lost."""

from pathlib import Path

import pytest

from tests.factories import ClientFactory, ClosedTicketFactory, TicketFactory
from tests.tickets.mail.factories import MailboxFactory, OutboundEmailFactory, make_email
from tickets.mail.explain import explain
from tickets.models import Attachment, Client, InboundEmail, OutboundEmail, Ticket, TicketLink
from tickets.services import inbound
from tickets.services.inbound import inbound_email_ingest, inbound_email_retry

FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(team_a):
    return MailboxFactory(team=team_a)


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_a_new_sender_becomes_a_client_with_a_new_ticket(mailbox) -> None:
    result = inbound_email_ingest(raw=_fixture("big5hkscs.eml"), mailbox=mailbox, source="t")

    ticket = Ticket.objects.get()
    client = Client.objects.get(email="wong.sm@example.hk")
    assert result.outcome == "created"
    assert result.ticket == ticket.reference
    assert (ticket.client, ticket.team, ticket.channel) == (client, mailbox.team, "email")
    assert ticket.subject == "啲單未成交"
    assert ticket.language == client.language == "zh-hant"
    assert client.name == "Wong Siu Ming"
    message = ticket.messages.get()
    assert "㗎" in message.body
    email = InboundEmail.objects.get()
    assert (email.ticket, email.message, email.outcome) == (ticket, message, "created")
    assert bytes(email.raw) == _fixture("big5hkscs.eml")
    assert explain(email.threading) == [
        "No reference to an existing ticket.",
        f"It opened the new ticket {ticket.reference}.",
    ]


def test_the_same_message_twice_creates_nothing_new(mailbox) -> None:
    inbound_email_ingest(raw=_fixture("big5.eml"), mailbox=mailbox)

    again = inbound_email_ingest(raw=_fixture("big5.eml"), mailbox=mailbox)

    assert again.outcome == "duplicate"
    assert (Ticket.objects.count(), InboundEmail.objects.count()) == (1, 1)


def test_a_known_client_is_matched_by_email_in_any_case(mailbox) -> None:
    client = ClientFactory(email="chan.taiman@example.hk", language="")

    inbound_email_ingest(raw=_fixture("big5.eml"), mailbox=mailbox)

    assert Ticket.objects.get().client == client
    client.refresh_from_db()
    assert client.language == "zh-hant"
    assert Client.objects.count() == 1


def test_a_reply_threads_by_our_message_id_and_folds_the_outlook_history(mailbox) -> None:
    ticket = TicketFactory(
        team=mailbox.team, status="pending_client", client__email="chan.taiman@example.hk"
    )
    OutboundEmailFactory(ticket=ticket, email_message_id="<sd-outbound-0001@supportdesk.example>")

    result = inbound_email_ingest(raw=_fixture("outlook_zh_reply.eml"), mailbox=mailbox)

    ticket.refresh_from_db()
    assert (result.outcome, result.ticket) == ("threaded", ticket.reference)
    assert ticket.status == "open"
    message = ticket.messages.get()
    assert message.body_html.startswith("<p>已經重新安裝，仍然無法登入。</p>")
    assert '<details class="quoted-history">' in message.body_html
    assert explain(InboundEmail.objects.get().threading) == [
        "In-Reply-To names our email <sd-outbound-0001@supportdesk.example> sent on "
        f"{ticket.reference}.",
        f"Added to {ticket.reference}.",
    ]
    assert OutboundEmail.objects.count() == 1


def test_a_reply_threads_by_the_reference_in_the_subject(mailbox) -> None:
    ticket = TicketFactory(team=mailbox.team, status="open")
    raw = make_email(
        sender=ticket.client.email.upper(), subject=f"回覆: [{ticket.reference}] {ticket.subject}"
    )

    result = inbound_email_ingest(raw=raw, mailbox=mailbox)

    assert (result.outcome, result.ticket) == ("threaded", ticket.reference)
    assert explain(InboundEmail.objects.get().threading)[0] == (
        f"The subject names {ticket.reference}."
    )


def test_a_forged_reply_gets_a_new_ticket_not_access(mailbox) -> None:
    victim = TicketFactory(team=mailbox.team, status="open")
    raw = make_email(sender="attacker@evil.example", subject=f"RE: [{victim.reference}] hi")

    result = inbound_email_ingest(raw=raw, mailbox=mailbox)

    assert result.outcome == "created"
    assert result.ticket != victim.reference
    assert victim.messages.count() == 0
    assert (
        "attacker@evil.example is neither the client"
        in explain(InboundEmail.objects.get().threading)[1]
    )


def test_someone_in_cc_of_the_first_email_may_reply(mailbox) -> None:
    first = inbound_email_ingest(
        raw=make_email(sender="client@mail.example", cc="Boss <boss@mail.example>"),
        mailbox=mailbox,
    )

    reply = inbound_email_ingest(
        raw=make_email(sender="boss@mail.example", subject=f"Re: [{first.ticket}] Cannot log in"),
        mailbox=mailbox,
    )

    assert (reply.outcome, reply.ticket) == ("threaded", first.ticket)


def test_a_reply_to_a_closed_ticket_opens_a_linked_ticket(mailbox) -> None:
    closed = ClosedTicketFactory(team=mailbox.team)
    raw = make_email(sender=closed.client.email, subject=f"Re: [{closed.reference}] thanks")

    result = inbound_email_ingest(raw=raw, mailbox=mailbox)

    follow_up = Ticket.objects.exclude(pk=closed.pk).get()
    assert (result.outcome, result.ticket) == ("created", follow_up.reference)
    assert TicketLink.objects.filter(source=follow_up, target=closed, kind="follow_up_of").exists()
    assert explain(InboundEmail.objects.get().threading)[-1] == (
        f"{closed.reference} is closed: the email opened the linked ticket {follow_up.reference}."
    )


def test_a_merged_ticket_hands_replies_to_its_target(mailbox) -> None:
    target = TicketFactory(team=mailbox.team, status="open")
    merged = ClosedTicketFactory(team=mailbox.team, client=target.client, merged_into=target)
    raw = make_email(sender=target.client.email, subject=f"Re: [{merged.reference}] x")

    result = inbound_email_ingest(raw=raw, mailbox=mailbox)

    assert (result.outcome, result.ticket) == ("threaded", target.reference)


@pytest.mark.parametrize("name", ["bounce.eml", "auto_reply.eml"])
def test_bounces_and_auto_replies_are_ignored(mailbox, name) -> None:
    ticket = TicketFactory(team=mailbox.team, status="open", client__email="peter@example.com")

    result = inbound_email_ingest(raw=_fixture(name), mailbox=mailbox)

    assert result.outcome == "ignored"
    assert result.ticket is None
    assert result.reason.startswith("Automatic message:")
    assert (Ticket.objects.count(), OutboundEmail.objects.count()) == (1, 0)
    assert ticket.messages.count() == 0


def test_mail_from_our_own_address_is_ignored(mailbox) -> None:
    result = inbound_email_ingest(
        raw=make_email(sender="support@supportdesk.example"), mailbox=mailbox
    )

    assert result.outcome == "ignored"


def test_a_flood_from_one_sender_is_quarantined_and_can_be_retried(
    mailbox, settings, administrator
) -> None:
    settings.INBOUND_SENDER_LIMIT_PER_HOUR = 2
    results = [
        inbound_email_ingest(raw=make_email(subject=f"spam {n}"), mailbox=mailbox) for n in range(3)
    ]

    assert [r.outcome for r in results] == ["created", "created", "quarantined"]
    assert results[2].reason.startswith("Rate limited: 2 emails from client@mail.example")
    held = InboundEmail.objects.get(outcome="quarantined")

    retried = inbound_email_retry(actor=administrator, email=held)

    assert retried.outcome == "created"
    assert Ticket.objects.count() == 3


def test_only_administrators_retry(mailbox, settings, agent) -> None:
    settings.INBOUND_SENDER_LIMIT_PER_HOUR = 0
    inbound_email_ingest(raw=make_email(), mailbox=mailbox)

    with pytest.raises(Exception) as refused:
        inbound_email_retry(actor=agent, email=InboundEmail.objects.get())

    assert refused.type.__name__ in {"PermissionDenied", "NotAllowed"}
    assert InboundEmail.objects.get().outcome == "quarantined"


def test_executables_and_zip_bombs_are_refused_and_the_mail_kept(mailbox) -> None:
    result = inbound_email_ingest(raw=_fixture("dangerous_attachments.eml"), mailbox=mailbox)

    assert result.outcome == "created"
    assert [a.original_name for a in Attachment.objects.all()] == ["log.txt"]
    email = InboundEmail.objects.get()
    assert [r["name"] for r in email.refused_attachments] == ["setup.exe", "logs.zip"]
    assert "zip bomb" in email.refused_attachments[1]["reason"]
    assert email.reason.startswith("Attachments refused: setup.exe")


def test_an_attachment_over_the_limit_is_refused_and_noted(mailbox, settings) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1000
    raw = make_email(attachments=[("big.pdf", b"%PDF" + b"x" * 5000, "application/pdf")])

    result = inbound_email_ingest(raw=raw, mailbox=mailbox)

    assert result.outcome == "created"
    assert Attachment.objects.count() == 0
    assert "big.pdf" in InboundEmail.objects.get().reason


def test_a_failure_quarantines_the_email_with_its_source_and_leaves_nothing_half_saved(
    mailbox, monkeypatch
) -> None:
    def explode(*args, **kwargs):
        raise RuntimeError("threading blew up")

    # Fails after the ticket, its client and its first message are written.
    monkeypatch.setattr(inbound, "_store_attachments", explode)
    raw = make_email()

    result = inbound_email_ingest(raw=raw, mailbox=mailbox)

    assert result.outcome == "quarantined"
    assert result.reason == "RuntimeError: threading blew up"
    assert Ticket.objects.count() == 0
    assert Client.objects.count() == 0
    assert bytes(InboundEmail.objects.get().raw) == raw


def test_a_message_without_sender_is_quarantined(mailbox) -> None:
    result = inbound_email_ingest(raw=b"Subject: who?\r\n\r\nbody\r\n", mailbox=mailbox)

    assert result.outcome == "quarantined"
    assert InboundEmail.objects.get().email_message_id.endswith("@no-message-id.invalid>")


def test_html_only_mail_keeps_its_sanitised_formatting(mailbox) -> None:
    inbound_email_ingest(raw=_fixture("html_only.eml"), mailbox=mailbox)

    message = Ticket.objects.get().messages.get()
    assert message.body.startswith("Hello,")
    assert "<script" not in message.body_html
    assert 'href="https://example.com/help"' in message.body_html


def test_retry_refuses_an_email_that_is_not_quarantined(mailbox, administrator) -> None:
    inbound_email_ingest(raw=make_email(), mailbox=mailbox)

    with pytest.raises(Exception, match="Only a quarantined email"):
        inbound_email_retry(actor=administrator, email=InboundEmail.objects.get())


def test_mailbox_passwords_are_encrypted_at_rest(mailbox) -> None:
    mailbox.set_password("s3cret-imap")
    mailbox.save()

    stored = bytes(type(mailbox).objects.get(pk=mailbox.pk).password_encrypted)
    assert b"s3cret-imap" not in stored
    assert type(mailbox).objects.get(pk=mailbox.pk).password == "s3cret-imap"


def test_a_new_ticket_from_email_starts_its_sla_clocks_once(mailbox, django_assert_max_num_queries):
    from metrics.models import SlaClock, SlaClockEvent
    from tests.metrics.factories import policy_with_targets

    policy_with_targets()

    with django_assert_max_num_queries(26):
        result = inbound_email_ingest(raw=make_email(), mailbox=mailbox)

    ticket = Ticket.objects.get()
    assert result.outcome == "created"
    assert ticket.version == 2
    assert ticket.sla_due_at is not None
    metrics = sorted(SlaClock.objects.filter(ticket=ticket).values_list("metric", flat=True))
    assert metrics == ["first_response", "resolution"]
    assert SlaClockEvent.objects.filter(clock__ticket=ticket).count() == 2
    assert list(ticket.events.order_by("id").values_list("action", flat=True)) == [
        "created",
        "client_message",
    ]


def test_a_duplicate_changes_nothing_and_names_the_first_copy(mailbox) -> None:
    raw = make_email()
    first = inbound_email_ingest(raw=raw, mailbox=mailbox)

    again = inbound_email_ingest(raw=raw, mailbox=mailbox)

    assert (first.outcome, again.outcome) == ("created", "duplicate")
    assert again.ticket == first.ticket
    assert InboundEmail.objects.count() == 1
    assert Ticket.objects.count() == 1
