"""The ticket page's escalation panel shows a Jira-backed escalation: its issue and status, or
the error that kept the issue from being created."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_board_escalation import _sign_in
from tests.factories import TicketFactory
from tickets.models import Escalation, InternalTeam, Ticket
from tickets.services.tickets import ticket_escalate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_escalation_panel_shows_the_jira_issue_and_failures(page, agent, team_a):
    engineering = InternalTeam.objects.create(
        name="Trading Platform", contact_email="eng@example.com", jira_project_key="ENG"
    )
    market = InternalTeam.objects.create(
        name="Market Data", contact_email="md@example.com", jira_project_key="MD"
    )
    ticket = TicketFactory(team=team_a, assignee=agent, status=Ticket.Status.OPEN)
    ticket_escalate(actor=agent, ticket=ticket, reason="Orders rejected", internal_team=engineering)
    ticket_escalate(actor=agent, ticket=ticket, reason="Quotes stale", internal_team=market)
    Escalation.objects.filter(internal_team=engineering).update(
        jira_issue_key="ENG-42", jira_status="In Progress"
    )
    Escalation.objects.filter(internal_team=market).update(
        jira_error="Jira answered 503: Service unavailable", jira_attempts=3
    )

    _sign_in(page, agent, "My tickets")
    page.goto(f"/tickets/{ticket.pk}/")
    panel = page.locator(f"#escalation-{Escalation.objects.get(internal_team=engineering).pk}")
    expect(panel).to_contain_text("Jira issue ENG-42 · status In Progress")
    failed = page.locator(f"#escalation-{Escalation.objects.get(internal_team=market).pk}")
    expect(failed).to_contain_text("The Jira issue could not be created (3 attempts):")
    failed.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "jira_escalation_panel.png"), full_page=True)
