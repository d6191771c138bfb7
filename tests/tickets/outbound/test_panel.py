"""The ticket page's *Emails to the client* panel and its *Send again now* button: scoped like
the ticket (404 for another team), the button for those who work the ticket only (403)."""

from unittest import mock

import pytest

from tests.factories import CategoryFactory, ClientFactory
from tickets.models import OutboundEmail
from tickets.services import tickets as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_email(team_a):
    ticket = services.ticket_create(
        actor=None,
        client=ClientFactory(),
        subject="Hi",
        description="Help",
        category=CategoryFactory(),
        team=team_a,
    )
    email = OutboundEmail.objects.get(ticket=ticket)
    email.status = OutboundEmail.Status.FAILED
    email.attempts = 8
    email.last_error = "SMTPServerDisconnected: Connection unexpectedly closed"
    email.save()
    return email


def _urls(email):
    base = f"/tickets/{email.ticket_id}/emails/"
    return base, f"{base}{email.pk}/resend/"


def test_the_panel_shows_the_error_to_the_team(
    client, agent, failed_email, django_assert_max_num_queries
):
    panel, _resend = _urls(failed_email)
    client.force_login(agent)
    with django_assert_max_num_queries(10):
        response = client.get(panel)

    assert response.status_code == 200
    assert "SMTPServerDisconnected" in response.content.decode()
    assert "Send again now" in response.content.decode()


def test_another_team_gets_404(client, outsider, failed_email):
    panel, resend = _urls(failed_email)
    client.force_login(outsider)
    with mock.patch("tickets.views.outbound_mail.outbound_email_enqueue") as enqueue:
        assert client.get(panel).status_code == 404
        assert client.post(resend).status_code == 404
    enqueue.assert_not_called()


def test_a_reader_sees_the_panel_but_cannot_resend(client, manager, failed_email):
    panel, resend = _urls(failed_email)
    client.force_login(manager)
    with mock.patch("tickets.views.outbound_mail.outbound_email_enqueue") as enqueue:
        page = client.get(panel)
        assert page.status_code == 200
        assert "Send again now" not in page.content.decode()
        assert client.post(resend).status_code == 403
    enqueue.assert_not_called()


def test_a_client_gets_403(client, client_user, failed_email):
    panel, resend = _urls(failed_email)
    client.force_login(client_user)
    assert client.get(panel).status_code == 403
    assert client.post(resend).status_code == 403


def test_the_agent_queues_it_again(client, agent, failed_email):
    _panel, resend = _urls(failed_email)
    client.force_login(agent)
    with mock.patch("tickets.views.outbound_mail.outbound_email_enqueue") as enqueue:
        response = client.post(resend)
    assert response.status_code == 302
    enqueue.assert_called_once_with(email_id=failed_email.pk)
