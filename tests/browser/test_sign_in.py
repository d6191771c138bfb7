"""Each role signs in (with a TOTP code where required), lands on its home page, switches the
interface to 繁體中文 and sees the page translated."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import totp_code
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME_PAGES = [
    # persona fixture, home path, heading in English, heading in Traditional Chinese
    ("agent", "/tickets/mine/", "My tickets", "我的工單"),
    ("supervisor", "/metrics/board/", "Supervisor board", "主管看板"),
    ("manager", "/metrics/desk/", "Desk overview", "服務台概覽"),
    ("administrator", "/administration/", "Administration", "系統管理"),
    ("client_user", "/tickets/my-requests/", "My requests", "我的請求"),
]


@pytest.mark.parametrize(
    ("persona", "home", "heading", "heading_zh"), HOME_PAGES, ids=[row[0] for row in HOME_PAGES]
)
def test_each_role_signs_in_lands_home_and_reads_it_in_chinese(
    page, live_server, request, persona, home, heading, heading_zh
):
    user = request.getfixturevalue(persona)
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if hasattr(user, "totp_secret"):
        expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
        page.locator("input[name=code]").fill(totp_code(user.totp_secret))
        page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{live_server.url}{home}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)

    page.get_by_role("button", name="繁體中文").click()
    expect(page).to_have_url(f"{live_server.url}{home}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hant-HK")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading_zh)
    user.refresh_from_db()
    assert user.language == "zh-hant"


def test_a_wrong_totp_code_is_refused_in_the_users_language(page, live_server, supervisor):
    page.goto("/accounts/login/")
    page.get_by_role("button", name="繁體中文").click()
    page.locator("input[name=login]").fill(supervisor.email)
    page.locator("input[name=password]").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登入").click()
    page.locator("input[name=code]").fill("000000")
    page.get_by_role("button", name="登入").click()
    expect(page.get_by_text("不正確的代碼。")).to_be_visible()
