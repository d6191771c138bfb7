"""``make bench`` / ``python -m bench.run``: the agent's pages under load at scale.

1. Database: DATABASE_URL if set, else the embedded PostgreSQL (started if needed, stopped
   afterwards if this run started it), migrated.
2. Data: the demo desk (``seed_demo``) on an empty database, then ``seed_scale`` until the
   database holds at least BENCH_TICKETS tickets (default 1,000,000). A ticket with exactly 20
   messages in the demo agent's team is created once ("Benchmark: ticket with 20 messages").
3. SQL queries per page, counted in this process with ``CaptureQueriesContext``.
4. gunicorn with 2 workers on a free loopback port; one agent signs in through the login form.
5. Each scenario at 1 and at 8 concurrent users, bounded by a request count and a duration:
   the team queue in every sort offered, the ticket page, search (English, Chinese, a ticket
   reference) and a bulk action on 50 tickets. Then ``manage.py bench_calendar`` and
   ``manage.py bench_ingest`` (email ingestion, 10,000 mixed messages).
6. One table on stdout and in var/bench-results.txt, with the targets next to the figures.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.load import Request, Session, run_load
from bench.stats import Summary

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
DEFAULT_TICKETS = 1_000_000
RESULTS_FILE = "bench-results.txt"
BENCH_SUBJECT = "Benchmark: ticket with 20 messages"
BENCH_AGENT_EMAIL = "bench.agent@supportdesk.example"
DEMO_AGENT_EMAIL = "agent@supportdesk.example"
BULK_TICKETS = 50
# (scenario group, p95 target in ms at 8 users)
TARGETS = {"queue": 60.0, "ticket": 60.0, "search": 150.0, "board": 60.0, "api": 50.0}
DEMO_SUPERVISOR_EMAIL = "supervisor@supportdesk.example"


@dataclass
class Scenario:
    """One page to measure: a label, its target group and how to build its requests."""

    label: str
    group: str
    make_request: Callable[[int, int], Request]
    expected_status: int = 200
    queries: int | None = None
    # Another signed-in user's session (the supervisor's board); None: the agent's.
    session: Any = None
    user_id: int | None = None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tickets",
        type=int,
        default=int(os.environ.get("BENCH_TICKETS", DEFAULT_TICKETS)),
        help="minimum tickets in the database (env BENCH_TICKETS, default 1,000,000)",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=int(os.environ.get("BENCH_REQUESTS", 40)),
        help="requests per virtual user and scenario (env BENCH_REQUESTS, default 40)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=float(os.environ.get("BENCH_MAX_SECONDS", 20)),
        help="longest run of one scenario at one concurrency (default 20 s)",
    )
    parser.add_argument(
        "--users", default="1,8", help="concurrency levels, comma-separated (default 1,8)"
    )
    parser.add_argument(
        "--worker-class",
        choices=("sync", "gthread"),
        default=os.environ.get("BENCH_WORKER_CLASS", "sync"),
        help="gunicorn worker class (default sync; see bench/README.md)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per gthread worker (default 4)"
    )
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="pause of each virtual user between answer and next request (default 0)",
    )
    parser.add_argument(
        "--only",
        default="",
        help="run only the pages whose label contains this text (and none of the engines)",
    )
    options = parser.parse_args(argv)
    levels = [int(level) for level in options.users.split(",") if level.strip()]

    # A stop request (SIGTERM) unwinds like Ctrl-C, so gunicorn and the database are stopped.
    signal.signal(signal.SIGTERM, _interrupt)
    started_database = _use_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supportdesk.settings")
    # Plain HTTP on loopback: the session cookie must not be marked Secure.
    os.environ["SECURE_COOKIES"] = "0"
    # The API scenario measures the endpoint, not the per-user rate limit.
    os.environ.setdefault("API_RATE_LIMIT", "1000000/minute")
    server = None
    try:
        _prepare_database(options.tickets)
        import django

        django.setup()
        fixtures = _fixtures()
        scenarios = _scenarios(fixtures) + _board_scenarios()
        if options.only:
            scenarios = [s for s in scenarios if options.only in s.label]
        _count_queries(fixtures, scenarios)
        port = int(os.environ.get("BENCH_PORT") or 0) or _free_port()
        server = _start_gunicorn(port, options.worker_class, options.workers, options.threads)
        session = Session(port)
        session.sign_in(email=fixtures.email, password=fixtures.password)
        # The bulk form's CSRF token comes from a page that renders the form.
        session.fetch(Request("GET", fixtures.queue_url))
        fixtures.csrf_token = session.csrf_token
        for scenario in scenarios:
            if scenario.user_id is not None:
                scenario.session = _session_of(port, scenario.user_id)
        results = _measure(session, scenarios, levels, options)
        _stop(server)
        server = None
        calendar = []
        if not options.only:
            # The engines' benchmarks (a few minutes) run with the full table, not with --only.
            calendar = _calendar_benchmark()
            calendar += ["", "Auto-assignment (manage.py bench_routing):", *_routing_benchmark()]
            calendar += _ingest_benchmark()
            calendar += ["", "Reports (manage.py bench_reports):", *_reports_benchmark()]
        report = _report(fixtures, scenarios, results, calendar, options, levels)
        print(report, flush=True)  # noqa: T201 - the benchmark's output
        results_path = Path(os.environ.get("SUPPORTDESK_VAR_DIR") or BASE_DIR / "var")
        results_path.mkdir(exist_ok=True)
        (results_path / RESULTS_FILE).write_text(report + "\n", encoding="utf-8")
        return 0
    finally:
        if server is not None:
            _stop(server)
        if started_database:
            from supportdesk import embedded

            embedded.stop()


def _interrupt(*_args: Any) -> None:
    raise KeyboardInterrupt


# --- Database and data ------------------------------------------------------------------------


def _use_database() -> bool:
    """Use DATABASE_URL, else the embedded server; True if this call started the latter."""
    if os.environ.get("DATABASE_URL"):
        return False
    from supportdesk import embedded

    was_running = embedded.is_running()
    os.environ["DATABASE_URL"] = embedded.database_url()
    return not was_running


def _manage(*args: str) -> str:
    """Run a management command in a child process; return its standard output."""
    _say("manage.py " + " ".join(args))
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [PYTHON, "manage.py", *args],
        cwd=BASE_DIR,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return done.stdout


def _prepare_database(target: int) -> None:
    _manage("compile_translations")
    _manage("migrate", "--no-input", "-v", "0")
    _manage("createcachetable")
    _manage("collectstatic", "--no-input", "-v", "0")
    _manage("seed_demo", "--if-empty")
    count = _ticket_count()
    if count < target:
        _say(f"{count:,} tickets; adding {target - count:,} (seed_scale)…")
        began = time.monotonic()
        print(_manage("seed_scale", "--tickets", str(target - count)), end="")  # noqa: T201
        _say(f"seed_scale took {time.monotonic() - began:.0f} s")


def _ticket_count() -> int:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
        return int(connection.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0])


@dataclass
class Fixtures:
    email: str
    password: str
    user_id: int
    team_id: int
    ticket_id: int
    ticket_reference: str
    bulk_sets: list[list[int]]
    queue_url: str
    tickets: int
    messages: int
    csrf_token: str = ""


def _fixtures() -> Fixtures:
    """The signed-in agent, the 20-message ticket and the bulk-action ticket sets."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from teams.access import Role
    from teams.models import TeamMembership, User
    from tickets.models import Category, Client, Message, Ticket, TicketEvent
    from tickets.rendering import render_message_html

    agent = User.objects.filter(email=DEMO_AGENT_EMAIL).first()
    password = _demo_password()
    if agent is None or not agent.check_password(password):
        # No demo agent: a bench agent with a password of this run, in the first team.
        password = "bench-" + os.urandom(9).hex()
        agent, _ = User.objects.get_or_create(
            email=BENCH_AGENT_EMAIL, defaults={"full_name": "Bench Agent"}
        )
        agent.password = make_password(password)
        agent.save(update_fields=["password"])
        agent.groups.add(Group.objects.get(name=Role.AGENT.value))
        if not TeamMembership.objects.filter(user=agent).exists():
            team = Ticket.objects.values_list("team_id", flat=True).first()
            TeamMembership.objects.create(user=agent, team_id=team)
    team_id = (
        TeamMembership.objects.filter(user=agent).order_by("team_id").values_list("team_id")[0][0]
    )
    ticket = (
        Ticket.objects.filter(subject=BENCH_SUBJECT, team_id=team_id)
        .annotate(message_count=Count("messages"))
        .filter(message_count=20)
        .first()
    )
    if ticket is None:
        now = timezone.now().replace(microsecond=0)
        with transaction.atomic():
            ticket = Ticket.objects.create(
                subject=BENCH_SUBJECT,
                description="The benchmark's ticket page: a conversation of 20 messages.",
                client=Client.objects.order_by("pk").first(),
                category=Category.objects.order_by("pk").first(),
                team_id=team_id,
                assignee=agent,
                status=Ticket.Status.OPEN,
                created_at=now - timedelta(days=2),
                updated_at=now,
                first_public_reply_at=now - timedelta(days=2) + timedelta(minutes=20),
            )
            messages = []
            for number in range(20):
                kind = ("client", "reply", "note", "reply")[number % 4]
                body = (
                    f"Message {number + 1} of the benchmark conversation: the **order** was "
                    f"rejected with error ORD-116.\n\n登入失敗，請協助。"
                )
                messages.append(
                    Message(
                        ticket=ticket,
                        kind=kind,
                        author=None if kind == "client" else agent,
                        client=ticket.client if kind == "client" else None,
                        body=body,
                        body_html=render_message_html(body),
                        created_at=ticket.created_at + timedelta(hours=2 * number + 1),
                    )
                )
            Message.objects.bulk_create(messages)
            TicketEvent.objects.create(
                ticket=ticket, actor=agent, action="created", created_at=ticket.created_at
            )
    open_ids = list(
        Ticket.objects.filter(team_id=team_id, status__in=Ticket.OPEN_STATUSES)
        .exclude(pk=ticket.pk)
        .order_by("pk")
        .values_list("pk", flat=True)[: BULK_TICKETS * 8]
    )
    bulk_sets = [
        open_ids[start : start + BULK_TICKETS] for start in range(0, len(open_ids), BULK_TICKETS)
    ]
    sizes = {"tickets_ticket": Ticket.objects.count(), "tickets_message": Message.objects.count()}
    return Fixtures(
        email=agent.email,
        password=password,
        user_id=agent.pk,
        team_id=team_id,
        ticket_id=ticket.pk,
        ticket_reference=ticket.reference,
        bulk_sets=[s for s in bulk_sets if len(s) == BULK_TICKETS] or [open_ids],
        queue_url=reverse("tickets:team_queue"),
        tickets=sizes.get("tickets_ticket", 0),
        messages=sizes.get("tickets_message", 0),
    )


