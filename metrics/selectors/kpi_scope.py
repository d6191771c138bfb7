"""Which tickets a metrics request may count: the dashboards' access rules as a ``Scope``.

The API's metrics endpoints ask this one function, with the same ``teams.access`` questions the
dashboard views ask:

1. Managers and administrators (``access.reads_whole_desk``) read the whole desk, or one team
   (the desk dashboard), with any slice.
2. A team's supervisors (``access.can_view_team_dashboard``) read that team, with any slice
   (the team dashboard, whose breakdowns include each agent).
3. Everyone else who works tickets (``access.can_view_personal_dashboard``) reads their own
   figures only: the tickets assigned to them, in one of their teams or in all of them (the
   personal dashboard). Asking for another agent, the unassigned tickets, or a team they are
   not on is refused (403), never silently narrowed.
4. Anyone else (clients, people without a staff role) is refused (403).

A team the caller may not see is refused the same way whether it exists or not, so that team
names do not leak through this endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from metrics.kpis import Scope
from supportdesk.errors import ApplicationError, NotAllowed
from teams import access
from teams.models import Team
from tickets.models import Category

# Slices other than team and agent: (key in metrics.kpis.DIMENSIONS, value already validated).
SIMPLE_SLICES = ("priority", "channel", "language", "tier")
NO_AGENT = "none"


@dataclass(frozen=True)
class KpiScope:
    """The resolved scope, and what it means in the caller's terms (echoed in responses)."""

    scope: Scope
    team: Team | None
    agent_id: int | None
    unassigned: bool
    personal: bool
    category: Category | None


def _team_refused() -> NotAllowed:
    return NotAllowed(_("You may not see the figures of this team."), details={"field": "team"})


def _personal_only() -> NotAllowed:
    return NotAllowed(
        _(
            "Agents see their own figures only; name a team you supervise to see other "
            "agents' figures."
        ),
        details={"field": "agent"},
    )


def require_metrics_reader(user: Any) -> None:
    """Refuse (403) anyone who may read no figures at all (clients, people without a role)."""
    if not access.is_staff_member(user):
        raise NotAllowed(_("Only staff members may read the desk's figures."))


def kpi_scope_for(
    *,
    user: Any,
    team_slug: str = "",
    agent: int | str | None = None,
    category_slug: str = "",
    slices: dict[str, Any] | None = None,
) -> KpiScope:
    """The scope of a metrics request (see the module's rules). ``agent`` is a user id, ``"me"``
    or ``"none"`` (unassigned tickets); ``slices`` maps the other dimensions to their values.
    Raises ``NotAllowed`` (403) or ``ApplicationError`` (400, an unknown team or category)."""
    require_metrics_reader(user)
    team: Team | None = None
    if team_slug:
        visible = access.teams_visible_to(user)
        team = visible.filter(slug=team_slug).first()
        if team is None:
            if access.reads_whole_desk(user):
                raise ApplicationError(_("Unknown team."), details={"field": "team"})
            raise _team_refused()
    unassigned = agent == NO_AGENT
    agent_id: int | None = user.pk if agent == "me" else (None if unassigned else agent)  # type: ignore[assignment]
    if access.reads_whole_desk(user) or (
        team is not None and access.can_view_team_dashboard(user, team)
    ):
        personal = False
        team_ids = (team.pk,) if team is not None else None
    elif access.can_view_personal_dashboard(user):
        # The personal dashboard: the caller's own tickets, in one of their teams or all.
        if unassigned or (agent_id is not None and agent_id != user.pk):
            raise _personal_only()
        personal = True
        agent_id = user.pk
        if team is not None:
            team_ids = (team.pk,)
        else:
            team_ids = tuple(access.teams_visible_to(user).values_list("pk", flat=True))
    else:
        raise (
            _team_refused() if team is not None else NotAllowed(_("You may not see these figures."))
        )
    filters: list[tuple[str, Any]] = []
    if unassigned:
        filters.append(("agent", None))
    elif agent_id is not None:
        filters.append(("agent", agent_id))
    category: Category | None = None
    if category_slug:
        category = Category.objects.filter(slug=category_slug).first()
        if category is None:
            raise ApplicationError(_("Unknown category."), details={"field": "category"})
        filters.append(("category", category.pk))
    for key in SIMPLE_SLICES:
        value = (slices or {}).get(key)
        if value is not None and value != "":
            filters.append((key, value))
    return KpiScope(
        scope=Scope(team_ids=team_ids, filters=tuple(filters)),
        team=team,
        agent_id=agent_id,
        unassigned=unassigned,
        personal=personal,
        category=category,
    )
