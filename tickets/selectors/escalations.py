"""Reads for escalations: a ticket's escalation history, the internal teams to escalate to,
and the time the ticket spent with each party, measured in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from teams import access
from tickets.models import Escalation, InternalTeam, Ticket

# Time with each party, from the ticket's status history: Pending client is the client's time,
# Pending internal the internal teams', Resolved/Closed nobody's, everything else support's.
_PARTY_TIME_SQL = """
WITH changes AS (
    SELECT t.created_at AS at, 'new' AS status, 0 AS seq FROM tickets_ticket t WHERE t.id = %(id)s
    UNION ALL
    SELECT e.created_at, e.new_value, e.id FROM tickets_ticketevent e
    WHERE e.ticket_id = %(id)s AND e.field = 'status'
), spans AS (
    SELECT status, at, LEAD(at, 1, %(now)s) OVER (ORDER BY at, seq) AS ends FROM changes
)
SELECT CASE
         WHEN status = 'pending_client' THEN 'client'
         WHEN status = 'pending_internal' THEN 'internal'
         WHEN status IN ('resolved', 'closed') THEN 'done'
         ELSE 'support'
       END AS party,
       COALESCE(SUM(GREATEST(ends - at, interval '0')), interval '0')
FROM spans GROUP BY 1
UNION ALL
SELECT 'team:' || it.name,
       SUM(GREATEST(COALESCE(e.answered_at, e.de_escalated_at, %(now)s) - e.handed_off_at,
                    interval '0'))
FROM tickets_escalation e JOIN tickets_internalteam it ON it.id = e.internal_team_id
WHERE e.ticket_id = %(id)s AND e.level = 'internal'
GROUP BY it.name
"""


@dataclass(frozen=True)
class PartyTimes:
    """How long the ticket has been with the client, with support, and with each internal team
    (the last from the escalations' hand-off → answer intervals)."""

    client: timedelta
    support: timedelta
    internal_teams: list[tuple[str, timedelta]]


def ticket_time_per_party(*, ticket_id: int, now: datetime | None = None) -> PartyTimes:
    """One SQL query; no Python loop over events."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_PARTY_TIME_SQL, {"id": ticket_id, "now": now})
        parties = dict(cursor.fetchall())
    internal = sorted(
        (name.removeprefix("team:"), spent)
        for name, spent in parties.items()
        if name.startswith("team:")
    )
    return PartyTimes(
        client=parties.get("client", timedelta(0)),
        support=parties.get("support", timedelta(0)),
        internal_teams=internal,
    )


def internal_teams_active() -> QuerySet[InternalTeam]:
    return InternalTeam.objects.filter(is_active=True).order_by("name")


def internal_teams_all() -> QuerySet[InternalTeam]:
    return InternalTeam.objects.order_by("name")


def ticket_escalations(*, ticket: Ticket) -> QuerySet[Escalation]:
    """The ticket's escalations, oldest first, with who raised, answered and closed them."""
    return (
        Escalation.objects.filter(ticket=ticket)
        .select_related("internal_team", "escalated_by", "answered_by", "de_escalated_by")
        .order_by("escalated_at", "id")
    )


def escalation_for_action(*, user: Any, escalation_id: int) -> Escalation:
    """An escalation whose ticket the user may see; 404 outside their scope."""
    queryset = access.scope_to_visible_teams(
        user, Escalation.objects.select_related("ticket"), team_field="ticket__team"
    )
    return access.get_visible_or_404(queryset, pk=escalation_id)


def ticket_escalation_panel(*, user: Any, ticket: Ticket) -> dict[str, Any]:
    """What the escalation include of the ticket page shows (four queries)."""
    escalations = list(ticket_escalations(ticket=ticket))
    return {
        "escalations": escalations,
        "open_escalations": [item for item in escalations if item.is_open],
        "internal_teams": list(internal_teams_active()),
        "party_times": ticket_time_per_party(ticket_id=ticket.pk),
        "can_supervise": access.can_supervise_team(user, ticket.team_id),
    }
