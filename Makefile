# Kopa — development and operations entry points. `make help` lists them.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
NPM    ?= npm
ASSETS  = frontend/static/frontend/build/.built
ASSET_SOURCES = $(shell find frontend/assets -type f 2>/dev/null)

.DEFAULT_GOAL := help
.PHONY: help install assets run serve migrate seed test lint format check pytest bench worker beat clean messages compilemessages

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed $(ASSETS) ## Create .venv, install Kopa with its development tools, build the browser assets

node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund --loglevel error
	touch $@

$(ASSETS): node_modules/.installed $(ASSET_SOURCES)
	$(NPM) run --silent build
	touch $@

assets: $(ASSETS) ## Build the browser assets (npm packages, bundled with esbuild)

migrate: install ## Apply database migrations
	$(BIN)/python manage.py migrate --noinput

seed: migrate ## Load the demo city (idempotent)
	$(BIN)/python manage.py seed_demo

run: seed assets ## Install, migrate, seed demo data and serve http://$(HOST):$(PORT) on embedded defaults
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Kopa is at http://$(HOST):$(PORT)/  (demo logins: see README)"
	KOPA_SITE_URL=$${KOPA_SITE_URL:-http://$(HOST):$(PORT)} \
		$(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --no-proxy-headers

lint: install ## ruff check and format check, and the import contracts (lint-imports)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install ## Reformat the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install ## Django system checks and missing migrations
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

pytest: install assets ## Only the test suite (pass ARGS=... to pytest)
	$(BIN)/pytest $(ARGS)

test: lint check pytest ## ruff, makemigrations --check and pytest (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)

# Translations: the django domain from all apps, djangojs from frontend/assets/js only (not the
# built bundle). --no-obsolete drops strings that left the source instead of keeping them as #~.
I18N_IGNORE = --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=tests --ignore=bench --ignore='frontend/static/*'
JS_I18N_IGNORE = $(I18N_IGNORE) --ignore=docs --ignore=media --ignore=config --ignore=engagement --ignore=budgeting --ignore=surveys --ignore=workshops

messages: install ## Extract translatable strings into locale/pl and locale/de (then translate the .po files)
	$(BIN)/python manage.py makemessages -l pl -l de --no-obsolete $(I18N_IGNORE)
	$(BIN)/python manage.py makemessages -d djangojs -l pl -l de --no-obsolete $(JS_I18N_IGNORE)

compilemessages: install ## Compile locale/*/LC_MESSAGES/*.po into the .mo files (commit both)
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

bench: install ## Run the benchmarks and print figures
	$(BIN)/python -m bench $(ARGS)

worker: install ## A Celery worker (needs REDIS_URL)
	$(BIN)/celery -A config worker --loglevel INFO

beat: install ## Celery beat, for scheduled phase changes (needs REDIS_URL)
	$(BIN)/celery -A config beat --loglevel INFO

clean: ## Remove the virtualenv, local database and collected static files
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache node_modules frontend/static/frontend/build
