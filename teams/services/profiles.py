"""Agent profiles edited by their supervisors: languages and product skills with proficiency,
capacity, and the weekly shifts (in the agent's own time zone; overnight shifts allowed)."""

import logging
from datetime import time
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, NotAllowed
from teams import access
from teams.models import AgentProfile, AgentSkill, Shift, Skill, User
from teams.services.status import agent_profile_of
from teams.services.training import training_requirements_sync

logger = logging.getLogger(__name__)

MAX_CAPACITY = 200
MAX_SHIFTS_PER_WEEK = 21
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


def _require_supervisor_of(actor: Any, agent: User) -> None:
    if not access.can_supervise_agent(actor, agent):
        raise NotAllowed(_("Only the agent's supervisors can change their profile."))


@transaction.atomic
def agent_profile_update(
    *, actor: Any, agent: User, capacity: int, proficiencies: dict[int, int | None]
) -> AgentProfile:
    """Set the agent's capacity (most open tickets at once) and skills: ``proficiencies`` maps
    a skill id to 1–5, or to ``None`` to remove the skill. Skills not named are unchanged."""
    _require_supervisor_of(actor, agent)
    if not 0 <= capacity <= MAX_CAPACITY:
        raise ApplicationError(
            _("Capacity must be between 0 and %(max)d open tickets.") % {"max": MAX_CAPACITY},
            details={"field": "capacity"},
        )
    known = set(Skill.objects.filter(pk__in=proficiencies).values_list("pk", flat=True))
    if known != set(proficiencies):
        raise ApplicationError(_("Unknown skill."))
    for level in proficiencies.values():
        if level is not None and not (
            AgentSkill.MIN_PROFICIENCY <= level <= AgentSkill.MAX_PROFICIENCY
        ):
            raise ApplicationError(_("Proficiency must be between 1 and 5."))
    profile = agent_profile_of(agent)
    profile = AgentProfile.objects.select_for_update().get(pk=profile.pk)
    profile.capacity = capacity
    profile.save(update_fields=["capacity"])
    removed = [pk for pk, level in proficiencies.items() if level is None]
    AgentSkill.objects.filter(user=agent, skill_id__in=removed).delete()
    kept = {pk: level for pk, level in proficiencies.items() if level is not None}
    AgentSkill.objects.bulk_create(
        [AgentSkill(user=agent, skill_id=pk, proficiency=level) for pk, level in kept.items()],
        update_conflicts=True,
        unique_fields=["user", "skill"],
        update_fields=["proficiency"],
    )
    training_requirements_sync(user_ids=[agent.pk])
    logger.info("agent.profile_updated", extra={"user_id": agent.pk, "actor_id": actor.pk})
    return profile


def _week_intervals(weekday: int, starts_at: time, ends_at: time) -> list[tuple[int, int]]:
    """The shift as minute intervals of the week (an overnight Sunday shift wraps to Monday)."""
    start = weekday * MINUTES_PER_DAY + starts_at.hour * 60 + starts_at.minute
    length = (ends_at.hour * 60 + ends_at.minute) - (starts_at.hour * 60 + starts_at.minute)
    if length <= 0:
        length += MINUTES_PER_DAY
    end = start + length
    if end <= MINUTES_PER_WEEK:
        return [(start, end)]
    return [(start, MINUTES_PER_WEEK), (0, end - MINUTES_PER_WEEK)]


def _check_shift(
    *, agent: User, weekday: int, starts_at: time, ends_at: time, exclude_pk: int | None = None
) -> None:
    if not 0 <= weekday <= 6:
        raise ApplicationError(_("Choose a day of the week."), details={"field": "weekday"})
    if starts_at == ends_at:
        raise ApplicationError(
            _("A shift must end at a different time than it starts."),
            details={"field": "ends_at"},
        )
    others = Shift.objects.filter(user=agent).exclude(pk=exclude_pk)
    if exclude_pk is None and others.count() >= MAX_SHIFTS_PER_WEEK:
        raise ApplicationError(
            _("An agent can have at most %(max)d shifts a week.") % {"max": MAX_SHIFTS_PER_WEEK}
        )
    new = _week_intervals(weekday, starts_at, ends_at)
    for other in others:
        for start, end in _week_intervals(other.weekday, other.starts_at, other.ends_at):
            if any(start < new_end and new_start < end for new_start, new_end in new):
                raise ApplicationError(
                    _("This shift overlaps the %(day)s %(start)s–%(end)s shift.")
                    % {
                        "day": WEEKDAY_NAMES[other.weekday],
                        "start": f"{other.starts_at:%H:%M}",
                        "end": f"{other.ends_at:%H:%M}",
                    },
                    code="shift_overlap",
                )


WEEKDAY_NAMES = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


@transaction.atomic
def shift_add(*, actor: Any, agent: User, weekday: int, starts_at: time, ends_at: time) -> Shift:
    """Add a weekly shift in the agent's time zone; an end not after the start means the shift
    runs overnight (22:00–07:00). Overlapping shifts are refused."""
    _require_supervisor_of(actor, agent)
    User.objects.select_for_update().filter(pk=agent.pk).first()
    _check_shift(agent=agent, weekday=weekday, starts_at=starts_at, ends_at=ends_at)
    shift = Shift.objects.create(user=agent, weekday=weekday, starts_at=starts_at, ends_at=ends_at)
    logger.info("agent.shift_added", extra={"user_id": agent.pk, "shift_id": shift.pk})
    return shift


@transaction.atomic
def shift_update(
    *, actor: Any, shift: Shift, weekday: int, starts_at: time, ends_at: time
) -> Shift:
    """Change one shift (same rules as ``shift_add``)."""
    _require_supervisor_of(actor, shift.user)
    User.objects.select_for_update().filter(pk=shift.user_id).first()
    _check_shift(
        agent=shift.user, weekday=weekday, starts_at=starts_at, ends_at=ends_at, exclude_pk=shift.pk
    )
    shift.weekday, shift.starts_at, shift.ends_at = weekday, starts_at, ends_at
    shift.save(update_fields=["weekday", "starts_at", "ends_at"])
    logger.info("agent.shift_updated", extra={"user_id": shift.user_id, "shift_id": shift.pk})
    return shift


@transaction.atomic
def shift_delete(*, actor: Any, shift: Shift) -> None:
    """Remove one shift."""
    _require_supervisor_of(actor, shift.user)
    logger.info("agent.shift_deleted", extra={"user_id": shift.user_id, "shift_id": shift.pk})
    shift.delete()
