# personalized_path: `make workbench` to try the blocks, `make test` to run every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SETTINGS := personalized_path.workbench.settings
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := $(SETTINGS)

.PHONY: help venv workbench test test-fast test-teak test-lms bench-lms system-deps quality translations bench upgrade clean

help:
	@echo "make workbench     serve the demo course at http://127.0.0.1:$(PORT)"
	@echo "make test          install everything the tests need (Chromium included) and run all tests"
	@echo "make test-teak     the non-browser tests on Django 4.2 (Open edX Teak)"
	@echo "make test-lms LMS=<edx-platform checkout>   tests/lms in that real LMS (its virtualenv, its test settings)"
	@echo "make quality       pylint (edx-lint's config), pycodestyle and ESLint (static/js)"
	@echo "make translations  extract, merge and compile translations/"
	@echo "make bench         side-by-side benchmarks (see benchmarks/README.md)"
	@echo "make upgrade       re-pin requirements/*.txt (what the tests install) from requirements/*.in"

# What the tests install is pinned (requirements/*.txt, compiled by `make upgrade` from the *.in files
# for Python 3.11, which CI and Teak run), so a new release of a dependency cannot break a landing.
# Another Python (3.12 for Open edX master) installs from the unpinned *.in ranges instead.
PINNED := $(shell $(PYTHON) -c 'import sys; print(sys.version_info[:2] == (3, 11))' 2>/dev/null)
requirements_for = $(if $(filter True,$(PINNED)),requirements/$(1).txt,requirements/$(1).in)

$(BIN)/.installed: setup.py requirements/pip.txt requirements/test.txt requirements/test.in
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r $(call requirements_for,pip)
	$(BIN)/python -m pip install --quiet -e . -r $(call requirements_for,test)
	touch $@

venv: $(BIN)/.installed

workbench: venv
	mkdir -p var
	$(BIN)/python -m django migrate --run-syncdb -v0
# The small competency framework the tests use, so the editors offer its skills (README, taxonomies).
	$(BIN)/python -m django import_skill_framework tests/fixtures/fractions_framework.json --name "Fractions"
	@echo "Serving the demo course: http://127.0.0.1:$(PORT)/scenario/personalized_self_assessment.0/"
	$(BIN)/python -m django runserver 127.0.0.1:$(PORT)

# Debian packages the tests need: Chromium for the browser tests, gettext for the catalog checks,
# PostgreSQL for the database outage test (it starts a server of its own; Debian keeps initdb off PATH).
system-deps:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v xgettext >/dev/null 2>&1 || missing="$$missing gettext"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

test: venv system-deps
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-fast: venv
	$(BIN)/python -m pytest -q -m "not browser" $(PYTEST_ARGS)

# Open edX Teak runs Django 4.2: the same tests (browser ones aside) against it, in .venv-teak.
TEAK_VENV ?= .venv-teak
test-teak: system-deps
	test -x $(TEAK_VENV)/bin/python || $(PYTHON) -m venv $(TEAK_VENV)
	$(TEAK_VENV)/bin/python -m pip install --quiet -r $(call requirements_for,pip)
	$(TEAK_VENV)/bin/python -m pip install --quiet -e . -r $(if $(filter True,$(PINNED)),requirements/test-teak.txt,requirements/test.in -r requirements/teak.in)
	$(TEAK_VENV)/bin/python -m pytest -q -m "not browser" $(PYTEST_ARGS)

