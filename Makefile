# StudyBoard: `make run` to try it, `make test` to check it. Both start from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run serve test bench soak check messages gemoji clean

# One stamp per requirements file, so editing either reinstalls only when needed.
$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_demo
	DJANGO_DEBUG=1 $(BIN)/python manage.py suggest_topics
	@echo "StudyBoard: http://127.0.0.1:$(PORT)/"
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Production settings under gunicorn, static files hashed and compressed by whitenoise.
# Needs DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS; DATABASE_URL and REDIS_URL as in the README.
BIND ?= 127.0.0.1:$(PORT)
serve: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	BIND=$(BIND) $(BIN)/gunicorn --config gunicorn.conf.py

# axe-core for the accessibility browser tests, exactly as package-lock.json has it. Without
# npm the tests that need it are skipped (failed under REQUIRE_BROWSER=1), like the browser.
node_modules/.installed: package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: the accessibility tests will be skipped (they need axe-core)"; fi

# Two workers (pytest-xdist) by default, one per core of the machines we have; each test
# module stays in one worker, with its own test database. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
test: $(VENV)/.dev node_modules/.installed
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# Every page under gunicorn and wrk on a large PostgreSQL data set; writes docs/PERFORMANCE.md.
bench: $(VENV)/.dev
	@command -v wrk >/dev/null || apt-get install -y -q --no-install-recommends wrk
	$(BIN)/python bench/run.py

# Members picking, answering, editing one answer and adding questions at once under gunicorn,
# then every acknowledged write looked for in the database; writes docs/RELIABILITY.md.
SOAK_SECONDS ?= 60
soak: $(VENV)/.dev
	SOAK_SECONDS=$(SOAK_SECONDS) $(BIN)/python bench/soak.py

# Lint-free sanity: system checks, missing migrations, deploy checks with production settings.
check: $(VENV)/.runtime
	DJANGO_DEBUG=1 $(BIN)/python manage.py check
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# Needs GNU gettext; the compiled .mo files are committed so nobody else does.
messages: $(VENV)/.runtime
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l ko --ignore=.venv --ignore='qa/tests/*'
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages -l ko --ignore=.venv

# qa/gemoji.json: GitHub's emoji shortcodes (gemoji, MIT), which qa.markdown renders. Needs npm;
# run it when a gemoji release adds names, and commit the file.
GEMOJI ?= gemoji@8.1.0
GEMOJI_JS := import {gemoji} from "gemoji"; const names = {}; \
	for (const g of gemoji) for (const n of g.names) names[n] = g.emoji; \
	console.log(JSON.stringify(Object.fromEntries(Object.keys(names).sort().map((n) => [n, names[n]])), null, 2));
gemoji:
	tmp=$$(mktemp -d) && npm install --prefix $$tmp --no-save --no-audit --no-fund --loglevel=error $(GEMOJI) \
		&& (cd $$tmp && node --input-type=module -e '$(GEMOJI_JS)') > qa/gemoji.json.new \
		&& mv qa/gemoji.json.new qa/gemoji.json && rm -rf $$tmp

clean:
	rm -rf $(VENV) .pytest_cache staticfiles node_modules
