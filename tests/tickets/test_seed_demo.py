"""``manage.py seed_demo``: a realistic, deterministic demo desk.

Seeding takes a few seconds, so the module seeds once (inside a transaction that is rolled back
when the module is done) and every test reads that desk inside its own savepoint. The clock is
frozen at ``NOW`` while seeding so that the determinism test can seed again at the same moment.
"""

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, validate_totp_code
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q

from teams.access import Role
from teams.demo import DEMO_EMAILS, DEMO_LOGINS, DEMO_PASSWORD, demo_totp_secret
from teams.models import AgentSkill, Skill, Team, TeamMembership, User
from tickets.models import (
    Article,
    Attachment,
    Category,
    Client,
    KnowledgeCategory,
    Macro,
    Message,
    ResolutionCode,
    SavedFilter,
    Ticket,
    TicketEvent,
    TicketLink,
)
from tickets.rendering import render_message_html

NOW = datetime.now(tz=UTC).replace(microsecond=0)
SEED = 2026
WINDOW = timedelta(weeks=8)
RESOLVED = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
EXPECTED_GROUP = {
    "admin@supportdesk.example": Role.ADMINISTRATOR,
    "manager@supportdesk.example": Role.MANAGER,
    "supervisor@supportdesk.example": Role.SUPERVISOR,
    "agent@supportdesk.example": Role.AGENT,
    "agent.zh@supportdesk.example": Role.AGENT,
    "client@client.example": Role.CLIENT,
}
MFA_ROLES = (Role.SUPERVISOR, Role.MANAGER, Role.ADMINISTRATOR)


