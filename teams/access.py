"""Who may see and do what: the one module every view, API endpoint and task asks.

Rules
-----
* **Agent** — works the tickets of the teams they belong to; sees nothing of other teams.
* **Supervisor** — everything an agent may do, plus acting on the teams they supervise
  (membership, routing, coaching, reports for those teams).
* **Manager** — reads everything on the desk and every report; changes nothing by role alone.
* **Administrator** — configures the desk (teams, categories, routing, calendars, users) and reads
  everything.
* **Client** — the client portal only: their own tickets, never internal notes.

Roles are Django groups (created by a migration, each with its permissions); a user's team scope
comes from ``TeamMembership``. Denials raise ``PermissionDenied`` (HTTP 403), or ``Http404`` where
the mere existence of an object must not leak (an agent probing another team's ticket).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404

from teams.models import Team, TeamMembership, User


class Role(StrEnum):
    """The five roles; each is the name of a Django group."""

    AGENT = "Agent"
    SUPERVISOR = "Supervisor"
    MANAGER = "Manager"
    ADMINISTRATOR = "Administrator"
    CLIENT = "Client"


STAFF_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.ADMINISTRATOR})
ROLES_REQUIRING_MFA = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.ADMINISTRATOR})
DESK_WIDE_ROLES = frozenset({Role.MANAGER, Role.ADMINISTRATOR})

# Permissions each role's group carries (codenames on teams.Team), set by migration.
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.AGENT: ("work_tickets",),
    Role.SUPERVISOR: ("work_tickets", "supervise_team"),
    Role.MANAGER: ("read_all",),
    Role.ADMINISTRATOR: ("read_all", "configure_desk"),
    Role.CLIENT: ("use_client_portal",),
}


def roles_of(user: Any) -> frozenset[Role]:
    """The user's roles, read once per request and remembered on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_supportdesk_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        if user.is_superuser:
            cached = cached | {Role.ADMINISTRATOR}
        user._supportdesk_roles = cached
    return cached


def has_role(user: Any, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))


def is_staff_member(user: Any) -> bool:
    return bool(roles_of(user) & STAFF_ROLES)


def requires_mfa(user: Any) -> bool:
    return bool(roles_of(user) & ROLES_REQUIRING_MFA)


def reads_whole_desk(user: Any) -> bool:
    return bool(roles_of(user) & DESK_WIDE_ROLES)


def can_configure_desk(user: Any) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def can_read_reports(user: Any) -> bool:
    return has_role(user, Role.MANAGER, Role.ADMINISTRATOR, Role.SUPERVISOR)


def can_manage_sla(user: Any) -> bool:
    """SLA calendars, closures and policies: supervisors and administrators."""
    return has_role(user, Role.SUPERVISOR, Role.ADMINISTRATOR)


def can_manage_sla_of_team(user: Any, team: Team | int) -> bool:
    """Re-apply the SLA policy of a ticket of ``team``: its supervisors and administrators."""
    return can_supervise_team(user, team)


def home_url_name(user: Any) -> str:
    """The page each role lands on after signing in."""
    roles = roles_of(user)
    if Role.ADMINISTRATOR in roles:
        return "administration"
    if Role.MANAGER in roles:
        return "metrics:desk"
    if Role.SUPERVISOR in roles:
        return "metrics:board"
    if Role.AGENT in roles:
        return "tickets:mine"
    if Role.CLIENT in roles:
        return "tickets:client_home"
    return "no_role"


# --- Team scope -----------------------------------------------------------------------------


def teams_visible_to(user: Any) -> QuerySet[Team]:
    """Teams whose data the user may read: all for managers and administrators, else their own."""
    if reads_whole_desk(user):
        return Team.objects.all()
    if not is_staff_member(user):
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user).distinct()


def teams_supervised_by(user: Any) -> QuerySet[Team]:
    if has_role(user, Role.ADMINISTRATOR):
        return Team.objects.all()
    if not has_role(user, Role.SUPERVISOR):
        return Team.objects.none()
    return Team.objects.filter(
        memberships__user=user, memberships__role=TeamMembership.Role.SUPERVISOR
    ).distinct()


def scope_to_visible_teams(user: Any, queryset: QuerySet, team_field: str = "team") -> QuerySet:
    """Narrow a queryset of team-owned rows to what the user may read.

    ``team_field`` is the lookup path from the queryset's model to its ``Team``.
    """
    if reads_whole_desk(user):
        return queryset
    if not is_staff_member(user):
        return queryset.none()
    return queryset.filter(**{f"{team_field}__memberships__user": user})


def can_view_team(user: Any, team: Team | int) -> bool:
    team_id = team.pk if isinstance(team, Model) else team
    if reads_whole_desk(user):
        return True
    if not is_staff_member(user):
        return False
    return TeamMembership.objects.filter(user=user, team_id=team_id).exists()


