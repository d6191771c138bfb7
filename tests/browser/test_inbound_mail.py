"""Inbound mail in a real browser: an administrator reads a quarantined email (reason, escaped
raw source) and retries it; an agent moves a misfiled email to the ticket it belongs to."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, totp_code
from tests.factories import TEST_PASSWORD, TicketFactory
from tests.tickets.mail.factories import MailboxFactory, make_email
from tickets.models import InboundEmail, Message
from tickets.services.inbound import inbound_email_ingest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS) / f"inbound_mail_{name}.png"), full_page=True)


def _sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if hasattr(user, "totp_secret"):
        page.locator("input[name=code]").fill(totp_code(user.totp_secret))
        page.get_by_role("button", name="Sign In").click()
    # Signed in once the browser has left the sign-in pages (a page opened before that would
    # abort the sign-in's own navigation).
    page.wait_for_url(lambda url: "/accounts/" not in url)


def test_an_administrator_reads_the_quarantine_and_retries_an_email(
    page, live_server, administrator, team_a, settings
) -> None:
    mailbox = MailboxFactory(team=team_a)
    settings.INBOUND_SENDER_LIMIT_PER_HOUR = 0
    inbound_email_ingest(
        raw=make_email(subject="Margin call question", body="<script>alert(1)</script> help"),
        mailbox=mailbox,
    )
    settings.INBOUND_SENDER_LIMIT_PER_HOUR = 30
    _sign_in(page, administrator)

    page.goto("/administration/")
    page.get_by_role("link", name="Email quarantine").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Received emails")
    expect(page.locator("#inbound-table")).to_contain_text("Rate limited")
    page.get_by_role("link", name="Margin call question").click()
    expect(page.locator("#email-reason")).to_contain_text("Rate limited")
    expect(page.locator("#raw-source")).to_contain_text("<script>alert(1)</script> help")
    _shot(page, "quarantined")

    page.get_by_role("button", name="Retry").click()

    expect(page.locator("#email-outcome")).to_have_text("Created a ticket")
    expect(page.get_by_role("button", name="Retry")).to_have_count(0)
    _shot(page, "retried")
    assert InboundEmail.objects.get().ticket is not None


def test_an_agent_moves_a_misfiled_email_to_its_ticket(page, live_server, agent, team_a) -> None:
    mailbox = MailboxFactory(team=team_a)
    wrong = TicketFactory(team=team_a, status="open", subject="Login fails")
    right = TicketFactory(
        team=team_a, status="open", client=wrong.client, subject="Deposit missing"
    )
    inbound_email_ingest(
        raw=make_email(
            sender=wrong.client.email,
            subject=f"Re: [{wrong.reference}] Login fails",
            body="My deposit of HKD 5,000 has still not arrived.\n\n"
            "-----Original Message-----\nFrom: SupportDesk\nSent: Monday\n\nOld text",
        ),
        mailbox=mailbox,
    )
    message = Message.objects.get(ticket=wrong)
    _sign_in(page, agent)

    page.goto(f"/tickets/{wrong.pk}/")
    article = page.locator(f"#message-{message.pk}")
    expect(article.locator(".quoted-history")).not_to_have_attribute("open", "")
    article.get_by_text("Why is this email here?").click()
    expect(article.locator(".mail-origin")).to_contain_text(f"The subject names {wrong.reference}.")
    article.get_by_text("Move to another ticket").click()
    article.get_by_label("Reference of the ticket it belongs to").fill(right.reference)
    _shot(page, "before_move")
    article.get_by_role("button", name="Move", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/tickets/{right.pk}/#message-{message.pk}")
    expect(page.locator(f"#message-{message.pk}")).to_contain_text("My deposit of HKD 5,000")
    expect(page.locator("#timeline")).to_contain_text(
        f"moved a client message here from {wrong.reference}"
    )
    _shot(page, "after_move")
    message.refresh_from_db()
    assert message.ticket_id == right.pk
