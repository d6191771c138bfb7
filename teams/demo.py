"""The demo sign-ins shared by ``seed_demo`` (which creates them), ``demo_logins`` (which lists
them) and ``totp_code`` (which prints a current authenticator code).

These live in ``teams`` because the accounts are teams' users and ``teams`` must not import
``tickets``; ``tickets/management/commands/seed_demo.py`` imports from here.
"""

import base64
import hashlib
import time
from dataclasses import dataclass
from typing import Any

DEMO_PASSWORD = "SupportDesk-demo-2026"  # noqa: S105 - a documented, public demo password


@dataclass(frozen=True)
class DemoLogin:
    """One documented demo sign-in: who it is and what it is for."""

    role: str
    email: str
    description: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("Administrator", "admin@supportdesk.example", "configures the desk"),
    DemoLogin("Manager", "manager@supportdesk.example", "reads every team and report"),
    DemoLogin("Supervisor", "supervisor@supportdesk.example", "supervises Technical Assistance HK"),
    DemoLogin(
        "Agent",
        "agent@supportdesk.example",
        "Technical Assistance HK, English + Cantonese, has open tickets",
    ),
    DemoLogin("Agent", "agent.zh@supportdesk.example", "interface in Traditional Chinese"),
    DemoLogin("Client", "client@client.example", "client portal, a few tickets of their own"),
    DemoLogin(
        "Client", "client.zh@client.example", "client portal and mail in 繁中 (seed_portal_demo)"
    ),
)
DEMO_EMAILS: frozenset[str] = frozenset(login.email for login in DEMO_LOGINS)


def demo_totp_secret(*, seed: int, email: str) -> str:
    """The deterministic base32 TOTP secret the demo seed gives ``email`` (160 bits)."""
    digest = hashlib.sha256(f"{seed}:{email}".encode()).digest()
    return base64.b32encode(digest[:20]).decode("ascii")


def totp_secret_of(user: Any) -> str | None:
    """The (decrypted) secret of the user's TOTP authenticator, or ``None`` without one."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return None
    return decrypt(authenticator.data["secret"])


def totp_code_now(secret: str, *, at: float | None = None) -> tuple[str, int]:
    """The code an authenticator app shows for ``secret`` at ``at`` (default: now), and the
    seconds it stays valid, computed with allauth's own HOTP functions and settings."""
    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    moment = time.time() if at is None else at
    period = app_settings.TOTP_PERIOD
    counter = int(moment) // period
    seconds_left = period - int(moment) % period
    return format_hotp_value(hotp_value(secret, counter)), seconds_left
