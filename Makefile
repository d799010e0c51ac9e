# Everything a fresh machine with only Python 3.11+ needs: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test test-faults test-all bench bench-quick lint audit clean chromium

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) deploy/local/devstack.py

test: install chromium
	$(PY) -m pytest -m "not slow"

# The browser tests' Chromium (Debian's package, installed when we are root; a loud warning otherwise).
chromium:
	@sh deploy/local/ensure_chromium.sh

test-faults: install
	$(PY) -m pytest -m slow

audit: install
	$(PY) -m pip_audit --strict --requirement requirements.lock --disable-pip --progress-spinner off

clean:
	rm -rf $(VENV) var test-artifacts
