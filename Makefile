# SupportDesk — the two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint bench messages clean-var

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "SupportDesk needs Python 3.11 or newer")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the portal with demo data: web + Celery worker + beat (embedded stack unless configured).
run: $(STAMP)
	$(BIN)/python -m supportdesk.devstack run

## Run the whole test suite (DATABASE_URL / CELERY_BROKER_URL if set, else the embedded stack).
test: $(STAMP)
	$(BIN)/python -m supportdesk.devstack test $(PYTEST_ARGS)

## Benchmark at scale (bench/README.md): DATABASE_URL if set, else the embedded stack; seeds up
## to BENCH_TICKETS tickets (default 1,000,000), prints the table, writes var/bench-results.txt.
bench: $(STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

## Regenerate the translation catalogues after changing user-facing strings (needs GNU gettext).
messages: $(STAMP)
	$(BIN)/python manage.py makemessages --locale zh_Hant --no-obsolete --no-location --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*'
	$(BIN)/python manage.py compile_translations
