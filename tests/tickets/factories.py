"""Factories for routing and escalations (kept apart from tests/factories.py to ease merges)."""

from datetime import time

import factory

from teams.models import AgentProfile, AgentSkill, Shift, Skill
from tests.factories import CategoryFactory, TeamFactory
from tickets.models import InternalTeam, RoutingRule


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("code",)

    kind = Skill.Kind.LANGUAGE
    code = "en"
    name_en = factory.LazyAttribute(lambda skill: skill.code)
    name_zh_hant = factory.LazyAttribute(lambda skill: skill.code)


class AgentSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentSkill

    skill = factory.SubFactory(SkillFactory)
    proficiency = 4


class AgentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentProfile
        django_get_or_create = ("user",)

    capacity = 5
    status = AgentProfile.Status.AVAILABLE


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    weekday = 0
    starts_at = time(9)
    ends_at = time(18)


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    name = factory.Sequence(lambda n: f"Rule {n}")
    position = factory.Sequence(lambda n: n + 1)
    team = factory.SubFactory(TeamFactory)


class InternalTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InternalTeam
        django_get_or_create = ("name",)

    name = "Platform Engineering"
    contact_email = "platform@brokerage.example"


def make_routable(
    user, *, capacity=5, languages=("en",), products=("desktop",), status="available"
):
    """Give ``user`` what auto-assignment looks for: a profile, round-the-clock shifts and
    skills (language codes, product codes matching category slugs)."""
    AgentProfileFactory(user=user, capacity=capacity, status=status)
    for weekday in range(7):
        ShiftFactory(user=user, weekday=weekday, starts_at=time(0), ends_at=time(12))
        ShiftFactory(user=user, weekday=weekday, starts_at=time(12), ends_at=time(0))
    for code in languages:
        AgentSkillFactory(user=user, skill=SkillFactory(code=code, kind=Skill.Kind.LANGUAGE))
    for code in products:
        CategoryFactory(slug=code, name_en=code, name_zh_hant=code)
        AgentSkillFactory(user=user, skill=SkillFactory(code=code, kind=Skill.Kind.PRODUCT))
    return user
