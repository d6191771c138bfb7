"""Routing and auto-assignment: place new tickets on a team, then on an agent.

Auto-assignment (``ticket_auto_assign``)
----------------------------------------
1. Lock the ticket with ``SELECT … FOR UPDATE SKIP LOCKED``; a ticket another worker holds,
   already assigned or no longer open is skipped (the other worker or a person decided).
2. When asked to (new tickets from clients and email), apply the first matching
   ``RoutingRule``: move the ticket to the rule's team (event *transferred*).
3. Find the eligible agents in SQL (``tickets.selectors.routing.eligible_agents``): available,
   on shift, under capacity, with the ticket's language and product skill; fewest open tickets
   first, then longest since their last assignment.
4. For each candidate in that order, lock their ``AgentProfile`` row (``SKIP LOCKED``: a
   profile another worker is assigning to is skipped rather than waited for), then re-count
   their open tickets and re-read their status **under the lock**, so that two workers never
   push one agent over capacity.
5. Assign through the ticket services' plan (events *assigned* and *routed* — the latter
   saying why: rule, skills matched, load), notify the agent, bump
   ``AgentProfile.last_assigned_at``.
6. Nobody eligible: the ticket stays unassigned in its team's queue (the supervisor's board
   shows it) and one *routed* event says why; the periodic sweep tries again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, Conflict, NotAllowed
from teams import access
from teams.models import AgentProfile, Team, TeamMembership, User
from teams.shifts import is_on_shift
from tickets.lifecycle import interpolate_lazy
from tickets.models import Category, RoutingRule, Ticket, TicketEvent
from tickets.models.core import OPEN_STATUS_VALUES
from tickets.selectors import routing as selectors
from tickets.services import tickets as ticket_services
from tickets.services.tickets import _notify_assigned, _Plan, _save

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


@transaction.atomic
def ticket_auto_assign(
    *, ticket_id: int, apply_rules: bool = False, now: datetime | None = None
) -> AssignmentOutcome:
    """Route (optionally) and assign one ticket to the best eligible agent; see the module
    docstring for the algorithm. Safe to run concurrently and to retry (idempotent)."""
    now = now or timezone.now()
    ticket = (
        Ticket.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("team", "category", "client", "assignee")
        .filter(pk=ticket_id, assignee__isnull=True, status__in=OPEN_STATUS_VALUES)
        .first()
    )
    if ticket is None:
        return AssignmentOutcome("skipped", ticket_id)
    plan = _Plan(ticket)
    rule = None
    if apply_rules:
        rule = selectors.routing_rule_for(ticket=ticket, client_tier=ticket.client.tier)
        if rule is not None and rule.team_id != ticket.team_id:
            plan.set("team", rule.team, action="transferred")
    languages, product, skill_names = selectors.required_skills(
        ticket=ticket, category_slug=ticket.category.slug
    )
    candidates = list(
        selectors.eligible_agents(
            team_id=ticket.team_id, languages=languages, product=product, at=now
        ).values_list("pk", "matched_skills")[:CANDIDATES_TRIED]
    )
    rule_text = f"rule “{rule.name}” → {ticket.team.name}" if rule else f"team {ticket.team.name}"
    for user_id, matched in candidates:
        profile = (
            AgentProfile.objects.select_for_update(skip_locked=True)
            .select_related("user")
            .filter(pk=user_id, status=AgentProfile.Status.AVAILABLE)
            .first()
        )
        if profile is None:
            continue
        held = Ticket.objects.filter(assignee_id=user_id, status__in=OPEN_STATUS_VALUES).count()
        if held >= profile.capacity:
            continue
        agent = profile.user
        matched_names = ", ".join(skill_names.get(code, code) for code in matched)
        reason = (
            f"{rule_text}; skills matched: {matched_names or '—'}; "
            f"load {held + 1}/{profile.capacity}"
        )
        plan.set("assignee", agent, action="assigned")
        plan.event("routed", "assignee", "", reason)
        _notify_assigned(plan, actor=None)
        _save(plan, actor=None, source=TicketEvent.Source.AUTOMATION, now=now)
        profile.last_assigned_at = now
        profile.save(update_fields=["last_assigned_at"])
        logger.info("routing.assigned", extra={"ticket_id": ticket.pk, "assignee_id": user_id})
        return AssignmentOutcome("assigned", ticket.pk, user_id, reason)
    skills = ", ".join(
        skill_names.get(code, code) for code in [*languages[:1], *([product] if product else [])]
    )
    reason = f"{NO_AGENT_PREFIX} in {ticket.team.name} ({rule_text}; needs {skills})"
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


def _assignment_problems(
    *, assignee: User, team_ids: set[int], adding: int, now: datetime
) -> tuple[list[tuple[int, Any]], list[Any]]:
    """(refusals as (status, message), warnings) for giving ``adding`` more tickets of
    ``team_ids`` to ``assignee``."""
    refusals: list[tuple[int, Any]] = []
    warnings: list[Any] = []
    name = assignee.full_name or assignee.email
    member_of = set(
        TeamMembership.objects.filter(user=assignee, team_id__in=team_ids).values_list(
            "team_id", flat=True
        )
    )
    outside = team_ids - member_of
    if outside:
        teams = ", ".join(Team.objects.filter(pk__in=outside).values_list("name", flat=True))
        refusals.append(
            (
                400,
                interpolate_lazy(
                    _("%(name)s is not a member of the team %(team)s."), name=name, team=teams
                ),
            )
        )
    profile = AgentProfile.objects.filter(pk=assignee.pk).first()
    held = Ticket.objects.filter(assignee=assignee, status__in=OPEN_STATUS_VALUES).count()
    if profile is not None and held + adding > profile.capacity:
        refusals.append(
            (
                409,
                interpolate_lazy(
                    _(
                        "%(name)s would hold %(count)s open tickets, over their capacity of "
                        "%(capacity)s."
                    ),
                    name=name,
                    count=held + adding,
                    capacity=profile.capacity,
                ),
            )
        )
    if not is_on_shift(assignee, now):
        warnings.append(interpolate_lazy(_("%(name)s is off shift now."), name=name))
    if profile is not None and profile.status != AgentProfile.Status.AVAILABLE:
        warnings.append(
            interpolate_lazy(
                _("%(name)s is %(status)s."), name=name, status=profile.get_status_display()
            )
        )
    return refusals, warnings


class AssignmentNeedsConfirmation(Conflict):
    """The assignee is off shift or not available: the supervisor must confirm (HTTP 409)."""

    code = "needs_confirmation"


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
    shift or not available. Locks the assignee's profile so capacity holds under concurrency.
    Returns how many tickets changed (``tickets_bulk_update``)."""
    ids = ticket_services._clean_ticket_ids(ticket_ids)
    if assignee is not None and assignee != "":
        pk = assignee.pk if isinstance(assignee, User) else ticket_services._pk_of(assignee)
        user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
        if user is None:
            raise ApplicationError(
                _("Unknown assignee: choose a member of the team."), details={"field": "assignee"}
            )
        list(AgentProfile.objects.select_for_update().filter(pk=user.pk))
        rows = list(
            Ticket.objects.filter(pk__in=ids).values_list("team_id", "assignee_id", "status")
        )
        team_ids = {team_id for team_id, _a, _s in rows}
        if any(not access.can_work_on_team(actor, team_id) for team_id in team_ids):
            raise NotAllowed(
                _("Some of the selected tickets are not yours to change. Nothing was changed.")
            )
        adding = sum(
            1 for _t, held_by, status in rows if held_by != user.pk and status in OPEN_STATUS_VALUES
        )
        refusals, warnings = _assignment_problems(
            assignee=user, team_ids=team_ids, adding=adding, now=timezone.now()
        )
        if refusals:
            raise ApplicationError(
                " ".join(str(message) for _status, message in refusals),
                code="assignment_refused",
                status=refusals[0][0],
                details={"field": "assignee"},
            )
        if warnings and not confirmed:
            raise AssignmentNeedsConfirmation(
                " ".join(str(item) for item in warnings) + " " + str(_("Assign anyway?")),
                details={"field": "assignee", "warnings": [str(w) for w in warnings]},
            )
        value: Any = user.pk
    else:
        value = None
    return ticket_services.tickets_bulk_update(
        actor=actor, ticket_ids=ids, changes={"assignee": value}, source=source
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
