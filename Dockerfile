# SupportDesk production image. One image runs every process: gunicorn (the default command),
# the Celery worker and Celery beat; docker-compose.yml shows how. The apps run from the source
# tree in /app (pyproject.toml declares `packages = []`, so `pip install .` installs only the
# dependencies, pinned by constraints.txt).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MEDIA_ROOT=/data/media

WORKDIR /app

# The weekly PDF report: Pango for WeasyPrint, Noto CJK so that Chinese text is embedded.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first: this layer is rebuilt only when the dependency files change.
# README.md is copied because pyproject.toml names it as the project's readme.
COPY pyproject.toml constraints.txt README.md ./
RUN pip install -c constraints.txt .

RUN useradd --system --user-group --uid 10001 --home-dir /app --no-create-home supportdesk \
    && mkdir -p /data/media \
    && chown supportdesk:supportdesk /data/media

COPY . .

# Translations (.po -> .mo, with polib) and static files (hashed and compressed by WhiteNoise)
# are built into the image. The settings need a PostgreSQL URL and a secret key to load: these
# build-only values are never connected to, never kept in the image, and never used at run time.
RUN export DATABASE_URL=postgresql://build@build.invalid/build \
        SECRET_KEY=build-only-value-not-used-at-run-time \
    && python manage.py compile_translations \
    && python manage.py collectstatic --no-input --verbosity 0

USER supportdesk
EXPOSE 8000

# Behind a TLS-terminating proxy: see README.md "Deployment" for the environment to set.
# No control socket: gunicorn would otherwise try to create one in $HOME (/app), which the
# supportdesk user cannot write to.
CMD ["gunicorn", "supportdesk.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", \
     "--access-logfile", "-", "--no-control-socket"]
