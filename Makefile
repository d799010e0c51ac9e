# Everything a fresh machine with only Python 3.11+ needs: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test test-faults test-stripe-live test-all bench bench-quick lint audit reliability-report clean chromium fonts

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

# make run ARGS="--api-port 8100 --webhooks-port 8101"   (see deploy/local/devstack.py --help)
run: install fonts
	$(PY) deploy/local/devstack.py $(ARGS)

# make test ARGS="tests/deploy -x"   (extra pytest arguments)
test: install chromium fonts
	$(PY) -m pytest -m "not slow" $(ARGS)

# The browser tests' Chromium (Debian's package, installed when we are root; a loud warning otherwise).
chromium:
	@sh deploy/local/ensure_chromium.sh

# The TrueType fonts of invoice PDFs (Debian's fonts-dejavu-core, fonts-wqy-zenhei; see shared/invoicing/pdf_fonts.py),
# installed when we are root; a loud warning otherwise (only invoices needing them then fail, with a clear error).
fonts:
	@sh deploy/local/ensure_fonts.sh

test-faults: install fonts
	$(PY) -m pytest -m slow $(ARGS)

# The Stripe journeys against a real Stripe sandbox (tests/stripe/live.py): needs CLINICPAY_STRIPE_TEST_SECRET_KEY
# and CLINICPAY_STRIPE_TEST_PUBLISHABLE_KEY; without them it says so and exits 2.
test-stripe-live: install
	$(PY) -m tests.stripe.live $(ARGS)

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

# Static checks, in CI before the tests: ruff's lint rules and its formatter (pyproject.toml [tool.ruff]),
# mypy (pyproject.toml [tool.mypy]: strict where clinicpay talks to Stripe and moves money; a Stripe
# parameter that an SDK upgrade removes or renames fails here), and the import rules
# (pyproject.toml [tool.importlinter]: the layering docs/ARCHITECTURE.md draws).
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf $(VENV) var test-artifacts
