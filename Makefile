# EM Agent: the newcomer's commands. `make up` starts everything on embedded defaults; `make test` tests it.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
PY := $(VENV)/bin/python
RUN_DIR ?= .run
export UV_LINK_MODE ?= copy

.PHONY: help install up down status logs test lint fmt docs bench clean

help:
	@echo "make up      start NATS, PostgreSQL, Temporal (where no URL is set) and the six services"
	@echo "make down    stop what make up started (data kept under $(RUN_DIR)/)"
	@echo "make status  what is running;   make logs  the last lines of every log"
	@echo "make test    every test on real servers (embedded unless NATS_URL/DATABASE_URL are set)"
	@echo "make lint    ruff, mypy (strict on shared), import-linter;   make docs  regenerate generated docs"

# uv comes from pip when the machine lacks it; everything else comes from uv.lock.
$(VENV)/.installed: pyproject.toml uv.lock */pyproject.toml
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --all-packages
	@touch $@

install: $(VENV)/.installed

up: install
	$(PY) -m em_shared.devenv.platform up --run-dir $(RUN_DIR)

down:
	@if [ -x $(PY) ]; then $(PY) -m em_shared.devenv.platform down --run-dir $(RUN_DIR); fi

status: install
	@$(PY) -m em_shared.devenv.platform status --run-dir $(RUN_DIR)

logs: install
	@$(PY) -m em_shared.devenv.platform logs --run-dir $(RUN_DIR)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy -p em_shared
	$(VENV)/bin/lint-imports

fmt: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

docs: install
	$(PY) -m em_shared.ops.docs

clean: down
	rm -rf $(RUN_DIR)
