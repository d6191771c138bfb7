"""Administrators edit, reorder and delete routing rules and edit internal teams in the UI;
nobody else may (403, nothing changed)."""

import pytest
from django.urls import reverse

from tests.factories import CategoryFactory
from tests.tickets.factories import InternalTeamFactory, RoutingRuleFactory
from tickets.models import InternalTeam, RoutingRule


def _names():
    return list(RoutingRule.objects.order_by("position", "id").values_list("name", flat=True))


def test_an_administrator_creates_edits_moves_and_deletes_rules(client, administrator, team_a):
    category = CategoryFactory(slug="mobile", name_en="Mobile app")
    client.force_login(administrator)
    RoutingRuleFactory(name="First", team=team_a)

    created = client.post(
        reverse("tickets:routing_rule_create"),
        {
            "name": "Mobile in Chinese",
            "category": category.pk,
            "language": "zh-hant",
            "client_tier": "",
            "channel": "",
            "team": team_a.pk,
            "is_active": "on",
        },
    )
    assert created.status_code == 302
    rule = RoutingRule.objects.get(name="Mobile in Chinese")
    assert (rule.category, rule.language, rule.client_tier, rule.team) == (
        category,
        "zh-hant",
        "",
        team_a,
    )
    assert _names() == ["First", "Mobile in Chinese"]

    client.post(reverse("tickets:routing_rule_move", args=[rule.pk]), {"direction": "up"})
    assert _names() == ["Mobile in Chinese", "First"]

    page = client.get(reverse("tickets:routing_settings")).content.decode()
    assert "Mobile in Chinese" in page and "Mobile app" in page

    client.post(reverse("tickets:routing_rule_delete", args=[rule.pk]))
    assert _names() == ["First"]


def test_a_rule_without_a_team_is_refused(client, administrator):
    client.force_login(administrator)
    response = client.post(reverse("tickets:routing_rule_create"), {"name": "No team"})
    assert response.status_code == 400
    assert not RoutingRule.objects.exists()


def test_internal_teams_are_edited_and_names_stay_unique(client, administrator):
    InternalTeamFactory(name="Compliance", contact_email="compliance@bank.example")
    client.force_login(administrator)
    created = client.post(
        reverse("tickets:internal_team_create"),
        {"name": "Market Data", "contact_email": "md@bank.example", "is_active": "on"},
    )
    assert created.status_code == 302
    clash = client.post(
        reverse("tickets:internal_team_create"),
        {"name": "compliance", "contact_email": "x@bank.example", "is_active": "on"},
    )
    assert clash.status_code == 409
    assert "already exists" in clash.content.decode()
    assert InternalTeam.objects.count() == 2


@pytest.mark.parametrize("role", ["agent", "supervisor", "manager"])
def test_only_administrators_may_change_routing(client, request, role, team_a):
    rule = RoutingRuleFactory(name="Keep", team=team_a)
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("tickets:routing_settings")).status_code == 403
    assert client.post(reverse("tickets:routing_rule_delete", args=[rule.pk])).status_code == 403
    assert (
        client.post(
            reverse("tickets:internal_team_create"),
            {"name": "X", "contact_email": "x@bank.example"},
        ).status_code
        == 403
    )
    assert _names() == ["Keep"] and not InternalTeam.objects.exists()
