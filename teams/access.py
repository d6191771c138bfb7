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
from django.db.models import Model, QuerySet
from django.http import Http404

from teams.models import Team, TeamMembership


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
