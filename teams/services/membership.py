"""Team membership managed by supervisors in the UI: add, remove, change role.

A team always keeps at least one supervisor: removing or demoting the last one is refused (the
team row is locked first, so two concurrent removals cannot both pass the check).
"""

import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, Conflict, NotAllowed
from teams import access
from teams.access import Role
from teams.models import Team, TeamMembership, User
from teams.services.training import training_requirements_sync

logger = logging.getLogger(__name__)


def _require_supervisor_of(actor: Any, team: Team) -> None:
    if not access.can_supervise_team(actor, team):
        raise NotAllowed(_("Only the team's supervisors can change its members."))


def _check_role_allowed(user: User, role: str) -> None:
    if role not in TeamMembership.Role.values:
        raise ApplicationError(_("Unknown role."), details={"field": "role"})
    if role == TeamMembership.Role.SUPERVISOR and not access.has_role(user, Role.SUPERVISOR):
        raise ApplicationError(
            _(
                "%(name)s does not have the Supervisor role; an administrator must grant it "
                "before they can supervise a team."
            )
            % {"name": user.full_name or user.email},
            details={"field": "role"},
        )


def _lock_team(team: Team) -> Team:
    return Team.objects.select_for_update().get(pk=team.pk)


def _supervisor_count(team: Team) -> int:
    return TeamMembership.objects.filter(team=team, role=TeamMembership.Role.SUPERVISOR).count()


@transaction.atomic
def team_member_add(*, actor: Any, team: Team, user: User, role: str) -> TeamMembership:
    """Add ``user`` to ``team`` with ``role``. Only staff who work tickets (agents and
    supervisors) can be members; the supervisor role in a team needs the desk-wide Supervisor
    role. Required training for the team is set up for the new member."""
    _require_supervisor_of(actor, team)
    _lock_team(team)
    if not user.is_active or not access.has_role(user, Role.AGENT, Role.SUPERVISOR):
        raise ApplicationError(
            _("Only active agents and supervisors can be team members."),
            details={"field": "user"},
        )
    _check_role_allowed(user, role)
    if TeamMembership.objects.filter(team=team, user=user).exists():
        raise Conflict(
            _("%(name)s is already a member of this team.")
            % {"name": user.full_name or user.email},
            details={"field": "user"},
        )
    membership = TeamMembership.objects.create(team=team, user=user, role=role)
    training_requirements_sync(user_ids=[user.pk])
    logger.info(
        "team.member_added",
        extra={"team_id": team.pk, "user_id": user.pk, "role": role, "actor_id": actor.pk},
    )
    return membership


@transaction.atomic
def team_member_change_role(*, actor: Any, membership: TeamMembership, role: str) -> TeamMembership:
    """Make a member an agent or a supervisor of the team; demoting the last supervisor is
    refused (409)."""
    _require_supervisor_of(actor, membership.team)
    _lock_team(membership.team)
    membership = TeamMembership.objects.select_related("user", "team").get(pk=membership.pk)
    _check_role_allowed(membership.user, role)
    if role == membership.role:
        return membership
    if (
        membership.role == TeamMembership.Role.SUPERVISOR
        and _supervisor_count(membership.team) <= 1
    ):
        raise Conflict(
            _("%(name)s is the team's last supervisor; add another supervisor first.")
            % {"name": membership.user.full_name or membership.user.email},
            code="last_supervisor",
        )
    membership.role = role
    membership.save(update_fields=["role"])
    logger.info(
        "team.member_role_changed",
        extra={"membership_id": membership.pk, "role": role, "actor_id": actor.pk},
    )
    return membership


@transaction.atomic
def team_member_remove(*, actor: Any, membership: TeamMembership) -> None:
    """Remove a member from the team; removing the last supervisor is refused (409). Training
    required only through this team no longer applies to them."""
    _require_supervisor_of(actor, membership.team)
    _lock_team(membership.team)
    membership = TeamMembership.objects.select_related("user", "team").get(pk=membership.pk)
    if (
        membership.role == TeamMembership.Role.SUPERVISOR
        and _supervisor_count(membership.team) <= 1
    ):
        raise Conflict(
            _(
                "%(name)s is the team's last supervisor and cannot be removed; add another "
                "supervisor first."
            )
            % {"name": membership.user.full_name or membership.user.email},
            code="last_supervisor",
        )
    user_id = membership.user_id
    membership.delete()
    training_requirements_sync(user_ids=[user_id])
    logger.info(
        "team.member_removed",
        extra={"team_id": membership.team_id, "user_id": user_id, "actor_id": actor.pk},
    )
