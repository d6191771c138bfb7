"""Routing and auto-assignment: place new tickets on a team, then on an agent.

Auto-assignment (``ticket_auto_assign``)
----------------------------------------
1. Lock the ticket with ``SELECT … FOR UPDATE SKIP LOCKED``; a ticket another worker holds,
   already assigned or no longer open is skipped (the other worker or a person decided).
2. When asked to (new tickets from clients and email), apply the first matching
   ``RoutingRule``: move the ticket to the rule's team (event *transferred*).
3. Pick and lock the best eligible agent in **one statement** (``_PICK_AGENT_SQL``): available,
   on shift (``teams.shifts.on_shift_sql``, the same condition as ``on_shift``), under
   capacity, with the ticket's language and product skill; fewest open tickets first, then
   longest since their last assignment; ``FOR UPDATE … SKIP LOCKED`` on the ``AgentProfile``
   row and ``LIMIT 1`` (an agent another worker is assigning to is skipped, not waited for).
4. Write everything in **one statement** under that lock (``_ASSIGN_SQL``): re-count the
   agent's open tickets (the statement's snapshot is taken after the lock was granted) and
   assign only if the count is still the one the pick saw (compare-and-swap, so two workers
   never push one agent over capacity); otherwise pick again. The same statement writes the
   events *assigned* and *routed* (the latter saying why: rule, skills matched, load), the
   agent's notification and ``AgentProfile.last_assigned_at``.
5. Announce the change through ``tickets.hooks`` (SLA clocks, outbound mail, webhooks) in the
   transaction, like every ticket write service.
6. Nobody eligible: the ticket stays unassigned in its team's queue (the supervisor's board
   shows it) and one *routed* event says why; the periodic sweep tries again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, NotAllowed
from teams import access
from teams.models import AgentProfile, TeamMembership, User
from teams.shifts import on_shift_sql
from tickets import hooks
from tickets.models import Category, Notification, RoutingRule, Ticket, TicketEvent
from tickets.models.core import OPEN_STATUS_VALUES
from tickets.selectors import routing as selectors
from tickets.services import tickets as ticket_services
from tickets.services.assignment import AssignmentNeedsConfirmation  # noqa: F401 (the board)
from tickets.services.tickets import _Plan, _save

logger = logging.getLogger(__name__)

CANDIDATES_TRIED = 10
NO_AGENT_PREFIX = "No eligible agent"


@dataclass(frozen=True)
class AssignmentOutcome:
    """What one auto-assignment attempt did: ``assigned`` (to ``assignee``), ``waiting`` (no
    eligible agent) or ``skipped`` (locked elsewhere, already assigned or not open)."""

    result: str
    ticket_id: int
    assignee_id: int | None = None
    reason: str = ""


# The ticket, locked (``SKIP LOCKED``) only while it is open and unassigned, with what routing
# reads of its category, team and client: one statement.
_LOCK_TICKET_SQL = """
SELECT t.*, c.slug AS routing_category_slug, tm.name AS routing_team_name,
       cl.tier AS routing_client_tier
FROM tickets_ticket t
JOIN tickets_category c ON c.id = t.category_id
JOIN teams_team tm ON tm.id = t.team_id
JOIN tickets_client cl ON cl.id = t.client_id
WHERE t.id = %(ticket)s AND t.assignee_id IS NULL AND t.status = ANY(%(open)s)
FOR UPDATE OF t SKIP LOCKED
"""

# Pick and lock the best eligible agent in one statement: an agent of the team, active,
# available, on shift, with one of the language skills and the product skill (when the
# category is a product skill), under capacity; fewest open tickets, then longest since the
# last assignment (never first), then id. ``SKIP LOCKED`` on the profile row: an agent another
# worker is assigning to right now is passed over, not waited for. The load is read with the
# statement's snapshot; it is checked again under the lock by the write (``_ASSIGN_SQL``).
_PICK_AGENT_SQL = f"""
SELECT p.user_id, p.capacity, u.full_name, u.email, load.open_count,
       ARRAY(
           SELECT s.name_en FROM teams_agentskill a JOIN teams_skill s ON s.id = a.skill_id
           WHERE a.user_id = p.user_id
             AND (s.code = ANY(%(languages)s) OR (s.code = %(product)s AND s.kind = 'product'))
           ORDER BY s.kind, s.code
       ) AS matched
