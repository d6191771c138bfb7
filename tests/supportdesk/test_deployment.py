"""The production deployment files (docker-compose.yml, Dockerfile) against the settings.

No Docker engine runs here: the compose file is read with PyYAML, its variables are substituted
the way Compose does, and Django's deployment checks run on the web service's environment.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

BASE_DIR = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (BASE_DIR / "Dockerfile").read_text()
APP_SERVICES = ("migrate", "web", "worker", "beat")
REQUIRED_VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "ALLOWED_HOSTS")

# Values an operator would export before `docker compose up`.
OPERATOR_VARIABLES = {
    "SECRET_KEY": "test-only-Q8mZ3vL1pX7rT4nB9kD2sF6hJ0wY5cE1aG8uI3oK7qR2eW4tZ9",
    "POSTGRES_PASSWORD": "test-only-password",
    "SUPPORTDESK_HOST": "desk.example.com",
    "EMAIL_HOST": "smtp.example.com",
    "DEFAULT_FROM_EMAIL": "SupportDesk <support@example.com>",
}
INTERPOLATION = re.compile(
    r"""\$(?:
        (?P<escaped>\$)
        | \{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<operator>:?[-?])(?P<argument>[^}]*))?\}
        | (?P<bare>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Substitute ``$$``, ``$VAR``, ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}`` as
    Compose does; a required variable that is missing fails the test with its message."""

    def replace(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["braced"] or match["bare"]
        operator, argument = match["operator"], match["argument"]
        value = variables.get(name)
        is_missing = value is None or (value == "" and operator in (":-", ":?"))
        if is_missing and operator in (":-", "-"):
            return argument
        if is_missing and operator in (":?", "?"):
            pytest.fail(f"compose needs {name}: {argument}")
        return value or ""

    return INTERPOLATION.sub(replace, value)


def settings_variables() -> set[str]:
    """Names supportdesk/settings.py reads through the typed env helpers."""
    source = (BASE_DIR / "supportdesk" / "settings.py").read_text()
    return set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z0-9_]+)\"", source))


def app_environment(**overrides: str) -> dict[str, str]:
    """The web service's container environment, as Compose would pass it."""
    environment = SERVICES["web"]["environment"]
    resolved = {
        name: interpolate(str(value), OPERATOR_VARIABLES) for name, value in environment.items()
    }
    return {**resolved, **overrides}


def command_line(service: str) -> str:
    command = SERVICES[service]["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_the_stack_has_database_broker_web_worker_and_beat():
    assert set(SERVICES) == {"db", "redis", "migrate", "web", "worker", "beat"}


@pytest.mark.parametrize("service", ["db", "redis", "web", "worker"])
def test_long_running_services_have_healthchecks(service):
    assert SERVICES[service]["healthcheck"]["test"]


def test_the_database_is_postgresql_18_on_a_volume_at_the_version_independent_path():
    database = SERVICES["db"]
    assert database["image"] == "postgres:18"
    assert "pg_isready" in " ".join(database["healthcheck"]["test"])
    # PostgreSQL 18 images keep data in /var/lib/postgresql/18/docker and refuse a mount at
    # the old /var/lib/postgresql/data.
    assert database["volumes"] == ["postgres-data:/var/lib/postgresql"]


def test_redis_is_version_7_and_answers_ping():
    assert SERVICES["redis"]["image"] == "redis:7"
    assert SERVICES["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_web_runs_gunicorn_on_the_wsgi_application():
    assert command_line("web").startswith("gunicorn supportdesk.wsgi:application ")
    assert "--workers" in SERVICES["web"]["command"]
    assert "--no-control-socket" in SERVICES["web"]["command"]


def test_web_healthcheck_requests_healthz():
    assert "http://127.0.0.1:8000/healthz" in " ".join(SERVICES["web"]["healthcheck"]["test"])


def test_worker_and_beat_run_celery_on_the_supportdesk_app():
    assert command_line("worker").startswith("celery -A supportdesk worker")
    assert command_line("beat") == "celery -A supportdesk beat --loglevel INFO"


def test_migrations_run_once_before_the_application_starts():
    assert command_line("migrate").startswith("sh -c python manage.py migrate --no-input")
    assert SERVICES["migrate"]["restart"] == "no"


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_application_services_wait_for_healthy_backends_and_migrations(service):
    assert SERVICES[service]["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }


def test_application_services_share_one_environment_block():
    environments = [SERVICES[service]["environment"] for service in APP_SERVICES]
    assert all(environment is environments[0] for environment in environments)
    assert SERVICES["worker"]["image"] == SERVICES["web"]["image"] == SERVICES["beat"]["image"]


def test_every_application_variable_is_one_the_settings_read():
    assert set(SERVICES["web"]["environment"]) - settings_variables() == set()


def test_the_required_variables_are_set():
    assert set(REQUIRED_VARIABLES) <= set(SERVICES["web"]["environment"])
    assert SERVICES["web"]["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?")


def test_production_runs_without_debug_behind_a_tls_proxy():
    environment = app_environment()
    assert environment["DEBUG"] == "0"
    assert environment["SECURE_PROXY_SSL_HEADER"] == "1"
    assert environment["SECURE_SSL_REDIRECT"] == "1"
    assert environment["CSRF_TRUSTED_ORIGINS"] == "https://desk.example.com"
    assert environment["ALLOWED_HOSTS"] == "desk.example.com"


def test_media_files_live_on_a_volume_shared_by_web_and_worker():
    assert app_environment()["MEDIA_ROOT"] == "/data/media"
    assert SERVICES["web"]["volumes"] == ["media:/data/media"]
    assert SERVICES["worker"]["volumes"] == ["media:/data/media"]
    assert set(COMPOSE["volumes"]) == {"postgres-data", "redis-data", "media"}


def test_a_missing_secret_key_stops_compose_with_a_message():
    environment = SERVICES["web"]["environment"]
    with pytest.raises(pytest.fail.Exception, match="compose needs SECRET_KEY: set SECRET_KEY"):
        interpolate(environment["SECRET_KEY"], {})


def test_the_image_installs_the_pinned_dependencies_and_runs_as_a_user():
    assert "FROM python:3.11-slim" in DOCKERFILE
    assert "RUN pip install -c constraints.txt ." in DOCKERFILE
    assert "python manage.py compile_translations" in DOCKERFILE
    assert "python manage.py collectstatic --no-input" in DOCKERFILE
    assert "\nUSER supportdesk\n" in DOCKERFILE
    assert 'CMD ["gunicorn", "supportdesk.wsgi:application"' in DOCKERFILE


def test_the_image_leaves_out_local_state_and_secrets():
    ignored = (BASE_DIR / ".dockerignore").read_text().split()
    assert {".git", ".venv", "var", ".env", "tests"} <= set(ignored)


def test_django_deployment_checks_pass_with_the_compose_environment(tmp_path):
    environment = app_environment(
        DATABASE_URL=os.environ.get("DATABASE_URL") or settings.DATABASE_URL,
        CELERY_BROKER_URL="redis://127.0.0.1:6379/5",
        CACHE_URL="redis://127.0.0.1:6379/5",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env={
            "PATH": os.environ["PATH"],
            "HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_the_readme_documents_every_variable_the_settings_read():
    readme = (BASE_DIR / "README.md").read_text()
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)` \|", readme, flags=re.MULTILINE))

    assert settings_variables() - documented == set()
