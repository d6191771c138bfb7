"""`make run`'s engine end to end: migrate, demo data, web + worker + beat, Ctrl-C, run again."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

BASE_DIR = Path(__file__).resolve().parents[2]
# One name per run, so that parallel runs on one PostgreSQL server never drop each other's copy.
SCRATCH_DATABASE = f"supportdesk_devstack_check_{os.getpid()}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def scratch_database_url():
    server = make_conninfo(os.environ["DATABASE_URL"], dbname="postgres")
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(SCRATCH_DATABASE)
            )
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(SCRATCH_DATABASE)))
    url = urlsplit(os.environ["DATABASE_URL"])
    yield urlunsplit(url._replace(path=f"/{SCRATCH_DATABASE}"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(SCRATCH_DATABASE)
            )
        )


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status
    except OSError:
        return 0


def _start(var_dir: Path, database_url: str, port: int, log: Path) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "SUPPORTDESK_VAR_DIR": str(var_dir),
        "WEB_CONCURRENCY": "1",
        "CELERY_CONCURRENCY": "1",
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.Popen(
        [sys.executable, "-m", "supportdesk.devstack", "run"],
        cwd=BASE_DIR,
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def _wait_healthy(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 240
    while _get(f"http://127.0.0.1:{port}/healthz") != 200:
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(1)


def _stop(process: subprocess.Popen) -> int:
    assert process.poll() is None, "the stack stopped before Ctrl-C"
    children = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGINT)
    code = process.wait(timeout=90)
    _gone, alive = psutil.wait_procs(children, timeout=30)
    assert alive == []
    return code


def _ticket_count(database_url: str) -> int:
    with psycopg.connect(database_url) as connection:
        return connection.execute("SELECT count(*) FROM tickets_ticket").fetchone()[0]


@pytest.mark.timeout_sensitive
def test_run_starts_the_stack_with_demo_data_and_ctrl_c_stops_it(tmp_path, scratch_database_url):
    port = _free_port()
    first_log = tmp_path / "first.log"
    process = _start(tmp_path / "var", scratch_database_url, port, first_log)
    try:
        _wait_healthy(process, port, first_log)
        assert _get(f"http://127.0.0.1:{port}/accounts/login/") == 200
        assert _get(f"http://127.0.0.1:{port}/static/css/app.css") == 200
        time.sleep(3)  # let the worker and beat finish starting
    finally:
        assert _stop(process) == 0
    output = first_log.read_text()
    assert f"SupportDesk is running at http://localhost:{port}/" in output
    for email in (
        "admin@supportdesk.example",
        "supervisor@supportdesk.example",
        "agent@supportdesk.example",
        "manager@supportdesk.example",
    ):
        assert email in output
    assert "celery@" in output and "beat: Starting" in output
    tickets = _ticket_count(scratch_database_url)
    assert tickets > 1000

    second_log = tmp_path / "second.log"
    process = _start(tmp_path / "var", scratch_database_url, port, second_log)
    try:
        _wait_healthy(process, port, second_log)
    finally:
        assert _stop(process) == 0
    assert _ticket_count(scratch_database_url) == tickets
