"""``manage.py seed_demo [--if-empty] [--seed N]``: fill an empty database with a realistic,
deterministic demo desk.

What it builds (all in one transaction):

1. Reference lists: categories, resolution codes, skills (``tickets.demo_data``).
2. Three teams with supervisors and ~25 agents with language and product skills; two managers
   and an administrator; the documented demo sign-ins (``teams.demo.DEMO_LOGINS``) with
   password ``SupportDesk-demo-2026``. Every other seeded user has an unusable password.
   Supervisors, managers and the administrator get a TOTP authenticator whose secret is derived
   from the seed and their email (``teams.demo.demo_totp_secret``).
3. ~500 clients, one of them the client-portal demo login.
4. ~3,000 tickets over the last eight weeks (weekday and Hong Kong office-hour peaks, three
   incident spikes), in English and Traditional Chinese, each with its conversation
   (client messages, public replies, internal notes) and audit trail.

The same ``--seed`` builds the same desk: everything is drawn from one ``random.Random(seed)``
and times are offsets from the current hour (``now`` rounded down), so two runs within the same
hour are identical and runs at other times differ only by that shift of the time window.
"""

import random
import time
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from teams.access import Role
from teams.demo import DEMO_EMAILS, DEMO_PASSWORD, demo_totp_secret
from teams.models import AgentSkill, Skill, Team, TeamMembership, User
from tickets import demo_data
from tickets.demo_data import Scenario, StaffMember
from tickets.demo_knowledge import seed_knowledge_and_macros
from tickets.demo_workspace import seed_workspace_examples
from tickets.models import Category, Client, Message, ResolutionCode, Ticket, TicketEvent
from tickets.rendering import render_message_html

DEFAULT_SEED = 2026
TICKET_COUNT = 3000
CLIENT_COUNT = 500
WINDOW_DAYS = 56
HONG_KONG = zoneinfo.ZoneInfo("Asia/Hong_Kong")

# Relative ticket volume by weekday (Monday first) and by Hong Kong hour of day: the HK session
# (09:30–16:00) dominates, the US session (21:30–04:00 HKT) keeps the night busy.
WEEKDAY_VOLUME = (1.15, 1.05, 1.0, 1.0, 0.95, 0.35, 0.25)
HOUR_VOLUME = (
    0.45, 0.35, 0.25, 0.2, 0.15, 0.1, 0.15, 0.35, 0.9, 1.6, 1.55, 1.3,
    0.9, 1.1, 1.25, 1.2, 1.0, 0.8, 0.6, 0.5, 0.55, 0.75, 0.75, 0.6,
)  # fmt: skip
CHANNELS = (
    (Ticket.Channel.EMAIL, 0.55),
    (Ticket.Channel.WEB, 0.25),
    (Ticket.Channel.PHONE, 0.1),
    (Ticket.Channel.CHAT, 0.1),
)
# Products each team's people tend to know.
TEAM_PRODUCTS: dict[str, tuple[str, ...]] = {
    "tech-hk": ("desktop", "web", "mobile", "connectivity", "account-setup"),
    "platform-t2": ("api", "connectivity", "market-data", "desktop", "web"),
    "accounts": ("funding", "account-setup", "web", "market-data"),
}
# Typical first-response and resolution times by priority, in minutes: (mu, sigma) of a
# log-normal distribution.
FIRST_RESPONSE = {1: (2.3, 0.5), 2: (3.6, 0.6), 3: (5.0, 0.8), 4: (6.0, 0.8)}
RESOLUTION = {1: (5.6, 0.5), 2: (7.0, 0.7), 3: (7.8, 0.8), 4: (8.5, 0.7)}
MINUTE = timedelta(minutes=1)
FINAL_REPLY_WINDOW = timedelta(minutes=20)
# Share of the last day's tickets nobody has picked up yet (status new, about half unassigned).
BACKLOG_SHARE = 0.15


@dataclass
class TicketPlan:
    """Everything decided about one ticket before its rows are built."""

    created_at: datetime
    scenario: Scenario
    client: Client
    language: str
    priority: int
    channel: str
    platform_os: str
    app_version: str
    tags: list[str]
    team_slug: str
    status: str
    first_reply_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    escalation_level: int
    in_spike: bool
    assignee: User | None = None
    # Who had the ticket before a transfer to another team (``None``: never transferred).
    first_assignee: User | None = None
    messages: list[Message] = field(default_factory=list)
    events: list[TicketEvent] = field(default_factory=list)


def _whole_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


