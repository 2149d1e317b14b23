# Integrationsnetz – developer entry points.  `make` alone lists them.
#
# Everything lives inside the work tree: uv in var/tools, the project in .venv,
# the data of a dev run (`make up`) under var/.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := var/tools
UV := $(TOOLS)/bin/uv
UV_STAMP := $(TOOLS)/.uv-$(UV_VERSION).stamp
VENV := .venv
SYNC_STAMP := $(VENV)/.make-sync.stamp
PYTEST_ARGS ?=
# .ci/run sets PYTEST_STATUS_FILE: where `make test` leaves pytest's exit status.
PYTEST_STATUS_FILE ?=
RUN_ARGS ?=

# Code directories that exist and hold Python files (mypy fails on an empty one).
MYPY_TARGETS = $(shell for d in shared services tools scripts tests bench docs/examples; do \
	if [ -d "$$d" ] && [ -n "$$(find "$$d" -name '*.py' -print -quit)" ]; then echo "$$d"; fi; done)

# The portal's catalogues: the .po files are the sources, the .mo files are built from them.
LOCALE_DIR := services/portal/locale
PORTAL_LOCALES := de en uk tr ar
MO_FILES := $(foreach l,$(PORTAL_LOCALES),$(LOCALE_DIR)/$(l)/LC_MESSAGES/messages.mo)

.PHONY: help install rabbitmq browser axe poppler pango kubectl up test lint schemas translations clean

help: ## List the targets
	@echo "Integrationsnetz – make targets:"
	@grep -E '^[a-z][a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'
	@echo "Variables: PYTEST_ARGS='...' (make test), RUN_ARGS='...' (make up), PYTHON=python3"

install: $(SYNC_STAMP) $(MO_FILES) ## Install uv (var/tools) and the project with its dev tools (.venv); fast when nothing changed

# uv itself, pinned, in a small bootstrap venv.
$(UV_STAMP):
	@$(PYTHON) -c 'import sys' 2>/dev/null || { \
		echo "make install: '$(PYTHON)' not found. Install Python 3.11 to 3.13 (Debian: apt-get install python3 python3-venv) or run 'make install PYTHON=/path/to/python3.11'." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || { \
		echo "make install: $(PYTHON) is $$($(PYTHON) -c 'import platform; print(platform.python_version())'); Python >= 3.11 is needed. Run 'make install PYTHON=/path/to/python3.11'." >&2; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
		echo "make install: the venv module of $(PYTHON) is missing or incomplete (no ensurepip). Debian/Ubuntu: apt-get install python3-venv" >&2; exit 1; }
	@if [ ! -x $(TOOLS)/bin/pip ]; then \
		echo "make install: creating $(TOOLS) with uv $(UV_VERSION)"; \
		rm -rf $(TOOLS); \
		$(PYTHON) -m venv $(TOOLS); \
	fi
	@$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@rm -f $(TOOLS)/.uv-*.stamp
	@touch $@

# The project environment; redone only when the lock or the project file changed.
$(SYNC_STAMP): uv.lock pyproject.toml $(UV_STAMP)
	$(UV) sync --frozen
	@touch $@

# A catalogue compiled for the portal; redone when its .po changed.
$(LOCALE_DIR)/%/LC_MESSAGES/messages.mo: $(LOCALE_DIR)/%/LC_MESSAGES/messages.po $(SYNC_STAMP)
	@$(VENV)/bin/pybabel compile --statistics -l $* -i $< -o $@

translations: install ## The portal's texts: extract them (babel.cfg), update the five catalogues, compile them
	$(VENV)/bin/python -m tools.translations

rabbitmq: ## Make sure a RabbitMQ broker is reachable (starts or installs one locally)
	@bash scripts/ensure-rabbitmq.sh

browser: ## Make sure Chromium is there for the browser tests (installs Debian's package as root)
	@bash scripts/ensure-chromium.sh

axe: ## Make sure axe-core (npm registry) is there for the accessibility tests
	@bash scripts/ensure-axe.sh

poppler: ## Make sure pdftoppm is there for the report's PDF test (installs Debian's package as root)
	@bash scripts/ensure-poppler.sh

pango: ## Make sure Pango and a font are there for the concept report's PDF (installs Debian's packages as root)
	@bash scripts/ensure-pango.sh

# Debian's own kubectl (kubernetes-client) is 1.20 with a kustomize too old for the manifests,
# and nothing else installs from the package registries: check and explain instead.
kubectl: ## Make sure kubectl with kustomize v5 is there for the Kubernetes tests
	@command -v kubectl >/dev/null || { \
		echo "make kubectl: kubectl not found. The tests render deploy/kubernetes with 'kubectl kustomize' and need kubectl 1.27 or newer (kustomize v5); install it from the Kubernetes project's packages and run again." >&2; exit 1; }
	@kubectl version --client 2>/dev/null | grep -Eq '^Kustomize Version: v([5-9]|[1-9][0-9])\.' || { \
		echo "make kubectl: $$(command -v kubectl) has no kustomize v5 ($$(kubectl version --client 2>&1 | tr '\n' ' ')); the tests need kubectl 1.27 or newer." >&2; exit 1; }
	@echo "kubectl: $$(command -v kubectl), $$(kubectl version --client 2>/dev/null | grep Kustomize)"

up: install rabbitmq pango ## Run everything locally (MongoDB-protocol server, mail catcher, services, portal)
	$(VENV)/bin/python -m scripts.run $(RUN_ARGS)

test: install rabbitmq browser axe poppler pango kubectl ## Run the test suite (PYTEST_ARGS='-k foo -x' to pass options)
	@echo "$(VENV)/bin/python -m pytest $(PYTEST_ARGS)"
	@status=0; $(VENV)/bin/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ -n "$(PYTEST_STATUS_FILE)" ]; then echo "$$status" > "$(PYTEST_STATUS_FILE)"; fi; \
	exit $$status

lint: install ## ruff check, ruff format --check, mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(MYPY_TARGETS)

schemas: install ## Regenerate the JSON Schemas of the event contracts
	$(VENV)/bin/python -m tools.export_schemas

clean: ## Delete the data of dev runs under var/ (keeps var/tools)
	@if [ -d var ]; then find var -mindepth 1 -maxdepth 1 ! -name tools -exec rm -rf {} +; fi
	@echo "removed var/* except var/tools"
