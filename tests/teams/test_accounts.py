"""Signing in and out, password reset, rate limiting and the MFA requirement."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core import mail
from django.urls import reverse

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
LOGIN_URL = reverse("account_login")


def current_totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(client, email: str, password: str = TEST_PASSWORD):
    return client.post(LOGIN_URL, {"login": email, "password": password})


def test_an_agent_signs_in_and_lands_on_their_tickets(client, agent):
    response = sign_in(client, agent.email)
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"] == reverse("tickets:mine")


def test_a_wrong_password_and_an_unknown_email_get_the_same_message(client, agent):
    wrong = sign_in(client, agent.email, "not-the-password")
    unknown = sign_in(client, "nobody@desk.example", "not-the-password")
    assert wrong.status_code == unknown.status_code == 400
    message = "The email address and/or password you specified are not correct."
    assert message in wrong.content.decode()
    assert message in unknown.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_error_is_in_the_visitors_language(client, agent):
    client.cookies["django_language"] = "zh-hant"
    response = sign_in(client, agent.email, "not-the-password")
    assert "您提供的電子郵件地址和／或密碼不正確。" in response.content.decode()


def test_repeated_failed_logins_are_rate_limited(client, agent):
    for _attempt in range(5):
        sign_in(client, agent.email, "not-the-password")
    response = sign_in(client, agent.email, TEST_PASSWORD)
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_session(client, agent):
    sign_in(client, agent.email)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("tickets:mine")).status_code == 302


def test_nobody_can_sign_up_from_the_sign_in_pages(client):
    response = client.get(reverse("account_signup"))
    assert "Sign Up Closed" in response.content.decode()


def test_password_reset_sends_a_link_that_works_once(client, agent):
    response = client.post(reverse("account_reset_password"), {"email": agent.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    assert link
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    new_password = "a-new-strong-password-42"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"password1": new_password, "password2": new_password},
    )
    assert done.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password(new_password)
    reused = client.get(link.group(1), follow=True)
    assert "The password reset link was invalid" in reused.content.decode()


def test_password_reset_for_an_unknown_email_reveals_nothing(client, agent):
    response = client.post(reverse("account_reset_password"), {"email": "ghost@desk.example"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")


def test_an_expired_reset_link_is_refused_clearly(client, agent):
    response = client.get("/accounts/password/reset/key/zz-invalid-token/", follow=True)
    assert response.status_code == 200
    assert "The password reset link was invalid" in response.content.decode()


def test_a_supervisor_must_enter_a_totp_code(client, supervisor):
    response = sign_in(client, supervisor.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "Incorrect code." in wrong.content.decode()
    right = client.post(
        reverse("mfa_authenticate"), {"code": current_totp_code(supervisor.totp_secret)}
    )
    assert right.status_code == 302
    assert client.get(reverse("home"))["Location"] == reverse("metrics:board")


@pytest.mark.parametrize("role_fixture", ["supervisor", "manager", "administrator"])
def test_roles_that_need_mfa_reach_only_mfa_setup_until_they_activate_it(
    client, request, role_fixture
):
    user = request.getfixturevalue(role_fixture)
    user.authenticator_set.all().delete()
    client.force_login(user)
    for url in (
        reverse("home"),
        reverse("metrics:desk"),
        reverse("preferences"),
        reverse("tickets:team_queue"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("mfa_activate_totp")
    setup = client.get(reverse("mfa_activate_totp"), follow=True)
    assert setup.status_code == 200
    assert setup.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))


def test_a_supervisor_without_mfa_is_sent_to_activate_it_after_signing_in(client, supervisor):
    supervisor.authenticator_set.all().delete()
    sign_in(client, supervisor.email)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("mfa_activate_totp")
    confirm = client.get(reverse("mfa_activate_totp"))
    assert confirm["Location"].startswith(reverse("account_reauthenticate"))
    confirmed = client.post(confirm["Location"], {"password": TEST_PASSWORD}, follow=True)
    assert confirmed.status_code == 200
    assert "Activate Authenticator App" in confirmed.content.decode()


def test_agents_do_not_need_mfa(client, agent):
    client.force_login(agent)
    assert client.get(reverse("tickets:mine")).status_code == 200


def test_session_and_csrf_cookies_are_secure_and_http_only(settings):
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True
