"""An agent's own availability (``AgentProfile.status``)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, NotAllowed
from teams import access
from teams.models import AgentProfile, User

logger = logging.getLogger(__name__)


@transaction.atomic
def agent_status_set(*, actor: Any, agent: User, status: str) -> AgentProfile:
    """Set ``agent``'s status (available, busy, away, offline); only agents and supervisors set
    their own. Creates the profile on first use; marks the status as set by hand."""
    if not access.can_set_agent_status(actor, agent):
        raise NotAllowed(_("You can only set your own status."))
    if status not in AgentProfile.Status.values:
        raise ApplicationError(_("Unknown status."), details={"field": "status"})
    profile, _created = AgentProfile.objects.select_for_update().get_or_create(user=agent)
    if profile.status != status or profile.status_set_automatically:
        profile.status = status
        profile.status_changed_at = timezone.now()
        profile.status_set_automatically = False
        profile.save(update_fields=["status", "status_changed_at", "status_set_automatically"])
        logger.info("agent.status_set", extra={"user_id": agent.pk, "status": status})
    return profile
