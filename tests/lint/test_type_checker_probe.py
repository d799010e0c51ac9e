"""`make lint`'s type checker catches a Stripe parameter the pinned SDK no longer has.

The probe creates a PaymentIntent as the gateway does (stripe.params.PaymentIntentCreateParams) with
`payment_method_types`, removed by Stripe in 2026-09-30.endive: mypy must name that key as an error.
The same file without that line must pass, so this test fails if mypy stops checking the params at
all (a missing stub, a TypedDict turned into dict[str, Any], mypy not installed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.stack import REPO_ROOT

PROBE = Path(__file__).parent / "probes" / "payment_intent_with_payment_method_types.py"
MARK = "# PROBE:"


def _mypy(cache: Path, *files: Path) -> subprocess.CompletedProcess[str]:
    # The project's own settings (pyproject.toml), strict, on these files only; a private cache so a
    # parallel `make lint` is not disturbed.
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(cache), "--no-error-summary", *map(str, files)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    work = tmp_path_factory.mktemp("mypy_probe")
    source = PROBE.read_text()
    assert source.count(MARK) == 1
    with_key = work / "with_payment_method_types.py"
    with_key.write_text(source)
    without_key = work / "without_payment_method_types.py"
    without_key.write_text("".join(line for line in source.splitlines(keepends=True) if MARK not in line))
    result = _mypy(work / "cache", with_key, without_key)
    assert "error: Cannot find implementation or library stub" not in result.stdout, result.stdout
    return result.stdout + result.stderr, with_key, without_key


def test_payment_method_types_on_a_payment_intent_fails_the_type_checker(checked):
    output, with_key, _ = checked
    errors = [line for line in output.splitlines() if line.startswith(str(with_key)) and ": error:" in line]
    assert len(errors) == 1, output
    [error] = errors
    # mypy names the key and the SDK's TypedDict (at the line where the dict starts).
    assert '"payment_method_types"' in error and "PaymentIntentCreateParams" in error, error


def test_the_same_payment_intent_without_it_passes(checked):
    output, _, without_key = checked
    assert str(without_key) not in output, output
