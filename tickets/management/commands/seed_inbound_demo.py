"""``manage.py seed_inbound_demo``: demo inbound mail on top of ``seed_demo`` (idempotent).

Creates the *Demo support inbox* mailbox (inactive: it points at no real server) and ingests a
handful of emails through the real pipeline: a new request in Big5, a reply threaded onto a demo
ticket by its reference, an Outlook reply in Chinese, an HTML-only mail, a bounce (ignored), a
message without a sender and a flood from one sender (quarantined). Running it again changes
nothing: every email has a fixed Message-ID and is reported as a duplicate.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from teams.models import Team
from tickets.models import Category, Mailbox, Ticket
from tickets.services.inbound import inbound_email_ingest

MAILBOX_NAME = "Demo support inbox"


def _email(message_id: str, sender: str, subject: str, body: str, **headers: str) -> bytes:
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = "support@supportdesk.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id}@demo.supportdesk.example>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    cjk = any(ord(ch) > 0x2E7F for ch in body)
    message.set_content(body, charset="big5hkscs" if cjk else "utf-8")
    return message.as_bytes()


def demo_emails(ticket: Ticket | None) -> list[tuple[str, bytes]]:
    emails = [
        (
            "new-big5",
            _email(
                "demo-new-big5",
                "陳小姐 <chan.siu.ying@client.example>",
                "網上交易平台登入問題",
                "你好，\n我今日朝早開始無法登入網上交易平台，顯示「密碼錯誤」。\n唔該幫忙睇下。",
            ),
        ),
        (
            "html-only",
            _email(
                "demo-html",
                "Mark Lee <mark.lee@client.example>",
                "Chart not loading",
                "placeholder",
            )
            .replace(b"Content-Type: text/plain", b"Content-Type: text/html")
            .replace(b"placeholder", b"<p>Hello,</p><p>The <b>intraday chart</b> stays blank.</p>"),
        ),
        (
            "bounce",
            _email(
                "demo-bounce",
                "Mail Delivery System <MAILER-DAEMON@mx.client.example>",
                "Undelivered Mail Returned to Sender",
                "This is the mail system. The message could not be delivered.",
                Auto_Submitted="auto-replied",
            ),
        ),
        ("no-sender", _email("demo-no-sender", "", "who am I?", "A message without a sender.")),
    ]
    if ticket is not None:
        emails.append(
            (
                "reply",
                _email(
                    "demo-reply",
                    f"{ticket.client.name} <{ticket.client.email}>",
                    f"RE: [{ticket.reference}] {ticket.subject}",
                    "Thank you, it works again after the update.\n\n"
                    "-----Original Message-----\nFrom: SupportDesk\nSent: Monday\n\n"
                    "Please update the app and try again.",
                ),
            )
        )
        emails.append(
            (
                "forged",
                _email(
                    "demo-forged",
                    "Someone Else <someone.else@elsewhere.example>",
                    f"Re: [{ticket.reference}] {ticket.subject}",
                    "Please send me the account statement of this client.",
                ),
            )
        )
    emails += [
        (
            f"flood-{n}",
            _email(
                f"demo-flood-{n}",
                "Flood Bot <flood@spam.example>",
                f"Buy now {n}",
                "Cheap offers!",
            ),
        )
        for n in range(4)
    ]
    return emails


class Command(BaseCommand):
    help = "Add demo inbound emails (threaded, created, ignored, quarantined); idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        team = Team.objects.order_by("pk").first()
        category = Category.objects.filter(is_active=True).order_by("position", "pk").first()
        if team is None or category is None:
            self.stdout.write("seed_inbound_demo: seed the demo desk first (seed_demo).")
            return
        with transaction.atomic():
            mailbox, created = Mailbox.objects.get_or_create(
                name=MAILBOX_NAME,
                defaults={
                    "email_address": "support@supportdesk.example",
                    "host": "imap.supportdesk.example",
                    "username": "support",
                    "team": team,
                    "category": category,
                    "is_active": False,
                },
            )
            if created:
                mailbox.set_password("demo-not-a-real-password")
                mailbox.save()
        ticket = (
            Ticket.objects.filter(team=mailbox.team, status__in=Ticket.OPEN_STATUSES)
            .select_related("client")
            .order_by("pk")
            .first()
        )
        outcomes: dict[str, int] = {}
        # A low sender limit, so that the flood visibly lands in the quarantine.
        with override_settings(INBOUND_SENDER_LIMIT_PER_HOUR=2):
            for label, raw in demo_emails(ticket):
                result = inbound_email_ingest(raw=raw, mailbox=mailbox, source=f"demo:{label}")
                outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        self.stdout.write(f"Demo inbound mail: {summary}.")
