"""``manage.py seed_scale --tickets N``: realistic ticket volume, fast, through PostgreSQL COPY.

It ADDS ``N`` tickets (each run adds more; ``--reset`` first deletes what earlier runs added),
spread over the last ``--days`` (two years by default), with about ``--messages-per-ticket``
messages each (client messages, public replies and internal notes, with ``body_html``) and an
audit trail (created, assigned, status changes, escalations, resolved, closed).

How it stays fast (1,000,000 tickets in a few minutes on two cores):

* Rows are written as COPY text by ``psycopg``'s ``cursor.copy()``, one transaction per batch of
  ``--batch`` tickets; each batch streams its messages while they are generated, then COPYs its
  tickets and events. Tables stay logged and no index is dropped.
* Foreign keys: PostgreSQL checks them with one trigger call per row and reference, which costs
  more than the insert itself. A superuser's batch therefore runs with those triggers off
  (``session_replication_role = replica``) and checks that everything it references exists with
  a few set-wise queries before it commits; ``--row-checks`` (and any non-superuser) keeps the
  per-row checks. CHECK, NOT NULL and UNIQUE constraints are always enforced.
* The words come from ``tickets.demo_data`` (the demo desk's scenarios in English and
  Traditional Chinese) plus variations (account numbers, order ids, symbols, error codes …) so
  full-text search sees realistic selectivity. Every template is rendered ONCE with
  ``render_message_html``; rows only fill in placeholders with HTML-escaped values.
* Ticket and client ids are reserved by moving their sequences forward (``setval``) and written
  explicitly; message and event ids come from their sequences. Columns are listed explicitly and
  read from the models, so generated columns (search vectors) compute themselves and columns
  added later with a default are filled.
* With ``--jobs 2`` (the default for large runs) two processes generate and COPY batches in
  parallel, so Python and PostgreSQL keep both cores busy.

Reference data: the demo desk's teams, agents, categories and resolution codes are reused
(``manage.py seed_demo``); on an empty database a minimal base (the demo reference lists, three
teams, three agents each) is created. Scale tickets belong to clients created by this command,
recognisable by their email domain ending in ``.scale.example`` — that is what ``--reset``
deletes (with their tickets and everything attached to those tickets).
"""

from __future__ import annotations

import bisect
import html
import itertools
import json
import math
import multiprocessing
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, connections, models, transaction
from django.utils import timezone

from teams.access import Role
from teams.models import Team, TeamMembership, User
from tickets import demo_data
from tickets.models import Category, Client, Message, ResolutionCode, Ticket, TicketEvent
from tickets.rendering import render_message_html

DEFAULT_SEED = 2026
SCALE_EMAIL_SUFFIX = ".scale.example"
SCALE_EMAIL_DOMAINS = tuple(
    f"{name}{SCALE_EMAIL_SUFFIX}" for name in ("mail", "inbox", "hknet", "harbour", "pacific")
)
HOUR = 3600
DAY = 24 * HOUR
# Relative ticket volume by Hong Kong hour of day and weekday (Monday first), as in seed_demo.
HOUR_VOLUME = (
    0.45, 0.35, 0.25, 0.2, 0.15, 0.1, 0.15, 0.35, 0.9, 1.6, 1.55, 1.3,
    0.9, 1.1, 1.25, 1.2, 1.0, 0.8, 0.6, 0.5, 0.55, 0.75, 0.75, 0.6,
)  # fmt: skip
WEEKDAY_VOLUME = (1.15, 1.05, 1.0, 1.0, 0.95, 0.35, 0.25)
CHANNELS = (("email", 55), ("web", 25), ("phone", 10), ("chat", 10))
# Log-normal (mu, sigma) in minutes by priority, as in seed_demo.
FIRST_RESPONSE = {1: (2.3, 0.5), 2: (3.6, 0.6), 3: (5.0, 0.8), 4: (6.0, 0.8)}
RESOLUTION = {1: (5.6, 0.5), 2: (7.0, 0.7), 3: (7.8, 0.8), 4: (8.5, 0.7)}
# Status of open tickets: very recent ones are mostly new, older ones waiting on someone.
OPEN_MIX = (("open", 35), ("pending_client", 35), ("pending_internal", 15), ("on_hold", 15))
# Share of open tickets that are old (the long tail of on-hold and pending cases).
OLD_OPEN_SHARE = 0.1
# Extra sentences and subject decorations: unique-ish tokens that vary the text.
EXTRAS = {
    "en": (
        "My account number is {account}.",
        "It happened again at {time} today.",
        "The order ID was {order_id} ({symbol}).",
        "I am using {os} with {version}.",
        "The screen showed error {error}.",
        "This is urgent, I hold a position in {symbol}.",
        "{bank} says the money was sent on their side.",
        "Session {session}, connecting from {ip}.",
    ),
    "zh-hant": (
        "我的戶口號碼是 {account}。",
        "今日 {time} 又再發生。",
        "訂單編號 {order_id}（{symbol}）。",
        "我用的是 {os}，版本 {version}。",
        "畫面顯示錯誤 {error}。",
        "我持有 {symbol} 的倉位，請盡快處理。",
        "{bank} 表示款項已經匯出。",
        "連線 {session}，IP {ip}。",
    ),
}
SUBJECT_DECORATIONS = {
    "en": ("Urgent: {}", "Re: {}", "Fwd: {}", "{} ({symbol})", "{} – account {account}"),
    "zh-hant": ("緊急：{}", "回覆：{}", "{}（{symbol}）", "{}－戶口 {account}"),
}


class _Values(dict):
    """Placeholder values; a placeholder the templates gain later renders empty, not KeyError."""

    def __missing__(self, key: str) -> str:
        return ""


