"""The every-minute SLA sweep: warnings and breaches recorded exactly once per clock."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from metrics.models import Metric, SlaClockEvent, SlaPolicy
from teams.models import TeamMembership, User
from tickets.models import Ticket
from tickets.services.webhooks import webhooks_announce

logger = logging.getLogger(__name__)

# Step 1 and 2 of the sweep. ``FOR UPDATE SKIP LOCKED`` lets two sweeps (or a sweep and a ticket
# change holding a clock's row) share the work without waiting; the ``IS NULL`` guard in the
# UPDATE is the compare-and-swap that makes each marker be set once, whatever runs at once.
_BREACH_SQL = """
WITH due AS (
    SELECT id FROM metrics_slaclock
    WHERE state = 'running' AND breached_at IS NULL AND due_at <= %(now)s
    ORDER BY due_at LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE metrics_slaclock AS c
SET state = 'breached', breached_at = c.due_at,
    warned_at = COALESCE(c.warned_at, c.due_at), warn_at = NULL
FROM due
WHERE c.id = due.id AND c.breached_at IS NULL AND c.state = 'running'
RETURNING c.id, c.ticket_id, c.policy_id, c.metric, c.due_at AS at, c.target AS elapsed, c.due_at
"""

_WARNING_SQL = """
WITH due AS (
    SELECT id FROM metrics_slaclock
    WHERE state = 'running' AND warned_at IS NULL AND warn_at <= %(now)s
      AND due_at > %(now)s  -- past due: the breach step records it, one event per clock
    ORDER BY warn_at LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
UPDATE metrics_slaclock AS c
SET warned_at = c.warn_at, warn_at = NULL
FROM due
WHERE c.id = due.id AND c.warned_at IS NULL AND c.state = 'running'
RETURNING c.id, c.ticket_id, c.policy_id, c.metric, c.warned_at AS at,
    c.target * (c.warning_percent::float8 / 100) AS elapsed, c.due_at
"""

# Step 3 in the same statement as the claim: one event per claimed clock.
_WITH_EVENTS = """
WITH claimed AS ({claim}),
events AS (
    INSERT INTO metrics_slaclockevent (clock_id, kind, at, recorded_at, reason, elapsed, due_at)
    SELECT id, %(kind)s, at, %(now)s, '', elapsed, due_at FROM claimed
    RETURNING id, clock_id
)
SELECT claimed.*, events.id FROM claimed JOIN events ON events.clock_id = claimed.id
"""

# Step 5 in SQL: one notice per (crossing, recipient): the assignee and the team's active
# supervisors, without duplicates.
_NOTIFY_SQL = """
WITH crossing(ticket_id, kind, metric_label) AS (
    SELECT * FROM unnest(%(tickets)s::bigint[], %(kinds)s::text[], %(labels)s::text[])
)
INSERT INTO tickets_notification (recipient_id, kind, ticket_id, text, created_at)
SELECT r.user_id, 'sla', t.id,
       left(replace(replace(CASE x.kind WHEN 'breached' THEN %(breached)s ELSE %(warning)s END,
            '{reference}', 'SD-' || CASE WHEN t.id < 1000000 THEN lpad(t.id::text, 6, '0')
                                         ELSE t.id::text END),
            '{metric}', x.metric_label), 300),
       %(now)s
FROM crossing x JOIN tickets_ticket t ON t.id = x.ticket_id
CROSS JOIN LATERAL (
    SELECT t.assignee_id AS user_id WHERE t.assignee_id IS NOT NULL
    UNION
    SELECT m.user_id FROM teams_teammembership m JOIN teams_user u ON u.id = m.user_id
    WHERE m.team_id = t.team_id AND m.role = 'supervisor' AND u.is_active
) AS r
"""


@dataclass
class SweepResult:
    """What one sweep recorded (ids of the new events, for the e-mail task)."""

    warnings: int = 0
    breaches: int = 0
    event_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _Crossing:
    clock_id: int
    ticket_id: int
    policy_id: int
    metric: str
    at: datetime
    elapsed: Any
    due_at: datetime
    event_id: int
    kind: str


def _claim(sql: str, kind: str, now: datetime, limit: int) -> list[_Crossing]:
    with connection.cursor() as cursor:
        cursor.execute(
            _WITH_EVENTS.format(claim=sql.strip()), {"now": now, "limit": limit, "kind": kind}
        )
        return [_Crossing(*row, kind=kind) for row in cursor.fetchall()]


def _notify(crossings: list[_Crossing], now: datetime) -> None:
    """In-app notices to each ticket's assignee and its team's supervisors (one INSERT)."""
    with translation.override("en"):
        labels = {metric.value: str(metric.label) for metric in Metric}
        texts = {
            "breached": _("%(reference)s: %(metric)s SLA breached"),
            "warning": _("%(reference)s: %(metric)s SLA at risk"),
        }
    placeholders = {"reference": "{reference}", "metric": "{metric}"}
    with connection.cursor() as cursor:
        cursor.execute(
            _NOTIFY_SQL,
            {
                "tickets": [c.ticket_id for c in crossings],
                "kinds": [c.kind for c in crossings],
                "labels": [labels[c.metric] for c in crossings],
                "breached": texts["breached"] % placeholders,
                "warning": texts["warning"] % placeholders,
                "now": now,
            },
        )


def _announce(crossings: list[_Crossing]) -> None:
    """``sla.warning`` / ``sla.breached`` webhook events, sent after commit (one query)."""
    tickets = Ticket.objects.in_bulk({c.ticket_id for c in crossings})
    for crossing in crossings:
        webhooks_announce(
            event="sla.breached" if crossing.kind == SlaClockEvent.Kind.BREACHED else "sla.warning",
            ticket=tickets[crossing.ticket_id],
            at=crossing.at,
            data={
                "sla": {
                    "clock_id": crossing.clock_id,
                    "metric": crossing.metric,
                    "due_at": crossing.due_at,
                    "event_id": crossing.event_id,
                }
            },
        )


def _escalate(breaches: list[_Crossing]) -> None:
    """Run the breached clocks' policy escalation actions through the ticket services, so each
    change is audited (source *automation*) and announced like any other."""
    policies = SlaPolicy.objects.in_bulk({c.policy_id for c in breaches})
    acting = [c for c in breaches if _has_actions(policies[c.policy_id])]
    if not acting:
        return
    from tickets.services.tickets import ticket_update

    done: set[int] = set()
    for crossing in acting:
        if crossing.ticket_id in done:
            continue
        done.add(crossing.ticket_id)
        policy = policies[crossing.policy_id]
        ticket = Ticket.objects.get(pk=crossing.ticket_id)
        if not ticket.is_open:
            continue
        changes: dict[str, Any] = {}
        if policy.raise_priority and ticket.priority > Ticket.Priority.URGENT:
            changes["priority"] = ticket.priority - 1
        if policy.reassign_to_supervisor:
            supervisor = (
                User.objects.filter(
                    is_active=True,
                    memberships__team_id=ticket.team_id,
                    memberships__role=TeamMembership.Role.SUPERVISOR,
                )
                .order_by("pk")
                .first()
            )
            if supervisor is not None and supervisor.pk != ticket.assignee_id:
                changes["assignee"] = supervisor
        if changes:
            ticket_update(
                actor=None,
                ticket=ticket,
                changes=changes,
                expected_version=None,
                source="automation",
            )


def _has_actions(policy: SlaPolicy) -> bool:
    return policy.raise_priority or policy.reassign_to_supervisor


@transaction.atomic
def sla_breach_sweep(*, now: datetime, limit: int = 10_000, notify: bool = True) -> SweepResult:
    """Record every warning and breach that is due at ``now``, each exactly once.

    1. Claim the running clocks whose ``due_at`` has passed and that have no ``breached_at``:
       one ``UPDATE … WHERE breached_at IS NULL … RETURNING`` over the partial index on
       ``due_at`` (cost grows with the clocks due, not with the clocks stored); locked rows are
       skipped, so two sweeps never claim the same clock. A clock that crossed its warning
       threshold too (a sweep missed during downtime) gets only the breach: one event per clock.
    2. Claim the clocks whose ``warn_at`` has passed and that have no ``warned_at``, the same way.
    3. Write one event per claimed clock; a unique constraint on (clock, kind, due time) is the
       database's last word should anything ever claim twice.
    4. Mark the breached tickets ``sla_breached`` (one UPDATE).
    5. Notify each ticket's assignee and its team's supervisors in the app.
    6. Run the policy's escalation actions for breaches (raise priority, reassign to a
       supervisor) through the ticket services.
    7. After commit, queue the e-mail task with the new events' ids (assignee, supervisors and
       the policy's internal-team address).

    Everything from 1 to 6 is one transaction: a worker that dies mid-run leaves no marker
    without its event, and the next sweep (or the redelivered task) does the work once.
    ``notify=False`` (demo data only) records the events and markers but skips steps 5-7.
    """
    breaches = _claim(_BREACH_SQL, SlaClockEvent.Kind.BREACHED, now, limit)
    warnings = _claim(_WARNING_SQL, SlaClockEvent.Kind.WARNING, now, limit)
    crossings = breaches + warnings
    result = SweepResult(warnings=len(warnings), breaches=len(breaches))
    if not crossings:
        return result
    result.event_ids = [c.event_id for c in crossings]
    if breaches:
        Ticket.objects.filter(pk__in={c.ticket_id for c in breaches}).update(sla_breached=True)
    if not notify:
        return result
    _notify(crossings, now)
    _announce(crossings)
    _escalate(breaches)
    event_ids = list(result.event_ids)

    def _queue_emails() -> None:
        from metrics.tasks.sla import sla_send_emails_task

        sla_send_emails_task.delay(event_ids)

    transaction.on_commit(_queue_emails)
    logger.info("sla.sweep", extra={"warnings": result.warnings, "breaches": result.breaches})
    return result
