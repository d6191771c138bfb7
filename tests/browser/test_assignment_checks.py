"""The ticket page's assignee field in a real browser: off shift asks "Assign anyway", over
capacity is refused with the reason (the supervisor board's checks, issue 4)."""

import pytest
from playwright.sync_api import expect

from teams.access import Role
from tests.browser.test_ticket_workflow import _shot, _sign_in
from tests.factories import MembershipFactory, TicketFactory, UserFactory
from tests.tickets.factories import make_routable
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _member(team, email: str, name: str, **routable):
    user = UserFactory(email=email, full_name=name, roles=[Role.AGENT])
    MembershipFactory(team=team, user=user)
    return make_routable(user, **routable)


def _htmx_idle(page) -> None:
    """Wait until htmx has swapped and settled the last answer: a change made to the form
    before htmx has processed its new copy would be lost."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
        " && document.querySelector('#field-assignee form')['htmx-internal-data']"
    )


def test_the_assignee_field_warns_off_shift_and_refuses_over_capacity(page, agent, team_a):
    ticket = TicketFactory(team=team_a, status=Ticket.Status.OPEN, subject="Login freezes")
    resting = _member(team_a, "rita@desk.example", "Rita Resting")
    resting.shifts.all().delete()
    full = _member(team_a, "fiona@desk.example", "Fiona Full", capacity=1)
    TicketFactory(team=team_a, status=Ticket.Status.OPEN, assignee=full)

    _sign_in(page, agent)
    page.goto(f"/tickets/{ticket.pk}/")
    field = page.locator("#field-assignee")

    field.get_by_label("Assignee").select_option(label="Fiona Full")
    expect(field.locator(".field-error")).to_contain_text(
        "Fiona Full would hold 2 open tickets, over their capacity of 1."
    )
    expect(field.get_by_role("button", name="Assign anyway")).to_have_count(0)
    _htmx_idle(page)

    field.get_by_label("Assignee").select_option(label="Rita Resting")
    expect(field.locator(".field-error")).to_contain_text("Rita Resting is off shift now.")
    _shot(page, "assign_anyway")
    assert Ticket.objects.get(pk=ticket.pk).assignee is None
    _htmx_idle(page)
    field.get_by_role("button", name="Assign anyway").click()
    expect(page.locator("#field-assignee")).to_contain_text("Saved")
    assert Ticket.objects.get(pk=ticket.pk).assignee == resting
