"""A supervisor watches the board: a new escalation appears without reloading, the supervisor
reassigns it to another agent in two clicks, and that agent finds it in their queue."""

import pytest
from playwright.sync_api import expect

from teams.access import Role
from tests.browser.conftest import ARTIFACTS, totp_code
from tests.factories import TEST_PASSWORD, MembershipFactory, TicketFactory, UserFactory
from tests.tickets.factories import make_routable
from tickets.models import Ticket
from tickets.services.tickets import ticket_escalate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, user, heading: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if hasattr(user, "totp_secret"):
        page.locator("input[name=code]").fill(totp_code(user.totp_secret))
        page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def test_a_new_escalation_appears_is_reassigned_and_lands_in_the_agents_queue(
    page, browser, live_server, supervisor, agent, team_a
):
    bob = UserFactory(email="bob@desk.example", full_name="Bob Backup", roles=[Role.AGENT])
    MembershipFactory(team=team_a, user=bob)
    make_routable(bob, capacity=5)
    make_routable(agent, capacity=5)
    ticket = TicketFactory(
        team=team_a, assignee=agent, status=Ticket.Status.OPEN, subject="Margin call not shown"
    )

    _sign_in(page, supervisor, "Supervisor board")
    escalations = page.locator("#panel-escalations")
    expect(escalations).to_contain_text("No escalation is waiting for you.")

    ticket_escalate(actor=agent, ticket=ticket, reason="Client lost money, wants a call back.")
    row = escalations.locator(f"tr[data-ticket-id='{ticket.pk}']")
    expect(row).to_contain_text("Client lost money", timeout=20_000)  # no reload: htmx polling
    page.screenshot(path=str(ARTIFACTS / "board_escalation_appeared.png"), full_page=True)

    row.get_by_label("Assign to").select_option(label="Bob Backup")
    row.get_by_role("button", name="Assign").click()
    expect(page.locator(".messages")).to_contain_text("1 ticket(s) changed")
    expect(
        page.locator(f"#panel-escalations tr[data-ticket-id='{ticket.pk}'] .col-assignee")
    ).to_have_text("Bob Backup")
    page.screenshot(path=str(ARTIFACTS / "board_escalation_reassigned.png"), full_page=True)

    bob_context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 860}
    )
    bob_page = bob_context.new_page()
    _sign_in(bob_page, bob, "My tickets")
    expect(bob_page.get_by_text("Margin call not shown")).to_be_visible()
    bob_page.screenshot(path=str(ARTIFACTS / "board_escalation_bob_queue.png"), full_page=True)
    bob_context.close()
