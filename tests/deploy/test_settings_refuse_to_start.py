"""Settings that cannot be right stop every process at start, with the reason: an environment that
is not exactly development, test or production (`prod` once booted as development, with the
placeholder key and stand-in Stripe allowed), and the placeholder secret key outside development."""

from __future__ import annotations

import subprocess

import pytest

from tests import stack

PROCESSES = {
    "api": ["uvicorn", "services.api.app:app", "--port", "0"],
    "webhooks": ["uvicorn", "services.webhooks.app:app", "--port", "0"],
    "relay": ["services.webhooks.relay"],
    "worker": ["celery", "-A", "services.worker.app", "worker", "--pool", "solo", "--loglevel", "WARNING"],
    "cli": ["shared.cli", "--help"],
}


def _start(process: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        stack.python_module_cmd(*PROCESSES[process]),
        env=stack.child_env(**env),
        cwd=stack.REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("process", PROCESSES)
@pytest.mark.parametrize("environment", ["prod", "Production", "staging", ""])
def test_an_environment_that_is_not_one_of_the_three_refuses_to_start(process, environment):
    done = _start(process, CLINICPAY_ENVIRONMENT=environment)
    assert done.returncode != 0, done.stdout[-2000:]
    assert "clinicpay refuses to start: CLINICPAY_ENVIRONMENT must be one of development, test, production" in (
        done.stderr
    ), done.stderr[-2000:]


@pytest.mark.parametrize("process", ["api", "worker", "cli"])
@pytest.mark.parametrize("environment", ["production", "test"])
def test_the_placeholder_secret_key_refuses_to_start_outside_development(process, environment):
    done = _start(process, CLINICPAY_ENVIRONMENT=environment, CLINICPAY_SECRET_KEYS="dev-only-change-me")
    assert done.returncode != 0
    assert "CLINICPAY_SECRET_KEYS must be set to real Fernet keys outside development" in done.stderr, done.stderr[
        -2000:
    ]


def test_development_starts_with_the_placeholder_key():
    done = _start("cli", CLINICPAY_ENVIRONMENT="development", CLINICPAY_SECRET_KEYS="dev-only-change-me")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "refuses to start" not in done.stderr
