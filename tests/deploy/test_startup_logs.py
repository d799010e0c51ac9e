"""Each process that talks to Stripe says once, at start, which Stripe API version it is written
against (the pinned SDK's), so an operator reading any service's log knows what the code expects."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import stripe

from tests import stack
from tests.conftest import ProcessHandle, poll_until


def _version_lines(output: str) -> list[dict]:
    lines = []
    for raw in output.splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if isinstance(line, dict) and line.get("event") == "stripe_api_version":
            lines.append(line)
    return lines


@pytest.mark.parametrize(("module", "service"), [("services.api.app", "api"), ("services.webhooks.app", "webhooks")])
def test_the_api_and_the_receiver_log_the_pinned_version_once_at_start(module, service):
    started = subprocess.run(
        [sys.executable, "-c", f"import {module}"],
        env=stack.child_env(),
        cwd=stack.REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 0, started.stderr
    [line] = _version_lines(started.stdout + started.stderr)
    assert line["service"] == service
    assert line["api_version"] == stripe.api_version == "2026-10-28.endive"
    assert line["stripe_sdk"] == stripe.VERSION


def test_the_worker_logs_the_pinned_version_once_when_ready():
    # A worker of its own on a queue nothing is sent to, so it takes no task from the suite's workers.
    handle = ProcessHandle(
        "worker-startup-log",
        stack.python_module_cmd(
            "celery", "-A", "services.worker.app", "worker", "--loglevel=INFO", "-Q", "startup-log-only", "-c", "1",
            "--without-heartbeat", "--without-gossip", "--without-mingle", "-n", "startup-log@%h",
        ),
        stack.child_env(),
    )  # fmt: skip
    start = handle.log_path.stat().st_size if handle.log_path.exists() else 0
    handle.start()
    try:

        def logged() -> list[dict]:
            with handle.log_path.open("rb") as fh:
                fh.seek(start)
                return _version_lines(fh.read().decode("utf-8", "replace"))

        [line] = poll_until(logged, timeout=60, message="the worker's stripe_api_version line")
    finally:
        handle.stop()
    assert line["service"] == "worker" and line["api_version"] == stripe.api_version