def _copy_escape(text: str) -> str:
    """Escape ``text`` for COPY's text format."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def _template(text: str) -> tuple[str, str]:
    """A text template and its pre-rendered HTML, both COPY-escaped, placeholders intact."""
    rendered = render_message_html(text)
    sample = _Values(name="x", agent="x", os="x", version="x")
    try:
        rendered.format_map(sample)
    except (ValueError, IndexError):  # braces the renderer changed: fall back to plain text
        rendered = "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"
    return _copy_escape(text), _copy_escape(rendered)


def _cumulative(weights: list[float]) -> list[float]:
    total = 0.0
    result = []
    for weight in weights:
        total += weight
        result.append(total)
    return result


@dataclass
class ScenarioWords:
    """One scenario's templates, prepared for fast row building."""

    category_id: int
    team_id: int
    priority_cumulative: list[float]
    platforms: tuple[tuple[str, str], ...]
    tags: tuple[str, ...]
    escalation_rate: float
    resolution_code_ids: list[int]
    summaries: list[str]
    notes: list[tuple[str, str, str]]  # (text, html, language)
    # Per language: subjects (COPY-escaped), descriptions, first, followups, final (text, html).
    words: dict[str, dict[str, list]]


@dataclass
class Material:
    """Everything a batch needs, picklable and shared by forked workers."""

    now: int
    start: int
    days: int
    messages_per_ticket: float
    open_share: float
    scenarios: list[ScenarioWords]
    scenario_cumulative: list[float]
    agents: dict[int, list[tuple[int, str, str]]]  # team id -> (user id, name, name as HTML)
    clients: list[tuple[int, str, str, str, str]]  # id, name, name html, language, tier
    client_cumulative: list[float]
    generic: dict[str, dict[str, list[tuple[str, str]]]]
    generic_notes: list[tuple[str, str, str]]
    escalation_notes: list[tuple[str, str, str]]
    extras: dict[str, list[tuple[str, str]]]
    ticket_columns: list[str]
    ticket_suffix: str
    message_columns: list[str]
    message_suffix: str
    event_columns: list[str]
    event_suffix: str
    event_has_version: bool
    auto_close_seconds: int
    trust_references: bool


@dataclass(frozen=True)
class BatchSpec:
    index: int
    first_ticket_id: int
    count: int
    start: int
    end: int


class Command(BaseCommand):
    help = (
        "ADD --tickets N realistic tickets (with messages and audit events, over the last two "
        "years, ~5% open) through PostgreSQL COPY; running it again adds N more. --reset first "
        f"deletes what earlier runs added (clients on *{SCALE_EMAIL_SUFFIX} and their tickets). "
        "Reuses the demo desk's teams, agents, categories and resolution codes (seed_demo), "
        "else creates a minimal base."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tickets", type=int, required=True, help="tickets to add")
        parser.add_argument(
            "--messages-per-ticket",
            type=float,
            default=4.0,
            help="average messages per ticket (default 4)",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
        )
        parser.add_argument(
            "--batch", type=int, default=100_000, help="tickets per transaction (default 100000)"
        )
        parser.add_argument(
            "--days", type=int, default=730, help="spread tickets over this many days (730)"
        )
        parser.add_argument(
            "--open-share", type=float, default=0.05, help="share of open tickets (0.05)"
        )
        parser.add_argument(
            "--tickets-per-client",
            type=float,
            default=8.0,
            help="new clients are created for the tickets: one per this many (default 8)",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=0,
            help="parallel processes (default: 2 from 50,000 tickets, else 1 in this process)",
        )
        parser.add_argument(
            "--row-checks",
            action="store_true",
            help="keep PostgreSQL's per-row foreign-key checks (slower; the default for "
            "non-superusers) instead of one set-wise check per batch",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="first delete the clients, tickets, messages and events earlier runs added",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["tickets"]
        if count < 0 or options["batch"] < 1 or options["days"] < 1:
            raise CommandError("--tickets must be ≥ 0, --batch and --days ≥ 1.")
        if not 0 <= options["open_share"] <= 1 or options["messages_per_ticket"] < 0:
            raise CommandError("--open-share must be between 0 and 1, --messages-per-ticket ≥ 0.")
        started = time.monotonic()
        if options["reset"]:
            deleted = reset_scale_data()
            self.stdout.write(
                f"Reset: deleted {deleted['tickets']:,} scale tickets and "
                f"{deleted['clients']:,} scale clients in {time.monotonic() - started:.1f} s."
            )
        if count == 0:
            return
        jobs = options["jobs"] or (2 if count >= 50_000 else 1)
        counts = seed_scale(
            tickets=count,
            messages_per_ticket=options["messages_per_ticket"],
            seed=options["seed"],
            batch=options["batch"],
            days=options["days"],
            open_share=options["open_share"],
            tickets_per_client=options["tickets_per_client"],
            jobs=jobs,
            row_checks=options["row_checks"],
            progress=self.stdout.write,
        )
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {counts['tickets']:,} tickets, {counts['messages']:,} messages, "
                f"{counts['events']:,} events and {counts['clients']:,} clients in "
                f"{elapsed:.1f} s ({jobs} job{'s' if jobs > 1 else ''})."
            )
        )


# --- Orchestration ----------------------------------------------------------------------------


