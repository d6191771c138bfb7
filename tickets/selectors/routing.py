"""Reads for routing: the rule that places a ticket, and the agents eligible to take it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from teams.models import AgentProfile, AgentSkill, Skill, TeamMembership, User
from teams.shifts import on_shift
from tickets.models import RoutingRule, Ticket
from tickets.models.core import OPEN_STATUS_VALUES

# Which language skills can answer a ticket written in each interface language. Written
# Traditional Chinese is read by Cantonese and Mandarin speakers alike.
LANGUAGE_SKILLS: dict[str, tuple[str, ...]] = {"en": ("en",), "zh-hant": ("yue", "cmn")}


def routing_rules_ordered() -> QuerySet[RoutingRule]:
    """Every rule, in the order they are tried, with what the list page shows."""
    return RoutingRule.objects.select_related("team", "category").order_by("position", "id")


def routing_rule_for(*, ticket: Ticket, client_tier: str) -> RoutingRule | None:
    """The first active rule matching ``ticket`` (one query), or ``None``."""
    candidates = (
        RoutingRule.objects.filter(is_active=True)
        .filter(Q(category__isnull=True) | Q(category_id=ticket.category_id))
        .filter(Q(language="") | Q(language=ticket.language))
        .filter(Q(client_tier="") | Q(client_tier=client_tier))
        .filter(Q(channel="") | Q(channel=ticket.channel))
        .select_related("team")
        .order_by("position", "id")
    )
    return candidates.first()


def required_skills(
    *, ticket: Ticket, category_slug: str
) -> tuple[tuple[str, ...], str | None, dict[str, str]]:
    """The language skill codes (any one of them) and the product skill code (if the ticket's
    category is a product someone can be skilled in) that an agent needs for ``ticket``, and
    the English names of those skills (one query)."""
    languages = LANGUAGE_SKILLS.get(ticket.language, (ticket.language,))
    rows = Skill.objects.filter(code__in=[*languages, category_slug]).values_list(
        "code", "kind", "name_en"
    )
    names = {}
    product = None
    for code, kind, name in rows:
        names[code] = name
        if code == category_slug and kind == Skill.Kind.PRODUCT:
            product = code
    return languages, product, names


def open_ticket_count(user_id: Any) -> Subquery:
    """The number of open tickets assigned to the user (``OuterRef`` or id), as a subquery."""
    return Coalesce(
        Subquery(
            Ticket.objects.filter(assignee_id=user_id, status__in=OPEN_STATUS_VALUES)
            .order_by()
            .values("assignee_id")
            .annotate(total=Count("id"))
            .values("total"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def eligible_agents(
    *, team_id: int, languages: tuple[str, ...], product: str | None, at: datetime
) -> QuerySet[User]:
    """Agents of the team who may take a ticket now: active, *available*, on shift at ``at``,
    under capacity, with one of ``languages`` and the ``product`` skill (when given).

    Ordered for load balancing: fewest open tickets, then longest since their last assignment
    (never assigned first), then id. Annotated with ``open_count`` and ``capacity``.
    """
    members = TeamMembership.objects.filter(
        team_id=team_id, user=OuterRef("pk"), role=TeamMembership.Role.AGENT
    )
    speaks = AgentSkill.objects.filter(
        user=OuterRef("pk"), skill__kind=Skill.Kind.LANGUAGE, skill__code__in=languages
    )
    queryset = (
        User.objects.filter(
            Exists(members),
            Exists(speaks),
            on_shift(at),
            is_active=True,
            agent_profile__status=AgentProfile.Status.AVAILABLE,
        )
        .annotate(open_count=open_ticket_count(OuterRef("pk")))
        .annotate(
            matched_skills=ArraySubquery(
                AgentSkill.objects.filter(
                    user=OuterRef("pk"),
                    skill__code__in=[*languages, *([product] if product else [])],
                )
                .order_by("skill__kind", "skill__code")
                .values("skill__code")
            )
        )
        .annotate(capacity=Coalesce("agent_profile__capacity", Value(0)))
        .filter(open_count__lt=Coalesce("agent_profile__capacity", Value(0)))
    )
    if product:
        knows = AgentSkill.objects.filter(
            user=OuterRef("pk"), skill__kind=Skill.Kind.PRODUCT, skill__code=product
        )
        queryset = queryset.filter(Exists(knows))
    return queryset.order_by(
        "open_count", F("agent_profile__last_assigned_at").asc(nulls_first=True), "pk"
    )


def agent_skill_codes(*, user_id: int) -> list[str]:
    """The skill codes one agent holds, language skills first."""
    return list(
        AgentSkill.objects.filter(user_id=user_id)
        .order_by("skill__kind", "skill__code")
        .values_list("skill__code", flat=True)
    )
