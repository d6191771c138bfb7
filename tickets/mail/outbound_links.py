"""Signed, expiring links in outgoing mail: the portal link and the satisfaction survey.

Both are ``django.core.signing`` tokens (HMAC with ``SECRET_KEY``, a salt per purpose, a
timestamp checked against the configured lifetime), so a link cannot be forged, altered to point
at another ticket or used after it expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

PORTAL_SALT = "tickets.portal.link"
CSAT_SALT = "tickets.csat.link"


class LinkExpired(Exception):
    """The signature is valid but the link is older than its lifetime."""


class LinkInvalid(Exception):
    """The token was not made by this site (tampered, truncated, wrong purpose)."""


@dataclass(frozen=True)
class PortalGrant:
    ticket_id: int
    client_id: int


@dataclass(frozen=True)
class CsatGrant:
    ticket_id: int
    resolved_at: datetime


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def portal_token(*, ticket_id: int, client_id: int) -> str:
    return signing.dumps({"t": ticket_id, "c": client_id}, salt=PORTAL_SALT, compress=True)


def portal_url(*, ticket_id: int, client_id: int) -> str:
    token = portal_token(ticket_id=ticket_id, client_id=client_id)
    return absolute(reverse("tickets:portal_link", args=[token]))


def _load(token: str, *, salt: str, max_age: timedelta) -> dict:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except signing.BadSignature as error:
        raise LinkInvalid from error
    if not isinstance(data, dict):
        raise LinkInvalid
    return data


def portal_grant(token: str) -> PortalGrant:
    """What a portal link grants; raises ``LinkExpired`` / ``LinkInvalid``."""
    data = _load(token, salt=PORTAL_SALT, max_age=timedelta(days=settings.PORTAL_LINK_DAYS))
    try:
        return PortalGrant(ticket_id=int(data["t"]), client_id=int(data["c"]))
    except (KeyError, TypeError, ValueError) as error:
        raise LinkInvalid from error


def csat_token(*, ticket_id: int, resolved_at: datetime) -> str:
    return signing.dumps(
        {"t": ticket_id, "r": resolved_at.isoformat()}, salt=CSAT_SALT, compress=True
    )


def csat_urls(*, ticket_id: int, resolved_at: datetime) -> list[tuple[int, str]]:
    """``(score, absolute URL)`` for the five one-click ratings."""
    token = csat_token(ticket_id=ticket_id, resolved_at=resolved_at)
    return [
        (score, absolute(reverse("tickets:csat_rate", args=[token, score])))
        for score in range(1, 6)
    ]


def csat_grant(token: str) -> CsatGrant:
    """What a survey link grants; raises ``LinkExpired`` / ``LinkInvalid``."""
    data = _load(token, salt=CSAT_SALT, max_age=timedelta(days=settings.CSAT_LINK_DAYS))
    try:
        return CsatGrant(
            ticket_id=int(data["t"]), resolved_at=datetime.fromisoformat(str(data["r"]))
        )
    except (KeyError, TypeError, ValueError) as error:
        raise LinkInvalid from error
