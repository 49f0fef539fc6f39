# Development of the template itself. `make test` is the one command a newcomer
# runs, and the one .ci/run runs: it builds .venv from pyproject.toml and runs
# every test, the slow ones included.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
NAME ?= my-function
DEST ?= ../$(NAME)

.DEFAULT_GOAL := help
.PHONY: help install test test-fast generate schema clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(VENV)/.generate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet --group generate
	touch $@

$(VENV)/.test: $(VENV)/.generate pyproject.toml hooks/lambda_rules/facts.py
	$(BIN)/python -m pip install --quiet --group test
	$(BIN)/python -m pip install --quiet $$($(BIN)/python hooks/pins.py)
	touch $@

# checkov and check-jsonschema pin other versions of boto3 and click than SAM CLI and the
# generated repos: they get a venv of their own, whose commands the tests run.
$(VENV)/.tools: pyproject.toml | $(VENV)/.generate
	$(PYTHON) -m venv $(VENV)/tools
	$(VENV)/tools/bin/python -m pip install --quiet --upgrade "pip>=25.1"
	$(VENV)/tools/bin/python -m pip install --quiet --group tools
	touch $@

install: $(VENV)/.test $(VENV)/.tools ## Create .venv with copier and every test tool

test: install ## Run all the tests (about 3 minutes on 2 cores, once installed)
	$(BIN)/python -m pytest -n auto

test-fast: install ## Run the tests that generate nothing
	$(BIN)/python -m pytest -n auto -m "not slow"

generate: $(VENV)/.generate ## Generate a repo with the defaults: make generate NAME=orders-api [DEST=../orders-api]
	$(BIN)/copier copy --trust --defaults --vcs-ref HEAD --data project_name=$(NAME) $(CURDIR) $(DEST)

schema: $(VENV)/.generate ## Rebuild schema/answers.schema.json from hooks/lambda_rules/facts.py
	$(BIN)/python hooks/answers_schema.py

clean: ## Remove .venv and caches
	rm -rf $(VENV) .pytest_cache .hypothesis
