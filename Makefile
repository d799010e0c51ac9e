# Everything a fresh machine with only Python 3.11+ needs: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test test-faults test-all bench bench-quick lint audit reliability-report clean chromium

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

# pip-audit over requirements.lock: fails on a known vulnerability with a fix (see .ci/audit.py).
audit: install
	$(PY) .ci/audit.py

# docs/RELIABILITY.md from what `make test-faults` and `make test` recorded in test-artifacts/reliability/.
reliability-report: install
	$(PY) -m tests.reliability_report

clean:
	rm -rf $(VENV) var test-artifacts