def can_supervise_team(user: Any, team: Team | int) -> bool:
    team_id = team.pk if isinstance(team, Model) else team
    if has_role(user, Role.ADMINISTRATOR):
        return True
    if not has_role(user, Role.SUPERVISOR):
        return False
    return TeamMembership.objects.filter(
        user=user, team_id=team_id, role=TeamMembership.Role.SUPERVISOR
    ).exists()


def can_work_on_team(user: Any, team: Team | int) -> bool:
    """Whether the user may change tickets of this team: its agents and supervisors, and
    administrators. Managers read but do not work tickets."""
    team_id = team.pk if isinstance(team, Model) else team
    if has_role(user, Role.ADMINISTRATOR):
        return True
    if not has_role(user, Role.AGENT, Role.SUPERVISOR):
        return False
    memberships = getattr(user, "_supportdesk_team_ids", None)
    if memberships is None:
        memberships = frozenset(
            TeamMembership.objects.filter(user=user).values_list("team_id", flat=True)
        )
        user._supportdesk_team_ids = memberships
    return team_id in memberships


def teams_workable_by(user: Any) -> QuerySet[Team]:
    """Teams whose tickets the user may change (see ``can_work_on_team``)."""
    if has_role(user, Role.ADMINISTRATOR):
        return Team.objects.all()
    if not has_role(user, Role.AGENT, Role.SUPERVISOR):
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user).distinct()


# --- People: profiles, membership, coaching, training ----------------------------------------


def _supervisor_memberships(user: Any) -> QuerySet[TeamMembership]:
    return TeamMembership.objects.filter(user=user, role=TeamMembership.Role.SUPERVISOR)


def supervises_agent(user: Any, agent: Any) -> bool:
    """Whether ``user`` holds the supervisor role in a team ``agent`` belongs to (by membership,
    not by desk-wide role: administrators do not count)."""
    if not has_role(user, Role.SUPERVISOR):
        return False
    agent_id = agent.pk if isinstance(agent, Model) else agent
    return TeamMembership.objects.filter(
        user_id=agent_id, team__in=_supervisor_memberships(user).values("team_id")
    ).exists()


def can_supervise_agent(user: Any, agent: Any) -> bool:
    """Edit an agent's skills, capacity and shifts, record their training, coach them:
    supervisors of one of the agent's teams, and administrators."""
    return has_role(user, Role.ADMINISTRATOR) or supervises_agent(user, agent)


def can_view_agent_profile(user: Any, agent: Any) -> bool:
    """The agent themself, their supervisors, managers and administrators."""
    agent_id = agent.pk if isinstance(agent, Model) else agent
    if is_staff_member(user) and user.pk == agent_id:
        return True
    return reads_whole_desk(user) or supervises_agent(user, agent)


def can_set_own_status(user: Any) -> bool:
    """Agents and supervisors set their live status (available, busy, away, offline)."""
    return has_role(user, Role.AGENT, Role.SUPERVISOR)


def can_read_one_on_one_notes(user: Any, agent: Any) -> bool:
    """Private 1:1 notes: the agent and the supervisors of the agent's teams only (not other
    agents, not other teams' supervisors, not managers or administrators by role alone)."""
    agent_id = agent.pk if isinstance(agent, Model) else agent
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.pk == agent_id:
        return is_staff_member(user)
    return supervises_agent(user, agent)


def can_manage_training(user: Any) -> bool:
    """Create courses and sessions: supervisors and administrators."""
    return has_role(user, Role.SUPERVISOR, Role.ADMINISTRATOR)


def can_manage_course(user: Any, *, team_ids: set[int], by_skill: bool) -> bool:
    """Administrators manage every course; a supervisor only courses required solely of teams
    they supervise (a skill-based requirement reaches every team, so it is for administrators)."""
    if has_role(user, Role.ADMINISTRATOR):
        return True
    if not has_role(user, Role.SUPERVISOR) or by_skill or not team_ids:
        return False
    supervised = set(teams_supervised_by(user).values_list("pk", flat=True))
    return team_ids <= supervised


def can_edit_scorecard(user: Any, team: Team | int | None) -> bool:
    """Desk-wide scorecards: administrators; a team's scorecard: also its supervisors."""
    if team is None:
        return has_role(user, Role.ADMINISTRATOR)
    return can_supervise_team(user, team)


def can_review_quality(user: Any, team: Team | int) -> bool:
    """Review tickets and write coaching notes: the supervisors of the ticket's team and
    administrators."""
    return can_supervise_team(user, team)


def agents_visible_to(user: Any, queryset: QuerySet) -> QuerySet:
    """Narrow a ``User`` queryset to the people whose profile ``user`` may read."""
    if reads_whole_desk(user):
        return queryset
    if not is_staff_member(user):
        return queryset.none()
    if has_role(user, Role.SUPERVISOR):
        supervised = TeamMembership.objects.filter(
            team__in=_supervisor_memberships(user).values("team_id")
        ).values("user_id")
        return queryset.filter(models.Q(pk=user.pk) | models.Q(pk__in=supervised))
    return queryset.filter(pk=user.pk)


