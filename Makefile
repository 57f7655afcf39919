# Moothall: `make demo` and `make test` are the two commands a newcomer needs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
export MOOTHALL_TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/moothall

.PHONY: install demo serve test lint typecheck migrations-check deploy-check pytest-sqlite \
        pytest-postgres browser-test assets messages clean

install: $(VENV)/.installed node_modules/.installed src/moothall/static/moothall/moothall.css messages

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Moothall needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

src/moothall/static/moothall/moothall.css: node_modules/.installed scripts/build_assets.sh $(wildcard assets/scss/*.scss)
	bash scripts/build_assets.sh

assets:
	bash scripts/build_assets.sh

# Compiled catalogues are committed; recompile when gettext's msgfmt is here.
messages:
	@if command -v msgfmt >/dev/null && compgen -G "src/moothall/locale*/*/LC_MESSAGES/*.po" >/dev/null; then \
	  $(PY) -m moothall compilemessages --ignore=.venv --ignore=node_modules -v 0; fi

# The demo is served over plain http on 127.0.0.1, so HTTPS is off for all of it.
demo: export HTTPS = false
demo: install
	$(PY) -m moothall migrate --noinput
	$(PY) -m moothall demo
	$(PY) -m moothall collectstatic --noinput -v 0
	@echo "Moothall demo: http://127.0.0.1:8000  (stop with Ctrl-C)"
	@$(PY) -m moothall db_worker & worker=$$!; \
	  $(PY) -m moothall run_schedule & scheduler=$$!; \
	  trap 'kill $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/uvicorn moothall.asgi:application --host 127.0.0.1 --port 8000 --workers 1 \
	    --timeout-graceful-shutdown 2

test: install lint typecheck migrations-check deploy-check pytest-sqlite pytest-postgres browser-test

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy src

migrations-check:
	$(PY) -m moothall makemigrations --check --dry-run

# Django's deployment checklist under production-like settings (HTTPS on, DEBUG off, a fresh
# random secret key, a real host name): any warning fails. Silence nothing here without
# writing down why in settings.py.
deploy-check:
	mkdir -p var/deploy-check
	env -u DATABASE_URL -u REDIS_URL -u SECURE_HSTS_SECONDS -u SECURE_SSL_REDIRECT \
	  DEBUG=false HTTPS=true ALLOWED_HOSTS=moothall.example.gov.uk \
	  SITE_URL=https://moothall.example.gov.uk MOOTHALL_VAR_DIR=$(CURDIR)/var/deploy-check \
	  SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(60))')" \
	  $(PY) -m moothall check --deploy --fail-level WARNING

pytest-sqlite:
	MOOTHALL_VAR_DIR=$(CURDIR)/var/test DATABASE_URL=sqlite:///$(CURDIR)/var/test/db.sqlite3 \
	  $(BIN)/pytest -m "not browser" -q

# The result engines (budgeting, deliberation) never touch the database: the SQLite pass
# runs them, the PostgreSQL pass skips them.
NO_DB_TESTS := --ignore=tests/budgeting/engine --ignore=tests/deliberation/engine

pytest-postgres:
	@if $(PY) scripts/check_postgres.py; then \
	  DATABASE_URL=$(MOOTHALL_TEST_POSTGRES_URL) $(BIN)/pytest -m "not browser" -q $(NO_DB_TESTS); \
	else \
	  if [ -n "$$MOOTHALL_REQUIRE_POSTGRES" ]; then echo "PostgreSQL is required but not reachable at $(MOOTHALL_TEST_POSTGRES_URL)"; exit 1; fi; \
	  echo "SKIPPED: PostgreSQL not reachable at $(MOOTHALL_TEST_POSTGRES_URL); the PostgreSQL run was not done."; \
	fi

browser-test:
	@if [ -x /usr/bin/chromium ]; then \
	  MOOTHALL_VAR_DIR=$(CURDIR)/var/test $(BIN)/pytest -m browser -q; \
	else \
	  if [ -n "$$MOOTHALL_REQUIRE_BROWSER" ]; then echo "Chromium is required but /usr/bin/chromium is missing"; exit 1; fi; \
	  echo "SKIPPED: no Chromium at /usr/bin/chromium (apt-get install chromium); browser tests were not run."; \
	fi

clean:
	rm -rf $(VENV) node_modules var src/moothall/static/vendor src/moothall/static/moothall/moothall.css

# Server time of the meetings pages and search on ten years of demo meetings, on SQLite
# and PostgreSQL (builds var/bench/ and the moothall_bench database once); see
# docs/benchmarks.md. The last line printed is a JSON summary.
.PHONY: bench-meetings bench-ideas bench-sign bench-pb bench-opinions bench-live
bench-meetings:
	$(PY) bench/bench_meetings.py

# The ideas list with 10,000 ideas (SQLite and PostgreSQL).
bench-ideas:
	$(PY) bench/bench_ideas.py

# Signatures over real HTTP (granian, several workers, as deployed) against PostgreSQL, with the
# raw psycopg insert rate measured in the same run.
bench-sign:
	$(PY) bench/bench_sign.py

# Participatory budgeting results: Equal Shares and greedy on the largest shared Pabulib
# files and a generated 100,000-voter election, each also computed by pabutools.
bench-pb: install
	$(PY) bench/bench_pb.py

# Opinion mapping (deliberation engine) on the three shared Polis conversations and a generated
# 10,000 x 2,000 conversation (about a million votes), both modes, against red-dwarf in the same
# run. red-dwarf is installed for the benchmark only (never a dependency of the app).
bench-opinions: install
	$(PY) -m pip install --quiet red-dwarf
	$(PY) bench/bench_opinions.py

# Live meetings: 2,000 server-sent-event clients on one meeting (uvicorn, fan-out through
# the local Redis) while the clerk moves through the agenda and posts on the live blog;
# delay from the verb to each client, and clients that missed an event.
bench-live:
	$(PY) bench/bench_live.py
