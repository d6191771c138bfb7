"""Helpers for tests that start real worker processes against the test database."""

from urllib.parse import quote

from django.db import connection


def database_url() -> str:
    """The test database as a ``DATABASE_URL`` for a child process (a Celery worker)."""
    db = connection.settings_dict
    host = quote(db["HOST"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{quote(db['USER'], safe='')}{password}@{host}{port}/{db['NAME']}"
