"""Outgoing mail through a real SMTP server on loopback: multipart text + HTML in the client's
language, our Message-ID, the In-Reply-To/References chain, Reply-To, the ticket reference in
the subject, no header injection, and nothing lost while SMTP is down."""

from datetime import timedelta

import pytest
from django.utils import timezone

from supportdesk.celery import app as celery_app
from tests.factories import (
    CategoryFactory,
    ClientFactory,
    ResolutionCodeFactory,
)
from tickets.mail import outbound
from tickets.models import OutboundEmail
from tickets.services import tickets as services

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def eager():
    """Run Celery tasks inline (the send task and its retries)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def mail_settings(settings):
    settings.EMAIL_DOMAIN = "desk.example"
    settings.SUPPORT_MAILBOX = "support@desk.example"
    settings.DEFAULT_FROM_EMAIL = "SupportDesk <noreply@desk.example>"
    return settings


def _new_ticket(team, *, language="en", name="Chan Tai Man", subject="Cannot log in"):
    client = ClientFactory(name=name, email="chan@mail.example", language=language)
    return services.ticket_create(
        actor=None,
        client=client,
        subject=subject,
        description="The app says my password is wrong.",
        category=CategoryFactory(),
        team=team,
        channel="email",
        source="email",
    )


def test_received_and_reply_arrive_multipart_with_threading_headers(
    agent, team_a, smtp_server, eager, mail_settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _new_ticket(team_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_add_reply(actor=agent, ticket=ticket, body="Please **reset** it here.")

    received, reply = smtp_server.messages()
    rows = list(OutboundEmail.objects.filter(ticket=ticket).order_by("created_at", "id"))
    assert [row.kind for row in rows] == ["received", "reply"]
    assert [row.status for row in rows] == ["sent", "sent"]
    assert rows[1].attempts == 1
    ref = ticket.reference
    assert received["Message-ID"] == rows[0].email_message_id
    assert rows[0].email_message_id.startswith(f"<sd.{ref}.")
    assert rows[0].email_message_id.endswith("@desk.example>")
    assert received["Subject"] == f"[{ref}] We have received your request: Cannot log in"
    assert received["Auto-Submitted"] == "auto-generated"
    assert reply["Subject"] == f"[{ref}] Cannot log in"
    assert reply["Message-ID"] == rows[1].email_message_id
    assert reply["In-Reply-To"] == rows[0].email_message_id
    assert reply["References"] == rows[0].email_message_id
    assert reply["Reply-To"] == "support@desk.example"
    assert reply["To"] == "Chan Tai Man <chan@mail.example>"
    assert reply["Auto-Submitted"] is None
    assert reply.get_content_type() == "multipart/alternative"
    text = reply.get_body(("plain",)).get_content()
    html = reply.get_body(("html",)).get_content()
    assert "Please **reset** it here." in text
    assert "<strong>reset</strong>" in html
    assert "Alice Agent" in text
    assert smtp_server.received[1].rcpt_tos == ["chan@mail.example"]


def test_third_mail_references_the_whole_chain(
    agent, team_a, smtp_server, eager, mail_settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _new_ticket(team_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_add_reply(actor=agent, ticket=ticket, body="First answer")
    with django_capture_on_commit_callbacks(execute=True):
        services.message_add_reply(actor=agent, ticket=ticket, body="Second answer")

    ids = list(
        OutboundEmail.objects.filter(ticket=ticket)
        .order_by("created_at", "id")
        .values_list("email_message_id", flat=True)
    )
    third = smtp_server.messages()[2]
    assert third["In-Reply-To"] == ids[1]
    assert third["References"].split() == ids[:2]


def test_mail_is_in_the_clients_language(
    agent, team_a, smtp_server, eager, mail_settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _new_ticket(team_a, language="zh-hant", subject="無法登入")

    (received,) = smtp_server.messages()
    # Django folds an encoded Subject right after the colon; unfolding leaves one space.
    assert received["Subject"].strip() == f"[{ticket.reference}] 我們已收到您的查詢：無法登入"
    text = received.get_body(("plain",)).get_content()
    assert "我們已收到您的查詢" in text
    assert f"編號為 {ticket.reference}" in text
    html = received.get_body(("html",)).get_content()
    assert 'lang="zh-Hant"' in html
    assert OutboundEmail.objects.get(ticket=ticket).language == "zh-hant"


def test_no_header_injection_through_names_or_subjects(
    agent, team_a, smtp_server, eager, mail_settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _new_ticket(
            team_a,
            name="Mallory\r\nBcc: victim@evil.example",
            subject="Help\r\nBcc: attacker@evil.example\nX-Injected: yes",
        )

    (received,) = smtp_server.messages()
    assert received["Bcc"] is None
    assert received["X-Injected"] is None
    assert "\n" not in received["Subject"] and "\r" not in received["Subject"]
    assert "Help Bcc: attacker@evil.example X-Injected: yes" in received["Subject"]
    assert received["To"].addresses[0].addr_spec == "chan@mail.example"
    assert smtp_server.received[0].rcpt_tos == ["chan@mail.example"]
    assert ticket.reference in received["Subject"]


def test_smtp_down_keeps_the_mail_failed_with_the_error_then_delivers_it(
    agent, team_a, smtp_server, eager, mail_settings, client, django_capture_on_commit_callbacks
):
    mail_settings.OUTBOUND_MAX_ATTEMPTS = 3
    smtp_server.stop()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _new_ticket(team_a)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.message_add_reply(actor=agent, ticket=ticket, body="Try again now")

    reply = OutboundEmail.objects.get(message=message)
    assert reply.status == OutboundEmail.Status.FAILED
    assert reply.attempts == 3
    assert "ConnectionRefusedError" in reply.last_error
    assert smtp_server.received == []
    client.force_login(agent)
    panel = client.get(f"/tickets/{ticket.pk}/emails/")
    assert panel.status_code == 200
    assert "ConnectionRefusedError" in panel.content.decode()
    assert f'id="email-{reply.pk}"' in panel.content.decode()

    smtp_server.start()
    queued = outbound.outbound_resend_due(now=timezone.now() + timedelta(minutes=30))

    assert queued == 2
    reply.refresh_from_db()
    assert reply.status == OutboundEmail.Status.SENT
    assert reply.last_error == ""
    assert reply.attempts == 4
    assert [m["Message-ID"] for m in smtp_server.messages()][-1] == reply.email_message_id
    assert outbound.outbound_resend_due(now=timezone.now() + timedelta(hours=1)) == 0


def test_a_lost_broker_message_is_resent_by_the_sweep_and_sent_once(
    agent,
    team_a,
    smtp_server,
    eager,
    mail_settings,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(outbound_send_task_module().outbound_send_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = _new_ticket(team_a)
    row = OutboundEmail.objects.get(ticket=ticket)
    assert row.status == OutboundEmail.Status.QUEUED
    monkeypatch.undo()

    assert outbound.outbound_resend_due(now=timezone.now() + timedelta(minutes=1)) == 0
    assert outbound.outbound_resend_due(now=timezone.now() + timedelta(minutes=3)) == 1
    outbound.outbound_email_send(email_id=row.pk)

    row.refresh_from_db()
    assert row.status == OutboundEmail.Status.SENT
    assert row.attempts == 1
    assert len(smtp_server.received) == 1


def outbound_send_task_module():
    from tickets.tasks import outbound as tasks

    return tasks


def test_the_mail_row_is_committed_before_any_send(agent, team_a, mail_settings, monkeypatch):
    calls = []
    monkeypatch.setattr(outbound, "outbound_email_enqueue", lambda **kw: calls.append(kw))
    ticket = _new_ticket(team_a)

    assert OutboundEmail.objects.filter(ticket=ticket, status="queued").count() == 1
    assert calls == []  # queued only on commit, which this test transaction never reaches


def test_a_failed_listener_write_rolls_back_with_the_ticket_change(agent, team_a, monkeypatch):
    ticket = _new_ticket(team_a)

    def broken(**kwargs):
        raise RuntimeError("template missing")

    monkeypatch.setattr(outbound, "outbound_email_create", broken)
    with pytest.raises(RuntimeError):
        services.message_add_reply(actor=agent, ticket=ticket, body="Lost?")

    assert ticket.messages.filter(kind="reply").count() == 0


def test_notifications_for_escalation_progress_and_resolution(agent, team_a, mail_settings):
    ticket = _new_ticket(team_a)
    services.ticket_escalate(actor=agent, ticket=ticket, reason="Needs the platform team")
    services.message_add_note(actor=agent, ticket=ticket, body="internal only")
    services.ticket_transition(actor=agent, ticket=ticket, to_status="pending_internal")
    services.message_add_reply(actor=agent, ticket=ticket, body="Still on it")
    services.message_add_from_client(ticket=ticket, client=ticket.client, body="Thanks")
    services.ticket_transition(
        actor=agent,
        ticket=ticket,
        to_status="resolved",
        resolution_code=ResolutionCodeFactory(),
        resolution_summary="Your password was reset.",
    )

    rows = list(OutboundEmail.objects.filter(ticket=ticket).order_by("created_at", "id"))
    assert [row.kind for row in rows] == [
        "received",
        "escalated",
        "escalated",
        "progress",
        "resolved",
    ]
    escalated = rows[1]
    assert team_a.name not in escalated.body_text and team_a.name not in escalated.body_html
    assert "internal only" not in "".join(row.body_text + row.body_html for row in rows)
    assert "Needs the platform team" not in escalated.body_text
    resolved = rows[-1]
    assert "Your password was reset." in resolved.body_text
    assert "/satisfaction/" in resolved.body_text
    assert resolved.body_html.count("/satisfaction/") == 5
    assert "/tickets/portal/link/" in resolved.body_text


def test_merges_notes_and_client_messages_send_nothing(agent, team_a, mail_settings):
    first = _new_ticket(team_a)
    second = services.ticket_create(
        actor=None,
        client=first.client,
        subject="Again",
        description="Same problem",
        category=first.category,
        team=team_a,
    )
    OutboundEmail.objects.all().delete()
    services.message_add_note(actor=agent, ticket=first, body="note")
    services.message_add_from_client(ticket=first, client=first.client, body="more info")
    services.ticket_merge(actor=agent, duplicate=second, target=first)

    assert OutboundEmail.objects.count() == 0


def test_a_replys_attachments_travel_with_it_within_the_size_limit(
    agent, team_a, smtp_server, eager, mail_settings, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    mail_settings.STORAGES = {
        **mail_settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    mail_settings.OUTBOUND_ATTACHMENTS_MAX_BYTES = 10
    ticket = _new_ticket(team_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.message_add_reply(
            actor=agent,
            ticket=ticket,
            body="Two files",
            uploads=[
                SimpleUploadedFile("steps.txt", b"1. 2. 3.", content_type="text/plain"),
                SimpleUploadedFile("big.txt", b"x" * 50, content_type="text/plain"),
            ],
        )

    (reply,) = smtp_server.messages()
    names = [part.get_filename() for part in reply.iter_attachments()]
    assert names == ["steps.txt"]
    assert reply.get_body(("plain",)).get_content().startswith("Dear ")


def test_client_supplied_text_is_escaped_in_the_html_body(agent, team_a, mail_settings):
    ticket = _new_ticket(team_a, name="<b>Eve</b>", subject='<img src=x onerror="alert(1)">')
    email = OutboundEmail.objects.get(ticket=ticket)

    assert "<img" not in email.body_html and "<b>Eve" not in email.body_html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in email.body_html


def test_a_late_send_never_references_later_mail(agent, team_a, mail_settings, mailoutbox):
    ticket = _new_ticket(team_a)
    services.message_add_reply(actor=agent, ticket=ticket, body="Answer")
    first, second = OutboundEmail.objects.filter(ticket=ticket).order_by("pk")

    outbound.outbound_email_send(email_id=second.pk)
    outbound.outbound_email_send(email_id=first.pk)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.in_reply_to, first.references) == ("", "")
    assert (second.in_reply_to, second.references) == (
        first.email_message_id,
        first.email_message_id,
    )
    assert [mail.extra_headers.get("References") for mail in mailoutbox] == [
        first.email_message_id,
        None,
    ]
