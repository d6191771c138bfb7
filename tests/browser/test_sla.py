"""SLA in a real browser: a supervisor builds a calendar and a policy and previews due times;
an agent sees the running clocks on the ticket page, colour coded, with their timeline."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, totp_code
from tests.factories import TEST_PASSWORD, CategoryFactory, ClientFactory
from tests.metrics.factories import policy_with_targets
from tickets.services.tickets import ticket_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if hasattr(user, "totp_secret"):
        page.locator("input[name=code]").fill(totp_code(user.totp_secret))
        page.get_by_role("button", name="Sign In").click()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_supervisor_builds_a_calendar_and_policy_and_previews_due_times(page, supervisor):
    _sign_in(page, supervisor)
    page.get_by_role("link", name="SLA", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SLA policies and calendars")

    page.get_by_role("link", name="New calendar").click()
    page.locator("input[name=name]").fill("HK office")
    page.locator("select[name=time_zone]").select_option("Asia/Hong_Kong")
    page.locator("textarea[name=weekly_hours]").fill("mon 09:00-09:00")
    page.get_by_role("button", name="Save calendar").click()
    expect(page.get_by_role("alert").first).to_contain_text("zero-length interval")
    page.locator("textarea[name=weekly_hours]").fill(
        "\n".join(f"{day} 09:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri"))
    )
    page.locator("select[name=holiday_source]").select_option("public")
    page.get_by_role("button", name="Save calendar").click()
    expect(page.get_by_text("Calendar “HK office” saved.")).to_be_visible()

    page.goto("/metrics/sla/policies/new/")
    page.locator("input[name=name]").fill("Standard")
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_role("alert").first).to_contain_text("at least one target")
    page.locator("input[name=first_response_minutes]").fill("480")
    page.locator("select[name=first_response_calendar]").select_option(label="HK office")
    page.locator("input[name=resolution_minutes]").fill("2700")
    page.locator("select[name=resolution_calendar]").select_option(label="HK office")
    page.get_by_role("button", name="Save policy").click()
    expect(page.get_by_text("Policy “Standard” saved as version 1.")).to_be_visible()

    page.locator("select[name=policy]").select_option(label="Standard v1")
    page.locator("input[name=start]").fill("2026-07-10T09:00")
    page.get_by_role("button", name="Show due times").click()
    # Friday 09:00 + 8 business hours is Friday 17:00; + 45 business hours is Thursday 18:00.
    first = page.locator("tr[data-metric=first_response]")
    expect(first).to_contain_text("Fri 2026-07-10 17:00 HKT")
    expect(page.locator("tr[data-metric=resolution]")).to_contain_text("Thu 2026-07-16 18:00 HKT")
    _shot(page, "sla_policy_preview.png")


def test_agent_sees_running_clocks_on_the_ticket_page(page, agent, team_a):
    policy_with_targets(first_response=timedelta(minutes=10), resolution=timedelta(hours=8))
    ticket = ticket_create(
        actor=agent,
        client=ClientFactory(name="Chan Tai Man"),
        subject="Order stuck in pending",
        description="My HK stock order has been pending for an hour.",
        category=CategoryFactory(),
        team=team_a,
    )
    _sign_in(page, agent)
    page.goto(f"/tickets/{ticket.pk}/")
    panel = page.locator("#sla-clocks")
    expect(panel.locator("[data-metric=first_response]")).to_contain_text("left")
    expect(panel.locator("[data-metric=first_response]")).to_have_class("sla-clock sla-ok")
    expect(panel.locator("[data-metric=resolution]")).to_contain_text("Running")
    panel.locator("[data-metric=first_response] summary").click()
    expect(panel.locator("[data-metric=first_response] .sla-timeline")).to_contain_text("Started")
    _shot(page, "sla_ticket_clocks.png")