FROM teams_agentprofile p
JOIN teams_user u ON u.id = p.user_id
CROSS JOIN LATERAL (
    SELECT count(*) AS open_count FROM tickets_ticket o
    WHERE o.assignee_id = p.user_id AND o.status = ANY(%(open)s)
) load
WHERE p.status = 'available' AND u.is_active
  AND load.open_count < p.capacity
  AND EXISTS (
      SELECT 1 FROM teams_teammembership m
      WHERE m.user_id = p.user_id AND m.team_id = %(team)s AND m.role = 'agent'
  )
  AND EXISTS (
      SELECT 1 FROM teams_agentskill a JOIN teams_skill s ON s.id = a.skill_id
      WHERE a.user_id = p.user_id AND s.kind = 'language' AND s.code = ANY(%(languages)s)
  )
  AND (
      NOT EXISTS (SELECT 1 FROM teams_skill s WHERE s.code = %(product)s AND s.kind = 'product')
      OR EXISTS (
          SELECT 1 FROM teams_agentskill a JOIN teams_skill s ON s.id = a.skill_id
          WHERE a.user_id = p.user_id AND s.kind = 'product' AND s.code = %(product)s
      )
  )
  AND {on_shift_sql(user_id="p.user_id", time_zone="u.time_zone")}
ORDER BY load.open_count, p.last_assigned_at ASC NULLS FIRST, p.user_id
LIMIT 1
FOR UPDATE OF p SKIP LOCKED
"""  # noqa: S608 (only the constant shift fragment is interpolated)

# Every write of one assignment in one statement, under the agent's lock: the agent's open
# tickets are counted again (this statement's snapshot is taken after the lock was granted, so
# it sees every assignment committed by whoever held the lock before) and the ticket is only
# assigned when that count is still the one the pick saw (a compare-and-swap: capacity holds
# and the reason's load figure is exact). Then the audit events (one row each, the ticket's
# new version), the agent's notification and ``last_assigned_at``.
_ASSIGN_SQL = """
WITH held AS (
    SELECT count(*) AS open_count FROM tickets_ticket o
    WHERE o.assignee_id = %(agent)s AND o.status = ANY(%(open)s)
), assigned AS (
    UPDATE tickets_ticket
    SET assignee_id = %(agent)s, team_id = %(team)s, version = version + 1, updated_at = %(now)s
    WHERE id = %(ticket)s AND (SELECT open_count FROM held) = %(seen)s
    RETURNING id, version
), events AS (
    INSERT INTO tickets_ticketevent
        (ticket_id, actor_id, action, field, old_value, new_value, source, created_at,
         ticket_version)
    SELECT assigned.id, NULL, e.action, e.field, e.old_value, e.new_value, %(source)s,
           %(now)s, assigned.version
    FROM assigned,
         unnest(%(actions)s::text[], %(fields)s::text[], %(olds)s::text[], %(news)s::text[])
             WITH ORDINALITY AS e(action, field, old_value, new_value, position)
    ORDER BY e.position
), notified AS (
    INSERT INTO tickets_notification
        (recipient_id, kind, ticket_id, actor_id, text, created_at, read_at)
    SELECT %(agent)s, %(kind)s, assigned.id, NULL, %(text)s, %(now)s, NULL FROM assigned
), profile AS (
    UPDATE teams_agentprofile SET last_assigned_at = %(now)s
    WHERE user_id = %(agent)s AND EXISTS (SELECT 1 FROM assigned)
)
SELECT (SELECT version FROM assigned), (SELECT open_count FROM held)
"""

_OPEN = list(OPEN_STATUS_VALUES)


def _lock_ticket(ticket_id: int) -> Ticket | None:
    rows = list(Ticket.objects.raw(_LOCK_TICKET_SQL, {"ticket": ticket_id, "open": _OPEN}))
    return rows[0] if rows else None


@transaction.atomic
def ticket_auto_assign(
    *, ticket_id: int, apply_rules: bool = False, now: datetime | None = None
) -> AssignmentOutcome:
    """Route (optionally) and assign one ticket to the best eligible agent; see the module
    docstring for the algorithm. Safe to run concurrently and to retry (idempotent).

    An assignment costs four statements (lock the ticket; pick and lock the agent; write
    everything; the rule look-up only with ``apply_rules``) plus the transaction's own."""
    now = now or timezone.now()
    ticket = _lock_ticket(ticket_id)
    if ticket is None:
        return AssignmentOutcome("skipped", ticket_id)
    events: list[tuple[str, str, str, str]] = []
    rule = None
    team_id, team_name = ticket.team_id, ticket.routing_team_name  # type: ignore[attr-defined]
    if apply_rules:
        rule = selectors.routing_rule_for(ticket=ticket, client_tier=ticket.routing_client_tier)  # type: ignore[attr-defined]
        if rule is not None and rule.team_id != ticket.team_id:
            events.append(("transferred", "team", team_name, rule.team.name))
            team_id, team_name = rule.team_id, rule.team.name
    languages = selectors.LANGUAGE_SKILLS.get(ticket.language, (ticket.language,))
    product = ticket.routing_category_slug  # type: ignore[attr-defined]
    rule_text = f"rule “{rule.name}” → {team_name}" if rule else f"team {team_name}"
    with connection.cursor() as cursor:
        for _attempt in range(CANDIDATES_TRIED):
            cursor.execute(
                _PICK_AGENT_SQL,
                {
                    "team": team_id,
                    "languages": list(languages),
                    "product": product,
                    "open": _OPEN,
                    "at": now,
                },
            )
            picked = cursor.fetchone()
            if picked is None:
                break
            user_id, capacity, full_name, email, seen, matched = picked
            name = full_name or email
            reason = (
                f"{rule_text}; skills matched: {', '.join(matched) or '—'}; "
                f"load {seen + 1}/{capacity}"
            )
            rows = [*events, ("assigned", "assignee", "", name), ("routed", "assignee", "", reason)]
            cursor.execute(
                _ASSIGN_SQL,
                {
                    "agent": user_id,
                    "team": team_id,
                    "ticket": ticket.pk,
                    "seen": seen,
                    "open": _OPEN,
                    "now": now,
                    "source": TicketEvent.Source.AUTOMATION,
                    "actions": [row[0] for row in rows],
                    "fields": [row[1] for row in rows],
                    "olds": [row[2] for row in rows],
                    "news": [row[3] for row in rows],
                    "kind": Notification.Kind.ASSIGNED,
                    "text": ticket_services._excerpt(f"{ticket.reference} {ticket.subject}"),
                },
            )
            version, held = cursor.fetchone()
            if version is None:
                # The load moved between the pick and the lock (another assignment committed):
                # pick again; this agent's row is ours now, so the next pick sees fresh counts.
                logger.info("routing.load_moved", extra={"ticket_id": ticket.pk, "held": held})
                continue
            ticket.assignee_id, ticket.team_id = user_id, team_id
            ticket.version, ticket.updated_at = version, now
            hooks.announce(
                hooks.TicketChange(
                    ticket=ticket,
                    actor=None,
                    source=TicketEvent.Source.AUTOMATION,
                    at=now,
                    events=tuple(rows),
                )
            )
            logger.info("routing.assigned", extra={"ticket_id": ticket.pk, "assignee_id": user_id})
            return AssignmentOutcome("assigned", ticket.pk, user_id, reason)
    return _ticket_waiting(ticket, rule=rule, rule_text=rule_text, team_name=team_name, now=now)


