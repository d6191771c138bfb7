"""SLA pages: policy and calendar UI with preview, the ticket page's clock fragment, the board's
flags, the list badge and "time to breach" sort — with permissions and bad input."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from metrics.models import SlaCalendar, SlaClock, SlaClosure, SlaPolicy, SlaTarget
from tests.factories import CategoryFactory, ClientFactory, MessageFactory, TicketFactory
from tests.metrics.factories import SlaCalendarFactory, office_calendar, policy_with_targets
from tickets.models import Ticket
from tickets.services.tickets import ticket_create

NOW = datetime(2026, 7, 6, 1, 0, tzinfo=UTC)  # Monday 09:00 Hong Kong


@pytest.fixture
def traveller():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _ticket(agent, team, **kwargs) -> Ticket:
    return ticket_create(
        actor=agent,
        client=ClientFactory(),
        subject="Margin call question",
        description="Why was I margin called?",
        category=CategoryFactory(),
        team=team,
        **kwargs,
    )


def _snapshot() -> tuple:
    return (
        SlaCalendar.objects.count(),
        SlaPolicy.objects.count(),
        SlaTarget.objects.count(),
        SlaClosure.objects.count(),
    )


@pytest.mark.parametrize(
    "url_name", ["metrics:sla_settings", "metrics:sla_calendar_new", "metrics:sla_policy_new"]
)
def test_agents_and_managers_get_403_on_sla_settings(client, agent, outsider, manager, url_name):
    for user in (agent, outsider, manager):
        client.force_login(user)
        assert client.get(reverse(url_name)).status_code == 403


def test_supervisor_sees_policies_and_calendars(client, supervisor, django_assert_max_num_queries):
    policy_with_targets(name="Institutional P1")
    client.force_login(supervisor)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("metrics:sla_settings"))
    assert response.status_code == 200
    assert "Institutional P1" in response.content.decode()


def test_calendar_with_overlapping_intervals_is_refused_and_nothing_saved(client, supervisor):
    client.force_login(supervisor)
    before = _snapshot()
    response = client.post(
        reverse("metrics:sla_calendar_new"),
        {
            "name": "Night desk",
            "time_zone": "Asia/Hong_Kong",
            "weekly_hours": "fri 22:00-02:00\nsat 01:00-05:00",
            "holiday_source": "public",
            "holiday_country": "HK",
        },
    )
    assert response.status_code == 400
    assert "overlapping intervals" in response.content.decode()
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("hours_case", "expected"),
    [
        ("mon 09:00-09:00", "zero-length"),
        ("funday 09:00-10:00", "Line 1"),
        ("", "at least one interval"),
    ],
)
def test_bad_weekly_hours_are_refused(client, supervisor, hours_case, expected):
    client.force_login(supervisor)
    response = client.post(
        reverse("metrics:sla_calendar_new"),
        {
            "name": "Bad",
            "time_zone": "Asia/Hong_Kong",
            "weekly_hours": hours_case,
            "holiday_source": "none",
        },
    )
    assert response.status_code == 400
    assert expected in response.content.decode()
    assert not SlaCalendar.objects.exists()


def test_calendar_is_created_with_night_shift(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("metrics:sla_calendar_new"),
        {
            "name": "Night desk",
            "time_zone": "Asia/Hong_Kong",
            "weekly_hours": "mon 09:00-18:00\nfri 22:00-02:00",
            "holiday_source": "market",
            "holiday_market": "XHKG",
        },
    )
    calendar = SlaCalendar.objects.get()
    assert response.status_code == 302
    assert calendar.weekly_hours == {"0": [["09:00", "18:00"]], "4": [["22:00", "02:00"]]}


def test_closure_ending_before_start_is_refused(client, supervisor):
    calendar = office_calendar()
    client.force_login(supervisor)
    response = client.post(
        reverse("metrics:sla_closure_add", args=[calendar.pk]),
        {"starts_at": "2026-07-15T14:00", "ends_at": "2026-07-15T10:00", "reason": "Typhoon"},
    )
    assert response.status_code == 400
    assert "must end after it starts" in response.content.decode()
    assert not SlaClosure.objects.exists()


def test_closure_pauses_running_clocks_from_now_on(client, agent, supervisor, team_a, traveller):
    calendar = office_calendar()
    policy_with_targets(calendar=calendar, first_response=timedelta(hours=4))
    ticket = _ticket(agent, team_a)
    assert SlaClock.objects.get(ticket=ticket, metric="first_response").due_at == NOW + timedelta(
        hours=4
    )
    client.force_login(supervisor)
    # Typhoon signal No. 8, 10:00-12:00 Hong Kong time today.
    response = client.post(
        reverse("metrics:sla_closure_add", args=[calendar.pk]),
        {"starts_at": "2026-07-06T10:00", "ends_at": "2026-07-06T12:00", "reason": "T8"},
    )
    assert response.status_code == 302
    clock = SlaClock.objects.get(ticket=ticket, metric="first_response")
    assert clock.due_at == NOW + timedelta(hours=6)
    assert clock.events.filter(kind="due_changed").count() == 1
    assert Ticket.objects.get(pk=ticket.pk).sla_due_at == NOW + timedelta(hours=6)


def test_policy_with_no_targets_is_refused(client, supervisor):
    client.force_login(supervisor)
    before = _snapshot()
    response = client.post(
        reverse("metrics:sla_policy_new"),
        {"name": "Empty", "position": 1, "warning_percent": 75, "is_active": "on"},
    )
    assert response.status_code == 400
    assert "at least one target" in response.content.decode()
    assert _snapshot() == before


def test_policy_is_created_then_edited_into_a_new_version(client, supervisor):
    calendar = SlaCalendarFactory(name="24x7")
    client.force_login(supervisor)
    data = {
        "name": "P1",
        "position": 1,
        "warning_percent": 80,
        "is_active": "on",
        "priorities": ["1"],
        "first_response_minutes": 15,
        "first_response_calendar": calendar.pk,
        "resolution_minutes": 240,
        "resolution_calendar": calendar.pk,
        "resolution_pauses": ["pending_client", "on_hold"],
    }
    assert client.post(reverse("metrics:sla_policy_new"), data).status_code == 302
    policy = SlaPolicy.objects.get()
    assert (
        client.post(
            reverse("metrics:sla_policy", args=[policy.family]),
            {**data, "first_response_minutes": 30},
        ).status_code
        == 302
    )

    assert list(
        SlaPolicy.objects.order_by("version").values_list("version", "is_current", "priorities")
    ) == [(1, False, [1]), (2, True, [1])]
    current = SlaPolicy.objects.get(is_current=True)
    assert dict(current.targets.values_list("metric", "target_seconds")) == {
        "first_response": 1800,
        "resolution": 14400,
    }


def test_preview_shows_due_times_in_the_viewers_zone(client, supervisor):
    policy = policy_with_targets(calendar=office_calendar(), first_response=timedelta(hours=8))
    client.force_login(supervisor)
    response = client.get(
        reverse("metrics:sla_preview"),
        {"policy": policy.pk, "start": "2026-07-10T09:00"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    # Friday 09:00 + 8 business hours: Friday 17:00 (the supervisor's zone is Hong Kong).
    assert 'datetime="2026-07-10T17:00:00+08:00"' in body


def test_preview_refuses_a_missing_start(client, supervisor):
    policy = policy_with_targets()
    client.force_login(supervisor)
    response = client.get(reverse("metrics:sla_preview"), {"policy": policy.pk, "start": "soon"})
    assert response.status_code == 400


def test_ticket_clocks_fragment_and_team_scope(
    client, agent, outsider, team_a, traveller, django_assert_max_num_queries
):
    policy_with_targets()
    ticket = _ticket(agent, team_a)
    url = reverse("metrics:sla_ticket_clocks", args=[ticket.pk])
    client.force_login(agent)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert "First response" in body and "1 h 00 min left" in body
    assert "Re-apply" not in body

    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(reverse("metrics:sla_ticket_reapply", args=[ticket.pk])).status_code == 404


def test_supervisor_reapplies_from_the_ticket_page(client, agent, supervisor, team_a, traveller):
    policy_with_targets()
    ticket = _ticket(agent, team_a)
    client.force_login(agent)
    assert client.post(reverse("metrics:sla_ticket_reapply", args=[ticket.pk])).status_code == 403
    client.force_login(supervisor)
    response = client.post(reverse("metrics:sla_ticket_reapply", args=[ticket.pk]))
    assert response.status_code == 200
    assert "Policy re-applied" in response.content.decode()


def test_ticket_page_includes_the_clock_fragment(client, agent, team_a, traveller):
    policy_with_targets()
    ticket = _ticket(agent, team_a)
    client.force_login(agent)
    body = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert reverse("metrics:sla_ticket_clocks", args=[ticket.pk]) in body


def test_list_rows_show_time_left_and_sort_by_time_to_breach(client, agent, team_a, traveller):
    TicketFactory(team=team_a, status="open", subject="Later", sla_due_at=NOW + timedelta(hours=5))
    TicketFactory(
        team=team_a,
        status="open",
        subject="Late",
        sla_due_at=NOW - timedelta(minutes=30),
        sla_breached=True,
    )
    TicketFactory(team=team_a, status="open", subject="No SLA")
    client.force_login(agent)
    response = client.get(reverse("tickets:team_queue"), {"sort": "sla"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Late") < body.index("Later")
    assert "No SLA" not in body
    assert "30 min overdue" in body and "sla-late" in body
    assert "5 h 00 min left" in body and "sla-ok" in body


def test_board_flags_pending_client_right_after_a_client_message(
    client, supervisor, outsider, team_a, team_b, traveller
):
    flagged = TicketFactory(team=team_a, status="pending_client", subject="Gamed ticket")
    MessageFactory(ticket=flagged, kind="client", created_at=NOW - timedelta(minutes=5))
    answered = TicketFactory(team=team_a, status="pending_client", subject="Answered ticket")
    MessageFactory(ticket=answered, kind="client", created_at=NOW - timedelta(hours=1))
    MessageFactory(ticket=answered, kind="reply", author=supervisor, created_at=NOW)
    other_team = TicketFactory(team=team_b, status="pending_client", subject="Other team ticket")
    MessageFactory(ticket=other_team, kind="client", created_at=NOW)
    client.force_login(supervisor)
    page = client.get(reverse("metrics:board")).content.decode()
    body = page[page.index("SLA flags") : page.index("Unusually long paused time")]
    assert "Gamed ticket" in body
    assert "Answered ticket" not in body
    assert "Other team ticket" not in body


def test_board_flags_unusually_long_pauses_for_the_category(client, supervisor, team_a, traveller):
    from metrics.selectors.sla import board_unusual_paused_time

    category = CategoryFactory()
    policy = policy_with_targets()
    calendar = policy.targets.first().calendar
    tickets = TicketFactory.create_batch(12, team=team_a, category=category, status="open")
    for index, ticket in enumerate(tickets):
        SlaClock.objects.create(
            ticket=ticket,
            policy=policy,
            calendar=calendar,
            metric="resolution",
            state="paused" if index == 0 else "running",
            target=timedelta(hours=8),
            started_at=NOW - timedelta(days=2),
            since=NOW - timedelta(hours=30) if index == 0 else NOW - timedelta(days=2),
            paused_total=timedelta(minutes=10 + index),
        )

    flagged = board_unusual_paused_time(user=supervisor, now=NOW)

    assert [ticket.pk for ticket in flagged] == [tickets[0].pk]
    assert flagged[0].paused_for == timedelta(hours=30, minutes=10)
    client.force_login(supervisor)
    page = client.get(reverse("metrics:board")).content.decode()
    assert (
        f'<li><a href="/tickets/{tickets[0].pk}/">{tickets[0].reference}</a> {tickets[0].subject}'
        f" — paused 30 h 10 min (90th percentile for {category.name_en}:"
    ) in page