def seed_scale(
    *,
    tickets: int,
    messages_per_ticket: float = 4.0,
    seed: int = DEFAULT_SEED,
    batch: int = 100_000,
    days: int = 730,
    open_share: float = 0.05,
    tickets_per_client: float = 8.0,
    jobs: int = 1,
    row_checks: bool = False,
    progress: Any = None,
) -> dict[str, int]:
    """Add ``tickets`` tickets with their conversations and events; return the row counts.

    With ``jobs == 1`` everything runs in this process on Django's connection (inside the
    caller's transaction, if any, one savepoint per batch); with more, forked processes COPY
    batches in parallel through their own connections, each batch in its own transaction.
    Foreign keys are checked set-wise per batch when the database role is a superuser, else (or
    with ``row_checks``) by PostgreSQL's own per-row triggers.
    """
    now = int(timezone.now().timestamp())
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    with transaction.atomic():
        base = _ensure_base()
    client_count = max(1, math.ceil(tickets / max(tickets_per_client, 1.0)))
    with transaction.atomic():
        first_client = _reserve_ids(Client, client_count)
        clients = _copy_clients(rng, first_client, client_count, now=now, days=days)
        first_ticket = _reserve_ids(Ticket, tickets)
    material = _material(
        base,
        clients,
        rng,
        now=now,
        days=days,
        mpt=messages_per_ticket,
        open_share=open_share,
        trust_references=not row_checks and _is_superuser(),
    )
    specs = _batch_specs(first_ticket, tickets, batch, material)
    totals = {"tickets": 0, "messages": 0, "events": 0, "clients": client_count}

    def done(counts: dict[str, int]) -> None:
        for key in ("tickets", "messages", "events"):
            totals[key] += counts[key]
        if progress:
            progress(
                f"  {totals['tickets']:,} / {tickets:,} tickets (batch: messages "
                f"{counts['seconds_messages']:.1f} s, tickets {counts['seconds_tickets']:.1f} s, "
                f"events {counts['seconds_events']:.1f} s)"
            )

    if jobs <= 1:
        for spec in specs:
            with transaction.atomic(), connection.cursor() as cursor:
                done(_write_batch(cursor.cursor, material, spec, seed))
    else:
        params = {
            key: value
            for key, value in connection.get_connection_params().items()
            if isinstance(value, str | int) and key != "prepare_threshold"
        }
        connections.close_all()
        context = multiprocessing.get_context("fork")
        global _WORKER_STATE  # handed to the forked workers without pickling
        _WORKER_STATE = (material, params, seed)
        with context.Pool(jobs) as pool:
            for counts in pool.imap_unordered(_worker_batch, specs):
                done(counts)
        _WORKER_STATE = None
    _analyze()
    return totals


_WORKER_STATE: tuple[Material, dict[str, Any], int] | None = None


def _is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser')")
        return cursor.fetchone()[0] == "on"


def _worker_batch(spec: BatchSpec) -> dict[str, int]:
    import psycopg

    if _WORKER_STATE is None:
        raise RuntimeError("seed_scale worker started without its material")
    material, params, seed = _WORKER_STATE
    with psycopg.connect(**params) as conn, conn.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        counts = _write_batch(cursor, material, spec, seed)
        conn.commit()
    return counts


def _reserve_ids(model: type[models.Model], count: int) -> int:
    """Move the id sequence of ``model`` forward by ``count``; return the first reserved id."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
            [table, table, count],
        )
        last = cursor.fetchone()[0]
    return last - count + 1


def _batch_specs(first_id: int, total: int, batch: int, material: Material) -> list[BatchSpec]:
    """Batches in time order, so ids grow with creation time as they do in a real desk."""
    specs = []
    span = material.now - material.start
    offset = 0
    index = 0
    while offset < total:
        count = min(batch, total - offset)
        start = material.start + span * offset // total
        end = material.start + span * (offset + count) // total
        specs.append(BatchSpec(index, first_id + offset, count, start, end))
        offset += count
        index += 1
    return specs


# --- Reference data ---------------------------------------------------------------------------


@dataclass
class Base:
    teams: dict[str, int]
    agents: dict[int, list[tuple[int, str]]]
    categories: dict[str, int]
    resolution_codes: dict[str, int]


def _ensure_base() -> Base:
    """Reuse the demo desk's reference data; create whatever is missing (minimal base)."""
    if not Category.objects.exists():
        Category.objects.bulk_create(
            Category(slug=slug, name_en=en, name_zh_hant=zh, position=position)
            for position, (slug, en, zh) in enumerate(demo_data.CATEGORIES)
        )
    if not ResolutionCode.objects.exists():
        ResolutionCode.objects.bulk_create(
            ResolutionCode(slug=slug, name_en=en, name_zh_hant=zh)
            for slug, en, zh in demo_data.RESOLUTION_CODES
        )
    if not Team.objects.exists():
        Team.objects.bulk_create(
            Team(name=name, slug=slug, description=description, email=email)
            for slug, name, description, email in demo_data.TEAMS
        )
    agents: dict[int, list[tuple[int, str]]] = {}
    memberships = TeamMembership.objects.select_related("user").order_by("team_id", "user_id")
    for membership in memberships:
        if membership.role == TeamMembership.Role.AGENT and membership.user.is_active:
            agents.setdefault(membership.team_id, []).append(
                (membership.user_id, membership.user.full_name)
            )
    group = Group.objects.filter(name=Role.AGENT.value).first()
    for team in Team.objects.exclude(pk__in=list(agents)):
        created = []
        for number in range(1, 4):
            user, _created = User.objects.get_or_create(
                email=f"scale.agent{number}.{team.slug}@supportdesk.example",
                defaults={
                    "full_name": f"Scale Agent {number} ({team.name})",
                    "password": make_password(None),
                },
            )
            if group is not None:
                user.groups.add(group)
            TeamMembership.objects.get_or_create(team=team, user=user)
            created.append((user.pk, user.full_name))
        agents[team.pk] = created
    return Base(
        teams=dict(Team.objects.values_list("slug", "pk")),
        agents=agents,
        categories=dict(Category.objects.values_list("slug", "pk")),
        resolution_codes=dict(ResolutionCode.objects.values_list("slug", "pk")),
    )


def _copy_clients(
    rng: random.Random, first_id: int, count: int, *, now: int, days: int
) -> list[tuple[int, str, str, str, str]]:
    """COPY ``count`` new clients with ids from ``first_id``; return (id, name, html name,
    language, tier) for each."""
    regions = demo_data.REGIONS
    region_weights = _cumulative([weight for _region, weight, _zones in regions])
    region_total = region_weights[-1]
    result = []
    lines = []
    for client_id in range(first_id, first_id + count):
        region, _weight, zones = regions[bisect.bisect(region_weights, rng.random() * region_total)]
        name, romanised, language = _client_name(rng, region)
        tier = rng.choices(("standard", "pro", "institutional"), (85, 12, 3))[0]
        local = ".".join(part.lower() for part in romanised.replace("-", "").split())
        email = f"{local}.{client_id}@{rng.choice(SCALE_EMAIL_DOMAINS)}"
        created = now - (days + rng.randrange(365)) * DAY
        lines.append(
            "\t".join(
                (
                    str(client_id),
                    _copy_escape(name),
                    email,
                    f"HK{client_id:010d}",
                    language,
                    region,
                    rng.choice(zones),
                    tier,
                    "\\N",
                    _timestamp(created),
                )
            )
            + "\n"
        )
        result.append((client_id, name, html.escape(name), language, tier))
    columns, suffix = _columns(Client, CLIENT_COLUMNS)
    with connection.cursor() as cursor:
        _copy(cursor.cursor, Client, columns, suffix, lines)
    return result