def _demo_password() -> str:
    """The published demo password (its module moved once; the value is documented)."""
    try:
        from teams.demo import DEMO_PASSWORD
    except ImportError:
        return "SupportDesk-demo-2026"
    return DEMO_PASSWORD


# --- Scenarios --------------------------------------------------------------------------------


def _scenarios(fixtures: Fixtures) -> list[Scenario]:
    from django.urls import NoReverseMatch, reverse

    scenarios = []
    queue = fixtures.queue_url
    try:
        from tickets.filters import SORT_CHOICES

        sorts = [value for value, _label in SORT_CHOICES]
    except ImportError:
        sorts = [""]
    for sort in sorts:
        path = f"{queue}?{urlencode({'sort': sort})}" if sort else queue
        scenarios.append(Scenario(f"queue ?sort={sort}", "queue", _get(path)))
    detail = reverse("tickets:detail", args=[fixtures.ticket_id])
    scenarios.append(Scenario("ticket page (20 messages)", "ticket", _get(detail)))
    try:
        api_list = reverse("api:ticket-list")
    except NoReverseMatch:
        api_list = None
    if api_list:
        from teams.models import Team
        from tickets.models import Ticket

        slug = Team.objects.get(pk=fixtures.team_id).slug
        # A team's open tickets, newest first, a page of 50 (JSON, session authentication).
        query = [("team", slug), *[("status", status) for status in Ticket.OPEN_STATUSES]]
        path = f"{api_list}?{urlencode([*query, ('page_size', '50')])}"
        request = Request("GET", path, accept="application/json")
        scenarios.append(
            Scenario("API ticket list (team's open, 50)", "api", lambda _user, _n: request)
        )
    try:
        search = reverse("tickets:search")
    except NoReverseMatch:
        search = None
    if search:
        for label, term, status in (
            ("search English 'deposit'", "deposit", 200),
            ("search Chinese '登入'", "登入", 200),
            # An exact reference goes straight to the ticket.
            (f"search reference {fixtures.ticket_reference}", fixtures.ticket_reference, 302),
        ):
            path = f"{search}?{urlencode({'q': term})}"
            scenarios.append(Scenario(label, "search", _get(path), expected_status=status))
    try:
        bulk = reverse("tickets:bulk_update")
    except NoReverseMatch:
        bulk = None
    if bulk:
        scenarios.append(
            Scenario(
                f"bulk priority on {BULK_TICKETS} tickets",
                "bulk",
                _bulk(bulk, fixtures),
                expected_status=302,
            )
        )
    return scenarios


