"""An agent creates an API token on the preferences page, sees it once, uses it against the API
and revokes it; the Swagger UI renders from the app's own files."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _api_status(url: str, token: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - the live server's http URL
        url, headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - live server
            json.load(response)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_an_agent_creates_uses_and_revokes_a_token(page, live_server, agent):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(agent.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto("/preferences/api-tokens/")
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    page.get_by_label("Name").fill("Monitoring")
    page.get_by_label("Scope").select_option("read")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text()
    assert token.startswith("sdt_")
    assert _api_status(f"{live_server.url}/api/v1/tickets", token) == 200
    page.screenshot(path="test-artifacts/api-tokens-created.png", full_page=True)
    page.goto("/preferences/api-tokens/")
    expect(page.locator("#new-token")).to_have_count(0)
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("The token was revoked.")).to_be_visible()
    assert _api_status(f"{live_server.url}/api/v1/tickets", token) == 401


def test_the_swagger_ui_renders_offline(page, live_server, agent):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(agent.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state("networkidle")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/docs/")
    expect(page.get_by_text("SupportDesk API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/tickets").first).to_be_visible()
    assert any("swagger-ui" in url for url in requested)
    assert all(url.startswith(live_server.url) for url in requested), requested
