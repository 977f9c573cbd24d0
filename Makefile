# Developer entry points. `make test` is what CI runs (through .ci/run).
SHELL := /bin/bash
.DEFAULT_GOAL := help

SRC_DIRS := $(wildcard shared/src libs/*/src services/*/src cli/src)
PYTEST_ARGS ?=
# `make test` runs the suite in this many pytest-xdist workers, a file (or a group of files, see conftest.py) each.
TEST_WORKERS ?= 2
VIDEO_TOPIC ?= Pythagorean theorem
VIDEO_CONTEXT ?= Explain the Pythagorean theorem with visual examples and a geometric proof
VIDEO_OUT ?= pythagorean.mp4

.PHONY: help install format lint typecheck test test-unit video bench services-up services-down services-status \
	validate-deploy client-types web-app

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

install: ## install uv, the system packages and the Python workspace
	scripts/bootstrap.sh

format: ## rewrite the code in the project's style
	uv run ruff format .
	uv run ruff check --fix .

lint: ## check style without changing anything
	uv run ruff check .
	uv run ruff format --check .

typecheck: ## mypy --strict on every source folder
	uv run mypy $(SRC_DIRS)

test: ## the full suite, against real services (starts them), in $(TEST_WORKERS) worker processes
	scripts/bootstrap.sh
	scripts/services.sh up
	uv run pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test-unit: ## the tests that need no services
	scripts/bootstrap.sh
	uv run pytest -m "not integration and not e2e" $(PYTEST_ARGS)

video: ## render the example video in standalone mode (no services needed)
	scripts/bootstrap.sh
	uv run mathreel generate "$(VIDEO_TOPIC)" --context "$(VIDEO_CONTEXT)" -o $(VIDEO_OUT)

bench: ## the benchmarks in bench/, against real services
	scripts/bootstrap.sh
	scripts/services.sh up
	uv run python bench/run.py

client-types: ## regenerate the TypeScript client's types from the gateway's OpenAPI document (commit the result)
	scripts/client-types.sh

web-app: ## build the TypeScript client and the web app the gateway serves at /app
	cd clients && npm ci --no-audit --no-fund && npm run build

services-up: ## start what the integration tests need
	scripts/services.sh up

services-down: ## stop our SeaweedFS (the machine's databases and brokers are left running)
	scripts/services.sh down

services-status: ## report each service
	scripts/services.sh status

validate-deploy: ## check docker-compose.yml and the Kubernetes manifests without a cluster
	scripts/validate-deploy.sh
