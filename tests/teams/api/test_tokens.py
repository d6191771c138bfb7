"""Personal API tokens: hashed storage, scopes, expiry, revocation, deactivation, the command,
the preferences page and the rate limit."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from teams.models import ApiToken
from teams.services.api_tokens import api_token_create
from teams.services.users import user_deactivate
from tests.api_clients import token_client
from tests.factories import TicketFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _bearer(secret: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return api


def test_only_the_hash_of_a_token_is_stored(agent):
    issued = api_token_create(user=agent, scope="read", name="CI")
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert issued.secret.startswith("sdt_")
    assert stored.digest == hashlib.sha256(issued.secret.encode()).hexdigest()
    assert issued.secret not in str(ApiToken.objects.filter(pk=stored.pk).values().get())


def test_a_read_token_reads_but_cannot_write(agent, team_a):
    ticket = TicketFactory(team=team_a)
    api = token_client(agent, "read")
    assert api.get(f"/api/v1/tickets/{ticket.pk}").status_code == 200
    response = api.patch(f"/api/v1/tickets/{ticket.pk}", {"version": 1, "subject": "x"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Ticket.objects.get(pk=ticket.pk).subject == ticket.subject


@pytest.mark.parametrize("header", ["Bearer sdt_nope", "Bearer", "Token a b", "Bearer sdt_é"])
def test_bad_tokens_are_401(header):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)
    response = api.get("/api/v1/tickets")
    assert response.status_code == 401
    assert response.json()["code"] in {"invalid_token", "authentication_failed"}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_an_expired_token_is_401(agent):
    issued = api_token_create(user=agent, scope="write", expires_in_days=1)
    assert _bearer(issued.secret).get("/api/v1/tickets").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1)):
        response = _bearer(issued.secret).get("/api/v1/tickets")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_a_revoked_token_is_401_and_revoking_from_the_page_works(agent):
    issued = api_token_create(user=agent, scope="write")
    browser = Client()
    browser.force_login(agent)
    response = browser.post(f"/preferences/api-tokens/{issued.token.pk}/revoke/")
    assert response.status_code == 302
    assert _bearer(issued.secret).get("/api/v1/tickets").status_code == 401


def test_nobody_revokes_someone_elses_token(agent, outsider):
    issued = api_token_create(user=agent, scope="write")
    browser = Client()
    browser.force_login(outsider)
    assert browser.post(f"/preferences/api-tokens/{issued.token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is None


def test_the_page_shows_a_new_token_once(agent, django_assert_max_num_queries):
    browser = Client()
    browser.force_login(agent)
    response = browser.post(
        "/preferences/api-tokens/", {"name": "Monitoring", "scope": "read", "expires_in_days": 30}
    )
    assert response.status_code == 201
    token = ApiToken.objects.get(user=agent)
    secret = response.context["secret"]
    assert secret.encode() in response.content
    assert _bearer(secret).get("/api/v1/tickets").status_code == 200
    with django_assert_max_num_queries(8):
        page = browser.get("/preferences/api-tokens/")
    assert secret.encode() not in page.content
    assert token.prefix.encode() in page.content


def test_the_page_refuses_bad_input(agent):
    browser = Client()
    browser.force_login(agent)
    response = browser.post("/preferences/api-tokens/", {"name": "", "scope": "admin"})
    assert response.status_code == 400
    assert ApiToken.objects.count() == 0


def test_deactivating_a_user_kills_tokens_and_sessions_at_once(agent, administrator):
    issued = api_token_create(user=agent, scope="write")
    browser = Client()
    browser.force_login(agent)
    assert browser.get("/api/v1/tickets").status_code == 200
    user_deactivate(actor=administrator, user=agent)
    assert _bearer(issued.secret).get("/api/v1/tickets").status_code == 401
    assert browser.get("/api/v1/tickets").status_code in (401, 403)
    assert not Session.objects.exists()
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None


def test_an_inactive_owner_is_refused_even_without_the_service(agent):
    issued = api_token_create(user=agent, scope="write")
    type(agent).objects.filter(pk=agent.pk).update(is_active=False)
    assert _bearer(issued.secret).get("/api/v1/tickets").status_code == 401


def test_only_administrators_deactivate_users(agent, supervisor):
    from supportdesk.errors import NotAllowed

    with pytest.raises(NotAllowed):
        user_deactivate(actor=supervisor, user=agent)
    agent.refresh_from_db()
    assert agent.is_active


def test_the_command_prints_a_working_token(agent):
    out = StringIO()
    call_command("create_api_token", user=agent.email, scope="read", expires=7, stdout=out)
    secret = out.getvalue().strip()
    token = ApiToken.objects.get(user=agent)
    assert token.scope == "read"
    assert token.expires_at is not None
    assert _bearer(secret).get("/api/v1/tickets").status_code == 200


def test_the_rate_limit_is_per_token(agent, settings):
    settings.API_RATE_LIMIT = "3/minute"
    first = token_client(agent, "read")
    second = token_client(agent, "read")
    statuses = [first.get("/api/v1/teams").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = first.get("/api/v1/teams")
    assert limited.json()["code"] == "throttled"
    assert int(limited["Retry-After"]) > 0
    assert second.get("/api/v1/teams").status_code == 200


def test_unticking_active_in_the_admin_kills_tokens_and_sessions(agent, administrator):
    issued = api_token_create(user=agent, scope="write")
    agent_browser = Client()
    agent_browser.force_login(agent)
    type(administrator).objects.filter(pk=administrator.pk).update(is_staff=True, is_superuser=True)
    admin_browser = Client()
    admin_browser.force_login(administrator)
    page = admin_browser.get(f"/django-admin/teams/user/{agent.pk}/change/")
    form = page.context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and key not in ("password", "groups", "last_login")
    }
    data.update(
        {
            "is_active": "",
            "date_joined_0": agent.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": agent.date_joined.strftime("%H:%M:%S"),
            "groups": [group.pk for group in agent.groups.all()],
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data.pop("date_joined", None)
    data.pop("is_staff", None)
    data.pop("is_superuser", None)
    response = admin_browser.post(f"/django-admin/teams/user/{agent.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _bearer(issued.secret).get("/api/v1/tickets").status_code == 401
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None
    assert Session.objects.filter(session_key=agent_browser.session.session_key).count() == 0