class DemoSeeder:
    """Builds the demo desk; ``run`` does it in one transaction and returns row counts."""

    def __init__(self, *, seed: int, now: datetime) -> None:
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        self.now = now
        self.anchor = now.replace(minute=0, second=0, microsecond=0)
        self.html_cache: dict[str, str] = {}
        self.categories: dict[str, Category] = {}
        self.resolution_codes: dict[str, ResolutionCode] = {}
        self.skills: dict[str, Skill] = {}
        self.teams: dict[str, Team] = {}
        self.users: dict[str, User] = {}
        self.staff_languages: dict[str, dict[str, int]] = {}
        self.team_agents: dict[str, list[User]] = {}
        self.team_supervisors: dict[str, list[User]] = {}
        self.clients: list[Client] = []
        self.demo_client: Client | None = None

    # --- Orchestration ----------------------------------------------------------------------

    @transaction.atomic
    def run(self) -> dict[str, int]:
        self._create_reference_lists()
        self._create_teams()
        self._create_staff()
        self._create_clients()
        plans = self._plan_tickets()
        self._assign(plans)
        self._give_demo_accounts_tickets(plans)
        self._create_tickets(plans)
        seed_knowledge_and_macros(
            rng=self.rng,
            teams=self.teams,
            supervisors_by_team=self.team_supervisors,
            admin=self.users["admin@supportdesk.example"],
        )
        seed_workspace_examples(
            rng=self.rng,
            agent=self.users["agent@supportdesk.example"],
            team=self.teams["tech-hk"],
        )
        return {
            "teams": len(self.teams),
            "staff": len(self.users) - 1,
            "clients": len(self.clients),
            "tickets": len(plans),
            "messages": sum(len(plan.messages) for plan in plans),
            "events": sum(len(plan.events) for plan in plans),
        }

    # --- Reference lists, teams, people -----------------------------------------------------

    def _create_reference_lists(self) -> None:
        categories = Category.objects.bulk_create(
            Category(slug=slug, name_en=en, name_zh_hant=zh, position=position)
            for position, (slug, en, zh) in enumerate(demo_data.CATEGORIES)
        )
        self.categories = {category.slug: category for category in categories}
        codes = ResolutionCode.objects.bulk_create(
            ResolutionCode(slug=slug, name_en=en, name_zh_hant=zh)
            for slug, en, zh in demo_data.RESOLUTION_CODES
        )
        self.resolution_codes = {code.slug: code for code in codes}
        skills = Skill.objects.bulk_create(
            Skill(kind=kind, code=code, name_en=en, name_zh_hant=zh)
            for kind, code, en, zh in demo_data.SKILLS
        )
        self.skills = {skill.code: skill for skill in skills}

    def _create_teams(self) -> None:
        teams = Team.objects.bulk_create(
            Team(name=name, slug=slug, description=description, email=email)
            for slug, name, description, email in demo_data.TEAMS
        )
        self.teams = {team.slug: team for team in teams}
        self.team_agents = {slug: [] for slug in self.teams}
        self.team_supervisors = {slug: [] for slug in self.teams}

    def _create_staff(self) -> None:
        # One hash for the shared, published demo password: hashing is deliberately slow.
        demo_hash = make_password(DEMO_PASSWORD)
        members: list[StaffMember] = list(demo_data.STAFF)
        users = [
            User(
                email=member.email,
                full_name=member.full_name,
                language=member.language,
                time_zone=member.time_zone,
                is_staff=member.role == Role.ADMINISTRATOR,
                password=demo_hash if member.email in DEMO_EMAILS else make_password(None),
            )
            for member in members
        ]
        client_user = User(
            email=demo_data.DEMO_CLIENT["email"],
            full_name=demo_data.DEMO_CLIENT["name"],
            language=demo_data.DEMO_CLIENT["language"],
            time_zone=demo_data.DEMO_CLIENT["time_zone"],
            password=demo_hash,
        )
        User.objects.bulk_create([*users, client_user])
        self.users = {user.email: user for user in [*users, client_user]}

        groups = {group.name: group for group in Group.objects.all()}
        missing = {role.value for role in Role} - set(groups)
        if missing:
            raise CommandError(f"Role groups missing ({', '.join(sorted(missing))}): migrate.")
        user_groups = [
            User.groups.through(user_id=user.pk, group_id=groups[member.role].pk)
            for member, user in zip(members, users, strict=True)
        ]
        user_groups.append(
            User.groups.through(user_id=client_user.pk, group_id=groups[Role.CLIENT].pk)
        )
        User.groups.through.objects.bulk_create(user_groups)

        memberships = []
        agent_skills = []
        for member, user in zip(members, users, strict=True):
            self.staff_languages[user.email] = dict(member.languages)
            for slug, role in member.teams:
                memberships.append(TeamMembership(team=self.teams[slug], user=user, role=role))
                bucket = self.team_supervisors if role == "supervisor" else self.team_agents
                bucket[slug].append(user)
            agent_skills.extend(
                AgentSkill(user=user, skill=self.skills[code], proficiency=level)
                for code, level in member.languages
            )
            if member.teams:
                pool = sorted({p for slug, _ in member.teams for p in TEAM_PRODUCTS[slug]})
                products = self.rng.sample(pool, self.rng.randint(2, min(4, len(pool))))
                agent_skills.extend(
                    AgentSkill(
                        user=user, skill=self.skills[code], proficiency=self.rng.randint(2, 5)
                    )
                    for code in products
                )
        TeamMembership.objects.bulk_create(memberships)
        AgentSkill.objects.bulk_create(agent_skills)
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True)
            for user in self.users.values()
        )
        for member, user in zip(members, users, strict=True):
            if member.role in (Role.SUPERVISOR, Role.MANAGER, Role.ADMINISTRATOR):
                TOTP.activate(user, demo_totp_secret(seed=self.seed, email=user.email))

    # --- Clients ----------------------------------------------------------------------------

    def _create_clients(self) -> None:
        rng = self.rng
        demo = demo_data.DEMO_CLIENT
        numbers = iter(rng.sample(range(10_000_000, 100_000_000), CLIENT_COUNT))
        emails: set[str] = {demo["email"]}
        clients = []
        for _ in range(CLIENT_COUNT - 1):
            region, time_zones = self._pick_region()
            name, romanised, language = self._client_name(region)
            tier = rng.choices(
                [Client.Tier.STANDARD, Client.Tier.PRO, Client.Tier.INSTITUTIONAL], [85, 12, 3]
            )[0]
            number = next(numbers)
            clients.append(
                Client(
                    name=name,
                    email=self._client_email(romanised, tier, emails),
                    # A few prospects have applied but have no account number yet.
                    account_number=None if rng.random() < 0.03 else f"HK{number:08d}",
                    language=language,
                    region=region,
                    time_zone=rng.choice(time_zones),
                    tier=tier,
                )
            )
        self.demo_client = Client(
            name=demo["name"],
            email=demo["email"],
            account_number=demo["account_number"],
            language=demo["language"],
            region=demo["region"],
            time_zone=demo["time_zone"],
            tier=demo["tier"],
            user=self.users[demo["email"]],
        )
        clients.insert(rng.randrange(len(clients)), self.demo_client)
        self.clients = Client.objects.bulk_create(clients)

    def _pick_region(self) -> tuple[str, tuple[str, ...]]:
        regions = demo_data.REGIONS
        region, _weight, time_zones = self.rng.choices(regions, [r[1] for r in regions])[0]
        return region, time_zones

    def _client_name(self, region: str) -> tuple[str, str, str]:
        """A client's display name, its romanisation (for the email) and preferred language."""
        rng = self.rng
        if region == "HK":
            surname, surname_latin = rng.choice(demo_data.HK_SURNAMES)
            given, given_latin = rng.choice(demo_data.HK_GIVEN_NAMES)
            romanised = f"{surname_latin} {given_latin}"
            style = rng.random()
            if style < 0.45:
                language = rng.choices(["zh-hant", "en", ""], [85, 8, 7])[0]
                return f"{surname}{given}", romanised, language
            if style < 0.8:
                return romanised, romanised, rng.choices(["en", "zh-hant", ""], [55, 35, 10])[0]
            english = rng.choice(demo_data.HK_ENGLISH_NAMES)
            return f"{english} {surname_latin}", f"{english} {surname_latin}", "en"
        if region == "TW":
            name, romanised = rng.choice(demo_data.TW_NAMES)
            return name, romanised, rng.choices(["zh-hant", ""], [85, 15])[0]
        pools = {
            "SG": demo_data.SINGAPORE_NAMES,
            "MY": demo_data.MALAYSIA_NAMES,
            "JP": demo_data.JAPANESE_NAMES,
            "DE": demo_data.GERMAN_NAMES,
        }
        if region in pools:
            name = rng.choice(pools[region])
        else:
            first = rng.choice(demo_data.WESTERN_FIRST_NAMES)
            name = f"{first} {rng.choice(demo_data.WESTERN_LAST_NAMES)}"
        return name, name, rng.choices(["en", ""], [80, 20])[0]

    def _client_email(self, romanised: str, tier: str, taken: set[str]) -> str:
        rng = self.rng
        parts = [part.lower().replace("-", "") for part in romanised.split()]
        if tier == Client.Tier.INSTITUTIONAL:
            domain = rng.choice(demo_data.INSTITUTIONAL_DOMAINS)
            local = f"{parts[-1][0]}.{parts[0]}" if len(parts) > 1 else parts[0]
        else:
            domain = rng.choice(demo_data.PERSONAL_EMAIL_DOMAINS)
            separator = rng.choice([".", "_", ""])
            local = separator.join(parts)
            if rng.random() < 0.5:
                local = f"{local}{rng.randint(1, 99)}"
        email = f"{local}@{domain}"
        suffix = 2
        while email in taken:
            email = f"{local}{suffix}@{domain}"
            suffix += 1
        taken.add(email)
        return email

    # --- Ticket planning --------------------------------------------------------------------

    def _ticket_times(self) -> list[datetime]:
        """``TICKET_COUNT`` creation times over the window, weighted by weekday, HK hour and
        incident spikes; sorted oldest first."""
        anchor_day = self.anchor.astimezone(HONG_KONG).date()
        spike_days = {days_ago for days_ago, _key, _factor in demo_data.SPIKES}
        spike_factor = {days_ago: factor for days_ago, _key, factor in demo_data.SPIKES}
        slots: list[datetime] = []
        weights: list[float] = []
        for hours_back in range(1, WINDOW_DAYS * 24):
            start = self.anchor - timedelta(hours=hours_back)
            local = start.astimezone(HONG_KONG)
            weight = WEEKDAY_VOLUME[local.weekday()] * HOUR_VOLUME[local.hour]
            days_ago = (anchor_day - local.date()).days
            if days_ago in spike_days and 9 <= local.hour <= 18:
                weight *= 1 + spike_factor[days_ago]
            slots.append(start)
            weights.append(weight)
        picked = self.rng.choices(slots, weights, k=TICKET_COUNT)
        return sorted(slot + timedelta(seconds=self.rng.randrange(3600)) for slot in picked)

    def _plan_tickets(self) -> list[TicketPlan]:
        rng = self.rng
        anchor_day = self.anchor.astimezone(HONG_KONG).date()
        spikes = {days_ago: key for days_ago, key, _factor in demo_data.SPIKES}
        scenarios = demo_data.SCENARIOS
        scenario_weights = [scenario.weight for scenario in scenarios]
        # Some clients write far more often than others; pro and institutional ones more so.
        # The demo client gets hand-picked tickets only (``_give_demo_accounts_tickets``).
        client_weights = [
            0.0
            if client is self.demo_client
            else min(rng.lognormvariate(0, 0.7), 6.0)
            * (1.5 if client.tier != Client.Tier.STANDARD else 1.0)
            for client in self.clients
        ]
        pro_clients = [c for c in self.clients if c.tier != Client.Tier.STANDARD]
        pro_weights = [min(rng.lognormvariate(0, 0.7), 6.0) for _ in pro_clients]
        plans = []
        for created_at in self._ticket_times():
            local = created_at.astimezone(HONG_KONG)
            spike_key = spikes.get((anchor_day - local.date()).days)
            in_spike = bool(spike_key) and 9 <= local.hour <= 18 and rng.random() < 0.6
            if in_spike:
                scenario = demo_data.SCENARIOS_BY_KEY[spike_key]
            else:
                scenario = rng.choices(scenarios, scenario_weights)[0]
            if scenario.platform in ("api", "fix"):
                client = rng.choices(pro_clients, pro_weights)[0]
            else:
                client = rng.choices(self.clients, client_weights)[0]
            plans.append(self._plan_ticket(created_at, scenario, client, in_spike))
        return plans

    def _ticket_language(self, client: Client) -> str:
        rng = self.rng
        if client.language == "zh-hant":
            return "zh-hant" if rng.random() < 0.92 else "en"
        if client.language == "en":
            return "zh-hant" if rng.random() < 0.04 else "en"
        chinese_share = 0.45 if client.region in ("HK", "TW") else 0.0
        return "zh-hant" if rng.random() < chinese_share else "en"

    def _plan_ticket(
        self, created_at: datetime, scenario: Scenario, client: Client, in_spike: bool
    ) -> TicketPlan:
        rng = self.rng
        priority = rng.choices([1, 2, 3, 4], scenario.priorities)[0]
        if client.tier == Client.Tier.INSTITUTIONAL and priority > 1 and rng.random() < 0.3:
            priority -= 1
        channels, channel_weights = zip(*CHANNELS, strict=True)
        channel = rng.choices(channels, channel_weights)[0]
        if scenario.platform in ("api", "fix"):
            channel = Ticket.Channel.EMAIL
        platform_os, app_version = "", ""
        if scenario.platform:
            platform_os, app_version = rng.choice(demo_data.PLATFORM_DETAILS[scenario.platform])
            if scenario.key == "desktop-crash" and rng.random() < 0.6:
                app_version = "Desktop 6.4.0"
        tags = list(scenario.tags)
        if in_spike:
            tags.append("incident")
        if client.tier == Client.Tier.INSTITUTIONAL:
            tags.append("institutional")
        if priority == 1:
            tags.append("urgent")

        escalated = rng.random() < scenario.escalation_rate * (1.6 if priority <= 2 else 1)
        escalation_level = (2 if rng.random() < 0.3 else 1) if escalated else 0
        team_slug = scenario.team
        if escalation_level == 2 and team_slug == "tech-hk":
            team_slug = "platform-t2"

        mu, sigma = FIRST_RESPONSE[priority]
        first_reply_at = created_at + timedelta(minutes=2 + rng.lognormvariate(mu, sigma))
        mu, sigma = RESOLUTION[priority]
        stretch = 2.5 if escalated else 1.0
        resolved_at = first_reply_at + timedelta(
            minutes=30 + rng.lognormvariate(mu, sigma) * stretch
        )
        closed_at = resolved_at + timedelta(hours=rng.uniform(72, 168))
        stays_open = rng.random() < 0.1
        waiting = self.now - created_at < timedelta(days=1) and rng.random() < BACKLOG_SHARE
        if waiting or first_reply_at > self.now:
            status, first_reply_at, resolved_at, closed_at = Ticket.Status.NEW, None, None, None
            # Nobody has looked at it yet, so nobody has escalated or moved it either.
            escalation_level, team_slug = 0, scenario.team
        elif stays_open or resolved_at > self.now:
            status = rng.choices(
                [
                    Ticket.Status.OPEN,
                    Ticket.Status.PENDING_CLIENT,
                    Ticket.Status.PENDING_INTERNAL,
                    Ticket.Status.ON_HOLD,
                ],
                [35, 35, 30 if escalated else 12, 15],
            )[0]
            resolved_at, closed_at = None, None
        elif closed_at > self.now:
            status, closed_at = Ticket.Status.RESOLVED, None
        else:
            status = Ticket.Status.CLOSED
        if first_reply_at is not None:
            first_reply_at = _whole_second(first_reply_at)
        if resolved_at is not None:
            resolved_at = _whole_second(resolved_at)
        if closed_at is not None:
            closed_at = _whole_second(closed_at)
        return TicketPlan(
            created_at=created_at,
            scenario=scenario,
            client=client,
            language=self._ticket_language(client),
            priority=priority,
            channel=channel,
            platform_os=platform_os,
            app_version=app_version,
            tags=tags,
            team_slug=team_slug,
            status=status,
            first_reply_at=first_reply_at,
            resolved_at=resolved_at,
            closed_at=closed_at,
            escalation_level=escalation_level,
            in_spike=in_spike,
        )

    def _assign(self, plans: list[TicketPlan]) -> None:
        """Pick an agent of the ticket's team who speaks its language; about half of the new
        tickets have not been picked up yet."""
        rng = self.rng
        for plan in plans:
            if plan.status == Ticket.Status.NEW and (
                plan.created_at > self.now - timedelta(hours=2) or rng.random() < 0.5
            ):
                continue
            plan.assignee = self._pick_agent(plan, plan.team_slug)
            if plan.team_slug != plan.scenario.team:
                plan.first_assignee = self._pick_agent(plan, plan.scenario.team)

    def _pick_agent(self, plan: TicketPlan, team_slug: str) -> User:
        """Someone of the team who speaks the ticket's language well; supervisors rarely."""
        candidates = self.team_agents[team_slug] + self.team_supervisors[team_slug]
        weights = []
        for user in candidates:
            languages = self.staff_languages[user.email]
            spoken = languages.get("yue" if plan.language == "zh-hant" else "en", 0)
            weight = 1.0 if spoken >= 4 else 0.05
            if user in self.team_supervisors[team_slug]:
                weight *= 0.1
            if plan.client.region == "JP" and "ja" in languages:
                weight *= 6
            weights.append(weight)
        return self.rng.choices(candidates, weights)[0]

    def _give_demo_accounts_tickets(self, plans: list[TicketPlan]) -> None:
        """Make sure the demo agent has several open tickets and the demo client a few of
        their own (one still open), whatever the draw."""
        demo_agent = self.users["agent@supportdesk.example"]
        open_tech = [
            plan
            for plan in plans
            if plan.team_slug == "tech-hk"
            and plan.status in Ticket.OPEN_STATUSES
            and plan.assignee is not None
            and plan.language == "en"
        ]
        already = sum(1 for plan in open_tech if plan.assignee == demo_agent)
        for plan in open_tech[::-1][: max(0, 6 - already) * 2 : 2]:
            plan.assignee = demo_agent

        demo_client = self.demo_client
        suitable = [
            plan
            for plan in plans
            if plan.language == "en"
            and plan.scenario.platform not in ("api", "fix")
            and plan.escalation_level == 0
        ]
        finished = [plan for plan in suitable if plan.status == Ticket.Status.CLOSED]
        pending = [plan for plan in suitable if plan.status == Ticket.Status.PENDING_CLIENT]
        chosen = [*finished[:: max(1, len(finished) // 3)][:3], *pending[-1:]]
        for plan in chosen:
            plan.client = demo_client

    # --- Ticket rows ------------------------------------------------------------------------

    def _create_tickets(self, plans: list[TicketPlan]) -> None:
        tickets = [self._build_ticket(plan) for plan in plans]
        Ticket.objects.bulk_create(tickets, batch_size=1000)
        Message.objects.bulk_create(
            [message for plan in plans for message in plan.messages], batch_size=2000
        )
        TicketEvent.objects.bulk_create(
            [event for plan in plans for event in plan.events], batch_size=4000
        )

    def html_for(self, body: str) -> str:
        if body not in self.html_cache:
            self.html_cache[body] = render_message_html(body)
        return self.html_cache[body]

    def _placeholders(self, plan: TicketPlan) -> dict[str, str]:
        rng = self.rng
        chinese = plan.language == "zh-hant"
        bank_en, bank_zh = rng.choice(demo_data.BANKS)
        month = (plan.created_at.astimezone(HONG_KONG).replace(day=1) - timedelta(days=1)).date()
        assignee = plan.assignee
        return {
            "name": plan.client.name,
            "agent": assignee.full_name if assignee else "SupportDesk",
            "os": plan.platform_os or "Windows 11",
            "version": plan.app_version or "Desktop 6.4.0",
            "release": (plan.app_version or "6.4.0").rsplit(" ", 1)[-1],
            "error": rng.choice(demo_data.ERROR_CODES),
            "amount": f"HKD {rng.choice([5, 10, 20, 25, 50, 80, 100, 250]) * 1000:,}",
            "bank": bank_zh if chinese else bank_en,
            "symbol": rng.choice(demo_data.SYMBOLS),
            "order_id": f"ORD-{rng.randrange(10**8, 10**9)}",
            "eng": f"ENG-{rng.randrange(4000, 5000)}",
            "month": f"{month.year}年{month.month}月" if chinese else month.strftime("%B %Y"),
            "session": f"SDFIX{rng.randrange(10, 99)}",
            "ip": f"203.0.113.{rng.randrange(2, 250)}",
            "tier": plan.client.tier,
        }

    def _build_ticket(self, plan: TicketPlan) -> Ticket:
        rng = self.rng
        scenario = plan.scenario
        words = scenario.zh if plan.language == "zh-hant" else scenario.en
        values = self._placeholders(plan)
        ticket = Ticket(
            subject=rng.choice(words.subjects).format_map(values),
            description=rng.choice(words.descriptions).format_map(values),
            client=plan.client,
            category=self.categories[scenario.category],
            platform_os=plan.platform_os,
            app_version=plan.app_version,
            priority=plan.priority,
            channel=plan.channel,
            language=plan.language,
            tags=plan.tags,
            team=self.teams[plan.team_slug],
            assignee=plan.assignee,
            status=plan.status,
            escalation_level=plan.escalation_level,
            created_at=plan.created_at,
            first_public_reply_at=plan.first_reply_at,
            resolved_at=plan.resolved_at,
            closed_at=plan.closed_at,
        )
        if plan.resolved_at is not None:
            code = rng.choice(scenario.resolution_codes)
            if rng.random() < 0.03:
                code = "duplicate"
            ticket.resolution_code = self.resolution_codes[code]
            ticket.resolution_summary = {
                "duplicate": "Duplicate of an earlier ticket from the same client; answered there.",
                "no-response": "No reply from the client after two reminders; resolved per policy.",
            }.get(code) or rng.choice(scenario.summaries).format_map(values)
        _Conversation(self, plan, ticket, words, values).build()
        times = [ticket.created_at] + [m.created_at for m in plan.messages]
        times += [e.created_at for e in plan.events]
        ticket.updated_at = max(times)
        return ticket


class _Conversation:
    """Writes one ticket's messages and audit events onto its plan, in time order."""

    def __init__(
        self,
        seeder: DemoSeeder,
        plan: TicketPlan,
        ticket: Ticket,
        words: demo_data.Conversation,
        values: dict[str, str],
    ) -> None:
        self.seeder = seeder
        self.rng = seeder.rng
        self.plan = plan
        self.ticket = ticket
        self.words = words
        self.values = values
        self.status = Ticket.Status.NEW
        # The agent working the ticket right now (changes when it moves to another team).
        self.agent = plan.first_assignee or plan.assignee
        self.team_slug = plan.scenario.team if plan.first_assignee else plan.team_slug

    def _supervisor(self) -> User | None:
        supervisors = self.seeder.team_supervisors[self.team_slug]
        return self.rng.choice(supervisors) if supervisors else None

    # Rows.

    def _message(self, kind: str, at: datetime, body: str, author: User | None = None) -> None:
        body = body.format_map({**self.values, "agent": author.full_name if author else ""})
        at = _whole_second(at)
        language = self.plan.language
        channel = self.plan.channel
        if kind == Message.Kind.NOTE:
            language = "zh-hant" if any("\u3400" <= ch <= "\u9fff" for ch in body) else "en"
            channel = Ticket.Channel.WEB
        elif kind == Message.Kind.REPLY and channel == Ticket.Channel.PHONE:
            channel = Ticket.Channel.EMAIL
        self.plan.messages.append(
            Message(
                ticket=self.ticket,
                kind=kind,
                author=author,
                client=self.plan.client if kind == Message.Kind.CLIENT else None,
                body=body,
                body_html=self.seeder.html_for(body),
                language=language,
                channel=channel,
                created_at=at,
            )
        )

    def _event(
        self,
        action: str,
        at: datetime,
        *,
        actor: User | None,
        source: str = TicketEvent.Source.WEB,
        field_name: str = "",
        old: str = "",
        new: str = "",
    ) -> None:
        at = _whole_second(at)
        self.plan.events.append(
            TicketEvent(
                ticket=self.ticket,
                actor=actor,
                action=action,
                field=field_name,
                old_value=old,
                new_value=new,
                source=source,
                created_at=at,
            )
        )

    def _set_status(
        self, new: str, at: datetime, *, actor: User | None, source: str = TicketEvent.Source.WEB
    ) -> None:
        if new == self.status:
            return
        action = new if new in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED) else "status_changed"
        self._event(
            action, at, actor=actor, source=source, field_name="status", old=self.status, new=new
        )
        self.status = new

    # The story.

    def build(self) -> None:
        rng = self.rng
        plan = self.plan
        created = plan.created_at
        by_agent = plan.channel in (Ticket.Channel.PHONE, Ticket.Channel.CHAT)
        source = {
            Ticket.Channel.EMAIL: TicketEvent.Source.EMAIL,
            Ticket.Channel.WEB: TicketEvent.Source.WEB,
        }.get(plan.channel, TicketEvent.Source.WEB)
        self._event("created", created, actor=self.agent if by_agent else None, source=source)
        if self.agent is None:
            return

        limit = self.seeder.now
        if plan.first_reply_at is not None:
            limit = min(limit, plan.first_reply_at - 2 * MINUTE)
        self._assignment_event(min(created + timedelta(minutes=rng.uniform(1, 20)), limit))
        if plan.first_reply_at is None:
            return

        first_reply = plan.first_reply_at
        if rng.random() < 0.3:
            note = rng.choice(plan.scenario.notes + demo_data.GENERIC_NOTES)
            self._message(Message.Kind.NOTE, first_reply - MINUTE, note, self.agent)
        if rng.random() < 0.05 and plan.priority < 4:
            self._event(
                "priority_changed",
                first_reply - MINUTE,
                actor=self.agent,
                field_name="priority",
                old=str(plan.priority + 1),
                new=str(plan.priority),
            )
        first_words = rng.choice(self.words.first_replies)
        self._message(Message.Kind.REPLY, first_reply, first_words, self.agent)
        self._set_status(Ticket.Status.OPEN, first_reply, actor=self.agent)
        if rng.random() < 0.45:
            self._set_status(Ticket.Status.PENDING_CLIENT, first_reply, actor=self.agent)

        # Intermediate messages fall before the final reply (resolved) or now (still open).
        end = self.seeder.now
        if plan.resolved_at is not None:
            end = plan.resolved_at - FINAL_REPLY_WINDOW
        cursor = first_reply

        def step() -> datetime:
            nonlocal cursor
            cursor = cursor + (end - cursor) * rng.uniform(0.1, 0.4)
            return cursor

        if rng.random() < 0.6 or self.status == Ticket.Status.PENDING_CLIENT:
            self._client_message(step(), rng.choice(self.words.followups))
        if plan.escalation_level:
            self._escalate(step(), step())
        if rng.random() < 0.35:
            holding = demo_data.GENERIC_HOLDING_REPLIES[plan.language]
            self._message(Message.Kind.REPLY, step(), rng.choice(holding), self.agent)
            if rng.random() < 0.5:
                generic = demo_data.GENERIC_CLIENT_FOLLOWUPS[plan.language]
                self._client_message(step(), rng.choice(generic))

        if plan.resolved_at is not None:
            self._resolve(plan.resolved_at)
        else:
            self._leave_open(step())

    def _assignment_event(self, at: datetime) -> None:
        agent = self.agent
        if agent is None:
            return
        how = self.rng.random()
        supervisor = self._supervisor()
        if how < 0.5:
            actor, source = None, TicketEvent.Source.AUTOMATION
        elif how < 0.8 and supervisor is not None:
            actor, source = supervisor, TicketEvent.Source.WEB
        else:
            actor, source = agent, TicketEvent.Source.WEB
        self._event(
            "assigned", at, actor=actor, source=source, field_name="assignee", new=agent.full_name
        )

    def _client_message(self, at: datetime, body: str) -> None:
        self._message(Message.Kind.CLIENT, at, body)
        if self.status == Ticket.Status.PENDING_CLIENT:
            source = (
                TicketEvent.Source.EMAIL
                if self.plan.channel == Ticket.Channel.EMAIL
                else TicketEvent.Source.WEB
            )
            self._set_status(
                Ticket.Status.OPEN, at + timedelta(seconds=1), actor=None, source=source
            )

    def _escalate(self, first: datetime, second: datetime) -> None:
        """Level 1 by the agent; level 2 by a supervisor, which for first-line tickets also
        moves the ticket to Platform Tier 2 and to one of its agents."""
        plan = self.plan
        agent = self.agent
        note = self.rng.choice(demo_data.ESCALATION_NOTES)
        self._message(Message.Kind.NOTE, first, note, agent)
        self._event(
            "escalated", first, actor=agent, field_name="escalation_level", old="0", new="1"
        )
        if plan.escalation_level < 2:
            return
        supervisor = self._supervisor() or agent
        self._event(
            "escalated", second, actor=supervisor, field_name="escalation_level", old="1", new="2"
        )
        if plan.first_assignee is None or plan.assignee is None:
            return
        self._event(
            "transferred",
            second + timedelta(seconds=1),
            actor=supervisor,
            field_name="team",
            old=self.seeder.teams[self.team_slug].name,
            new=self.seeder.teams[plan.team_slug].name,
        )
        self.team_slug = plan.team_slug
        self._event(
            "assigned",
            second + timedelta(seconds=2),
            actor=self._supervisor(),
            field_name="assignee",
            old=plan.first_assignee.full_name,
            new=plan.assignee.full_name,
        )
        self.agent = plan.assignee

    def _resolve(self, resolved_at: datetime) -> None:
        rng = self.rng
        plan = self.plan
        final = resolved_at - FINAL_REPLY_WINDOW * rng.uniform(0.05, 1)
        self._message(Message.Kind.REPLY, final, rng.choice(self.words.final_replies), self.agent)
        self._set_status(Ticket.Status.RESOLVED, resolved_at, actor=self.agent)
        thanks_by = min(plan.closed_at or self.seeder.now, self.seeder.now)
        thanks_at = resolved_at + timedelta(hours=rng.uniform(0.5, 20))
        if rng.random() < 0.35 and thanks_at < thanks_by:
            thanks = demo_data.GENERIC_CLIENT_THANKS[plan.language]
            self._message(Message.Kind.CLIENT, thanks_at, rng.choice(thanks))
        if plan.closed_at is not None:
            self._set_status(
                Ticket.Status.CLOSED,
                plan.closed_at,
                actor=None,
                source=TicketEvent.Source.AUTOMATION,
            )

    def _leave_open(self, at: datetime) -> None:
        rng = self.rng
        plan = self.plan
        agent = self.agent
        if plan.status == Ticket.Status.PENDING_CLIENT:
            holding = demo_data.GENERIC_HOLDING_REPLIES[plan.language]
            words = rng.choice(self.words.first_replies + holding)
            self._message(Message.Kind.REPLY, at, words, agent)
        elif plan.status == Ticket.Status.PENDING_INTERNAL:
            note = rng.choice(demo_data.PENDING_INTERNAL_NOTES)
            self._message(Message.Kind.NOTE, at, note, agent)
        elif plan.status == Ticket.Status.ON_HOLD:
            self._message(Message.Kind.NOTE, at, rng.choice(demo_data.ON_HOLD_NOTES), agent)
        elif self.status != Ticket.Status.OPEN:
            generic = demo_data.GENERIC_CLIENT_FOLLOWUPS[plan.language]
            self._message(Message.Kind.CLIENT, at, rng.choice(generic))
        self._set_status(plan.status, at, actor=agent)


class Command(BaseCommand):
    help = (
        "Fill an empty database with a realistic, deterministic demo desk (teams, staff, "
        "clients, ~3,000 tickets). Run `manage.py demo_logins` afterwards for the sign-ins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (successfully) when the database already has teams.",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Random seed; the same seed builds the same desk (default {DEFAULT_SEED}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if Team.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Demo data not loaded: the database already has teams.")
                return
            raise CommandError(
                "The database is not empty (it already has teams); seed_demo only fills an "
                "empty database. Use --if-empty to skip quietly, or run it against a fresh "
                "database."
            )
        started = time.monotonic()
        counts = DemoSeeder(seed=options["seed"], now=timezone.now()).run()
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo desk seeded (seed {options['seed']}) in {elapsed:.1f} s: {summary}."
            )
        )
        self.stdout.write("Sign-in details: python manage.py demo_logins")