# tests/lms in a real Open edX LMS: the platform's pytest, settings and test harness, with this source
# tree first on the path (the plugin must also be pip-installed there, for its entry points). LMS is
# the edx-platform checkout; LMS_PYTHON its Python (a venv inside or beside the checkout, else
# `python`, as in a Tutor container); LMS_SETTINGS lms or cms; LMS_MONGOMOCK auto/1/0 (see
# tests/lms/lms_plugin.py); PYTEST_ARGS adds pytest options (-k, -x ...).
LMS ?=
LMS_DIR = $(abspath $(LMS))
LMS_PYTHON ?= $(firstword $(wildcard $(LMS_DIR)/venv/bin/python $(dir $(LMS_DIR))venv/bin/python) python)
LMS_SETTINGS ?= lms
LMS_RUN ?= tests/lms/
LMS_PYTEST_CONFIG = $(if $(filter cms,$(LMS_SETTINGS)),$(LMS_DIR)/cms/pytest.ini,$(LMS_DIR)/setup.cfg)
test-lms:
	@test -n "$(LMS)" -a -d "$(LMS_DIR)/lms" || { echo "usage: make test-lms LMS=<edx-platform checkout>"; exit 2; }
	mkdir -p "$(LMS_DIR)/test_root/log"
	cd "$(LMS_DIR)" && PYTHONPATH="$(CURDIR)$${PYTHONPATH:+:$$PYTHONPATH}" DJANGO_SETTINGS_MODULE=$(LMS_SETTINGS).envs.test \
	  PYTHONDONTWRITEBYTECODE=1 $(if $(findstring /,$(LMS_PYTHON)),$(abspath $(LMS_PYTHON)),$(LMS_PYTHON)) -m pytest \
	  -c "$(LMS_PYTEST_CONFIG)" --rootdir="$(LMS_DIR)" --ds=$(LMS_SETTINGS).envs.test -p tests.lms.lms_plugin \
	  -p no:randomly -p no:cacheprovider -p no:pytest_cov -W ignore::DeprecationWarning \
	  -W ignore::PendingDeprecationWarning --confcutdir="$(CURDIR)/$(dir $(LMS_RUN))" -s -v $(PYTEST_ARGS) "$(CURDIR)/$(LMS_RUN)"

# Views and handlers next to xblock-poll in that LMS, through the same harness (benchmarks/README.md).
bench-lms:
	@test -n "$(LMS)" || { echo "usage: make bench-lms LMS=<edx-platform checkout>"; exit 2; }
	$(MAKE) --no-print-directory test-lms LMS_RUN=benchmarks/lms/bench_views.py

# ESLint for static/js, at the versions package-lock.json pins (Node and npm come from the system).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

quality: venv node_modules/.installed
	$(BIN)/python -m pycodestyle personalized_path tests benchmarks scripts
	$(BIN)/python -m pylint --rcfile=pylintrc personalized_path
	node_modules/.bin/eslint static/js

translations: venv system-deps
	PATH=$(BIN):$$PATH $(BIN)/python scripts/translations.py

# xblock-poll is the baseline; it goes into a separate environment so the project never depends on it.
BENCH_VENV ?= .venv-bench
bench:
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r $(call requirements_for,pip)
	$(BENCH_VENV)/bin/python -m pip install --quiet -e . -r $(if $(filter True,$(PINNED)),requirements/bench.txt,requirements/test.in -r requirements/bench.in)
	$(BENCH_VENV)/bin/python benchmarks/run.py
	@for extra in benchmarks/bench_*.py; do [ -f "$$extra" ] && $(BENCH_VENV)/bin/python "$$extra"; done; true

clean:
	rm -rf $(VENV) $(BENCH_VENV) $(TEAK_VENV) var build dist *.egg-info test-artifacts node_modules

# Re-pin requirements/*.txt from the *.in files (with Python 3.11, as CI runs), then run the tests.
COMPILE = CUSTOM_COMPILE_COMMAND="make upgrade" $(BIN)/pip-compile --quiet --upgrade --no-emit-index-url \
	--no-emit-find-links --strip-extras
upgrade: venv
	$(BIN)/python -m pip install --quiet pip-tools
	$(COMPILE) --allow-unsafe requirements/pip.in -o requirements/pip.txt
	$(COMPILE) setup.py requirements/test.in -o requirements/test.txt
	$(COMPILE) setup.py requirements/test.in requirements/teak.in -o requirements/test-teak.txt
	$(COMPILE) setup.py requirements/test.in requirements/bench.in -o requirements/bench.txt
