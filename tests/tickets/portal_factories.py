"""Factories of the portal and satisfaction tests (kept apart from tests/factories.py)."""

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import MessageFactory, ResolvedTicketFactory
from tickets.models import Attachment, SatisfactionRating


class SatisfactionRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SatisfactionRating

    ticket = factory.SubFactory(ResolvedTicketFactory)
    resolved_at = factory.LazyAttribute(lambda rating: rating.ticket.resolved_at)
    score = 5
    created_at = factory.LazyFunction(timezone.now)


class AttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attachment

    message = factory.SubFactory(MessageFactory)
    original_name = "file.txt"
    content_type = "text/plain"
    size = 3
    sha256 = "0" * 64
    file = factory.LazyAttribute(lambda a: SimpleUploadedFile(a.original_name, b"abc"))