def _seed(*arguments: str) -> str:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", *arguments, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded_desk(django_db_setup: None, django_db_blocker) -> Iterator[str]:
    """The desk seeded once for the whole module, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = _seed()
        # Fire the deferred foreign-key checks for the seeded rows now, once, rather than in
        # every test's teardown (Django's TestCase checks constraints before rolling back).
        connection.check_constraints()
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def desk(seeded_desk: str, db: None) -> str:
    return seeded_desk


def _snapshot() -> dict[str, list[tuple]]:
    return {
        "clients": list(
            Client.objects.order_by("pk").values_list("name", "email", "account_number", "tier")
        ),
        "tickets": list(
            Ticket.objects.order_by("pk").values_list(
                "subject", "client__email", "status", "priority", "language", "created_at"
            )[:300]
        ),
        "messages": list(
            Message.objects.order_by("pk").values_list("kind", "body", "created_at")[:300]
        ),
    }


def _empty_the_database() -> None:
    Ticket.objects.update(merged_into=None)
    Ticket.objects.all().delete()
    for model in (
        Article,
        KnowledgeCategory,
        Macro,
        Client,
        Category,
        ResolutionCode,
        Team,
        Skill,
        User,
    ):
        model.objects.all().delete()


# --- Volume and shape ----------------------------------------------------------------------


def test_it_reports_what_it_built(desk: str) -> None:
    assert "Demo desk seeded (seed 2026)" in desk
    assert "3,000 tickets" in desk


def test_it_creates_the_three_teams(desk: str) -> None:
    assert set(Team.objects.values_list("slug", "name")) == {
        ("tech-hk", "Technical Assistance HK"),
        ("platform-t2", "Platform Tier 2"),
        ("accounts", "Account Services"),
    }


def test_each_team_has_one_or_two_supervisors_in_the_supervisor_group(desk: str) -> None:
    supervisors = TeamMembership.objects.filter(role=TeamMembership.Role.SUPERVISOR)
    per_team = dict(supervisors.values_list("team__slug").annotate(n=Count("id")))

    assert set(per_team) == {"tech-hk", "platform-t2", "accounts"}
    assert all(1 <= count <= 2 for count in per_team.values())
    assert not supervisors.exclude(user__groups__name=Role.SUPERVISOR).exists()


def test_it_creates_agents_managers_and_an_administrator(desk: str) -> None:
    agents = User.objects.filter(groups__name=Role.AGENT)
    in_two_teams = agents.annotate(teams=Count("memberships")).filter(teams__gte=2)

    assert 20 <= agents.count() <= 30
    assert in_two_teams.count() >= 2
    assert User.objects.filter(groups__name=Role.MANAGER).count() == 2
    assert User.objects.filter(groups__name=Role.ADMINISTRATOR).count() == 1
    assert not agents.filter(memberships=None).exists()


def test_staff_time_zones_cover_a_24_hour_desk(desk: str) -> None:
    zones = set(User.objects.exclude(groups__name=Role.CLIENT).values_list("time_zone", flat=True))

    assert {"Asia/Hong_Kong", "Europe/London", "America/New_York", "Asia/Singapore"} <= zones


def test_agents_have_language_and_product_skills(desk: str) -> None:
    agents = User.objects.filter(groups__name__in=[Role.AGENT, Role.SUPERVISOR])
    kinds = AgentSkill.objects.filter(user__in=agents).values("user", "skill__kind")
    counts = kinds.annotate(n=Count("id"))
    products = [row["n"] for row in counts if row["skill__kind"] == Skill.Kind.PRODUCT]
    languages = [row["n"] for row in counts if row["skill__kind"] == Skill.Kind.LANGUAGE]
    speakers = AgentSkill.objects.filter(user__in=agents, proficiency__gte=4)

    assert len(products) == agents.count()
    assert all(2 <= count <= 4 for count in products)
    assert len(languages) == agents.count()
    assert {"en", "yue", "cmn", "ja", "ko", "th", "de", "es"} <= set(
        speakers.values_list("skill__code", flat=True)
    )
    assert not AgentSkill.objects.filter(Q(proficiency__lt=1) | Q(proficiency__gt=5)).exists()


def test_it_creates_about_500_clients_with_unique_hk_account_numbers(desk: str) -> None:
    clients = Client.objects.all()
    numbers = list(clients.exclude(account_number=None).values_list("account_number", flat=True))

    assert clients.count() == 500
    assert len(numbers) == len(set(numbers)) >= 450
    assert all(n.startswith("HK") and len(n) == 10 and n[2:].isdigit() for n in numbers)
    assert all(email.endswith(".example") for email in clients.values_list("email", flat=True))
    assert clients.filter(region="HK").count() > 250
    assert len(set(clients.values_list("region", flat=True))) >= 8
    assert clients.filter(tier=Client.Tier.INSTITUTIONAL).count() < clients.count() * 0.1


def test_client_names_mix_chinese_characters_and_romanised_names(desk: str) -> None:
    names = list(Client.objects.values_list("name", flat=True))
    chinese = [name for name in names if any("\u4e00" <= ch <= "\u9fff" for ch in name)]

    assert 0.15 * len(names) < len(chinese) < 0.6 * len(names)


def test_it_creates_about_3000_tickets_over_the_last_eight_weeks(desk: str) -> None:
    span = Ticket.objects.aggregate(first=Min("created_at"))

    assert 2700 <= Ticket.objects.count() <= 3300
    assert span["first"] >= NOW - WINDOW
    assert not Ticket.objects.filter(updated_at__gt=NOW).exists()
    assert not Message.objects.filter(created_at__gt=NOW).exists()
    assert not TicketEvent.objects.filter(created_at__gt=NOW).exists()
    assert not Ticket.objects.filter(updated_at__lt=F("created_at")).exists()


def test_it_writes_tickets_in_english_and_traditional_chinese(desk: str) -> None:
    chinese = Ticket.objects.filter(language="zh-hant")

    assert chinese.count() >= 0.2 * Ticket.objects.count()
    assert chinese.filter(subject__contains="入金").exists()
    assert Ticket.objects.filter(subject__icontains="429").exists()


def test_it_mixes_priorities_and_channels(desk: str) -> None:
    priorities = dict(Ticket.objects.values_list("priority").annotate(n=Count("id")))
    channels = dict(Ticket.objects.values_list("channel").annotate(n=Count("id")))

    assert set(priorities) == {1, 2, 3, 4}
    assert priorities[1] < 0.1 * Ticket.objects.count()
    assert max(channels, key=channels.get) == Ticket.Channel.EMAIL
    assert set(channels) == set(Ticket.Channel.values)


def test_most_tickets_are_resolved_with_a_code_and_summary(desk: str) -> None:
    # A duplicate merged into another ticket is closed without a resolution of its own.
    finished = Ticket.objects.filter(status__in=RESOLVED, merged_into=None)
    share = finished.count() / Ticket.objects.count()

    assert 0.78 <= share <= 0.92
    assert not finished.filter(Q(resolution_code=None) | Q(resolution_summary="")).exists()
    assert not finished.filter(resolved_at=None).exists()
    assert not Ticket.objects.filter(status=Ticket.Status.CLOSED, closed_at=None).exists()
    assert not Ticket.objects.filter(closed_at__lt=F("resolved_at")).exists()
    assert not Ticket.objects.exclude(status__in=RESOLVED).exclude(resolved_at=None).exists()


def test_the_demo_shows_attachments_links_merges_splits_and_saved_filters(desk: str) -> None:
    assert Attachment.objects.filter(content_type="image/png").count() == 3
    assert Attachment.objects.filter(original_name="platform.log").exists()
    kinds = set(TicketLink.objects.values_list("kind", flat=True))
    assert kinds >= {"related", "merged_into", "split_from"}
    assert Ticket.objects.filter(merged_into__isnull=False, status="closed").count() == 1
    agent = User.objects.get(email="agent@supportdesk.example")
    assert SavedFilter.objects.filter(owner=agent).count() == 3
    assert SavedFilter.objects.filter(owner=agent, team__slug="tech-hk").count() == 1


def test_open_tickets_cover_every_open_status(desk: str) -> None:
    statuses = set(
        Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES).values_list("status", flat=True)
    )

    assert statuses == set(Ticket.OPEN_STATUSES)


def test_some_tickets_are_escalated_and_some_open_ones_unassigned(desk: str) -> None:
    levels = set(Ticket.objects.values_list("escalation_level", flat=True))
    unassigned = Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES, assignee=None)

    assert levels == {0, 1, 2}
    assert unassigned.exists()
    assert TicketEvent.objects.filter(action="escalated").exists()


def test_messages_of_all_kinds_respect_authorship(desk: str) -> None:
    messages = Message.objects.all()

    assert set(messages.values_list("kind", flat=True)) == set(Message.Kind.values)
    assert not messages.filter(kind=Message.Kind.CLIENT).exclude(author=None).exists()
    assert not messages.filter(kind=Message.Kind.CLIENT, client=None).exists()
    assert not messages.exclude(kind=Message.Kind.CLIENT).filter(author=None).exists()
    assert not messages.filter(author__groups__name=Role.CLIENT).exists()
    assert not messages.filter(body_html="").exists()


def test_message_html_is_the_sanitised_rendering_of_the_body(desk: str) -> None:
    sample = list(Message.objects.order_by("pk")[::97])

    assert [m.body_html for m in sample] == [render_message_html(m.body) for m in sample]


def test_replies_come_from_an_agent_of_the_tickets_team_in_its_language(desk: str) -> None:
    replies = Message.objects.filter(kind=Message.Kind.REPLY)
    outside_team = replies.exclude(author__memberships__team=F("ticket__team"))
    transferred = TicketEvent.objects.filter(action="transferred").values("ticket")

    assert not replies.exclude(language=F("ticket__language")).exists()
    assert not outside_team.exclude(ticket__in=transferred).exists()


def test_first_public_reply_is_the_first_reply(desk: str) -> None:
    # A merge target also holds its duplicate's older replies; it keeps its own first reply.
    tickets = Ticket.objects.filter(merged_tickets=None).annotate(
        first_reply=Min("messages__created_at", filter=Q(messages__kind=Message.Kind.REPLY))
    )

    assert (
        not tickets.exclude(first_public_reply_at=F("first_reply"))
        .exclude(first_public_reply_at=None, first_reply=None)
        .exists()
    )


def test_every_ticket_has_an_audit_trail(desk: str) -> None:
    created = TicketEvent.objects.filter(action="created")
    resolved = TicketEvent.objects.filter(action="resolved")

    assert created.count() == Ticket.objects.count()
    assert resolved.count() == Ticket.objects.filter(status__in=RESOLVED, merged_into=None).count()
    assert TicketEvent.objects.filter(action="assigned", actor=None, source="automation").exists()
    assert TicketEvent.objects.filter(action="status_changed").exclude(actor=None).exists()
    assert not TicketEvent.objects.filter(created_at__lt=F("ticket__created_at")).exists()


# --- Demo sign-ins -------------------------------------------------------------------------


@pytest.mark.parametrize("email", sorted(EXPECTED_GROUP))
def test_demo_login_authenticates_with_the_documented_password(desk: str, email: str) -> None:
    user = authenticate(email=email, password=DEMO_PASSWORD)

    assert user is not None
    assert user.email == email
    assert list(user.groups.values_list("name", flat=True)) == [EXPECTED_GROUP[email]]


def test_the_documented_logins_are_the_seeded_ones(desk: str) -> None:
    # seed_portal_demo adds the Traditional Chinese portal client after seed_demo.
    assert {login.email for login in DEMO_LOGINS} == {*EXPECTED_GROUP, "client.zh@client.example"}
    assert User.objects.get(email="admin@supportdesk.example").full_name == "Ada Lam"


def test_other_seeded_users_cannot_sign_in(desk: str) -> None:
    others = User.objects.exclude(email__in=DEMO_EMAILS)

    assert others.count() >= 25
    assert not any(user.has_usable_password() for user in others)


def test_the_demo_supervisor_supervises_technical_assistance_hk(desk: str) -> None:
    membership = TeamMembership.objects.get(user__email="supervisor@supportdesk.example")

    assert (membership.team.slug, membership.role) == ("tech-hk", "supervisor")


def test_the_demo_agent_speaks_english_and_cantonese_and_has_open_tickets(desk: str) -> None:
    agent = User.objects.get(email="agent@supportdesk.example")
    languages = set(
        agent.skills.filter(skill__kind=Skill.Kind.LANGUAGE).values_list("skill__code", flat=True)
    )
    open_tickets = Ticket.objects.filter(assignee=agent, status__in=Ticket.OPEN_STATUSES)

    assert list(agent.memberships.values_list("team__slug", flat=True)) == ["tech-hk"]
    assert {"en", "yue"} <= languages
    assert open_tickets.count() >= 3


def test_the_chinese_speaking_demo_agent_uses_traditional_chinese(desk: str) -> None:
    assert User.objects.get(email="agent.zh@supportdesk.example").language == "zh-hant"


def test_the_demo_client_has_a_client_record_with_a_few_tickets(desk: str) -> None:
    client = Client.objects.get(user__email="client@client.example")

    assert client.email == "client@client.example"
    assert 2 <= client.tickets.count() <= 6
    assert client.tickets.filter(status__in=Ticket.OPEN_STATUSES).exists()


def test_staff_who_must_use_mfa_have_a_totp_authenticator(desk: str) -> None:
    must = User.objects.filter(groups__name__in=MFA_ROLES)
    with_totp = Authenticator.objects.filter(type=Authenticator.Type.TOTP)

    assert set(with_totp.values_list("user", flat=True)) == set(must.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "email",
    ["admin@supportdesk.example", "manager@supportdesk.example", "supervisor@supportdesk.example"],
)
def test_totp_code_prints_a_code_allauth_accepts(desk: str, email: str) -> None:
    out = io.StringIO()
    call_command("totp_code", email, stdout=out)
    code = out.getvalue().strip()
    authenticator = Authenticator.objects.get(user__email=email, type=Authenticator.Type.TOTP)

    assert validate_totp_code(demo_totp_secret(seed=SEED, email=email), code)
    assert TOTP(authenticator).validate_code(code)


def test_demo_logins_lists_every_demo_account(desk: str) -> None:
    call_command("seed_portal_demo", stdout=io.StringIO())  # as `make run` does
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    output = out.getvalue()

    assert all(login.email in output for login in DEMO_LOGINS)
    assert DEMO_PASSWORD in output
    assert demo_totp_secret(seed=SEED, email="supervisor@supportdesk.example") in output
    assert "totp_code" in output


# --- Re-running ----------------------------------------------------------------------------


def test_if_empty_leaves_a_seeded_database_alone(desk: str) -> None:
    before = (Team.objects.count(), Client.objects.count(), Ticket.objects.count())

    output = _seed("--if-empty")

    assert "already has teams" in output
    assert (Team.objects.count(), Client.objects.count(), Ticket.objects.count()) == before


def test_it_refuses_to_seed_a_database_that_has_data(desk: str) -> None:
    with pytest.raises(CommandError, match="not empty"):
        _seed()

    assert Team.objects.count() == 3


def test_the_same_seed_builds_the_same_desk(desk: str) -> None:
    first = _snapshot()
    _empty_the_database()

    _seed("--seed", str(SEED))

    assert _snapshot() == first
