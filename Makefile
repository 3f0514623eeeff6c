# Special Meeting — the two commands: `make run` and `make test`.
PYTHON ?= python3
HOST   ?= 127.0.0.1
PORT   ?= 5000
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test test-sqlite test-postgres lint install install-dev browser system-deps clean \
        node-tools translations i18n-extract i18n-update needs-system-deps needs-runtime-deps needs-browser

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

# A random secret key for this machine's embedded install, made once.
instance/config.py: | $(VENV)/.installed
	mkdir -p instance
	$(BIN)/python -c "import secrets; print('SECRET_KEY = %r' % secrets.token_urlsafe(48))" > $@

# Catalogues of the six languages: meetingapp/translations/<lang>/LC_MESSAGES/messages.po,
# compiled to .mo by the install step (the .mo files are not kept in git).
TRANSLATIONS := meetingapp/translations
CATALOGUES   := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)

## translations: compile the catalogues (done by install, run and test)
translations: $(CATALOGUES:.po=.mo)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@

## i18n-extract: collect every translatable string of the code and templates into messages.pot
i18n-extract: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -w 100 \
		--sort-by-file --project "Special Meeting" --copyright-holder "Special Meeting" \
		--msgid-bugs-address "" -o $(TRANSLATIONS)/messages.pot .

## i18n-update: extract, then merge the new strings into every language's catalogue
i18n-update: i18n-extract
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) \
		--no-fuzzy-matching -w 100 --ignore-obsolete

## run: install, migrate, load the demo on first run, serve on http://$(HOST):$(PORT)
## (default 127.0.0.1:5000; e.g. make run PORT=8080 HOST=0.0.0.0)
# flask run serves there, and the app's public address (links in e-mails, calendars) is it.
RUN_AT := FLASK_RUN_HOST=$(HOST) FLASK_RUN_PORT=$(PORT)
run: $(VENV)/.installed translations instance/config.py needs-runtime-deps
	$(RUN_AT) $(BIN)/flask db upgrade
	if $(RUN_AT) $(BIN)/flask demo is-empty; then $(RUN_AT) $(BIN)/flask demo load; fi
	@$(RUN_AT) $(BIN)/flask demo login
	$(RUN_AT) $(BIN)/flask run

## test: lint, then the whole suite on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set.
## The system packages, Node's ical.js and Debian's chromium are installed first when
## missing (as root; otherwise one line names the command); REQUIRE_BROWSER=1 makes a
## skipped browser test fail.
test: lint test-sqlite test-postgres

## system-deps: Pango and Noto fonts for PDFs; poppler and a Java runtime (HTML checker) for tests (idempotent; needs root)
system-deps:
	bash scripts/install-system-deps.sh

## browser: install Debian's chromium for the browser tests (idempotent; needs root)
browser:
	bash scripts/install-browser.sh

# Type-checked: the models, every domain's services and the extension points (once there).
MYPY_FILES = meetingapp/models $(wildcard meetingapp/*/services.py) $(wildcard meetingapp/hooks.py)

## node-tools: Node.js (Debian's, if missing; needs root) and ical.js in tests/node/node_modules,
## the second iCalendar parser of the tests (idempotent; `npm ci` from tests/node/package-lock.json)
node-tools:
	bash scripts/install-node-tools.sh

# What `make run` and `make test` need beyond Python, installed when missing: by the
# scripts above when we are root, otherwise the one line says which command to run.
# (install-system-deps.sh installs the node tools too.)
CHROMIUM ?= /usr/bin/chromium
needs-system-deps:
	@bash scripts/install-system-deps.sh

needs-runtime-deps:
	@bash scripts/install-system-deps.sh --runtime

needs-browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" -eq 0 ]; then bash scripts/install-browser.sh; \
		else echo "$(CHROMIUM) (browser tests) is missing: run 'sudo make browser'." >&2; exit 1; fi; \
	fi

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check meetingapp tests migrations wsgi.py scripts benchmarks gunicorn.conf.py
	$(BIN)/mypy $(MYPY_FILES)

test-sqlite: $(VENV)/.installed-dev translations needs-system-deps needs-browser
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -q tests

test-postgres: $(VENV)/.installed-dev translations needs-system-deps needs-browser
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		$(BIN)/python -m pytest -q tests; \
	else \
		echo "TEST_DATABASE_URL is not set: PostgreSQL run skipped (.ci/run sets it)."; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

## bench: HTTP benchmarks at two data sizes on a throw-away PostgreSQL database (127.0.0.1:5432),
## served by gunicorn; prints figures and ratios to a baseline route against the targets.
## benchmarks/soak.py (2 min) and benchmarks/quota_http.py are run on their own.
.PHONY: bench
bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run.py
