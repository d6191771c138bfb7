"""The client portal: a verified client sees and works only their own tickets' public
conversation; signed links; the rate limit; staff and other clients are kept out."""

import re
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from teams.access import Role
from tests.factories import (
    CategoryFactory,
    ClientFactory,
    MessageFactory,
    TicketFactory,
    UserFactory,
)
from tests.tickets.portal_factories import AttachmentFactory
from tickets.mail.outbound_links import portal_token
from tickets.models import Message, OutboundEmail, Ticket
from tickets.services import tickets as services

pytestmark = pytest.mark.django_db


def _verify(user) -> None:
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)


@pytest.fixture
def portal_client(client_user):
    _verify(client_user)
    return client_user


@pytest.fixture
def other_client_user(db):
    user = UserFactory(email="b@mail.example", full_name="Client Bee", roles=[Role.CLIENT])
    ClientFactory(user=user, email=user.email, name=user.full_name)
    _verify(user)
    return user


@pytest.fixture
def own_ticket(portal_client, team_a, agent):
    ticket = TicketFactory(
        client=portal_client.client_profile,
        team=team_a,
        assignee=agent,
        subject="Cannot see my portfolio",
        description="The portfolio page is blank.",
    )
    MessageFactory(
        ticket=ticket,
        kind=Message.Kind.REPLY,
        author=agent,
        body="Try again",
        body_html="<p>Public answer from agent</p>",
    )
    MessageFactory(
        ticket=ticket,
        kind=Message.Kind.NOTE,
        author=agent,
        body="secret",
        body_html="<p>INTERNAL NOTE: client is annoying</p>",
    )
    return ticket


