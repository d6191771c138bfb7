"""The agent's live status (available, busy, away, offline) and the automatic *away* sweep.

Rules of the sweep (``agent_status_sweep``, every minute from Celery beat):

1. Only agents with at least one shift are swept: without a schedule there is nothing to be
   outside of (routing never picks them anyway, since it requires being on shift).
2. Off shift and *available* or *busy*: set to *away*, marked ``status_set_automatically``.
3. On shift again and *away* **because the sweep set it**: set back to *available*. A status the
   agent chose themself (away for lunch, offline) is never changed back automatically.

Listeners registered with ``register_status_listener`` (e.g. routing, to redistribute an agent's
tickets when they go away) are called inside the transaction for every change.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, NotAllowed
from teams import access
from teams.models import AgentProfile, Shift, User
from teams.shifts import on_shift

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatusChange:
    """One change of an agent's status, as announced to listeners."""

    user_id: int
    old: str
    new: str
    automatic: bool
    at: datetime


_listeners: list[Callable[[StatusChange], None]] = []


def register_status_listener(listener: Callable[[StatusChange], None]) -> None:
    """Call ``listener`` (inside the transaction) whenever an agent's status changes."""
    if listener not in _listeners:
        _listeners.append(listener)


def _announce(change: StatusChange) -> None:
    for listener in list(_listeners):
        listener(change)


def agent_profile_of(user: User) -> AgentProfile:
    """The user's profile, created with the defaults the first time it is needed."""
    profile, _created = AgentProfile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def agent_status_set(*, actor: Any, status: str) -> AgentProfile:
    """The signed-in agent sets their own live status; it is no longer "automatic"."""
    if not access.can_set_own_status(actor):
        raise NotAllowed(_("Only agents and supervisors have a live status."))
    if status not in AgentProfile.Status.values:
        raise ApplicationError(_("Unknown status."), details={"field": "status"})
    agent_profile_of(actor)
    profile = AgentProfile.objects.select_for_update().get(user=actor)
    now = timezone.now()
    old = profile.status
    profile.status = status
    profile.status_set_automatically = False
    if old != status:
        profile.status_changed_at = now
    profile.save(update_fields=["status", "status_set_automatically", "status_changed_at"])
    if old != status:
        _announce(StatusChange(actor.pk, old, status, automatic=False, at=now))
    logger.info("agent.status_set", extra={"user_id": actor.pk, "status": status})
    return profile


@transaction.atomic
def agent_status_sweep(*, now: datetime) -> tuple[int, int]:
    """Set agents *away* outside their shifts and back to *available* when a shift starts
    again (only if the sweep set them away). Returns (set away, set back). Idempotent: a rerun
    at the same moment changes nothing. Rows are locked with ``SKIP LOCKED`` so that two
    overlapping runs never both change one agent."""
    with_shifts = AgentProfile.objects.filter(
        user__in=Shift.objects.values("user_id"), user__is_active=True
    )
    on_shift_users = User.objects.filter(on_shift(now)).values("pk")
    going_away = list(
        with_shifts.filter(status__in=[AgentProfile.Status.AVAILABLE, AgentProfile.Status.BUSY])
        .exclude(user__in=on_shift_users)
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("user_id", "status")
    )
    coming_back = list(
        with_shifts.filter(status=AgentProfile.Status.AWAY, status_set_automatically=True)
        .filter(user__in=on_shift_users)
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("user_id", "status")
    )
    if going_away:
        AgentProfile.objects.filter(user_id__in=[pk for pk, _s in going_away]).update(
            status=AgentProfile.Status.AWAY, status_set_automatically=True, status_changed_at=now
        )
    if coming_back:
        AgentProfile.objects.filter(user_id__in=[pk for pk, _s in coming_back]).update(
            status=AgentProfile.Status.AVAILABLE,
            status_set_automatically=False,
            status_changed_at=now,
        )
    for user_id, old in going_away:
        _announce(StatusChange(user_id, old, AgentProfile.Status.AWAY, automatic=True, at=now))
    for user_id, old in coming_back:
        _announce(StatusChange(user_id, old, AgentProfile.Status.AVAILABLE, automatic=True, at=now))
    if going_away or coming_back:
        logger.info(
            "agent.status_sweep",
            extra={"set_away": len(going_away), "set_back": len(coming_back)},
        )
    return len(going_away), len(coming_back)
