# Two commands on a fresh machine: `make run` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run serve test test-python test-dredd serve-check install clean

install: $(PY_STAMP) $(NODE_STAMP)

$(PY_STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: $(PY_STAMP)
	bin/run

serve: $(PY_STAMP)
	bin/serve

test: $(PY_STAMP) $(NODE_STAMP)
	bin/test

test-python: $(PY_STAMP)
	bin/ensure-services && bin/with-test-env $(PY) -m pytest

test-dredd: $(PY_STAMP) $(NODE_STAMP)
	bin/ensure-services && bin/with-test-env bin/dredd

clean:
	rm -rf $(VENV) node_modules var
