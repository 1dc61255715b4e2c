# Two commands on a fresh machine: `make run` and `make test` (see README).
# requirements.txt is what the server needs at run time (run, serve); requirements-dev.txt adds the
# test, fuzz, contract and lint tools (test, test-python, test-dredd, lint). Each has its own stamp,
# so a virtualenv installed for `make run` gets the extras on the first `make test`.
# VENV=/some/dir puts the virtualenv elsewhere (the bin/ scripts read it from the environment).
SHELL := /bin/bash
# The newest CPython the machine offers (bin/find-python; README, "Python"). A virtualenv made with another
# version is made again.
PYTHON ?= $(shell bin/find-python)
PY_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
VENV ?= .venv
export VENV
PY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.python-$(PY_VERSION)
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
NODE_STAMP := node_modules/.installed

.PHONY: run serve test test-python test-dredd lint install install-dev clean

install: $(RUN_STAMP) $(NODE_STAMP)

install-dev: $(DEV_STAMP) $(NODE_STAMP)

$(VENV_STAMP):
	@if [ -e $(VENV) ] && [ ! -f $(VENV)/pyvenv.cfg ]; then echo "$(VENV) exists and is no virtualenv: not replacing it"; exit 1; fi
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	@touch $@

$(RUN_STAMP): requirements.txt $(VENV_STAMP)
	$(PIP) -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt $(VENV_STAMP)
	$(PIP) -r requirements-dev.txt
	@touch $(RUN_STAMP) $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: $(RUN_STAMP)
	bin/run

serve: $(RUN_STAMP)
	bin/serve

test: $(DEV_STAMP) $(NODE_STAMP)
	bin/test

test-python: $(DEV_STAMP)
	bin/ensure-services && bin/with-test-env $(PY) -m pytest -n "$${TEST_WORKERS:-2}" --dist loadfile

test-dredd: $(DEV_STAMP) $(NODE_STAMP)
	bin/ensure-services && bin/with-test-env bin/dredd

lint: $(DEV_STAMP)
	bin/lint

clean:
	rm -rf $(VENV) node_modules var
