"""Auto-assignment with parallel workers against PostgreSQL: no ticket is assigned twice and no
agent goes over capacity (``SELECT … FOR UPDATE SKIP LOCKED`` on tickets and profiles)."""

import threading
from collections import Counter

import pytest
from django.db import connection

from teams.access import Role
from teams.models import Skill
from tests.factories import (
    CategoryFactory,
    MembershipFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
)
from tests.tickets.factories import SkillFactory, make_routable
from tickets.models import Ticket, TicketEvent
from tickets.services import routing

WORKERS = 4
TICKETS = 40
AGENTS = 3
CAPACITY = 6


@pytest.mark.django_db(transaction=True)
def test_parallel_workers_never_double_assign_nor_exceed_capacity():
    team = TeamFactory()
    SkillFactory(code="desktop", kind=Skill.Kind.PRODUCT)
    category = CategoryFactory(slug="desktop")
    agents = []
    for _ in range(AGENTS):
        user = UserFactory(roles=[Role.AGENT])
        MembershipFactory(team=team, user=user)
        agents.append(make_routable(user, capacity=CAPACITY))
    ids = [TicketFactory(team=team, category=category).pk for _ in range(TICKETS)]
    barrier = threading.Barrier(WORKERS)
    outcomes: list[routing.AssignmentOutcome] = []
    errors: list[BaseException] = []

    def worker(order: list[int]) -> None:
        try:
            barrier.wait()
            for ticket_id in order:
                outcomes.append(routing.ticket_auto_assign(ticket_id=ticket_id))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    # Half the workers walk the tickets forwards, half backwards: maximal contention.
    threads = [
        threading.Thread(target=worker, args=(ids if n % 2 == 0 else ids[::-1],))
        for n in range(WORKERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assigned_events = Counter(
        TicketEvent.objects.filter(ticket_id__in=ids, action="assigned").values_list(
            "ticket_id", flat=True
        )
    )
    assert max(assigned_events.values()) == 1
    loads = Counter(
        Ticket.objects.filter(pk__in=ids, assignee__isnull=False).values_list(
            "assignee_id", flat=True
        )
    )
    assert sorted(loads.values()) == [CAPACITY] * AGENTS
    assert sum(outcome.result == "assigned" for outcome in outcomes) == AGENTS * CAPACITY
