"""A client and an agent in real browsers: the client submits a request in the portal, the
agent replies and resolves it, the client reads the reply in the portal and rates the
resolution from the link in the mail that a real SMTP server on loopback received."""

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from supportdesk.celery import app as celery_app
from tests.browser.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD, CategoryFactory, ResolutionCodeFactory
from tests.tickets.outbound.conftest import smtp_server  # noqa: F401 - fixture
from tickets.models import SatisfactionRating, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _memory_storage(settings) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def eager_mail(settings, live_server):
    """Send task inline; links in the mails point at the live server."""
    settings.SITE_URL = live_server.url
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS) / f"client_portal_{name}.png"), full_page=True)


def _sign_in(page, user, heading: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def test_client_submits_agent_replies_client_reads_and_rates(
    browser,
    page,
    live_server,
    client_user,
    agent,
    team_a,
    smtp_server,  # noqa: F811 - the fixture imported above
    eager_mail,
):
    EmailAddress.objects.create(
        user=client_user, email=client_user.email, verified=True, primary=True
    )
    CategoryFactory(slug="funding", name_en="Deposits and withdrawals", name_zh_hant="存款及提款")
    ResolutionCodeFactory(slug="fixed", name_en="Fixed by agent")

    # The client submits a request.
    _sign_in(page, client_user, "My requests")
    page.get_by_role("link", name="New request").click()
    page.get_by_label("What is it about?").select_option(label="Deposits and withdrawals")
    page.get_by_label("Subject (optional)").fill("Deposit not credited")
    page.get_by_label("Describe the problem").fill("I deposited HKD 5,000 yesterday via FPS.")
    _shot(page, "1_new_request")
    page.get_by_role("button", name="Submit request").click()
    ticket = Ticket.objects.get(client__user=client_user)
    expect(page.get_by_text(f"Your request {ticket.reference} has been received.")).to_be_visible()
    received = smtp_server.messages()[0]
    assert ticket.reference in received["Subject"]

    # The agent replies and resolves in the agent workspace.
    other = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    try:
        desk = other.new_page()
        _sign_in(desk, agent, "My tickets")
        desk.goto(f"/tickets/{ticket.pk}/")
        desk.locator("#reply-body").fill("We found your deposit; it is credited now.")
        desk.get_by_role("button", name="Send reply").click()
        expect(desk.get_by_text("Your reply was added.")).to_be_visible()
        desk.get_by_role("link", name="Internal note", exact=True).click()
        desk.locator("#note-body").fill("Bank batch was late; do not tell the client.")
        desk.get_by_role("button", name="Add internal note").click()
        expect(desk.get_by_text("Your internal note was added.")).to_be_visible()
        desk.locator("summary", has_text="Resolve").click()
        desk.get_by_label("Resolution code").select_option(label="Fixed by agent")
        desk.get_by_label("Resolution summary").fill("Deposit credited manually.")
        desk.get_by_role("button", name="Resolve ticket").click()
        expect(desk.get_by_text("The ticket is now Resolved.")).to_be_visible()
        expect(desk.locator("#ticket-emails")).to_contain_text("Sent")
        desk.screenshot(path=str(ARTIFACTS / "client_portal_2_agent.png"), full_page=True)
    finally:
        other.close()

    # The client sees the reply (never the note) in the portal.
    page.goto(f"/tickets/portal/{ticket.pk}/")
    conversation = page.locator("#portal-conversation")
    expect(conversation).to_contain_text("We found your deposit; it is credited now.")
    expect(conversation).not_to_contain_text("Bank batch")
    expect(page.locator("#portal-status")).to_have_text("Resolved")
    expect(page.get_by_text("Deposit credited manually.")).to_be_visible()
    _shot(page, "3_client_sees_reply")

    # …and rates the resolution with one click from the mail.
    kinds = [message["Subject"] for message in smtp_server.messages()]
    assert len(kinds) == 3
    resolved = smtp_server.messages()[-1]
    text = resolved.get_body(("plain",)).get_content()
    link = re.search(r"5: (\S+)", text).group(1)
    assert link.startswith(live_server.url)
    page.goto(link)
    expect(page.locator("#csat-thanks")).to_contain_text("5 out of 5")
    page.get_by_label("Anything you would like to add? (optional)").fill("Fast and friendly")
    page.get_by_role("button", name="Send comment").click()
    expect(page.locator("#csat-commented")).to_be_visible()
    _shot(page, "4_rated")
    rating = SatisfactionRating.objects.get(ticket=ticket)
    assert (rating.score, rating.comment) == (5, "Fast and friendly")
