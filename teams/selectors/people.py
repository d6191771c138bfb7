"""Reads for the team pages and agent profiles."""

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from teams import access
from teams.access import Role
from teams.models import AgentSkill, OneOnOneNote, Shift, Skill, Team, TeamMembership, User


def team_list_visible_to(*, user: Any) -> QuerySet[Team]:
    """The teams the user may read, with member and supervisor counts (one query)."""
    return (
        access.teams_visible_to(user)
        .annotate(
            member_count=Count("memberships", distinct=True),
            supervisor_count=Count(
                "memberships",
                filter=Q(memberships__role=TeamMembership.Role.SUPERVISOR),
                distinct=True,
            ),
        )
        .order_by("name")
    )


def team_members(*, team: Team) -> QuerySet[TeamMembership]:
    """The team's members with their live status and capacity (one query)."""
    return (
        TeamMembership.objects.filter(team=team)
        .select_related("user", "user__agent_profile")
        .order_by("-role", "user__full_name")
    )


def membership_candidates(*, team: Team) -> QuerySet[User]:
    """Active agents and supervisors who are not yet members of ``team``."""
    return (
        User.objects.filter(
            is_active=True, groups__name__in=[Role.AGENT.value, Role.SUPERVISOR.value]
        )
        .exclude(memberships__team=team)
        .distinct()
        .order_by("full_name")
    )


def agent_for_profile(*, user: Any, agent_id: int) -> User:
    """One person whose profile ``user`` may read, with skills, shifts and teams; 404 outside
    the scope."""
    queryset = (
        access.agents_visible_to(user, User.objects.filter(is_active=True))
        .select_related("agent_profile")
        .prefetch_related(
            Prefetch(
                "skills", AgentSkill.objects.select_related("skill").order_by("skill__name_en")
            ),
            Prefetch("shifts", Shift.objects.order_by("weekday", "starts_at")),
            Prefetch("memberships", TeamMembership.objects.select_related("team")),
        )
    )
    return access.get_visible_or_404(queryset, pk=agent_id)


def skill_list() -> QuerySet[Skill]:
    return Skill.objects.order_by("kind", "name_en")


def one_on_one_notes(*, user: Any, agent: User) -> QuerySet[OneOnOneNote]:
    """The agent's private 1:1 notes, or none when ``user`` may not read them."""
    if not access.can_read_one_on_one_notes(user, agent):
        return OneOnOneNote.objects.none()
    return OneOnOneNote.objects.filter(agent=agent).select_related("author")[:100]
