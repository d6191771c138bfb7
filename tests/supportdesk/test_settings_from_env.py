"""supportdesk/settings.py read in a fresh interpreter with a controlled environment.

Each case passes DATABASE_URL (a PostgreSQL URL that is never connected to), so that loading the
settings never starts the embedded server, and points SUPPORTDESK_VAR_DIR at a temporary folder.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
UNUSED_DATABASE_URL = "postgresql://supportdesk@database.invalid:5432/supportdesk"

READ_SETTINGS = """
import json
import django
from django.conf import settings
from django.core.files.storage import storages

django.setup()
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "TIME_ZONE": settings.TIME_ZONE,
    "CELERY_TIMEZONE": settings.CELERY_TIMEZONE,
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "CELERY_BROKER_TRANSPORT_OPTIONS": getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None),
    "CACHES": settings.CACHES,
    "DATABASE_ENGINE": settings.DATABASES["default"]["ENGINE"],
    "DEFAULT_STORAGE": type(storages["default"]).__module__,
    "STORAGES_DEFAULT": settings.STORAGES["default"],
    "SECURE_PROXY_SSL_HEADER": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
}, default=str))
"""


def _load_settings(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        cwd=BASE_DIR,
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
            "SUPPORTDESK_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": UNUSED_DATABASE_URL,
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )


def settings_from(tmp_path: Path, **environment: str) -> dict:
    result = _load_settings(tmp_path, **environment)
    assert (result.returncode, result.stderr) == (0, "")
    return json.loads(result.stdout)


def refusal_from(tmp_path: Path, **environment: str) -> str:
    """The last line of the traceback printed when the settings refuse to load."""
    result = _load_settings(tmp_path, **environment)
    assert result.returncode == 1
    return result.stderr.strip().splitlines()[-1]


def test_debug_is_off_by_default(tmp_path):
    assert settings_from(tmp_path)["DEBUG"] is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("0", False),
        ("false", False),
        ("", False),
    ],
    ids=["one_case", "true_case", "zero_case", "false_case", "empty_case"],
)
def test_debug_follows_the_debug_variable(tmp_path, value, expected):
    assert settings_from(tmp_path, DEBUG=value)["DEBUG"] is expected


def test_a_malformed_boolean_is_refused_with_its_name(tmp_path):
    assert refusal_from(tmp_path, DEBUG="maybe") == (
        "ValueError: DEBUG must be a boolean (1/0, true/false), got 'maybe'"
    )


def test_a_malformed_integer_is_refused_with_its_name(tmp_path):
    assert refusal_from(tmp_path, SECURE_HSTS_SECONDS="one year") == (
        "ValueError: SECURE_HSTS_SECONDS must be an integer, got 'one year'"
    )


def test_time_zone_defaults_to_hong_kong(tmp_path):
    loaded = settings_from(tmp_path)

    assert (loaded["TIME_ZONE"], loaded["CELERY_TIMEZONE"]) == ("Asia/Hong_Kong", "Asia/Hong_Kong")


def test_time_zone_follows_the_variable(tmp_path):
    assert settings_from(tmp_path, TIME_ZONE="Asia/Singapore")["TIME_ZONE"] == "Asia/Singapore"


def test_without_a_broker_url_celery_uses_the_filesystem_under_the_var_folder(tmp_path):
    loaded = settings_from(tmp_path)
    broker_dir = tmp_path / "var" / "celery-broker"

    assert loaded["CELERY_BROKER_URL"] == "filesystem://"
    assert loaded["CELERY_BROKER_TRANSPORT_OPTIONS"] == {
        "data_folder_in": str(broker_dir / "queue"),
        "data_folder_out": str(broker_dir / "queue"),
        "control_folder": str(broker_dir / "control"),
        "processed_folder": str(broker_dir / "processed"),
        "store_processed": False,
    }
    assert loaded["CACHES"]["default"]["BACKEND"] == ("django.core.cache.backends.db.DatabaseCache")


def test_a_redis_broker_also_serves_as_the_cache(tmp_path):
    loaded = settings_from(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/5")

    assert loaded["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/5"
    assert loaded["CELERY_BROKER_TRANSPORT_OPTIONS"] is None
    assert loaded["CACHES"] == {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/5",
        }
    }


def test_cache_url_takes_precedence_over_the_broker(tmp_path):
    loaded = settings_from(
        tmp_path,
        CELERY_BROKER_URL="redis://127.0.0.1:6379/5",
        CACHE_URL="redis://127.0.0.1:6379/6",
    )

    assert loaded["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/6"


@pytest.mark.parametrize(
    "url",
    ["sqlite://", "sqlite:///var/db.sqlite3", "mysql://desk@127.0.0.1/desk"],
    ids=["sqlite_memory_case", "sqlite_file_case", "mysql_case"],
)
def test_a_database_other_than_postgresql_is_refused(tmp_path, url):
    assert refusal_from(tmp_path, DATABASE_URL=url) == (
        "ValueError: DATABASE_URL must point to PostgreSQL (postgres:// or postgresql://)"
    )


def test_a_postgresql_url_is_used_with_the_postgresql_backend(tmp_path):
    loaded = settings_from(tmp_path)

    assert loaded["DATABASE_ENGINE"] == "django.db.backends.postgresql"


def test_media_is_stored_on_the_filesystem_by_default(tmp_path):
    loaded = settings_from(tmp_path, MEDIA_ROOT=str(tmp_path / "media"))

    assert loaded["STORAGES_DEFAULT"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
    }
    assert loaded["DEFAULT_STORAGE"] == "django.core.files.storage.filesystem"


def test_an_s3_bucket_switches_media_storage_to_s3(tmp_path):
    loaded = settings_from(
        tmp_path,
        MEDIA_S3_BUCKET="supportdesk-attachments",
        MEDIA_S3_REGION="ap-east-1",
    )

    assert loaded["STORAGES_DEFAULT"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert loaded["STORAGES_DEFAULT"]["OPTIONS"]["bucket_name"] == "supportdesk-attachments"
    assert loaded["STORAGES_DEFAULT"]["OPTIONS"]["region_name"] == "ap-east-1"
    assert loaded["DEFAULT_STORAGE"] == "storages.backends.s3"


def test_the_proxy_header_is_trusted_only_when_asked(tmp_path):
    assert settings_from(tmp_path)["SECURE_PROXY_SSL_HEADER"] is None
    assert settings_from(tmp_path, SECURE_PROXY_SSL_HEADER="1")["SECURE_PROXY_SSL_HEADER"] == [
        "HTTP_X_FORWARDED_PROTO",
        "https",
    ]
