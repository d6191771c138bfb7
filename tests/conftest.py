"""Shared fixtures and personas: ``agent`` and ``supervisor`` of team A, ``outsider`` (an agent of
team B), ``manager``, ``administrator`` and ``client_user``."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache

from teams.access import Role
from teams.models import TeamMembership
from tests.factories import ClientFactory, MembershipFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()


@pytest.fixture
def celery_eager(settings):
    """Celery tasks run in the test's own thread. Celery reads the Django settings once, when
    its configuration is first used (possibly by an earlier test), so the app's configuration is
    switched too, and back afterwards."""
    from supportdesk.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False


def give_totp(user) -> str:
    """Activate TOTP for ``user`` and return the secret (what a phone app would hold)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture
def team_a(db):
    return TeamFactory(name="Technical Assistance HK", slug="tech-hk")


@pytest.fixture
def team_b(db):
    return TeamFactory(name="Account Services", slug="accounts")


@pytest.fixture
def agent(team_a):
    user = UserFactory(email="agent@desk.example", full_name="Alice Agent", roles=[Role.AGENT])
    MembershipFactory(team=team_a, user=user)
    return user


@pytest.fixture
def outsider(team_b):
    user = UserFactory(
        email="outsider@desk.example", full_name="Oscar Outsider", roles=[Role.AGENT]
    )
    MembershipFactory(team=team_b, user=user)
    return user


@pytest.fixture
def supervisor(team_a):
    user = UserFactory(
        email="supervisor@desk.example", full_name="Sam Supervisor", roles=[Role.SUPERVISOR]
    )
    MembershipFactory(team=team_a, user=user, role=TeamMembership.Role.SUPERVISOR)
    user.totp_secret = give_totp(user)
    return user


@pytest.fixture
def manager(db):
    user = UserFactory(email="manager@desk.example", full_name="Mia Manager", roles=[Role.MANAGER])
    user.totp_secret = give_totp(user)
    return user


@pytest.fixture
def administrator(db):
    user = UserFactory(
        email="admin@desk.example", full_name="Ada Administrator", roles=[Role.ADMINISTRATOR]
    )
    user.totp_secret = give_totp(user)
    return user


@pytest.fixture
def client_user(db):
    user = UserFactory(email="client@mail.example", full_name="Chan Tai Man", roles=[Role.CLIENT])
    ClientFactory(user=user, email=user.email, name=user.full_name)
    return user


__all__ = ["Authenticator", "give_totp"]
