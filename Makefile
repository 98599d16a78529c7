# The project's verbs. CI runs the same ones (.ci/run: `make test`).
# Every verb bootstraps what it needs: a Python venv (.venv) from the hashed lock file
# (requirements/dev.lock) and the pinned Node tools (node_modules), each reinstalled only when
# its lock file changes.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := all
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
NODE_BIN := node_modules/.bin
SPEC := openapi/chatapi.yaml

# Redocly: no telemetry, no update check.
export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true
export SCHEMATHESIS_TELEMETRY := false
SANDBOX_PORT ?= 8400

# Hand-written Python that ruff and strict mypy check; folders are added as they appear.
HAND_WRITTEN := $(wildcard description overlays sandbox tests benchmarks generator tools examples)
GENERATED := $(wildcard generated_client/chatapi_client)

# Everything `make test` runs, in order. A new test layer that needs more than pytest
# (a service, a generated tree) adds its target here.
TEST_STEPS := require-system-packages lint check-generated check-breaking pytest
# The quick loop (`make check`): no Node, no server process, no system package.
CHECK_STEPS := lint check-generated pytest-check

.PHONY: all help bootstrap lint-spec lint pytest test clean generate check-generated sandbox end-to-end
.PHONY: spec-dist check-breaking release-spec lock

all: setup lint-spec generate end-to-end ## Main job: set up, lint the spec, regenerate, run end to end

end-to-end: bootstrap ## Start the sandbox, run examples/end_to_end.py against it, stop it by PID
	@dir=$$(mktemp -d); \
	$(BIN)/chatapi-sandbox --port 0 --token demo-token:demo --url-file $$dir/url >$$dir/log 2>&1 & \
	pid=$$!; \
	trap 'kill $$pid 2>/dev/null; wait $$pid 2>/dev/null; rm -rf $$dir' EXIT; \
	for _ in $$(seq 100); do test -s $$dir/url && break; sleep 0.1; done; \
	test -s $$dir/url || { echo "the sandbox did not start:"; cat $$dir/log; exit 1; }; \
	$(BIN)/python examples/end_to_end.py --base-url "$$(cat $$dir/url)" --token demo-token

help: ## List the verbs
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

bootstrap: $(VENV)/.installed node_modules/.installed ## Install the Python and Node tools

LOCK := requirements/dev.lock

# Exactly the locked versions, each checked against its hash; then this project, editable,
# built by the locked hatchling (no build isolation: nothing unlocked is fetched).
$(VENV)/.installed: $(LOCK) pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check --disable-pip-version-check
	touch $@

lock: $(VENV)/.installed ## Rewrite requirements/dev.lock from pyproject.toml (after changing a dependency)
	$(BIN)/pip-compile --quiet --extra dev --build-deps-for editable --generate-hashes \
		--strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
		--no-header --output-file $(LOCK) pyproject.toml

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@


lint: bootstrap ## ruff (check, format) on hand-written code; strict mypy, generated code included
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy $(HAND_WRITTEN)
ifneq ($(GENERATED),)
	$(BIN)/mypy $(GENERATED)
endif

generate: bootstrap ## Regenerate generated_client/ from the spec (a no-op when nothing changed)
	$(BIN)/python -m generator

check-generated: bootstrap ## Fail if generated_client/ differs from a fresh regeneration
	$(BIN)/python -m generator --check

spec-dist: bootstrap ## Bundle the spec, its rate-limits.json and its offline docs into dist/
	$(BIN)/python -m tools.spec_dist dist

check-breaking: bootstrap ## Fail on a breaking change since the last release (openapi/released/)
	$(BIN)/python -m tools.breaking $(SPEC)

release-spec: bootstrap ## Copy the spec to openapi/released/ under its info.version (never overwrites)
	$(BIN)/python -m tools.release $(SPEC)

sandbox: bootstrap ## Run the sandbox on 127.0.0.1, port SANDBOX_PORT (8400), until Ctrl+C
	$(BIN)/chatapi-sandbox --port $(SANDBOX_PORT)

clean: ## Remove the environments and caches (the next verb reinstalls them)
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis dist build
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# --- Set-up, `make check` and `make test` -------------------------------------------------
# System packages come with the set-up (`make`, `make setup`), never from the middle of a
# test run: `make test` checks them first and stops at once, naming the install command.

