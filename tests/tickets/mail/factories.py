"""Factories of the inbound-mail models and helpers to build raw emails in tests."""

import uuid
from email.message import EmailMessage

import factory
from django.utils import timezone

from tests.factories import CategoryFactory, TeamFactory, TicketFactory
from tickets.models import Mailbox, OutboundEmail


class MailboxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mailbox
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"support-{n}")
    email_address = "support@supportdesk.example"
    host = "127.0.0.1"
    port = 8143
    use_ssl = False
    username = "support"
    team = factory.SubFactory(TeamFactory)
    category = factory.SubFactory(CategoryFactory)

    @factory.post_generation
    def password(self, create: bool, extracted: str | None, **kwargs: object) -> None:
        self.set_password(extracted or "imap-secret")
        if create:
            self.save()


class OutboundEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundEmail

    ticket = factory.SubFactory(TicketFactory)
    kind = "reply"
    email_message_id = factory.Sequence(lambda n: f"<sd-{n}@supportdesk.example>")
    to_address = factory.LazyAttribute(lambda row: row.ticket.client.email)
    subject = factory.LazyAttribute(lambda row: f"[{row.ticket.reference}] {row.ticket.subject}")
    body_text = "Please try again."
    language = "en"
    status = OutboundEmail.Status.SENT
    created_at = factory.LazyFunction(timezone.now)


def make_email(
    *,
    sender: str = "Chan Tai Man <client@mail.example>",
    subject: str = "Cannot log in",
    body: str = "I cannot log in since this morning.",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    cc: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
) -> bytes:
    """A well-formed email as bytes (for the cases where the fixture is not the point)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@supportdesk.example"
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Message-ID"] = message_id or f"<{uuid.uuid4()}@mail.example>"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, content, content_type in attachments:
        maintype, subtype = content_type.split("/", 1)
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()