def _client_name(rng: random.Random, region: str) -> tuple[str, str, str]:
    """A client's display name, its romanisation and preferred language (as seed_demo does)."""
    if region == "HK":
        surname, surname_latin = rng.choice(demo_data.HK_SURNAMES)
        given, given_latin = rng.choice(demo_data.HK_GIVEN_NAMES)
        romanised = f"{surname_latin} {given_latin}"
        style = rng.random()
        if style < 0.45:
            return f"{surname}{given}", romanised, rng.choices(["zh-hant", "en", ""], [85, 8, 7])[0]
        if style < 0.8:
            return romanised, romanised, rng.choices(["en", "zh-hant", ""], [55, 35, 10])[0]
        english = f"{rng.choice(demo_data.HK_ENGLISH_NAMES)} {surname_latin}"
        return english, english, "en"
    if region == "TW":
        name, romanised = rng.choice(demo_data.TW_NAMES)
        return name, romanised, rng.choices(["zh-hant", ""], [85, 15])[0]
    name = f"{rng.choice(demo_data.WESTERN_FIRST_NAMES)} {rng.choice(demo_data.WESTERN_LAST_NAMES)}"
    return name, name, rng.choices(["en", ""], [80, 20])[0]


# --- Material: templates and columns, prepared once -------------------------------------------


