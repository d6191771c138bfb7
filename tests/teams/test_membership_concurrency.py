"""Two supervisors removing each other at the same moment: the team row lock makes the second
removal see one supervisor left and refuse, so the team never ends up without a supervisor."""

import threading

import pytest
from django.db import connection

from supportdesk.errors import ApplicationError
from teams.access import Role
from teams.models import TeamMembership
from teams.services.membership import team_member_remove
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_removals_keep_one_supervisor():
    team = TeamFactory(name="Night desk", slug="night")
    first, second = (UserFactory(roles=[Role.SUPERVISOR]) for _ in range(2))
    memberships = {
        user.pk: MembershipFactory(team=team, user=user, role=TeamMembership.Role.SUPERVISOR)
        for user in (first, second)
    }
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def remove(actor, victim) -> None:
        try:
            barrier.wait()
            team_member_remove(actor=actor, membership=memberships[victim.pk])
            outcomes.append("removed")
        except ApplicationError:  # Conflict, or NotAllowed once the actor was removed
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=remove, args=(first, second)),
        threading.Thread(target=remove, args=(second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "removed"]
    assert TeamMembership.objects.filter(team=team, role="supervisor").count() == 1
