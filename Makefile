# Every install step lives here, so a fresh machine with only Python and make
# gets the same environment as CI.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint format migrate clean bench screenshots

# Some machines set PYTHONDONTWRITEBYTECODE: then every `loopkeeper` process a test starts
# compiles bot/ again, and every test process rewrites the tests' asserts again.
# __pycache__ is ignored by git.
unexport PYTHONDONTWRITEBYTECODE

# The browser tests drive Debian's Chromium (browser downloads are not reachable
# from every machine, so Playwright's own builds are not used).
CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Slack when SLACK_BOT_TOKEN / SLACK_SIGNING_SECRET are set (migrates first), else the
# local playground on http://127.0.0.1:3000.
run: $(VENV)/.installed
	$(BIN)/loopkeeper start

$(CHROMIUM):
	@echo "Installing Debian's chromium for the browser tests (apt-get)…"
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-dejavu-core fonts-noto-color-emoji

test: $(VENV)/.installed-dev $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# mypy keeps one core busy for a while; a collection pass on the other meanwhile
	# compiles the tests (asserts rewritten) and bot/ once, which the four test
	# processes then read instead of each compiling them again (about 12 s of CPU
	# each on a fresh clone, 4.5 s with them compiled). Its own errors, if any, are
	# the test run's to report.
	$(BIN)/python -m pytest -q --collect-only > /dev/null 2>&1 & collecting=$$!; \
	  $(BIN)/mypy; checked=$$?; wait $$collecting; exit $$checked
	$(BIN)/lint-imports --no-cache
	# Four processes on two cores: most tests wait on sockets and subprocesses, not the CPU.
	$(BIN)/python -m pytest -q -n 4

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrate: $(VENV)/.installed
	$(BIN)/loopkeeper migrate

# Benchmarks (bench/): ack latency, sweep cost, memory; writes bench/RESULTS.md.
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench

# The README's playground screenshots, taken by the browser test's own run.
screenshots: $(VENV)/.installed-dev $(CHROMIUM)
	LOOPKEEPER_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/playground/test_browser.py

clean:
	rm -rf $(VENV) *.egg-info
