"""The people side in a real browser: a supervisor adds a member to their team and edits an
agent's overnight shift; an agent acknowledges a QA review; the training overview shows an
overdue agent. Screenshots land in test-artifacts/."""

from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from teams.access import Role
from teams.models import Shift, TeamMembership
from teams.services.training import training_attendance_record, training_requirements_sync
from tests.browser.conftest import ARTIFACTS, totp_code
from tests.factories import TEST_PASSWORD, ResolvedTicketFactory, UserFactory
from tests.teams.factories import CourseFactory, SessionFactory, ShiftFactory
from tickets.models import QualityReview, Scorecard, ScorecardCriterion
from tickets.services.quality import quality_review_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if hasattr(user, "totp_secret"):
        page.locator("input[name=code]").fill(totp_code(user.totp_secret))
        page.get_by_role("button", name="Sign In").click()
    expect(page.locator("#main")).to_be_visible()


def test_a_supervisor_adds_a_member_and_edits_a_shift(page, supervisor, agent, team_a):
    newcomer = UserFactory(full_name="Nina Newcomer", roles=[Role.AGENT])
    shift = ShiftFactory(user=agent, weekday=4, starts_at=time(9), ends_at=time(18))
    _sign_in(page, supervisor)

    page.get_by_role("link", name="Teams", exact=True).click()
    page.get_by_role("link", name=team_a.name).click()
    page.locator("#member-add-form select[name=user]").select_option(label="Nina Newcomer")
    page.get_by_role("button", name="Add to team").click()
    expect(page.get_by_text("Nina Newcomer joined Technical Assistance HK.")).to_be_visible()
    expect(page.locator(f'#members tr[data-member="{newcomer.email}"]')).to_be_visible()
    assert TeamMembership.objects.filter(team=team_a, user=newcomer, role="agent").exists()

    page.get_by_role("link", name="Alice Agent").click()
    form = page.locator(f"#shift-form-{shift.pk}")
    form.locator("input[name$=starts_at]").fill("22:00")
    form.locator("input[name$=ends_at]").fill("07:00")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Shift saved.")).to_be_visible()
    expect(page.locator(f'tr[data-shift="{shift.pk}"] .badge')).to_have_text("overnight")
    page.screenshot(path=str(ARTIFACTS / "people_profile_overnight_shift.png"), full_page=True)
    shift = Shift.objects.get(pk=shift.pk)
    assert (shift.starts_at, shift.ends_at) == (time(22), time(7))


def test_an_agent_acknowledges_a_qa_review(page, supervisor, agent, team_a):
    card = Scorecard.objects.create(name="Standard QA")
    criteria = [
        ScorecardCriterion.objects.create(scorecard=card, name=name, weight=weight, position=i)
        for i, (name, weight) in enumerate([("Accuracy", 60), ("Tone", 40)])
    ]
    ticket = ResolvedTicketFactory(team=team_a, assignee=agent, subject="Login loop on desktop")
    review = quality_review_create(
        actor=supervisor,
        ticket=ticket,
        agent=agent,
        scorecard=card,
        scores={criteria[0].pk: 5, criteria[1].pk: 3},
        comments="Accurate diagnosis; warmer opening next time.",
    )
    _sign_in(page, agent)
    page.locator("details.usermenu summary").click()
    page.get_by_role("link", name="My QA reviews").click()
    expect(page.get_by_role("heading", name="My QA reviews and coaching")).to_be_visible()
    entry = page.locator(f"#review-{review.pk}")
    expect(entry.locator(".score")).to_have_text("84.00 %")
    expect(entry).to_contain_text("warmer opening")
    expect(page.locator("svg.trend polyline")).to_be_attached()
    entry.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Review acknowledged.")).to_be_visible()
    expect(page.locator(f"#review-{review.pk} .acknowledged")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "people_qa_acknowledged.png"), full_page=True)
    assert QualityReview.objects.get(pk=review.pk).acknowledged_at is not None


def test_the_training_overview_shows_an_overdue_agent(page, supervisor, agent, team_a):
    course = CourseFactory(name="Annual compliance refresher", validity_days=365)
    course.required_teams.set([team_a])
    session = SessionFactory(course=course, starts_at=timezone.now() - timedelta(days=400))
    training_attendance_record(
        actor=supervisor, session=session, user=agent, attended=True, completed=True
    )
    training_requirements_sync()
    _sign_in(page, supervisor)
    page.get_by_role("link", name="Training", exact=True).click()
    row = page.locator("#training-teams tr", has_text=team_a.name)
    expect(row.locator(".state-overdue")).to_have_text("1")
    row.get_by_role("link", name=team_a.name).click()
    overdue = page.locator('tr[data-state="overdue"]')
    expect(overdue).to_contain_text("Alice Agent")
    expect(overdue).to_contain_text("Annual compliance refresher")
    page.screenshot(path=str(ARTIFACTS / "people_training_overdue.png"), full_page=True)
