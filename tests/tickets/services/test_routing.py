"""Routing rules, auto-assignment (eligibility, load balancing, reasons in the audit trail),
redistribution of away agents' tickets, and the supervisor's checked assignment."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from supportdesk.errors import ApplicationError, NotAllowed
from teams.access import Role
from teams.models import AgentProfile, Skill, TeamMembership
from tests.factories import (
    CategoryFactory,
    ClientFactory,
    ClosedTicketFactory,
    MembershipFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
)
from tests.tickets.factories import RoutingRuleFactory, SkillFactory, make_routable
from tickets import hooks
from tickets.models import Notification, Ticket, TicketEvent
from tickets.selectors.routing import routing_rule_for
from tickets.services import routing
from tickets.services.tickets import ticket_create


def _agent(team, **kwargs):
    user = UserFactory(roles=[Role.AGENT])
    MembershipFactory(team=team, user=user)
    return make_routable(user, **kwargs)


def _ticket(team, **kwargs):
    SkillFactory(code="desktop", kind=Skill.Kind.PRODUCT)
    kwargs.setdefault("category", CategoryFactory(slug="desktop"))
    return TicketFactory(team=team, **kwargs)


def _routed(ticket):
    return list(
        TicketEvent.objects.filter(ticket=ticket, action="routed").values_list(
            "new_value", flat=True
        )
    )


# --- Rules ---------------------------------------------------------------------------------


def test_the_first_matching_active_rule_wins(team_a, team_b):
    mobile = CategoryFactory(slug="mobile", name_en="Mobile")
    RoutingRuleFactory(name="Inactive", position=1, is_active=False, team=team_b)
    RoutingRuleFactory(
        name="Mobile in Chinese", position=2, category=mobile, language="zh-hant", team=team_b
    )
    RoutingRuleFactory(name="Institutional", position=3, client_tier="institutional", team=team_b)
    RoutingRuleFactory(name="Everything else", position=4, team=team_a)
    zh_mobile = _ticket(team_a, category=mobile, language="zh-hant")
    en_mobile = _ticket(team_a, category=mobile, language="en")

    assert routing_rule_for(ticket=zh_mobile, client_tier="standard").name == "Mobile in Chinese"
    assert routing_rule_for(ticket=en_mobile, client_tier="institutional").name == "Institutional"
    assert routing_rule_for(ticket=en_mobile, client_tier="standard").name == "Everything else"


def test_a_rule_with_a_channel_matches_that_channel_only(team_a, team_b):
    RoutingRuleFactory(name="Phone", channel="phone", team=team_b)
    assert (
        routing_rule_for(ticket=_ticket(team_a, channel="phone"), client_tier="pro").team == team_b
    )
    assert routing_rule_for(ticket=_ticket(team_a, channel="email"), client_tier="pro") is None


def test_applying_the_rules_moves_the_ticket_and_assigns_there(team_a, team_b):
    RoutingRuleFactory(name="Pro clients", client_tier="pro", team=team_b)
    agent_b = _agent(team_b)
    ticket = _ticket(team_a, client=ClientFactory(tier="pro"))

    outcome = routing.ticket_auto_assign(ticket_id=ticket.pk, apply_rules=True)

    ticket.refresh_from_db()
    assert (outcome.result, ticket.team, ticket.assignee) == ("assigned", team_b, agent_b)
    assert TicketEvent.objects.filter(ticket=ticket, action="transferred").exists()
    assert _routed(ticket)[0].startswith(f"rule “Pro clients” → {team_b.name}")


# --- Auto-assignment -----------------------------------------------------------------------


def test_it_assigns_the_least_loaded_then_longest_idle_agent_and_says_why(team_a):
    busy = _agent(team_a)
    idle_long = _agent(team_a)
    idle_recent = _agent(team_a)
    _ticket(team_a, assignee=busy)
    AgentProfile.objects.filter(user=idle_long).update(
        last_assigned_at=timezone.now() - timedelta(hours=3)
    )
    AgentProfile.objects.filter(user=idle_recent).update(
        last_assigned_at=timezone.now() - timedelta(minutes=3)
    )
    ticket = _ticket(team_a)

    outcome = routing.ticket_auto_assign(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert (outcome.result, ticket.assignee) == ("assigned", idle_long)
    assert _routed(ticket) == [f"team {team_a.name}; skills matched: en, desktop; load 1/5"]
    assert TicketEvent.objects.get(ticket=ticket, action="assigned").source == "automation"
    assert Notification.objects.filter(recipient=idle_long, ticket=ticket).exists()
    assert AgentProfile.objects.get(user=idle_long).last_assigned_at is not None


def test_an_assignment_is_three_statements_and_announced_once(team_a, django_assert_num_queries):
    agent = _agent(team_a)
    ticket = _ticket(team_a)
    seen = []
    hooks.register(seen.append)
    try:
        # Lock the ticket; pick and lock the agent; write everything; plus the savepoint and
        # its release (the test runs inside a transaction; a worker sends BEGIN and COMMIT).
        with django_assert_num_queries(5):
            routing.ticket_auto_assign(ticket_id=ticket.pk)
    finally:
        hooks.unregister(seen.append)

    ticket.refresh_from_db()
    events = list(
        TicketEvent.objects.filter(ticket=ticket).values_list(
            "action", "new_value", "ticket_version"
        )
    )
    assert ticket.assignee == agent
    assert [(action, version) for action, _value, version in events] == [
        ("assigned", ticket.version),
        ("routed", ticket.version),
    ]
    assert [change.events[0][:2] for change in seen] == [("assigned", "assignee")]
    assert seen[0].ticket.assignee_id == agent.pk and seen[0].ticket.version == ticket.version


@pytest.mark.parametrize(
    "setup_case",
    [
        pytest.param({"status": "away"}, id="away_case"),
        pytest.param({"status": "busy"}, id="busy_case"),
        pytest.param({"capacity": 1, "preload": 1}, id="at_capacity_case"),
        pytest.param({"languages": ("yue",)}, id="wrong_language_case"),
        pytest.param({"products": ("mobile",)}, id="wrong_product_case"),
        pytest.param({"off_shift": True}, id="off_shift_case"),
        pytest.param({"supervisor": True}, id="supervisor_only_case"),
    ],
)
def test_without_an_eligible_agent_the_ticket_waits_unassigned_with_the_reason(team_a, setup_case):
    user = UserFactory(roles=[Role.AGENT])
    role = TeamMembership.Role.SUPERVISOR if setup_case.get("supervisor") else "agent"
    MembershipFactory(team=team_a, user=user, role=role)
    make_routable(
        user,
        capacity=setup_case.get("capacity", 5),
        status=setup_case.get("status", "available"),
        languages=setup_case.get("languages", ("en",)),
        products=setup_case.get("products", ("desktop",)),
    )
    if setup_case.get("off_shift"):
        user.shifts.all().delete()
    for _ in range(setup_case.get("preload", 0)):
        _ticket(team_a, assignee=user)
    ticket = _ticket(team_a)

    outcome = routing.ticket_auto_assign(ticket_id=ticket.pk)
    again = routing.ticket_auto_assign(ticket_id=ticket.pk)

    ticket.refresh_from_db()
    assert (outcome.result, again.result, ticket.assignee) == ("waiting", "waiting", None)
    assert len(_routed(ticket)) == 1  # said once, not on every retry
    assert _routed(ticket)[0].startswith(f"No eligible agent in {team_a.name}")


def test_chinese_tickets_go_to_cantonese_or_mandarin_speakers(team_a):
    _agent(team_a, languages=("en",))
    cantonese = _agent(team_a, languages=("yue",))
    ticket = _ticket(team_a, language="zh-hant")
    routing.ticket_auto_assign(ticket_id=ticket.pk)
    ticket.refresh_from_db()
    assert ticket.assignee == cantonese


def test_an_assigned_or_closed_ticket_is_skipped(team_a, agent):
    _agent(team_a)
    assigned = _ticket(team_a, assignee=agent)
    closed = ClosedTicketFactory(team=team_a, category=CategoryFactory(slug="desktop"))
    assert routing.ticket_auto_assign(ticket_id=assigned.pk).result == "skipped"
    assert routing.ticket_auto_assign(ticket_id=closed.pk).result == "skipped"


def test_new_unassigned_tickets_are_queued_for_assignment_on_commit(
    team_a, agent, django_capture_on_commit_callbacks
):
    with mock.patch("tickets.tasks.routing.ticket_auto_assign_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            from_email = ticket_create(
                actor=None,
                client=ClientFactory(),
                subject="Login",
                description="x",
                category=CategoryFactory(),
                team=team_a,
                source="email",
            )
            by_agent = ticket_create(
                actor=agent,
                client=ClientFactory(),
                subject="Login",
                description="x",
                category=CategoryFactory(),
                team=team_a,
            )
            ticket_create(
                actor=agent,
                client=ClientFactory(),
                subject="Mine",
                description="x",
                category=CategoryFactory(),
                team=team_a,
                assignee=agent,
            )
    assert delay.call_args_list == [
        mock.call(from_email.pk, True),
        mock.call(by_agent.pk, False),
    ]


def test_the_sweep_redistributes_away_agents_tickets_in_teams_that_want_it(team_a, team_b):
    team_a.redistribute_when_away = True
    team_a.save()
    leaving = _agent(team_a)
    staying = _agent(team_a)
    keeps = _agent(team_b)
    mine = _ticket(team_a, assignee=leaving, status="open")
    other = _ticket(team_b, assignee=keeps, status="open")
    AgentProfile.objects.filter(user__in=[leaving, keeps]).update(status="away")

    from tickets.tasks.routing import routing_sweep_task

    assert routing_sweep_task() == 1
    mine.refresh_from_db()
    other.refresh_from_db()
    assert (mine.assignee, other.assignee) == (staying, keeps)
    assert _routed(mine)[0] == f"{leaving.full_name} is away: redistributed"


# --- Load balancing, property-based --------------------------------------------------------


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    agents=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=4),  # open tickets held
            st.integers(min_value=1, max_value=4),  # capacity
            st.sampled_from(["available", "available", "busy", "away"]),
            st.integers(min_value=0, max_value=600),  # minutes since last assignment
        ),
        min_size=1,
        max_size=5,
    )
)
def test_the_chosen_agent_is_eligible_and_has_the_lowest_load(db, agents):
    team = TeamFactory()
    category = CategoryFactory(slug="desktop")
    users = []
    now = timezone.now()
    for held, capacity, status, idle in agents:
        user = _agent(team, capacity=capacity, status=status)
        AgentProfile.objects.filter(user=user).update(
            last_assigned_at=now - timedelta(minutes=idle)
        )
        for _ in range(held):
            TicketFactory(team=team, category=category, assignee=user, status="open")
        users.append((user, held, capacity, status, idle))
    ticket = TicketFactory(team=team, category=category)

    outcome = routing.ticket_auto_assign(ticket_id=ticket.pk)

    eligible = [row for row in users if row[3] == "available" and row[1] < row[2]]
    if not eligible:
        assert outcome.result == "waiting"
        return
    best = min(eligible, key=lambda row: (row[1], -row[4], row[0].pk))
    assert outcome.result == "assigned"
    assert outcome.assignee_id == best[0].pk


# --- The supervisor's checked assignment ---------------------------------------------------


def test_assigning_outside_the_team_is_refused_with_the_reason(supervisor, team_a, outsider):
    ticket = _ticket(team_a)
    with pytest.raises(ApplicationError) as refused:
        routing.tickets_assign_checked(actor=supervisor, ticket_ids=[ticket.pk], assignee=outsider)
    assert refused.value.status == 400
    assert "is not a member of the team" in str(refused.value.message)
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_assigning_over_capacity_is_refused(supervisor, team_a):
    full = _agent(team_a, capacity=1)
    _ticket(team_a, assignee=full)
    ticket = _ticket(team_a)
    with pytest.raises(ApplicationError) as refused:
        routing.tickets_assign_checked(actor=supervisor, ticket_ids=[ticket.pk], assignee=full)
    assert refused.value.status == 409
    assert "over their capacity of 1" in str(refused.value.message)


def test_assigning_to_an_agent_off_shift_asks_for_confirmation(supervisor, team_a):
    resting = _agent(team_a)
    resting.shifts.all().delete()
    ticket = _ticket(team_a)
    with pytest.raises(routing.AssignmentNeedsConfirmation) as warned:
        routing.tickets_assign_checked(actor=supervisor, ticket_ids=[ticket.pk], assignee=resting)
    assert "is off shift now" in str(warned.value.message)
    assert Ticket.objects.get(pk=ticket.pk).assignee is None

    routing.tickets_assign_checked(
        actor=supervisor, ticket_ids=[ticket.pk], assignee=resting, confirmed=True
    )
    assert Ticket.objects.get(pk=ticket.pk).assignee == resting


def test_a_supervisor_of_another_team_cannot_assign(team_a, team_b):
    other = UserFactory(roles=[Role.SUPERVISOR])
    MembershipFactory(team=team_b, user=other, role=TeamMembership.Role.SUPERVISOR)
    agent_a = _agent(team_a)
    ticket = _ticket(team_a)
    with pytest.raises(NotAllowed):
        routing.tickets_assign_checked(actor=other, ticket_ids=[ticket.pk], assignee=agent_a)
    assert Ticket.objects.get(pk=ticket.pk).assignee is None
