"""The two README commands' engine: ``python -m supportdesk.devstack run|test``.

``run`` starts the whole portal on one machine: the embedded PostgreSQL (unless DATABASE_URL is
set), migrations, demo data on an empty database, then gunicorn, a Celery worker and Celery beat
as child processes. Ctrl-C stops the children, then the embedded database.

``test`` runs pytest against DATABASE_URL/CELERY_BROKER_URL when set, else the embedded stack,
and stops the embedded database afterwards if it started it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def _manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, check=True)


def _start_embedded_database() -> bool:
    """Point DATABASE_URL at the embedded server (starting it); True if this call started it."""
    if os.environ.get("DATABASE_URL"):
        return False
    from supportdesk import embedded

    was_running = embedded.is_running()
    os.environ["DATABASE_URL"] = embedded.database_url()
    return not was_running


def _stop_embedded_database() -> None:
    from supportdesk import embedded

    embedded.stop()


def run() -> int:
    uses_embedded_database = not os.environ.get("DATABASE_URL")
    _start_embedded_database()
    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8000")
    public_host = "localhost" if host == "127.0.0.1" else host
    os.environ.setdefault("SITE_URL", f"http://{public_host}:{port}")
    # Plain-HTTP local use: cookies must not be marked Secure unless the operator asks for it.
    os.environ.setdefault("SECURE_COOKIES", "0")
    children: list[subprocess.Popen[bytes]] = []
    try:
        _manage("compile_translations")
        _manage("migrate", "--no-input", "-v", "0")
        _manage("createcachetable")
        _manage("collectstatic", "--no-input", "-v", "0")
        _manage("seed_demo", "--if-empty")
        _manage("seed_demo_people")
        _manage("seed_demo_quality")
        _manage("seed_demo_routing")
        _manage("seed_demo_sla")
        _manage("seed_portal_demo")
        _manage("seed_inbound_demo")
        _manage("seed_demo_reports")
        _manage("demo_logins")
        commands = [
            [
                str(BIN / "gunicorn"),
                "supportdesk.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                os.environ.get("WEB_CONCURRENCY", "2"),
                "--access-logfile",
                "-",
            ],
            [
                str(BIN / "celery"),
                "-A",
                "supportdesk",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                os.environ.get("CELERY_CONCURRENCY", "2"),
            ],
            [str(BIN / "celery"), "-A", "supportdesk", "beat", "--loglevel", "INFO"],
        ]
        for command in commands:
            children.append(subprocess.Popen(command, cwd=BASE_DIR, start_new_session=True))
        print(
            f"\nSupportDesk is running at {os.environ['SITE_URL']}/  (Ctrl-C stops it)\n",
            flush=True,
        )
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("A process of the stack stopped; shutting down the rest.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping SupportDesk…", flush=True)
        return 0
    finally:
        _stop_children(children)
        if uses_embedded_database:
            _stop_embedded_database()


def _stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    # SIGTERM to each main process only: gunicorn and Celery then stop their own workers.
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + 20
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def test(pytest_args: list[str]) -> int:
    started_database = _start_embedded_database()
    try:
        _manage("compile_translations")
        environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "supportdesk.test_settings"}
        return subprocess.run(
            [PYTHON, "-m", "pytest", *pytest_args], cwd=BASE_DIR, env=environment
        ).returncode
    finally:
        if started_database:
            _stop_embedded_database()


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test"}:
        print(
            "usage: python -m supportdesk.devstack run | test [pytest arguments]", file=sys.stderr
        )
        return 2
    # Ctrl-C reaches only this process; children run in their own sessions and get SIGTERM.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    if sys.argv[1] == "run":
        return run()
    return test(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
