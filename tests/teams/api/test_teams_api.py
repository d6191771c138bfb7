"""Teams and agents in the API: scope, skills and shifts, an agent's own status."""

from __future__ import annotations

from datetime import time

import pytest

from teams.models import AgentProfile, AgentSkill, Shift, Skill
from tests.api_clients import token_client

pytestmark = pytest.mark.django_db


def test_an_agent_reads_colleagues_with_skills_and_shifts(agent, supervisor, outsider):
    skill = Skill.objects.create(kind="language", code="yue", name_en="Cantonese",
                                 name_zh_hant="粵語")  # fmt: skip
    AgentSkill.objects.create(user=supervisor, skill=skill, proficiency=5)
    Shift.objects.create(user=supervisor, weekday=0, starts_at=time(9), ends_at=time(18))
    body = token_client(agent).get("/api/v1/agents").json()
    by_id = {row["id"]: row for row in body["results"]}
    assert set(by_id) == {agent.pk, supervisor.pk}
    assert by_id[supervisor.pk]["skills"] == [
        {"code": "yue", "kind": "language", "name_en": "Cantonese", "proficiency": 5}
    ]
    assert by_id[supervisor.pk]["shifts"] == [
        {"weekday": 0, "starts_at": "09:00:00", "ends_at": "18:00:00"}
    ]


def test_teams_are_scoped(agent, team_a, team_b, manager):
    assert [row["slug"] for row in token_client(agent).get("/api/v1/teams").json()["results"]] == [
        "tech-hk"
    ]
    slugs = {row["slug"] for row in token_client(manager).get("/api/v1/teams").json()["results"]}
    assert slugs == {"tech-hk", "accounts"}


def test_an_agent_sets_their_own_status(agent):
    api = token_client(agent)
    response = api.post(f"/api/v1/agents/{agent.pk}/status", {"status": "busy"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"status": "busy"}
    assert AgentProfile.objects.get(user=agent).status == "busy"
    bad = api.post(f"/api/v1/agents/{agent.pk}/status", {"status": "asleep"}, format="json")
    assert bad.status_code == 400
    assert AgentProfile.objects.get(user=agent).status == "busy"
