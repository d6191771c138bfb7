"""``manage.py demo_logins`` and ``manage.py totp_code`` on hand-made demo accounts."""

import io
import re
from datetime import UTC, datetime

import factory
import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, validate_totp_code
from django.core.management import call_command
from django.core.management.base import CommandError

from teams.access import Role
from teams.demo import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    demo_totp_secret,
    totp_code_now,
    totp_secret_of,
)
from tests.factories import UserFactory

NOW = datetime(2026, 3, 2, 9, 30, 5, tzinfo=UTC)
# RFC 6238 appendix B, SHA-1, 8 digits truncated to allauth's 6: T=59 s gives 94287082.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of "12345678901234567890"


def _run(*arguments: str) -> str:
    out = io.StringIO()
    call_command(*arguments, stdout=out)
    return out.getvalue()


@pytest.fixture
def supervisor_with_totp(db):
    user = UserFactory(
        email="supervisor@supportdesk.example", full_name="Wong Ka Yan", roles=[Role.SUPERVISOR]
    )
    secret = demo_totp_secret(seed=2026, email=user.email)
    TOTP.activate(user, secret)
    return user, secret


@pytest.fixture
def demo_agent(db):
    return UserFactory(email="agent@supportdesk.example", full_name="Alex Chan", roles=[Role.AGENT])


def test_demo_totp_secret_is_stable_base32_of_160_bits() -> None:
    secret = demo_totp_secret(seed=2026, email="admin@supportdesk.example")

    assert secret == demo_totp_secret(seed=2026, email="admin@supportdesk.example")
    assert secret != demo_totp_secret(seed=2027, email="admin@supportdesk.example")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)


def test_totp_code_now_matches_the_rfc_6238_test_vector() -> None:
    assert totp_code_now(RFC_SECRET, at=59) == ("287082", 1)


def test_totp_code_prints_a_code_that_allauth_accepts(supervisor_with_totp) -> None:
    user, secret = supervisor_with_totp
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)

    code = _run("totp_code", "Supervisor@SupportDesk.example").strip()

    assert re.fullmatch(r"\d{6}", code)
    assert validate_totp_code(secret, code)
    assert TOTP(authenticator).validate_code(code)


def test_totp_code_reads_the_stored_secret(supervisor_with_totp) -> None:
    user, secret = supervisor_with_totp

    assert totp_secret_of(user) == secret


def test_totp_code_is_the_code_of_the_current_period(supervisor_with_totp) -> None:
    _user, secret = supervisor_with_totp

    with time_machine.travel(NOW, tick=False):
        code = _run("totp_code", "supervisor@supportdesk.example").strip()

    assert code == totp_code_now(secret, at=NOW.timestamp())[0]


def test_totp_code_rejects_an_unknown_email(db) -> None:
    with pytest.raises(CommandError, match="No user with email address 'nobody@desk.example'"):
        _run("totp_code", "nobody@desk.example")


def test_totp_code_rejects_a_user_without_totp(demo_agent) -> None:
    with pytest.raises(CommandError, match="has no TOTP authenticator"):
        _run("totp_code", demo_agent.email)


def test_demo_logins_says_so_when_there_are_no_demo_accounts(db) -> None:
    output = _run("demo_logins")

    assert output == (
        "No demo sign-ins in this database. Load the demo desk with `python manage.py seed_demo`.\n"
    )


def test_demo_logins_lists_accounts_with_password_secret_and_code(
    supervisor_with_totp, demo_agent
) -> None:
    _user, secret = supervisor_with_totp

    with time_machine.travel(NOW, tick=False):
        output = _run("demo_logins")

    assert "supervisor@supportdesk.example" in output
    assert "agent@supportdesk.example" in output
    assert output.count(DEMO_PASSWORD) == 3
    assert f"TOTP secret {secret}" in output
    assert f"current code {totp_code_now(secret, at=NOW.timestamp())[0]}" in output
    assert "python manage.py totp_code EMAIL" in output
    assert "admin@supportdesk.example" not in output


def test_demo_logins_lists_every_documented_account(db) -> None:
    UserFactory.create_batch(
        len(DEMO_LOGINS),
        email=factory.Iterator([login.email for login in DEMO_LOGINS]),
        roles=factory.Iterator([[Role(login.role)] for login in DEMO_LOGINS]),
    )

    output = _run("demo_logins")

    assert [login.email for login in DEMO_LOGINS if login.email in output] == [
        login.email for login in DEMO_LOGINS
    ]
    assert "TOTP secret" not in output
