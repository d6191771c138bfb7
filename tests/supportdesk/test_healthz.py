"""GET /healthz: what load balancers and the compose healthcheck probe."""

import logging

import pytest
from django.db import OperationalError, connection

from teams.access import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def _refuse_connection(execute, sql, params, many, context):
    """What the backend raises when PostgreSQL went away under a pooled connection."""
    raise OperationalError(
        'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
    )


def test_it_answers_200_when_the_database_and_the_broker_answer(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "broker": True}}
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_it_answers_503_when_the_broker_is_unreachable(client, settings, caplog):
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER

    with caplog.at_level(logging.WARNING, logger="supportdesk.views"):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": True, "broker": False},
    }
    assert caplog.record_tuples == [
        ("supportdesk.views", logging.WARNING, "healthz.broker_unreachable"),
        ("django.request", logging.ERROR, "Service Unavailable: /healthz"),
    ]


def test_it_answers_503_when_the_database_is_unreachable(client, caplog):
    with (
        connection.execute_wrapper(_refuse_connection),
        caplog.at_level(logging.WARNING, logger="supportdesk.views"),
    ):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": False, "broker": True},
    }
    assert caplog.record_tuples == [
        ("supportdesk.views", logging.WARNING, "healthz.database_unreachable"),
        ("django.request", logging.ERROR, "Service Unavailable: /healthz"),
    ]


def test_it_answers_503_when_neither_answers(client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_BROKER

    with connection.execute_wrapper(_refuse_connection):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": False, "broker": False}


def test_it_needs_no_sign_in(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_it_answers_a_signed_in_supervisor_who_has_not_set_up_mfa(client):
    user = UserFactory(email="new.supervisor@desk.example", roles=[Role.SUPERVISOR])
    client.force_login(user)

    response = client.get("/healthz")

    assert response.status_code == 200


def test_it_is_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/healthz")

    assert response.status_code == 200


def test_other_pages_are_still_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/accounts/login/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
