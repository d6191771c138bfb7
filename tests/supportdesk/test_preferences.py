"""Each user picks their language and time zone; pages follow them."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_a_user_saves_language_and_time_zone(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("preferences"),
        {
            "full_name": "Alice Agent",
            "language": "zh-hant",
            "time_zone": "Europe/London",
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert (agent.language, agent.time_zone) == ("zh-hant", "Europe/London")
    page = client.get(reverse("preferences")).content.decode()
    assert "已儲存您的偏好設定。" in page
    assert '<html lang="zh-Hant-HK">' in page


def test_an_unknown_time_zone_is_refused_in_the_users_language(client, agent):
    agent.language = "zh-hant"
    agent.save()
    client.force_login(agent)
    response = client.post(
        reverse("preferences"),
        {
            "full_name": "Alice Agent",
            "language": "zh-hant",
            "time_zone": "Mars/Olympus_Mons",
        },
    )
    assert response.status_code == 400
    assert "請選擇有效的選項, Mars/Olympus_Mons 不是一個可用的選項。" in response.content.decode()
    agent.refresh_from_db()
    assert agent.time_zone == "Asia/Hong_Kong"


def test_times_are_shown_in_the_users_time_zone(client, agent, team_a):
    TicketFactory(
        team=team_a, assignee=agent, created_at=datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    )
    client.force_login(agent)
    hong_kong = client.get(reverse("tickets:mine")).content.decode()
    assert "2026-11-21 07:30" in hong_kong
    agent.time_zone = "America/New_York"
    agent.save()
    new_york = client.get(reverse("tickets:mine")).content.decode()
    assert "2026-11-20 18:30" in new_york
    assert "America/New_York" in new_york


def test_the_language_switch_rejects_unknown_languages_and_foreign_redirects(client, agent):
    client.force_login(agent)
    assert client.post(reverse("set_language"), {"language": "xx"}).status_code == 400
    response = client.post(
        reverse("set_language"), {"language": "zh-hant", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
    assert client.get(reverse("set_language")).status_code == 405


def test_anonymous_visitors_switch_language_by_cookie(client):
    response = client.post(
        reverse("set_language"), {"language": "zh-hant", "next": "/accounts/login/"}
    )
    assert response.cookies["django_language"].value == "zh-hant"
    page = client.get("/accounts/login/").content.decode()
    assert "登入" in page
