"""A manager opens the desk dashboard, changes the range, drills down to the tickets behind a
figure and downloads the weekly report from the archive."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from metrics.services import reports as services
from tests.browser.conftest import ARTIFACTS, totp_code
from tests.factories import TEST_PASSWORD
from tests.metrics.conftest import funding, week_tickets  # noqa: F401 - fixtures
from tests.metrics.factories import ReportFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if hasattr(user, "totp_secret"):
        page.locator("input[name=code]").fill(totp_code(user.totp_secret))
        page.get_by_role("button", name="Sign In").click()


@pytest.mark.usefixtures("week_tickets")
def test_manager_changes_range_drills_down_and_downloads_the_report(
    page, live_server, manager, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report = ReportFactory()
    services.report_generate(
        report_id=report.pk, now=datetime(2026, 11, 23, 8, tzinfo=ZoneInfo("Asia/Hong_Kong"))
    )
    sign_in(page, manager)
    expect(page.get_by_role("heading", level=1)).to_have_text("Desk overview")

    page.get_by_label("From").fill("2026-11-16")
    page.get_by_label("To").fill("2026-11-22")
    page.get_by_label("Chart by").select_option("day")
    page.get_by_role("button", name="Show").click()
    created = page.locator("[data-kpi=created] .kpi-value")
    expect(created).to_have_text("5")
    expect(page.locator("svg").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "desk-dashboard-week.png"), full_page=True)

    created.click()
    expect(page).to_have_url(
        f"{live_server.url}/tickets/all/?created_from=2026-11-16&created_to=2026-11-22"
    )
    expect(page.locator("table tbody tr")).to_have_count(5)

    page.goto("/metrics/reports/")
    expect(page.locator("#report-archive")).to_contain_text("Done")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == "weekly-desk-2026-11-16-en.pdf"
    assert open(download.path(), "rb").read(5) == b"%PDF-"