def _material(
    base: Base,
    clients: list[tuple[int, str, str, str, str]],
    rng: random.Random,
    *,
    now: int,
    days: int,
    mpt: float,
    open_share: float,
    trust_references: bool,
) -> Material:
    team_ids = sorted(base.agents)
    categories = list(base.categories.values())
    codes = list(base.resolution_codes.values())

    def pairs(texts: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
        return [_template(text) for text in texts]

    def notes(texts: tuple[str, ...] | list[str]) -> list[tuple[str, str, str]]:
        return [(*_template(text), "zh-hant" if _has_chinese(text) else "en") for text in texts]

    scenarios = []
    for scenario in demo_data.SCENARIOS:
        words = {}
        for language, conversation in (("en", scenario.en), ("zh-hant", scenario.zh)):
            words[language] = {
                "subjects": [_copy_escape(subject) for subject in conversation.subjects],
                "descriptions": pairs(conversation.descriptions),
                "first": pairs(conversation.first_replies),
                "followups": pairs(conversation.followups),
                "final": pairs(conversation.final_replies),
            }
        team_id = base.teams.get(scenario.team)
        scenarios.append(
            ScenarioWords(
                category_id=base.categories.get(scenario.category) or rng.choice(categories),
                team_id=team_id if team_id in base.agents else rng.choice(team_ids),
                priority_cumulative=_cumulative(list(scenario.priorities)),
                platforms=demo_data.PLATFORM_DETAILS.get(scenario.platform, ()),
                tags=tuple(scenario.tags),
                escalation_rate=scenario.escalation_rate,
                resolution_code_ids=[
                    base.resolution_codes[code]
                    for code in scenario.resolution_codes
                    if code in base.resolution_codes
                ]
                or codes,
                summaries=[_copy_escape(summary) for summary in scenario.summaries],
                notes=notes(scenario.notes),
                words=words,
            )
        )
    generic = {
        language: {
            "followups": pairs(demo_data.GENERIC_CLIENT_FOLLOWUPS[language]),
            "thanks": pairs(demo_data.GENERIC_CLIENT_THANKS[language]),
            "holding": pairs(demo_data.GENERIC_HOLDING_REPLIES[language]),
        }
        for language in ("en", "zh-hant")
    }
    client_weights = [
        min(rng.lognormvariate(0, 0.7), 6.0) * (1.5 if tier != "standard" else 1.0)
        for _id, _name, _html, _language, tier in clients
    ]
    ticket_columns, ticket_suffix = _columns(Ticket, TICKET_COLUMNS)
    message_columns, message_suffix = _columns(Message, MESSAGE_COLUMNS)
    event_fields = {field.column for field in TicketEvent._meta.concrete_fields}
    event_has_version = "ticket_version" in event_fields
    event_columns, event_suffix = _columns(
        TicketEvent, EVENT_COLUMNS + (("ticket_version",) if event_has_version else ())
    )
    return Material(
        now=now,
        start=now - days * DAY,
        days=days,
        messages_per_ticket=mpt,
        open_share=open_share,
        scenarios=scenarios,
        scenario_cumulative=_cumulative([s.weight for s in demo_data.SCENARIOS]),
        agents={
            team: [(user_id, name, html.escape(name)) for user_id, name in people]
            for team, people in base.agents.items()
        },
        clients=clients,
        client_cumulative=_cumulative(client_weights),
        generic=generic,
        generic_notes=notes(demo_data.GENERIC_NOTES),
        escalation_notes=notes(demo_data.ESCALATION_NOTES),
        extras={language: pairs(texts) for language, texts in EXTRAS.items()},
        ticket_columns=ticket_columns,
        ticket_suffix=ticket_suffix,
        message_columns=message_columns,
        message_suffix=message_suffix,
        event_columns=event_columns,
        event_suffix=event_suffix,
        event_has_version=event_has_version,
        auto_close_seconds=settings.TICKET_AUTO_CLOSE_DAYS * DAY,
        trust_references=trust_references,
    )


def _has_chinese(text: str) -> bool:
    return any("\u3400" <= character <= "\u9fff" for character in text)


# The columns each row builder writes, in order (database column names).
CLIENT_COLUMNS = (
    "id", "name", "email", "account_number", "language", "region", "time_zone", "tier", "user_id",
    "created_at",
)  # fmt: skip
TICKET_COLUMNS = (
    "id", "subject", "description", "client_id", "category_id", "platform_os", "app_version",
    "priority", "channel", "language", "tags", "team_id", "assignee_id", "status",
    "escalation_level", "resolution_code_id", "resolution_summary", "merged_into_id", "version",
    "created_at", "updated_at", "first_public_reply_at", "resolved_at", "closed_at",
)  # fmt: skip
MESSAGE_COLUMNS = (
    "ticket_id", "kind", "author_id", "client_id", "body", "body_html", "language", "channel",
    "created_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "ticket_id", "actor_id", "action", "field", "old_value", "new_value", "source", "created_at",
)  # fmt: skip


def _columns(model: type[models.Model], written: tuple[str, ...]) -> tuple[list[str], str]:
    """The COPY column list for ``model``: the columns the builder writes, then any other
    column without a database default, filled with its model default (or NULL).

    Generated columns and columns with a database default are left out, so PostgreSQL computes
    them. Returns the column names and the constant text appended to every row.
    """
    known = {field.column: field for field in model._meta.concrete_fields}
    missing = [column for column in written if column not in known and column != "id"]
    if missing:
        raise CommandError(
            f"seed_scale is out of date: {model.__name__} has no column {', '.join(missing)}."
        )
    columns = [column for column in written if column in known]
    suffix = []
    for column, field in known.items():
        if column in written or column == "id" or getattr(field, "generated", False):
            continue
        if field.db_default is not models.NOT_PROVIDED:
            continue
        columns.append(column)
        suffix.append(_constant_text(model, field))
    return columns, "".join("\t" + text for text in suffix)


def _constant_text(model: type[models.Model], field: models.Field) -> str:
    """COPY text of the value a new row gets for ``field`` when nothing sets it."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return _timestamp(int(timezone.now().timestamp()))
    if field.has_default():
        value = field.get_default()
        if value is None:
            return "\\N"
        if isinstance(field, models.JSONField):
            return _copy_escape(json.dumps(value))
        if isinstance(value, list | tuple):  # an ArrayField
            return "{" + ",".join(_copy_escape(str(item)) for item in value) + "}"
        return _copy_escape(str(field.get_db_prep_save(value, connection)))
    if field.null:
        return "\\N"
    raise CommandError(
        f"seed_scale cannot fill {model.__name__}.{field.name}: it has no default; update it."
    )


def _copy(cursor: Any, model: type[models.Model], columns: list[str], suffix: str, lines) -> None:
    """COPY ``lines`` (each ending in a newline, ``suffix`` not yet added) into ``model``."""
    table = model._meta.db_table
    column_list = ", ".join(f'"{column}"' for column in columns)
    # Table and column names come from the models, not from input.
    sql = f'COPY "{table}" ({column_list}) FROM STDIN'
    with cursor.copy(sql) as copy:
        chunk: list[str] = []
        for line in lines:
            chunk.append(line[:-1] + suffix + "\n" if suffix else line)
            if len(chunk) >= 5000:
                copy.write("".join(chunk))
                chunk = []
        if chunk:
            copy.write("".join(chunk))


# --- Timestamps -------------------------------------------------------------------------------

_DAY_TEXT: dict[int, str] = {}
_SECOND_TEXT = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00" for s in range(DAY)]


def _timestamp(epoch: int) -> str:
    """COPY text of a UTC timestamp (whole seconds), fast: days and seconds are cached."""
    day, second = divmod(epoch, DAY)
    text = _DAY_TEXT.get(day)
    if text is None:
        text = datetime.fromtimestamp(day * DAY, tz=UTC).strftime("%Y-%m-%d ")
        _DAY_TEXT[day] = text
    return text + _SECOND_TEXT[second]


_MONTH_TEXT: dict[tuple[str, str], str] = {}


def _month(epoch: int, language: str) -> str:
    """The month of ``epoch`` as a statement would name it: "October 2026" or "2026年10月"."""
    key = (_timestamp(epoch)[:7], language)
    text = _MONTH_TEXT.get(key)
    if text is None:
        year, month = key[0].split("-")
        if language == "zh-hant":
            text = f"{year}年{int(month)}月"
        else:
            text = datetime(int(year), int(month), 1, tzinfo=UTC).strftime("%B %Y")
        _MONTH_TEXT[key] = text
    return text


# --- One batch --------------------------------------------------------------------------------


def _write_batch(cursor: Any, material: Material, spec: BatchSpec, seed: int) -> dict[str, int]:
    """Generate and COPY one batch: messages stream while generated, then tickets and events.

    With ``material.trust_references`` PostgreSQL's per-row foreign-key triggers are switched
    off for the batch (``session_replication_role = replica``, superusers only) and the batch's
    references are checked once, set-wise, before it commits (``_verify_references``).
    """
    builder = _BatchBuilder(material, spec, seed)
    began = time.monotonic()
    if material.trust_references:
        cursor.execute("SELECT current_setting('session_replication_role')")
        previous_role = cursor.fetchone()[0]
        cursor.execute("SET LOCAL session_replication_role = replica")
    _copy(cursor, Message, material.message_columns, material.message_suffix, builder.messages())
    messages_done = time.monotonic()
    _copy(cursor, Ticket, material.ticket_columns, material.ticket_suffix, builder.tickets)
    tickets_done = time.monotonic()
    _copy(cursor, TicketEvent, material.event_columns, material.event_suffix, builder.events)
    if material.trust_references:
        _verify_references(cursor, material, spec, builder.client_ids)
        cursor.execute("SELECT set_config('session_replication_role', %s, true)", [previous_role])
    events_done = time.monotonic()
    return {
        "tickets": spec.count,
        "messages": builder.message_count,
        "events": len(builder.events),
        "seconds_messages": messages_done - began,
        "seconds_tickets": tickets_done - messages_done,
        "seconds_events": events_done - tickets_done,
    }


def _verify_references(cursor: Any, material: Material, spec: BatchSpec, clients: set[int]) -> None:
    """Check that every row the batch references exists (what the skipped foreign-key triggers
    would have checked row by row): the batch's tickets (referenced by its messages and events),
    its clients, and the agents, teams, categories and resolution codes of the material."""
    expected: list[tuple[type[models.Model], set[int]]] = [
        (Client, clients),
        (User, {user for people in material.agents.values() for user, _n, _h in people}),
        (Team, set(material.agents)),
        (Category, {scenario.category_id for scenario in material.scenarios}),
        (
            ResolutionCode,
            {code for scenario in material.scenarios for code in scenario.resolution_code_ids},
        ),
    ]
    missing = []
    for model, ids in expected:
        cursor.execute(
            f"SELECT count(*) FROM {_quoted(model)} WHERE id = ANY(%s)",  # noqa: S608 - model
            [sorted(ids)],
        )
        found = cursor.fetchone()[0]
        if found != len(ids):
            missing.append(f"{len(ids) - found} {model._meta.verbose_name_plural}")
    last = spec.first_ticket_id + spec.count - 1
    cursor.execute(
        f"SELECT count(*) FROM {_quoted(Ticket)} WHERE id BETWEEN %s AND %s",  # noqa: S608
        [spec.first_ticket_id, last],
    )
    if cursor.fetchone()[0] != spec.count:
        missing.append("tickets of the batch")
    if missing:
        raise CommandError(
            "seed_scale refused a batch that references rows which do not exist: "
            + ", ".join(missing)
            + ". Were teams, agents or clients deleted while it ran?"
        )


class _Draft:
    """What is decided about one ticket before its rows are written."""

    __slots__ = (
        "id",
        "created",
        "client_id",
        "scenario",
        "language",
        "words",
        "priority",
        "channel",
        "platform_os",
        "app_version",
        "team_id",
        "agent_id",
        "agent_name",
        "status",
        "escalation",
        "values",
        "values_html",
        "first_reply",
        "resolved",
        "closed",
        "events",
        "times",
        "assignee",
    )


class _BatchBuilder:
    """Builds the rows of one batch of tickets as COPY text lines: ``messages()`` yields the
    message lines and meanwhile collects the ticket and event lines in ``tickets`` and
    ``events``."""

    def __init__(self, material: Material, spec: BatchSpec, seed: int) -> None:
        self.m = material
        self.spec = spec
        self.rng = random.Random(seed * 1_000_003 + spec.index)  # noqa: S311 - test data
        self.rand = self.rng.random
        self.tickets: list[str] = []
        self.events: list[str] = []
        self.message_count = 0
        self.client_ids: set[int] = set()
        self.channel_cumulative = _cumulative([weight for _channel, weight in CHANNELS])
        self.open_cumulative = _cumulative([weight for _status, weight in OPEN_MIX])
        # Open probability decays with age: p(age) = base + top * exp(-age / tau), tuned so that
        # about ``open_share`` of all tickets are open, a tenth of them old.
        span_days = max(1.0, material.days * 0.95)
        self.open_base = material.open_share * OLD_OPEN_SHARE
        self.open_tau = max(0.5, (material.open_share - self.open_base) * span_days / 0.95)

    def messages(self) -> Iterator[str]:
        clients = self.rng.choices(
            self.m.clients, cum_weights=self.m.client_cumulative, k=self.spec.count
        )
        ticket_id = self.spec.first_ticket_id
        for created, client in zip(self._created_times(), clients, strict=True):
            draft = self._draft(ticket_id, created, client)
            self._timeline(draft)
            lines = self._conversation(draft)
            self._rows(draft)
            self.message_count += len(lines)
            yield from lines
            ticket_id += 1

    def _created_times(self) -> list[int]:
        """Creation times in the batch's slice, weighted by Hong Kong hour and weekday."""
        rand = self.rand
        start, length = self.spec.start, max(1, self.spec.end - self.spec.start)
        peak = max(HOUR_VOLUME) * max(WEEKDAY_VOLUME)
        times = []
        while len(times) < self.spec.count:
            moment = start + rand() * length
            local = moment + 8 * HOUR
            hour = int(local // HOUR) % 24
            weekday = (int(local // DAY) + 3) % 7  # 1970-01-01 was a Thursday
            if rand() * peak < HOUR_VOLUME[hour] * WEEKDAY_VOLUME[weekday]:
                times.append(int(moment))
        times.sort()
        return times

    def _draft(self, ticket_id: int, created: int, client: tuple) -> _Draft:
        m = self.m
        rand = self.rand
        d = _Draft()
        d.id, d.created, d.events, d.times = ticket_id, created, [], []
        d.first_reply = d.resolved = d.closed = None
        client_id, client_name, client_html, client_language, tier = client
        d.client_id = client_id
        self.client_ids.add(client_id)
        scenario = m.scenarios[
            bisect.bisect(m.scenario_cumulative, rand() * m.scenario_cumulative[-1])
        ]
        d.scenario = scenario
        if client_language == "zh-hant":
            d.language = "zh-hant" if rand() < 0.92 else "en"
        elif client_language == "en":
            d.language = "zh-hant" if rand() < 0.04 else "en"
        else:
            d.language = "zh-hant" if rand() < 0.45 else "en"
        d.words = scenario.words[d.language]
        d.priority = 1 + min(3, bisect.bisect(scenario.priority_cumulative, rand()))
        d.channel = CHANNELS[bisect.bisect(self.channel_cumulative, rand() * 100)][0]
        d.platform_os, d.app_version = (
            _pick(scenario.platforms, rand) if scenario.platforms else ("", "")
        )
        d.team_id = scenario.team_id
        d.agent_id, d.agent_name, agent_html = _pick(m.agents[d.team_id], rand)
        age_days = (m.now - created) / DAY
        if rand() < self.open_base + 0.95 * math.exp(-age_days / self.open_tau):
            if age_days < 1 and rand() < 0.5:
                d.status = "new"
            else:
                d.status = OPEN_MIX[bisect.bisect(self.open_cumulative, rand() * 100)][0]
        else:
            d.status = "resolved"
        d.escalation = 0
        if rand() < scenario.escalation_rate * 2:
            d.escalation = 2 if rand() < 0.3 else 1
        chinese = d.language == "zh-hant"
        d.values = _Values(
            name=client_name,
            agent=d.agent_name,
            os=d.platform_os or "Windows 11",
            version=d.app_version or "Desktop 6.4.0",
            release=(d.app_version or "6.4.0").rsplit(" ", 1)[-1],
            error=_pick(demo_data.ERROR_CODES, rand),
            amount=f"HKD {int(rand() * 100 + 1) * 1000:,}",
            bank=_pick(demo_data.BANKS, rand)[1 if chinese else 0],
            symbol=_pick(demo_data.SYMBOLS, rand),
            order_id=f"ORD-{int(rand() * 900_000_000) + 100_000_000}",
            eng=f"ENG-{int(rand() * 1000) + 4000}",
            month=_month(created - 20 * DAY, d.language),
            session=f"SDFIX{int(rand() * 90) + 10}",
            ip=f"203.0.113.{int(rand() * 248) + 2}",
            tier=tier,
            account=f"HK{client_id:010d}",
            time=f"{int(rand() * 24):02d}:{int(rand() * 60):02d}",
        )
        d.values_html = d.values
        if client_html != client_name or agent_html != d.agent_name:
            d.values_html = _Values(d.values, name=client_html, agent=agent_html)
        return d

    def _timeline(self, d: _Draft) -> None:
        """First reply, resolution and closing times, and the events along the way."""
        rng, rand, now = self.rng, self.rand, self.m.now
        created = d.created
        source = "email" if d.channel == "email" else "web"
        by_agent = d.channel in ("phone", "chat")
        d.events.append(
            (created, str(d.agent_id) if by_agent else "\\N", "created", "", "", "", source)
        )
        d.assignee = "\\N" if d.status == "new" and rand() < 0.5 else str(d.agent_id)
        if d.assignee != "\\N":
            assigned_at = min(created + int(rand() * 1200) + 60, now)
            d.events.append(
                (assigned_at, "\\N", "assigned", "assignee", "", d.agent_name, "automation")
            )
        if d.status == "new":
            return
        mu, sigma = FIRST_RESPONSE[d.priority]
        first_reply = created + 120 + int(rng.lognormvariate(mu, sigma) * 60)
        if first_reply >= now:
            first_reply = created + int((now - created) * (0.2 + 0.5 * rand()))
        d.first_reply = first_reply
        d.events.append(
            (first_reply, str(d.agent_id), "status_changed", "status", "new", "open", "web")
        )
        if d.status != "resolved":
            return
        mu, sigma = RESOLUTION[d.priority]
        resolved = first_reply + 1800 + int(rng.lognormvariate(mu, sigma) * 60)
        if resolved >= now:
            resolved = first_reply + int((now - first_reply) * (0.3 + 0.6 * rand()))
        d.resolved = resolved
        d.events.append(
            (resolved, str(d.agent_id), "resolved", "status", "open", "resolved", "web")
        )
        closing = resolved + self.m.auto_close_seconds + int(rand() * 6 * HOUR)
        if closing < now:
            d.status, d.closed = "closed", closing
            d.events.append(
                (closing, "\\N", "closed", "status", "resolved", "closed", "automation")
            )

    def _conversation(self, d: _Draft) -> list[str]:
        """The ticket's message lines: first reply, then client messages, holding replies and
        notes, then the final reply of a resolved ticket."""
        m, rand, now = self.m, self.rand, self.m.now
        words, extras = d.words, m.extras[d.language]
        final_at = None
        if d.first_reply is None:
            middle = 1 if rand() < 0.3 else 0
            middle_start, middle_end = d.created, now
        else:
            low = max(2 if d.resolved else 1, int(m.messages_per_ticket) - 2)
            count = max(low, int(m.messages_per_ticket - 2 + rand() * 5))
            middle = count - 1 - (1 if d.resolved else 0)
            middle_start, middle_end = d.first_reply, now
            if d.resolved is not None:
                # The final reply shortly before the resolution, after the first reply.
                final_at = d.resolved - int(
                    min(30 + rand() * 1200, (d.resolved - d.first_reply) / 2)
                )
                middle_end = final_at
        # Messages in between, strictly inside (start, end) whenever there is room.
        span = max(0, middle_end - middle_start - 2)
        moments = sorted(middle_start + 1 + int(rand() * span) for _ in range(max(0, middle)))
        lines = []
        if d.first_reply is not None:
            lines.append(self._message(d, "reply", _pick(words["first"], rand), d.first_reply))
        last_kind = "reply"
        for moment in moments:
            roll = rand()
            if roll < 0.45 and last_kind != "client":
                text, rendered = _pick(
                    words["followups"] + m.generic[d.language]["followups"], rand
                )
                if rand() < 0.4:
                    extra_text, extra_html = _pick(extras, rand)
                    text, rendered = text + "\\n\\n" + extra_text, rendered + "\\n" + extra_html
                lines.append(self._message(d, "client", (text, rendered), moment))
                last_kind = "client"
            elif roll < 0.7:
                pair = _pick(m.generic[d.language]["holding"], rand)
                lines.append(self._message(d, "reply", pair, moment))
                last_kind = "reply"
            else:
                pool = m.escalation_notes if d.escalation else d.scenario.notes + m.generic_notes
                text, rendered, language = _pick(pool, rand)
                lines.append(self._message(d, "note", (text, rendered), moment, language))
                last_kind = "note"
        if d.escalation and moments:
            d.events.append(
                (
                    moments[len(moments) // 2],
                    str(d.agent_id),
                    "escalated",
                    "escalation_level",
                    "0",
                    str(d.escalation),
                    "web",
                )
            )
        if final_at is not None:
            lines.append(self._message(d, "reply", _pick(words["final"], rand), final_at))
        elif d.status not in ("new", "open") and d.first_reply is not None:
            changed_at = min(max(d.first_reply, *moments[-1:]) + 30, now)
            d.events.append(
                (changed_at, str(d.agent_id), "status_changed", "status", "open", d.status, "web")
            )
        return lines

    def _message(
        self, d: _Draft, kind: str, pair: tuple[str, str], at: int, language: str = ""
    ) -> str:
        at = min(at, self.m.now)
        d.times.append(at)
        text, rendered = pair
        channel = d.channel
        if kind == "note":
            channel = "web"
        elif kind == "reply" and channel == "phone":
            channel = "email"
        author = "\\N" if kind == "client" else d.agent_id
        client = d.client_id if kind == "client" else "\\N"
        return (
            f"{d.id}\t{kind}\t{author}\t{client}\t{text.format_map(d.values)}\t"
            f"{rendered.format_map(d.values_html)}\t{language or d.language}\t{channel}\t"
            f"{_timestamp(at)}\n"
        )

    def _rows(self, d: _Draft) -> None:
        """The ticket line and its event lines."""
        rand, ts = self.rand, _timestamp
        words = d.words
        subject = _pick(words["subjects"], rand)
        if rand() < 0.3:
            subject = _pick(SUBJECT_DECORATIONS[d.language], rand).replace("{}", subject)
        subject = subject.format_map(d.values)[:250]
        description = _pick(words["descriptions"], rand)[0].format_map(d.values)
        if rand() < 0.6:
            description += "\\n\\n" + _pick(self.m.extras[d.language], rand)[0].format_map(d.values)
        code, summary = "\\N", ""
        if d.resolved is not None:
            code = str(_pick(d.scenario.resolution_code_ids, rand))
            summary = _pick(d.scenario.summaries, rand).format_map(d.values)
        tags = list(d.scenario.tags[: int(rand() * (len(d.scenario.tags) + 1))])
        if d.escalation:
            tags.append("escalated")
        d.events.sort()
        updated = max(d.created, d.events[-1][0], *d.times)
        optional = (d.first_reply, d.resolved, d.closed)
        self.tickets.append(
            "\t".join(
                (
                    str(d.id),
                    subject,
                    description,
                    str(d.client_id),
                    str(d.scenario.category_id),
                    d.platform_os,
                    d.app_version,
                    str(d.priority),
                    d.channel,
                    d.language,
                    "{" + ",".join(tags) + "}",
                    str(d.team_id),
                    d.assignee,
                    d.status,
                    str(d.escalation),
                    code,
                    summary,
                    "\\N",
                    str(len(d.events)),
                    ts(d.created),
                    ts(updated),
                    *[ts(moment) if moment is not None else "\\N" for moment in optional],
                )
            )
            + "\n"
        )
        with_version = self.m.event_has_version
        for version, (at, actor, action, field, old, new, source) in enumerate(d.events, 1):
            line = f"{d.id}\t{actor}\t{action}\t{field}\t{old}\t{_copy_escape(new)}\t{source}\t"
            line += ts(at)
            if with_version:
                line += f"\t{version}"
            self.events.append(line + "\n")


def _pick(items: Any, rand: Any) -> Any:
    """A uniformly random element of a non-empty sequence (cheaper than ``Random.choice``)."""
    return items[int(rand() * len(items))]


# --- Reset ------------------------------------------------------------------------------------


def reset_scale_data() -> dict[str, int]:
    """Delete the clients seed_scale created (email domain ``*.scale.example``), their tickets
    and every row attached to those tickets, in one transaction. Returns what was deleted."""
    deleted: dict[str, int] = {}
    trusted = _is_superuser()
    with transaction.atomic(), connection.cursor() as cursor:
        if trusted:
            # Every referencing row is deleted or unlinked first (below), so the per-row
            # foreign-key triggers would only re-check that, row by row, at great cost.
            cursor.execute("SELECT current_setting('session_replication_role')")
            previous_role = cursor.fetchone()[0]
            cursor.execute("SET LOCAL session_replication_role = replica")
        ids_table = _id_table(
            cursor,
            f"SELECT id FROM {_quoted(Client)} WHERE email LIKE %s",  # noqa: S608 - model names
            ["%" + SCALE_EMAIL_SUFFIX],
        )
        _delete_rows(cursor, Client, ids_table, deleted)
        if trusted:
            cursor.execute(
                "SELECT set_config('session_replication_role', %s, true)", [previous_role]
            )
    _analyze()
    return {"tickets": deleted.get("Ticket", 0), "clients": deleted.get("Client", 0)}


def _analyze() -> None:
    """Refresh the planner's statistics of the tables seed_scale fills or empties."""
    with connection.cursor() as cursor:
        for model in (Client, Ticket, Message, TicketEvent):
            cursor.execute(f"ANALYZE {_quoted(model)}")


_id_tables = itertools.count()


def _quoted(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _id_table(cursor: Any, select: str, params: list[Any] | None = None) -> str:
    """Materialise the ids ``select`` returns in a new temporary table; return its name."""
    name = f"_seed_scale_ids_{next(_id_tables)}"
    cursor.execute(f"CREATE TEMP TABLE {name} ON COMMIT DROP AS {select}", params)
    cursor.execute(f"ANALYZE {name}")
    return name


def _delete_rows(
    cursor: Any, model: type[models.Model], ids_table: str, deleted: dict[str, int]
) -> None:
    """Delete the rows of ``model`` whose ids are in the temporary table ``ids_table``, after
    the rows that point at them (following every reverse relation of the models: rows of
    ``SET_NULL`` relations and of the model itself are unlinked, the others deleted)."""
    quote = connection.ops.quote_name
    for relation in model._meta.related_objects:
        if not (relation.one_to_many or relation.one_to_one):
            continue
        child = relation.related_model
        column = quote(relation.field.column)
        # Every name below comes from the models' metadata, none from input.
        if child is model or relation.on_delete is models.SET_NULL:
            cursor.execute(
                f"UPDATE {_quoted(child)} SET {column} = NULL "  # noqa: S608
                f"WHERE {column} IN (SELECT id FROM {ids_table})"
            )
            continue
        child_ids = _id_table(
            cursor,
            f"SELECT id FROM {_quoted(child)} WHERE {column} IN (SELECT id FROM {ids_table})",  # noqa: S608
        )
        _delete_rows(cursor, child, child_ids, deleted)
    cursor.execute(f"DELETE FROM {_quoted(model)} WHERE id IN (SELECT id FROM {ids_table})")  # noqa: S608
    deleted[model.__name__] = deleted.get(model.__name__, 0) + cursor.rowcount
    cursor.execute(f"DROP TABLE {ids_table}")