.PHONY: setup system-packages require-system-packages check pytest pytest-check

# Debian packages the tests need: redis-server for the shared rate-limit store tests; Go 1.19
# and gopkg.in/validator.v2 to build the Go client openapi-generator writes (tests/spec_sharing,
# GOPATH mode: the Go module proxy may be out of reach; the test names the package it lacks).
SYSTEM_PACKAGES := redis-server golang-go golang-gopkg-validator.v2-dev
# The commands of the packages that have one.
SYSTEM_COMMANDS := redis-server go
# pytest-xdist workers (PYTEST_WORKERS=0: one process). `make test` runs one more worker than
# the two cores: most of the command line's and the fleets' time is waiting on real rate
# limits, which the third worker fills with another file's work. `make check`'s unit tests
# keep the cores busy on their own: two workers there.
PYTEST_WORKERS ?= 3
CHECK_WORKERS ?= $(if $(filter 0,$(PYTEST_WORKERS)),0,2)
xdist = $(if $(filter 0,$(1)),,-n $(1) --dist loadfile)

setup: bootstrap system-packages ## Install everything: the Python and Node tools, redis-server

# Installed with apt-get where we may (as root); elsewhere a clear failure naming the command.
system-packages: ## Install the Debian packages the tests need (redis-server) if missing
	@missing=$$(for c in $(SYSTEM_COMMANDS); do command -v $$c >/dev/null || echo $$c; done); \
	test -z "$$missing" && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing the Debian packages $(SYSTEM_PACKAGES)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null 2>&1 \
			|| { apt-get update -qq && apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; }; \
	else \
		echo "missing: $$missing; install it with: sudo apt-get install $(SYSTEM_PACKAGES)" >&2; \
		exit 1; \
	fi; \
	$(MAKE) --no-print-directory require-system-packages

require-system-packages:
	@for c in $(SYSTEM_COMMANDS); do command -v $$c >/dev/null && continue; \
		echo "$$c is missing: run \`make setup\` (as root) or" \
			"\`sudo apt-get install $(SYSTEM_PACKAGES)\`, then make test again" >&2; \
		exit 1; \
	done

pytest: bootstrap require-system-packages ## Every pytest layer under tests/, in PYTEST_WORKERS processes
	$(BIN)/pytest $(call xdist,$(PYTEST_WORKERS))

pytest-check: $(VENV)/.installed ## The pytest tests that need no Node, no server, no long CPU (`make check`)
	$(BIN)/pytest $(call xdist,$(CHECK_WORKERS)) -m "not node and not server and not slow"

check: $(CHECK_STEPS) ## The quick loop: lint, types, drift check, the unit layers (under a minute)
	@echo "make check: passed (make test runs everything)"

test: $(TEST_STEPS) ## Everything: lint, drift and breaking-change checks, every test layer

# --- The maintainer's loop: lint-spec, spec, watch, diff -----------------------------------
# `make spec` after every edit of the description; `make watch` reruns it on each save.
# Output is one line per step; a failing step shows its findings, one line each.

.PHONY: spec watch diff

lint-spec: bootstrap ## Lint the spec: Spectral, Redocly, then the validator and the YAML 1.1 check
	@$(BIN)/python -m tools.spec_loop $(SPEC) --lint-only

spec: bootstrap ## The spec loop: lint, YAML 1.1 check, regenerate, drift check, guard, spec tests
	@$(BIN)/python -m tools.spec_loop $(SPEC)

watch: bootstrap ## Rerun `make spec` on every save under openapi/, generator/ and the spec tests
	$(BIN)/watchfiles --target-type command "make --no-print-directory spec" \
		openapi generator tests/spec tests/description

# DIFF_BASE=openapi/released/chatapi-1.2.0.yaml compares with another release than the last.
DIFF_BASE ?=

diff: bootstrap ## What changed since the last release (operations, methods, models, fields, limits) and the bump it needs
	@$(BIN)/python -m tools.spec_diff $(SPEC) $(if $(DIFF_BASE),--base $(DIFF_BASE))
