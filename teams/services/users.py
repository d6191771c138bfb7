"""Writes about user accounts that must happen together."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import NotAllowed
from teams import access
from teams.models import ApiToken, User

logger = logging.getLogger(__name__)


def _session_keys_of(user: User) -> list[str]:
    # Sessions are signed blobs keyed by session key: the user id is only inside the decoded
    # data, so live sessions are decoded to find the user's (a desk has few live sessions).
    user_id = str(user.pk)
    return [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_id
    ]


@transaction.atomic
def user_deactivate(*, actor: Any, user: User) -> User:
    """Disable ``user`` at once: ``is_active`` False, every API token revoked and every session
    deleted, in one transaction.

    Even without this service an inactive user is refused everywhere (Django's backend and the
    API token check both require ``is_active``); this also removes what is left behind.
    ``actor`` must be an administrator (``None``: automation).
    """
    if actor is not None and not access.can_configure_desk(actor):
        raise NotAllowed(_("Only administrators can deactivate users."))
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    Session.objects.filter(session_key__in=_session_keys_of(user)).delete()
    logger.info("user.deactivated", extra={"user_id": user.pk})
    return user
