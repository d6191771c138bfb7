"""The send task's retry policy and the seed of portal demo data."""

import io
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core.management import call_command

from tests.factories import (
    CategoryFactory,
    ClientFactory,
    ResolvedTicketFactory,
    TeamFactory,
)
from tickets.models import OutboundEmail, SatisfactionRating
from tickets.services import tickets as services
from tickets.tasks import outbound as tasks

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("retries", "low", "high"),
    [(0, 30, 37), (1, 60, 75), (3, 240, 300), (20, 3600, 4500)],
)
def test_backoff_grows_exponentially_and_is_capped(retries, low, high):
    assert low <= tasks.backoff_seconds(retries) <= high


@pytest.fixture
def queued_email(team_a):
    ticket = services.ticket_create(
        actor=None,
        client=ClientFactory(),
        subject="Hi",
        description="Help",
        category=CategoryFactory(),
        team=team_a,
    )
    return OutboundEmail.objects.get(ticket=ticket)


def test_a_failed_send_is_retried_until_the_attempt_limit(queued_email, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard port: nothing listens, connection refused
    settings.OUTBOUND_MAX_ATTEMPTS = 2

    with mock.patch.object(tasks.outbound_send_task, "retry", side_effect=Retry) as retry:
        with pytest.raises(Retry):
            tasks.outbound_send_task.run(queued_email.pk)
        tasks.outbound_send_task.run(queued_email.pk)

    assert retry.call_count == 1
    queued_email.refresh_from_db()
    assert queued_email.status == "failed"
    assert queued_email.attempts == 2


def test_a_sent_mail_is_never_sent_twice(queued_email, mailoutbox):
    tasks.outbound_send_task.run(queued_email.pk)
    tasks.outbound_send_task.run(queued_email.pk)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].extra_headers["Message-ID"] == queued_email.email_message_id


def test_seed_portal_demo_is_idempotent(db):
    TeamFactory()
    CategoryFactory()
    ResolvedTicketFactory.create_batch(20)
    out = io.StringIO()
    call_command("seed_portal_demo", stdout=out)
    first = SatisfactionRating.objects.count()
    call_command("seed_portal_demo", stdout=out)

    assert 0 < first < 20
    assert SatisfactionRating.objects.count() == first
    assert "client.zh@client.example created" in out.getvalue()
    assert "client.zh@client.example present; 0 satisfaction ratings added" in out.getvalue()