def _board_scenarios() -> list[Scenario]:
    """The supervisor's board (full page and its htmx refresh) as the demo supervisor, who
    supervises the demo agent's team; nothing when the demo supervisor is missing."""
    from django.urls import NoReverseMatch, reverse

    from teams.models import User

    supervisor = User.objects.filter(email=DEMO_SUPERVISOR_EMAIL).first()
    try:
        board = reverse("metrics:board")
    except NoReverseMatch:
        return []
    if supervisor is None:
        return []
    return [
        Scenario("supervisor board", "board", _get(board), user_id=supervisor.pk),
        Scenario(
            "supervisor board (htmx refresh)",
            "board",
            lambda _user, _number: Request("GET", board, extra_headers=(("HX-Request", "true"),)),
            user_id=supervisor.pk,
        ),
    ]


def _session_of(port: int, user_id: int) -> Session:
    """A session for ``user_id`` without the login form (a supervisor signs in with TOTP):
    Django's test client creates it in the session store, as a sign-in would."""
    from django.test import Client

    from teams.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(pk=user_id))
    session = Session(port)
    session.cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    return session


def _routing_benchmark() -> list[str]:
    """``manage.py bench_routing``: auto-assignment throughput with 2 worker processes."""
    try:
        output = _manage("bench_routing", "--tickets", "2000", "--workers", "2")
    except subprocess.CalledProcessError as error:
        return [f"bench_routing failed ({error.returncode})"]
    return [line for line in output.splitlines() if line.strip()]


