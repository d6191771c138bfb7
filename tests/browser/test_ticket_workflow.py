"""An agent works a ticket in a real browser: from the team queue to the ticket, a reply written
with a team macro (with a screenshot attached), an internal note, and the resolution; the
timeline then shows all of it. A second test shows presence and a stale in-place edit."""

from pathlib import Path

import factory
import pytest
from playwright.sync_api import expect

from teams.access import Role
from tests.browser.conftest import ARTIFACTS
from tests.factories import (
    TEST_PASSWORD,
    ClientFactory,
    MembershipFactory,
    ResolutionCodeFactory,
    TicketFactory,
    UserFactory,
)
from tickets.models import Macro, Ticket
from tickets.services.tickets import ticket_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


class MacroFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Macro

    name = factory.Sequence(lambda n: f"Macro {n}")
    body_en = "Hi {client_name}, about {ticket_reference}: we are on it. {agent_name}"
    body_zh_hant = "{client_name}您好，關於 {ticket_reference}：我們正在處理。{agent_name}"


@pytest.fixture(autouse=True)
def _memory_storage(settings) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }


@pytest.fixture
def ticket(team_a):
    return TicketFactory(
        team=team_a,
        client=ClientFactory(name="Chan Tai Man", tier="pro", time_zone="Asia/Hong_Kong"),
        subject="Desktop platform freezes at login",
        description="Since the update the desktop platform freezes on the login screen.",
        platform_os="Windows 11",
        app_version="5.2.0",
        status=Ticket.Status.NEW,
    )


def _sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My tickets")


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(Path(ARTIFACTS) / f"ticket_workflow_{name}.png"), full_page=True)


def test_an_agent_replies_with_a_macro_notes_and_resolves(page, live_server, agent, team_a, ticket):
    MacroFactory(
        team=team_a,
        name="Login freeze: first answer",
        body_en="Hi {client_name}, please clear the cache and restart. ({ticket_reference})",
        set_status=Ticket.Status.PENDING_CLIENT,
    )
    ResolutionCodeFactory(slug="fixed", name_en="Fixed by agent")

    _sign_in(page, agent)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Team queue"
    ).click()
    page.get_by_role("link", name=ticket.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Desktop platform freezes at login"
    )
    expect(page.locator(".client-card")).to_contain_text("Chan Tai Man")
    _shot(page, "1_opened")

    # Reply with the team macro (which also sets the status to Pending client) and a screenshot.
    page.get_by_text("Insert a macro").click()
    page.get_by_role("button", name="Login freeze: first answer").click()
    expect(page.locator("#reply-body")).to_have_value(
        f"Hi Chan Tai Man, please clear the cache and restart. ({ticket.reference})"
    )
    expect(page.locator("#macro-effects")).to_contain_text("set status to Pending client")
    page.locator("#reply-files").set_input_files(
        files=[{"name": "steps.png", "mimeType": "image/png", "buffer": PNG}]
    )
    _shot(page, "2_macro_applied")
    page.get_by_role("button", name="Send reply").click()
    expect(page.get_by_text("Your reply was added.")).to_be_visible()
    expect(page.locator(".ticket-badges .badge").first).to_have_text("Pending client")

    # An internal note from the quick action.
    page.get_by_role("link", name="Internal note", exact=True).click()
    page.locator("#note-body").fill("Client is on 5.2.0; QA reproduced the freeze on Windows 11.")
    page.get_by_role("button", name="Add internal note").click()
    expect(page.get_by_text("Your internal note was added.")).to_be_visible()

    # Resolve with a resolution code and summary.
    page.locator("summary", has_text="Resolve").click()
    page.get_by_label("Resolution code").select_option(label="Fixed by agent")
    page.get_by_label("Resolution summary").fill("Cache corruption after the update; cleared it.")
    page.get_by_role("button", name="Resolve ticket").click()
    expect(page.get_by_text("The ticket is now Resolved.")).to_be_visible()

    timeline = page.locator("#timeline")
    reply = timeline.locator("article.msg-reply")
    expect(reply).to_contain_text("please clear the cache and restart")
    expect(reply).to_contain_text("Public reply")
    expect(reply.locator("img.thumb")).to_be_visible()
    note = timeline.locator("article.msg-note")
    expect(note).to_contain_text("Internal note")
    expect(note).to_contain_text("QA reproduced the freeze")
    expect(timeline).to_contain_text("changed the status: Status New → Pending client")
    expect(timeline).to_contain_text("resolved the ticket: Status Pending client → Resolved")
    expect(timeline).to_contain_text("Resolution code → Fixed by agent")
    expect(timeline).to_contain_text("Cache corruption after the update; cleared it.")
    expect(page.locator(".ticket-badges .badge").first).to_have_text("Resolved")
    page.locator("#timeline").scroll_into_view_if_needed()
    _shot(page, "3_resolved")


def test_presence_and_a_stale_edit_are_shown_in_the_browser(
    browser, page, live_server, agent, team_a, ticket
):
    colleague = UserFactory(email="bob@desk.example", full_name="Bob Builder", roles=[Role.AGENT])
    MembershipFactory(team=team_a, user=colleague)

    _sign_in(page, agent)
    page.goto(f"/tickets/{ticket.pk}/")

    other = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    try:
        bob = other.new_page()
        _sign_in(bob, colleague)
        bob.goto(f"/tickets/{ticket.pk}/")
        bob.locator("#reply-body").press_sequentially("Hello", delay=50)
        expect(page.locator("#presence")).to_contain_text("Bob Builder is replying", timeout=12_000)
    finally:
        other.close()

    # Bob changes the priority behind Alice's back; her edit is refused and she may re-apply.
    ticket_update(actor=colleague, ticket=ticket, changes={"priority": 1}, expected_version=1)
    page.get_by_label("Priority", exact=True).select_option(label="P4 low")
    conflict = page.locator("#field-priority .field-error")
    expect(conflict).to_contain_text("Someone else changed this ticket")
    expect(conflict).to_contain_text("Priority: now “P1 urgent”")
    expect(page.locator(".ticket-badges")).to_contain_text("P1 urgent")
    _shot(page, "4_conflict")
    conflict.get_by_role("button", name="Apply my value “P4 low” anyway").click()
    expect(page.locator("#field-priority")).to_contain_text("Saved")
    expect(page.locator(".ticket-badges")).to_contain_text("P4 low")

    # On a narrow screen the sidebar follows the conversation and the actions stay reachable.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.get_by_role("button", name="Assign to me")).to_be_in_viewport()
    _shot(page, "5_narrow")
