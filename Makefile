# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint typecheck unit install dev clean prometheus-tools bench-tools browser-tools

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamp files so a second `make` does not reinstall; they change when pyproject.toml does.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
dev: $(VENV)/.installed-dev

run: install
	$(BIN)/flowdoctor db upgrade
	$(BIN)/flowdoctor demo
	$(BIN)/flowdoctor serve --host $(HOST) --port $(PORT)

lint: dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports

typecheck: dev
	$(BIN)/mypy

# promtool, the prometheus server and Alertmanager for the /metrics and Alertmanager tests
# (Debian's `prometheus` and `prometheus-alertmanager`); installed once, and without them (not root,
# no apt) those tests skip, saying why.
PROMETHEUS_PACKAGES := prometheus prometheus-alertmanager
prometheus-tools:
	@(command -v promtool && command -v prometheus-alertmanager) >/dev/null 2>&1 || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$(PROMETHEUS_PACKAGES) >/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		$(PROMETHEUS_PACKAGES) >/dev/null 2>&1) || \
		echo "prometheus tools not installed: the Prometheus and Alertmanager tests will skip" >&2

# wrk (Debian's package) drives benchmarks/load.py; the benchmarks are outside `make test`.
bench-tools: dev
	@command -v wrk >/dev/null 2>&1 || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk \
		>/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk \
		>/dev/null 2>&1) || echo "wrk not installed: benchmarks/load.py cannot run" >&2

# Debian's Chromium for the dashboard's end-to-end tests (Playwright drives it at /usr/bin/chromium;
# no browser download). Installed once; without it (not root, no apt) those tests skip, saying why.
browser-tools:
	@test -x /usr/bin/chromium || \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
		>/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
		>/dev/null 2>&1) || echo "chromium not installed: the dashboard's browser tests will skip" >&2

unit: dev prometheus-tools browser-tools
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck unit

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