def _get(path: str) -> Callable[[int, int], Request]:
    request = Request("GET", path)
    return lambda _user, _number: request


def _bulk(path: str, fixtures: Fixtures) -> Callable[[int, int], Request]:
    """Each virtual user changes the priority of its own 50 tickets, alternating P2 and P3 so
    that every request changes every ticket (one audit event each)."""

    def make(user: int, number: int) -> Request:
        ids = fixtures.bulk_sets[user % len(fixtures.bulk_sets)]
        fields = [
            ("view", "team"),
            ("query", ""),
            ("priority", "2" if number % 2 == 0 else "3"),
            ("csrfmiddlewaretoken", fixtures.csrf_token),
            *[("ticket_ids", str(ticket_id)) for ticket_id in ids],
        ]
        return Request("POST", path, body=urlencode(fields).encode())

    return make


def _count_queries(fixtures: Fixtures, scenarios: list[Scenario]) -> None:
    """Run each page once in this process and count its SQL queries (after one warm-up run)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from teams.models import User

    agent_client = Client(HTTP_HOST="127.0.0.1")
    agent_client.force_login(User.objects.get(pk=fixtures.user_id))
    for scenario in scenarios:
        client = agent_client
        if scenario.user_id is not None:
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(User.objects.get(pk=scenario.user_id))
        request = scenario.make_request(0, 1)
        send = client.get if request.method == "GET" else client.post
        data = (request.body or b"").decode()
        content_type = "application/x-www-form-urlencoded"

        def call(send=send, request=request, data=data, content_type=content_type) -> Any:
            if request.method == "GET":
                return send(request.path, headers=dict(request.extra_headers))
            return send(request.path, data=data, content_type=content_type)

        call()
        with CaptureQueriesContext(connection) as captured:
            response = call()
        if response.status_code == scenario.expected_status:
            scenario.queries = len(captured.captured_queries)
        else:
            _say(f"{scenario.label}: HTTP {response.status_code} in-process; no query count")


# --- gunicorn ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_gunicorn(port: int, worker_class: str, workers: int, threads: int) -> Any:
    log_dir = Path(os.environ.get("SUPPORTDESK_VAR_DIR") or BASE_DIR / "var")
    log_dir.mkdir(exist_ok=True)
    log = (log_dir / "bench-gunicorn.log").open("ab")
    command = [
        str(BIN / "gunicorn"),
        "supportdesk.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--timeout",
        "60",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
    ]
    if worker_class == "gthread":
        command += ["--threads", str(threads)]
    _say(f"gunicorn: {workers} {worker_class} workers on 127.0.0.1:{port}")
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn
        command, cwd=BASE_DIR, stdout=log, stderr=log, start_new_session=True
    )
    session = Session(port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({server.returncode}); see {log.name}")
        try:
            if session.fetch(Request("GET", "/accounts/login/")).status == 200:
                # Both workers answer before the clock starts.
                for _ in range(4):
                    session.fetch(Request("GET", "/accounts/login/"))
                return server
        except OSError:
            pass
        time.sleep(0.3)
    _stop(server)
    raise RuntimeError("gunicorn did not answer within 60 s")


def _stop(server: Any) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- Measuring and reporting ------------------------------------------------------------------


def _measure(
    session: Session, scenarios: list[Scenario], levels: list[int], options: Any
) -> dict[tuple[str, int], tuple[Summary, str]]:
    """Every scenario at every concurrency level; also records how much CPU the load generator
    itself used (``options.client_cpu``: share of one core while measuring)."""
    results = {}
    cpu_seconds = wall_seconds = 0.0
    for scenario in scenarios:
        # Warm-up: every worker (and thread) has run the page once before the clock starts.
        session_used = scenario.session or session
        run_load(session_used, scenario.make_request, users=4, requests=8, max_seconds=10,
                 expected_status=scenario.expected_status)  # fmt: skip
        for users in levels:
            cpu_began = time.process_time()
            summary, error = run_load(
                session_used,
                scenario.make_request,
                users=users,
                requests=options.requests * users,
                max_seconds=options.max_seconds,
                expected_status=scenario.expected_status,
                think_seconds=options.think_ms / 1000,
            )
            cpu_seconds += time.process_time() - cpu_began
            wall_seconds += summary.seconds
            results[(scenario.label, users)] = (summary, error)
            _say(
                f"{scenario.label} × {users}: p95 {summary.p95:.1f} ms, "
                f"{summary.requests_per_second:.1f} req/s"
                + (f", {summary.errors} errors ({error[:120]})" if summary.errors else "")
            )
    options.client_cpu = cpu_seconds / wall_seconds if wall_seconds else 0.0
    return results


def _calendar_benchmark() -> list[str]:
    lines = []
    for command in ("bench_calendar", "bench_sla_sweep"):  # SLA engine: calendar, then sweep
        try:
            output = _manage(command)
        except subprocess.CalledProcessError as error:
            lines.append(f"{command} failed ({error.returncode})")
            continue
        lines += [
            line
            for line in output.splitlines()
            if line.strip().startswith(("add_", "business_", "sla sweep"))
        ]
    return lines


def _ingest_benchmark() -> list[str]:
    """Email ingestion throughput (manage.py bench_ingest: 10,000 mixed messages)."""
    try:
        output = _manage("bench_ingest", "--messages", os.environ.get("BENCH_INGEST", "10000"))
    except subprocess.CalledProcessError as error:
        return [f"bench_ingest failed ({error.returncode})"]
    return [line for line in output.splitlines() if line.startswith("Email ingestion")]


def _reports_benchmark() -> list[str]:
    """The desk dashboard (4 weeks) and the weekly desk PDF, timed in-process."""
    try:
        output = _manage("bench_reports")
    except subprocess.CalledProcessError as error:
        return [f"bench_reports failed ({error.returncode})"]
    return [line for line in output.splitlines() if line.strip()]


def _report(
    fixtures: Fixtures,
    scenarios: list[Scenario],
    results: dict[tuple[str, int], tuple[Summary, str]],
    calendar: list[str],
    options: Any,
    levels: list[int],
) -> str:
    now = datetime.now(tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    top = max(levels)
    server = f"gunicorn {options.workers} × {options.worker_class}"
    if options.worker_class == "gthread":
        server += f" ({options.threads} threads)"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines = [
        f"SupportDesk benchmark — {now}",
        f"Data: {fixtures.tickets:,} tickets, {fixtures.messages:,} messages; {server}; "
        f"{os.cpu_count()} CPUs (load average before the report: {load})",
        (
            f"Each virtual user sends its next request {options.think_ms:g} ms after the "
            "previous answer"
            if options.think_ms
            else "Each virtual user sends its next request as soon as the previous answer "
            "arrives (no think time)"
        )
        + f"; {options.requests} requests per user, at most {options.max_seconds:g} s per row; "
        f"the load generator used {options.client_cpu:.0%} of one core.",
        "SQL: queries per page, counted once in-process.",
        "",
        f"{'page':<34} {'users':>5} {'reqs':>5} {'err':>4} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'req/s':>7} {'SQL':>4}  target (p95 at {top} users)",
    ]
    lines.append("-" * len(lines[-1]))
    for scenario in scenarios:
        for users in levels:
            summary, _error = results[(scenario.label, users)]
            target = TARGETS.get(scenario.group)
            verdict = ""
            if target is not None and users == top:
                verdict = f"≤ {target:g} ms " + ("ok" if summary.p95 <= target else "MISSED")
            queries = "" if scenario.queries is None else str(scenario.queries)
            lines.append(
                f"{_pad(scenario.label, 34)} {users:>5} {summary.requests:>5} {summary.errors:>4} "
                f"{summary.p50:>8.1f} {summary.p95:>8.1f} {summary.p99:>8.1f} "
                f"{summary.requests_per_second:>7.1f} {queries:>4}  {verdict}"
            )
    errors = [
        f"  {label} × {users}: {error}" for (label, users), (_s, error) in results.items() if error
    ]
    if errors:
        lines += ["", "First unexpected answer per scenario:", *errors]
    ingest = [line for line in calendar if line.startswith(("Email ingestion", "bench_ingest"))]
    calendar = [line for line in calendar if line not in ingest]
    lines += [
        "",
        "SLA engine and auto-assignment (bench_calendar, bench_sla_sweep, bench_routing):",
        *[f"  {c}" for c in calendar],
    ]
    lines += ["", "Email ingestion (manage.py bench_ingest):", *[f"  {line}" for line in ingest]]
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (CJK characters take two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - columns)


def _say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)  # noqa: T201


if __name__ == "__main__":
    sys.exit(main())
