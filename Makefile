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

# make run ARGS="--api-port 8100 --webhooks-port 8101"   (see deploy/local/devstack.py --help)
run: install
	$(PY) deploy/local/devstack.py $(ARGS)

# make test ARGS="tests/deploy -x"   (extra pytest arguments)
test: install chromium
	$(PY) -m pytest -m "not slow" $(ARGS)

# The browser tests' Chromium (Debian's package, installed when we are root; a loud warning otherwise).
chromium:
	@sh deploy/local/ensure_chromium.sh

test-faults: install
	$(PY) -m pytest -m slow $(ARGS)

# pip-audit over requirements.lock: fails on a known vulnerability with a fix (see .ci/audit.py).
audit: install
	$(PY) .ci/audit.py

# docs/RELIABILITY.md from what `make test-faults` and `make test` recorded in test-artifacts/reliability/.
reliability-report: install
	$(PY) -m tests.reliability_report

# Benchmarks (bench/; not tests): the real services under load, each figure beside a baseline taken in
# the same run. Sizes of the goals, 10-15 minutes; writes bench/RESULTS.md and bench/results.json.
# Installs wrk when it can (root + apt), else uses the Python load generator. ARGS="--only reads".
bench: install
	@sh bench/ensure_wrk.sh
	$(PY) -m bench $(ARGS)

# Small sizes, under 2 minutes, so the benchmarks cannot rot (CI runs it); results in
# test-artifacts/bench-quick/. Uses wrk only if it is already installed.
bench-quick: install
	$(PY) -m bench --quick $(ARGS)

clean:
	rm -rf $(VENV) var test-artifacts
