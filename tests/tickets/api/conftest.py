"""Fixtures of the tickets API tests: a ticket of team A raised by ``client_user``'s client,
with a public reply and an internal note, each with an attachment."""

import pytest
from django.core.files.base import ContentFile

from tests.factories import MessageFactory, ResolutionCodeFactory, TicketFactory
from tickets.models import Article, Attachment, KnowledgeCategory, Message


def _attach(message: Message, name: str) -> Attachment:
    attachment = Attachment(
        message=message, original_name=name, content_type="text/plain", size=5, sha256="0" * 64
    )
    attachment.file.save(name, ContentFile(b"hello"), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def ticket(team_a, client_user, agent, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    ResolutionCodeFactory()
    ticket = TicketFactory(team=team_a, client=client_user.client_profile, status="open")
    reply = MessageFactory(ticket=ticket, kind=Message.Kind.REPLY, author=agent, body="Public")
    note = MessageFactory(ticket=ticket, kind=Message.Kind.NOTE, author=agent, body="Secret note")
    ticket.public_attachment = _attach(reply, "public.txt")
    ticket.note_attachment = _attach(note, "note.txt")
    section = KnowledgeCategory.objects.create(slug="access", name_en="Access", name_zh_hant="登入")
    ticket.article = Article.objects.create(category=section, title_en="Reset 2FA", body_en="Hi")
    return ticket