def _ticket_waiting(
    ticket: Ticket, *, rule: RoutingRule | None, rule_text: str, team_name: str, now: datetime
) -> AssignmentOutcome:
    """Nobody eligible: the ticket stays unassigned (moved by the rule, if one applies) with one
    *routed* event saying why, written once however often the sweep retries."""
    plan = _Plan(ticket)
    if rule is not None and rule.team_id != ticket.team_id:
        plan.set("team", rule.team, action="transferred")
    languages, product, skill_names = selectors.required_skills(
        ticket=ticket,
        category_slug=ticket.routing_category_slug,  # type: ignore[attr-defined]
    )
    skills = ", ".join(
        skill_names.get(code, code) for code in [*languages[:1], *([product] if product else [])]
    )
    reason = f"{NO_AGENT_PREFIX} in {team_name} ({rule_text}; needs {skills})"
    already_said = TicketEvent.objects.filter(
        ticket=ticket, action="routed", new_value=reason
    ).exists()
    if not already_said:
        plan.event("routed", "assignee", "", reason)
    _save(plan, actor=None, source=TicketEvent.Source.AUTOMATION, now=now)
    return AssignmentOutcome("waiting", ticket.pk, None, reason)


def tickets_waiting_ids(*, limit: int = 500) -> list[int]:
    """Open, unassigned tickets in teams with at least one available agent, oldest first."""
    teams_with_agents = TeamMembership.objects.filter(
        team_id=models.OuterRef("team_id"),
        role=TeamMembership.Role.AGENT,
        user__agent_profile__status=AgentProfile.Status.AVAILABLE,
    )
    return list(
        Ticket.objects.filter(
            models.Exists(teams_with_agents), assignee__isnull=True, status__in=OPEN_STATUS_VALUES
        )
        .order_by("priority", "id")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def agent_tickets_release_when_away(*, now: datetime | None = None) -> list[int]:
    """Unassign the open tickets that agents who are away or offline hold in teams that
    redistribute (``Team.redistribute_when_away``); returns their ids for auto-assignment.

    Locks the tickets (``SKIP LOCKED``); each unassignment is an *assigned* event with an
    empty new value and a *routed* event saying why.
    """
    now = now or timezone.now()
    away = AgentProfile.objects.filter(
        user=models.OuterRef("assignee_id"),
        status__in=(AgentProfile.Status.AWAY, AgentProfile.Status.OFFLINE),
    )
    tickets = list(
        Ticket.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("assignee", "team")
        .filter(
            models.Exists(away),
            team__redistribute_when_away=True,
            assignee__isnull=False,
            status__in=OPEN_STATUS_VALUES,
        )
        .order_by("id")[:500]
    )
    for ticket in tickets:
        plan = _Plan(ticket)
        name = ticket.assignee.full_name or ticket.assignee.email
        plan.set("assignee", None, action="assigned")
        plan.event("routed", "assignee", "", f"{name} is away: redistributed")
        _save(plan, actor=None, source=TicketEvent.Source.AUTOMATION, now=now)
    return [ticket.pk for ticket in tickets]


# --- Manual assignment with the checks a supervisor needs ---------------------------------


@transaction.atomic
def tickets_assign_checked(
    *,
    actor: User,
    ticket_ids: list[Any],
    assignee: User | int | None,
    confirmed: bool = False,
    source: str = "web",
) -> int:
    """Assign (or, with ``assignee=None``, unassign) the tickets, as a supervisor does from the
    board: refused with the reason when the assignee is outside a ticket's team (400) or would
    go over capacity (409); a warning to confirm (409, ``needs_confirmation``) when they are off
    shift or not available. The checks are ``tickets.services.assignment.assignment_check``,
    the same the ticket page, the API and the queues' bulk assign go through. Returns how many
    tickets changed (``tickets_bulk_update``)."""
    value: Any = None
    if assignee is not None and assignee != "":
        pk = assignee.pk if isinstance(assignee, User) else ticket_services._pk_of(assignee)
        if pk is None or not User.objects.filter(pk=pk, is_active=True).exists():
            raise ApplicationError(
                _("Unknown assignee: choose a member of the team."), details={"field": "assignee"}
            )
        value = pk
    return ticket_services.tickets_bulk_update(
        actor=actor,
        ticket_ids=ticket_ids,
        changes={"assignee": value},
        source=source,
        confirm_assignment=confirmed,
    )


# --- Rules (administrators) ------------------------------------------------------------------

RULE_FIELDS = ("name", "is_active", "category", "language", "client_tier", "channel", "team")


def _require_configure(actor: User) -> None:
    if not access.can_configure_desk(actor):
        raise NotAllowed(_("Only administrators may change routing rules."))


@transaction.atomic
def routing_rule_save(
    *, actor: User, rule: RoutingRule | None = None, data: dict[str, Any]
) -> RoutingRule:
    """Create a rule (appended at the end of the order) or update ``rule`` from ``data``."""
    _require_configure(actor)
    if not str(data.get("name") or "").strip():
        raise ApplicationError(_("Give the rule a name."), details={"field": "name"})
    if data.get("team") is None:
        raise ApplicationError(
            _("Choose the team the rule sends tickets to."), details={"field": "team"}
        )
    if data.get("category") is not None and not isinstance(data["category"], Category):
        raise ApplicationError(_("Unknown category."), details={"field": "category"})
    if rule is None:
        last = RoutingRule.objects.aggregate(last=models.Max("position"))["last"]
        rule = RoutingRule(position=(last or 0) + 1)
    else:
        rule = RoutingRule.objects.select_for_update().get(pk=rule.pk)
    for name in RULE_FIELDS:
        if name in data:
            value = data[name]
            setattr(rule, name, value.strip() if isinstance(value, str) else value)
    rule.save()
    logger.info("routing.rule_saved", extra={"rule_id": rule.pk})
    return rule


@transaction.atomic
def routing_rule_delete(*, actor: User, rule: RoutingRule) -> None:
    _require_configure(actor)
    RoutingRule.objects.filter(pk=rule.pk).delete()


@transaction.atomic
def routing_rule_move(*, actor: User, rule: RoutingRule, direction: str) -> None:
    """Swap the rule with its neighbour above (``up``) or below (``down``); positions are
    renumbered 1…n so that the order stays total."""
    _require_configure(actor)
    if direction not in ("up", "down"):
        raise ApplicationError(_("Move a rule up or down."), details={"field": "direction"})
    rules = list(RoutingRule.objects.select_for_update().order_by("position", "id"))
    index = next((i for i, item in enumerate(rules) if item.pk == rule.pk), None)
    if index is None:
        raise ApplicationError(_("This rule no longer exists."), status=404)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    for position, item in enumerate(rules, start=1):
        item.position = position
    RoutingRule.objects.bulk_update(rules, ["position"])