def test_client_sees_own_ticket_public_conversation_only(
    client, portal_client, own_ticket, team_a, django_assert_max_num_queries
):
    client.force_login(portal_client)
    with django_assert_max_num_queries(12):
        response = client.get(f"/tickets/portal/{own_ticket.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Public answer from agent" in page
    assert "The portfolio page is blank." in page
    assert "INTERNAL NOTE" not in page
    assert team_a.name not in page
    assert "agent@desk.example" not in page


def test_client_never_sees_another_clients_ticket(
    client, portal_client, other_client_user, own_ticket
):
    client.force_login(other_client_user)

    assert client.get(f"/tickets/portal/{own_ticket.pk}/").status_code == 404
    response = client.post(f"/tickets/portal/{own_ticket.pk}/reply/", {"body": "hijack"})
    assert response.status_code == 404
    assert client.post(f"/tickets/portal/{own_ticket.pk}/close/").status_code == 404
    own_ticket.refresh_from_db()
    assert own_ticket.status == Ticket.Status.NEW
    assert not own_ticket.messages.filter(body="hijack").exists()


def test_attachments_of_internal_notes_and_other_clients_are_404(
    client, portal_client, other_client_user, own_ticket
):
    note = own_ticket.messages.get(kind=Message.Kind.NOTE)
    reply = own_ticket.messages.get(kind=Message.Kind.REPLY)
    hidden = AttachmentFactory(message=note, original_name="internal.txt")
    public = AttachmentFactory(message=reply, original_name="guide.txt")
    client.force_login(portal_client)
    assert client.get(f"/tickets/portal/attachments/{hidden.pk}/").status_code == 404
    response = client.get(f"/tickets/portal/attachments/{public.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"abc"
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(other_client_user)
    assert client.get(f"/tickets/portal/attachments/{public.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["agent", "outsider"])
def test_staff_cannot_use_the_portal(client, request, persona, own_ticket):
    client.force_login(request.getfixturevalue(persona))

    assert client.get("/tickets/portal/new/").status_code == 403
    assert client.get(f"/tickets/portal/{own_ticket.pk}/").status_code == 403
    assert client.post(f"/tickets/portal/{own_ticket.pk}/close/").status_code == 403
    own_ticket.refresh_from_db()
    assert own_ticket.status == Ticket.Status.NEW


def test_anonymous_visitor_is_sent_to_sign_in(client, own_ticket):
    response = client.get(f"/tickets/portal/{own_ticket.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unverified_client_is_asked_to_verify_first(client, client_user, own_ticket, mailoutbox):
    EmailAddress.objects.filter(user=client_user).update(verified=False)
    client.force_login(client_user)
    response = client.get(f"/tickets/portal/{own_ticket.pk}/")
    assert response.status_code == 403
    assert "Verify your email address" in response.content.decode()

    sent = client.post("/tickets/portal/verify-email/")
    assert sent.status_code == 200
    assert EmailAddress.objects.filter(user=client_user, verified=False).count() == 1
    (mail,) = mailoutbox
    assert mail.to == [client_user.email]
    confirm = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.body).group(1)
    client.post(confirm)
    assert EmailAddress.objects.get(user=client_user).verified
    assert client.get(f"/tickets/portal/{own_ticket.pk}/").status_code == 200


def test_client_submits_a_ticket_with_an_attachment(client, portal_client, team_a):
    category = CategoryFactory()
    client.force_login(portal_client)
    response = client.post(
        "/tickets/portal/new/",
        {
            "category": category.pk,
            "subject": "",
            "description": "My order shows twice in the blotter.",
            "attachments": [SimpleUploadedFile("screen.png", b"\x89PNG\r\n\x1a\nfake")],
        },
    )

    ticket = Ticket.objects.get(client__user=portal_client)
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/portal/{ticket.pk}/"
    assert ticket.subject == "My order shows twice in the blotter."
    assert ticket.channel == "web"
    assert ticket.team == team_a
    first = ticket.messages.get()
    assert first.kind == Message.Kind.CLIENT
    assert first.attachments.get().original_name == "screen.png"
    assert OutboundEmail.objects.get(ticket=ticket).kind == "received"


def test_bad_input_is_refused_and_nothing_saved(client, portal_client, team_a):
    client.force_login(portal_client)
    response = client.post("/tickets/portal/new/", {"category": "999", "description": "x"})
    assert response.status_code == 400
    blocked = client.post(
        "/tickets/portal/new/",
        {
            "category": CategoryFactory().pk,
            "description": "see attached",
            "attachments": [SimpleUploadedFile("run.exe", b"MZ")],
        },
    )
    assert blocked.status_code == 415
    assert Ticket.objects.count() == 0


def test_client_replies_and_closes(client, portal_client, own_ticket):
    client.force_login(portal_client)
    response = client.post(f"/tickets/portal/{own_ticket.pk}/reply/", {"body": "Still blank"})
    assert response.status_code == 302
    assert own_ticket.messages.filter(kind="client", body="Still blank").exists()

    closed = client.post(f"/tickets/portal/{own_ticket.pk}/close/")
    assert closed.status_code == 302
    own_ticket.refresh_from_db()
    assert own_ticket.status == Ticket.Status.CLOSED
    assert own_ticket.resolution_code.slug == "closed-by-client"
    assert not OutboundEmail.objects.filter(ticket=own_ticket, kind="resolved").exists()
    again = client.post(f"/tickets/portal/{own_ticket.pk}/close/")
    assert again.status_code == 409


def test_portal_writes_are_rate_limited_per_client(client, portal_client, own_ticket, settings):
    settings.PORTAL_WRITES_PER_HOUR = 2
    client.force_login(portal_client)
    for body in ("one", "two"):
        assert (
            client.post(f"/tickets/portal/{own_ticket.pk}/reply/", {"body": body}).status_code
            == 302
        )
    refused = client.post(f"/tickets/portal/{own_ticket.pk}/reply/", {"body": "three"})

    assert refused.status_code == 429
    assert not own_ticket.messages.filter(body="three").exists()


def test_signed_link_opens_that_ticket_only(client, own_ticket, team_a):
    other = TicketFactory(team=team_a)
    token = portal_token(ticket_id=own_ticket.pk, client_id=own_ticket.client_id)

    response = client.get(f"/tickets/portal/link/{token}/")
    assert response.status_code == 302
    page = client.get(f"/tickets/portal/{own_ticket.pk}/")
    assert page.status_code == 200
    assert "INTERNAL NOTE" not in page.content.decode()
    assert client.get(f"/tickets/portal/{other.pk}/").status_code == 404
    assert (
        client.post(f"/tickets/portal/{own_ticket.pk}/reply/", {"body": "via link"}).status_code
        == 302
    )
    assert own_ticket.messages.filter(body="via link", kind="client").exists()


def test_tampered_or_expired_links_are_refused(client, own_ticket, settings):
    token = portal_token(ticket_id=own_ticket.pk, client_id=own_ticket.client_id)
    forged = signing.dumps({"t": own_ticket.pk + 1, "c": own_ticket.client_id}, salt="other")
    assert client.get(f"/tickets/portal/link/{token[:-2]}xx/").status_code == 404
    assert client.get(f"/tickets/portal/link/{forged}/").status_code == 404
    with time_machine.travel(timezone.now() + timedelta(days=settings.PORTAL_LINK_DAYS + 1)):
        assert client.get(f"/tickets/portal/link/{token}/").status_code == 403
    assert client.get(f"/tickets/portal/{own_ticket.pk}/").status_code == 302


def test_client_home_lists_own_tickets_with_portal_links(client, portal_client, own_ticket):
    client.force_login(portal_client)
    page = client.get("/tickets/my-requests/").content.decode()
    assert f"/tickets/portal/{own_ticket.pk}/" in page
    assert "/tickets/portal/new/" in page


def test_agent_reply_reaches_the_portal(client, portal_client, own_ticket, agent):
    services.message_add_reply(actor=agent, ticket=own_ticket, body="We fixed **it**")
    client.force_login(portal_client)
    page = client.get(f"/tickets/portal/{own_ticket.pk}/").content.decode()
    assert "We fixed <strong>it</strong>" in page


def test_weak_passwords_and_existing_accounts_are_refused(client, own_ticket, team_a):
    newcomer = TicketFactory(team=team_a)
    token = portal_token(ticket_id=newcomer.pk, client_id=newcomer.client_id)
    client.get(f"/tickets/portal/link/{token}/")
    page = client.get(f"/tickets/portal/{newcomer.pk}/").content.decode()
    assert "Create a portal account" in page
    weak = client.post(
        f"/tickets/portal/{newcomer.pk}/account/", {"password1": "123", "password2": "123"}
    )
    assert weak.status_code == 400
    newcomer.client.refresh_from_db()
    assert newcomer.client.user is None

    token = portal_token(ticket_id=own_ticket.pk, client_id=own_ticket.client_id)
    client.get(f"/tickets/portal/link/{token}/")
    own_ticket.client.user = None
    own_ticket.client.save()  # the address is already someone's sign-in
    taken = client.post(
        f"/tickets/portal/{own_ticket.pk}/account/",
        {"password1": "Harbour-view-2026!", "password2": "Harbour-view-2026!"},
    )
    assert taken.status_code == 409


def test_portal_account_is_created_verified_with_the_client_role(client, team_a):
    customer = ClientFactory(email="Lee@Mail.example", name="Lee Ka Ho", language="zh-hant")
    ticket = TicketFactory(client=customer, team=team_a)
    token = portal_token(ticket_id=ticket.pk, client_id=customer.pk)
    client.get(f"/tickets/portal/link/{token}/")
    response = client.post(
        f"/tickets/portal/{ticket.pk}/account/",
        {"password1": "Harbour-view-2026!", "password2": "Harbour-view-2026!"},
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    user = customer.user
    assert user.email == "lee@mail.example"
    assert user.language == "zh-hant"
    assert list(user.groups.values_list("name", flat=True)) == ["Client"]
    assert EmailAddress.objects.get(user=user).verified
    assert client.get("/tickets/my-requests/").status_code == 200
    assert client.get(f"/tickets/portal/{ticket.pk}/").status_code == 200
    again = client.post(
        f"/tickets/portal/{ticket.pk}/account/",
        {"password1": "Harbour-view-2026!", "password2": "Harbour-view-2026!"},
    )
    assert again.status_code == 404


def test_account_creation_needs_the_link(client, own_ticket, team_a):
    other = TicketFactory(team=team_a)
    response = client.post(
        f"/tickets/portal/{other.pk}/account/",
        {"password1": "Harbour-view-2026!", "password2": "Harbour-view-2026!"},
    )
    assert response.status_code == 404
    other.client.refresh_from_db()
    assert other.client.user is None


def test_clients_never_see_internal_status_names(client, portal_client, own_ticket):
    own_ticket.status = Ticket.Status.PENDING_INTERNAL
    own_ticket.save()
    client.force_login(portal_client)

    page = client.get(f"/tickets/portal/{own_ticket.pk}/").content.decode()
    listing = client.get("/tickets/my-requests/").content.decode()
    assert "In progress" in page and "In progress" in listing
    assert "Pending internal" not in page + listing


def test_a_signed_link_does_not_let_an_unverified_client_open_new_requests(
    client, client_user, own_ticket
):
    EmailAddress.objects.filter(user=client_user).update(verified=False)
    token = portal_token(ticket_id=own_ticket.pk, client_id=own_ticket.client_id)
    client.force_login(client_user)
    client.get(f"/tickets/portal/link/{token}/")

    assert client.get(f"/tickets/portal/{own_ticket.pk}/").status_code == 200
    refused = client.post(
        "/tickets/portal/new/", {"category": CategoryFactory().pk, "description": "new one"}
    )
    assert refused.status_code == 403
    assert Ticket.objects.count() == 1


def test_anonymous_link_follower_must_sign_in_for_new_requests(client, own_ticket):
    token = portal_token(ticket_id=own_ticket.pk, client_id=own_ticket.client_id)
    client.get(f"/tickets/portal/link/{token}/")

    response = client.get("/tickets/portal/new/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