def people_supervised_by(user: Any, queryset: QuerySet) -> QuerySet:
    """Narrow a ``User`` queryset to the people ``user`` may act on as a supervisor (see
    ``can_supervise_agent``)."""
    if has_role(user, Role.ADMINISTRATOR):
        return queryset
    if not has_role(user, Role.SUPERVISOR):
        return queryset.none()
    supervised = TeamMembership.objects.filter(
        team__in=_supervisor_memberships(user).values("team_id")
    ).values("user_id")
    return queryset.filter(pk__in=supervised)


# --- Clients, people and the API ---------------------------------------------------------------

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def is_client(user: Any) -> bool:
    return has_role(user, Role.CLIENT)


def scope_to_own_client(user: Any, queryset: QuerySet, client_user_field: str) -> QuerySet:
    """Narrow a queryset of client-owned rows to the signed-in client's own (``client_user_field``
    is the lookup path to the client's ``User``); nothing for anyone without the Client role."""
    if not is_client(user):
        return queryset.none()
    return queryset.filter(**{client_user_field: user})


def can_read_internal_notes(user: Any) -> bool:
    """Internal notes are for staff only; a client never sees them, in the portal or the API."""
    return is_staff_member(user)


def users_visible_to(user: Any) -> QuerySet[User]:
    """People whose profile, skills and shifts the user may read: the members of the teams the
    user may see (every member of every team for managers and administrators)."""
    if not is_staff_member(user):
        return User.objects.none()
    teams = teams_visible_to(user)
    return User.objects.filter(
        Exists(TeamMembership.objects.filter(user=OuterRef("pk"), team__in=teams.values("pk")))
    )


def can_set_agent_status(user: Any, agent: Any) -> bool:
    """Agents and supervisors set their own availability, nobody else's."""
    return has_role(user, Role.AGENT, Role.SUPERVISOR) and getattr(agent, "pk", None) == user.pk


def can_manage_webhooks(user: Any) -> bool:
    """Outbound webhooks (and their delivery log) are desk configuration: administrators."""
    return can_configure_desk(user)


def api_scope_allows(scope: str | None, method: str) -> bool:
    """Whether a request's credential allows this HTTP method: a read-only API token allows
    safe methods only; a read-write token or a browser session (``scope`` ``None``) allows
    every method, the role deciding the rest."""
    if scope is None or scope == "write":
        return True
    return scope == "read" and method.upper() in SAFE_METHODS


# --- Dashboards and reports ------------------------------------------------------------------


def can_view_team_dashboard(user: Any, team: Team | int) -> bool:
    """A team's dashboard: its supervisors, managers and administrators."""
    return reads_whole_desk(user) or can_supervise_team(user, team)


def can_view_personal_dashboard(user: Any) -> bool:
    """Their own figures: everyone who works tickets."""
    return has_role(user, Role.AGENT, Role.SUPERVISOR)


def can_read_report(user: Any, team: Team | int | None) -> bool:
    """An archived report: desk-wide ones (``team`` None) for managers and administrators, a
    team's for them and for the team's supervisors."""
    if reads_whole_desk(user):
        return True
    return team is not None and can_supervise_team(user, team)


def can_view_trends(user: Any) -> bool:
    """The trends page (of the teams the user may read): supervisors, managers, administrators."""
    return has_role(user, Role.SUPERVISOR, Role.MANAGER, Role.ADMINISTRATOR)


def can_manage_reports(user: Any) -> bool:
    """Edit the weekly report's schedule and subscriptions, regenerate any report."""
    return reads_whole_desk(user)


# --- Enforcement helpers ----------------------------------------------------------------------


def require(allowed: bool) -> None:
    """Raise ``PermissionDenied`` (403) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied


def require_role(user: Any, roles: Iterable[Role]) -> None:
    require(bool(roles_of(user) & set(roles)))


def get_visible_or_404(queryset: QuerySet, **lookup: object) -> Model:
    """Fetch one row from an already-scoped queryset; a row outside the scope is a 404, so that
    its existence does not leak."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as error:
        raise Http404 from error


# --- Client portal ----------------------------------------------------------------------------


def is_portal_client(user: Any) -> bool:
    """A signed-in client (role Client, ``use_client_portal``)."""
    return has_role(user, Role.CLIENT)


def portal_email_verified(user: Any) -> bool:
    """Clients use the portal signed in only once their email address is verified (allauth)."""
    from allauth.account.models import EmailAddress

    if not is_portal_client(user):
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def scope_to_portal(
    user: Any,
    queryset: QuerySet,
    *,
    client_field: str = "client",
    ticket_field: str = "pk",
    granted_ticket_ids: Iterable[int] = (),
) -> QuerySet:
    """Narrow a queryset of client-owned rows to what the portal may show: the tickets of the
    verified client user's own ``tickets.Client`` record, plus the tickets opened through a
    signed notification link in this session (``granted_ticket_ids``). Never another client's.
    """
    condition = Q(**{f"{ticket_field}__in": list(granted_ticket_ids)})
    if portal_email_verified(user):
        condition |= Q(**{f"{client_field}__user": user})
    return queryset.filter(condition)
