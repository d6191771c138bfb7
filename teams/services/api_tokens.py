"""Personal API tokens: create (the secret is returned once), revoke, and look one up.

Only the sha256 of a token is stored: a leaked database does not leak usable tokens, and a token
can never be shown again. Tokens look like ``sdt_<43 URL-safe characters>``; the first
characters after ``sdt_`` are kept as ``prefix`` so that their owner can tell them apart.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supportdesk.errors import ApplicationError, NotAllowed
from teams.models import ApiToken, User

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "sdt_"  # noqa: S105 - a public marker, not a secret
MAX_EXPIRY_DAYS = 3650
NAME_MAX_LENGTH = 100


@dataclass(frozen=True)
class IssuedToken:
    """A token just created: the stored row and the secret, which nobody can read again."""

    token: ApiToken
    secret: str


def api_token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    user: User,
    scope: str,
    name: str = "",
    expires_in_days: int | None = None,
) -> IssuedToken:
    """Issue a token for ``user`` (an active user) with ``scope`` read or write, valid for
    ``expires_in_days`` days (1–3650) or until revoked when ``None``."""
    if not user.is_active:
        raise ApplicationError(_("Inactive users cannot have API tokens."), code="inactive")
    if scope not in ApiToken.Scope.values:
        raise ApplicationError(
            _("The scope must be “read” or “write”."), code="invalid", details={"field": "scope"}
        )
    name = (name or "").strip() or str(_("API token"))
    if len(name) > NAME_MAX_LENGTH:
        raise ApplicationError(
            _("The name is too long (100 characters at most)."),
            details={"field": "name"},
        )
    expires_at = None
    if expires_in_days is not None:
        if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
            raise ApplicationError(
                _("A token expires after 1 to 3650 days."), details={"field": "expires_in_days"}
            )
        expires_at = timezone.now() + timedelta(days=expires_in_days)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=secret[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + ApiToken.PREFIX_LENGTH],
        digest=api_token_digest(secret),
        scope=scope,
        expires_at=expires_at,
    )
    logger.info("api_token.created", extra={"user_id": user.pk, "token_id": token.pk})
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens (idempotent: revoking twice keeps the first time)."""
    if token.user_id != actor.pk:
        raise NotAllowed(_("You can only revoke your own API tokens."))
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    logger.info("api_token.revoked", extra={"user_id": actor.pk, "token_id": token.pk})
    return token


def api_token_for_secret(secret: str) -> ApiToken | None:
    """The live token with this secret and its (active) owner, or ``None``: unknown, revoked,
    expired, or its owner deactivated. One query."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(digest=api_token_digest(secret), revoked_at__isnull=True, user__is_active=True)
        .exclude(expires_at__lte=timezone.now())
        .first()
    )
