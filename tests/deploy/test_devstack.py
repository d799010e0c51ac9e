"""`make run` as a developer uses it: start the dev stack, use every part, Ctrl-C, nothing left behind.

The stack runs on free ports (its --*-port options) and a var/ folder of the test's own,
so these tests run beside a developer's own `make run` without touching it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import httpx
import psutil
import pytest

from shared.demo import ADMIN_EMAIL, DEMO_PASSWORD
from tests import stack

DEVSTACK = stack.REPO_ROOT / "deploy" / "local" / "devstack.py"
READY_LINE = "clinicpay is running"
STOPPED_LINE = "everything is stopped"


class DevStackRun:
    def __init__(self, var_dir: Path, log_path: Path, *, embedded: bool) -> None:
        self.ports = {name: stack.free_port() for name in ("api", "webhooks", "flower", "stripe", "smtp")}
        self.var_dir = var_dir
        self.log_path = log_path
        env = stack.child_env()
        env.pop("CLINICPAY_LOG_FORMAT", None)
        if embedded:
            env.pop("DATABASE_URL", None)
            env.pop("REDIS_URL", None)
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.log_start = 0

    def url(self, name: str, path: str = "") -> str:
        return f"http://127.0.0.1:{self.ports[name]}{path}"

    def start(self) -> None:
        cmd = [
            sys.executable,
            str(DEVSTACK),
            "--var-dir",
            str(self.var_dir),
            *(arg for name, port in self.ports.items() for arg in (f"--{name}-port", str(port))),
        ]
        # Appended, like every process log in test-artifacts/, so earlier runs' lines stay for reading.
        self.log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")  # noqa: SIM115
        # Its own session, like a terminal's foreground job: Ctrl-C is a SIGINT to this group.
        self.proc = subprocess.Popen(
            cmd, env=self.env, cwd=stack.REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self) -> str:
        """What this run printed (the log file may hold earlier runs before it)."""
        with self.log_path.open("rb") as fh:
            fh.seek(self.log_start)
            return fh.read().decode(errors="replace")

    def wait_for(self, text: str, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            if self.proc.poll() is not None:
                pytest.fail(f"the dev stack exited ({self.proc.returncode}) before {text!r}:\n{self.output()[-4000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {text!r} after {timeout}s:\n{self.output()[-4000:]}")
            time.sleep(0.25)

    def process_tree(self) -> list[psutil.Process]:
        return psutil.Process(self.proc.pid).children(recursive=True)

    def ctrl_c(self) -> int:
        os.killpg(self.proc.pid, signal.SIGINT)
        return self.proc.wait(timeout=60)

    def kill_everything(self) -> None:
        """Only if a test failed midway: leave the machine as it was."""
        if self.proc is None or self.proc.poll() is not None:
            return
        for child in self.process_tree():
            child.kill()
        self.proc.kill()
        self.proc.wait(timeout=10)


def gone(pids: list[int]) -> list[int]:
    """The pids still running (zombies count as gone: they hold no port and do no work)."""
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            pass
    return alive


def embedded_server_pids(output: str) -> dict[str, int]:
    line = next(line for line in output.splitlines() if "| pids " in line)
    pairs = dict(item.split("=") for item in line.split("| pids ", 1)[1].split())
    return {name: int(pairs[name]) for name in ("postgres", "redis") if name in pairs}


@pytest.fixture
def devstack_run(tmp_path, artifacts_dir, request):
    runs: list[DevStackRun] = []

    def make(*, embedded: bool) -> DevStackRun:
        log = artifacts_dir / f"devstack-{request.node.name}-{len(runs) + 1}.log"
        run = DevStackRun(tmp_path / "var", log, embedded=embedded)
        runs.append(run)
        return run

    yield make
    for run in runs:
        run.kill_everything()


def test_every_part_comes_up_and_ctrl_c_stops_them_all(devstack_run):
    run = devstack_run(embedded=False)
    run.start()
    run.wait_for(READY_LINE)

    assert httpx.get(run.url("api", "/readyz")).status_code == 200
    assert httpx.get(run.url("api", "/docs")).status_code == 200
    assert httpx.get(run.url("webhooks", "/healthz")).status_code == 200
    assert httpx.get(run.url("flower", "/healthcheck")).text == "OK"
    assert httpx.get(run.url("stripe", "/js.stripe.com/v3/")).status_code == 200
    assert httpx.get(run.url("api", "/dev/mailbox/messages")).json() == []
    from shared.tasks.celery_app import celery_app

    worker = f"worker-{run.ports['api']}@{socket.gethostname()}"
    assert celery_app.control.ping(destination=[worker], timeout=5.0) == [{worker: {"ok": "pong"}}]
    # The demo practice is there and its admin can log in with the printed password.
    token = httpx.post(run.url("api", "/v1/auth/token"), data={"username": ADMIN_EMAIL, "password": DEMO_PASSWORD})
    assert token.status_code == 200, token.text
    output = run.output()
    for line in (
        run.url("api", "/docs"),
        run.url("flower"),
        ADMIN_EMAIL,
        f"http://127.0.0.1:{run.ports['webhooks']}/v1/stripe/webhooks/",
        run.url("api", "/dev/mailbox/"),
    ):
        assert line in output
    # Its output went to a file, not a terminal: the banner points at the README instead of the password.
    assert DEMO_PASSWORD not in output
    assert "password for all: see README" in output
    stack_env = (run.var_dir / "stack.env").read_text()
    assert f"CLINICPAY_STRIPE_API_BASE=http://127.0.0.1:{run.ports['stripe']}" in stack_env
    assert f"DATABASE_URL={os.environ['DATABASE_URL']}" in stack_env
    assert f"CLINICPAY_SMTP_URL=smtp://127.0.0.1:{run.ports['smtp']}" in stack_env

    started = [p.pid for p in run.process_tree()]
    assert len(started) >= 7  # localstripe, smtp, api, webhooks, worker (+ its pool), beat, flower
    assert run.ctrl_c() == 0
    assert STOPPED_LINE in run.output()
    assert gone(started) == []
    assert [port for port in run.ports.values() if _listening(port)] == []


def test_embedded_stack_stops_loudly_when_a_process_dies_and_leaves_no_server_behind(devstack_run):
    run = devstack_run(embedded=True)
    run.start()
    run.wait_for(READY_LINE)
    output = run.output()
    assert f"embedded, data in {run.var_dir / 'pg'}" in output
    servers = embedded_server_pids(output)
    assert set(servers) == {"postgres", "redis"}
    started = [p.pid for p in run.process_tree()]

    api = next(p for p in psutil.Process(run.proc.pid).children() if "services.api.app:app" in " ".join(p.cmdline()))
    api.kill()
    assert run.proc.wait(timeout=60) == 1
    assert "STOPPING THE STACK: api exited" in run.output()
    assert STOPPED_LINE in run.output()
    assert gone(started + list(servers.values())) == []

    # A second start reuses var/: same database, the demo is not created twice.
    again = devstack_run(embedded=True)
    again.start()
    again.wait_for(READY_LINE)
    # The database remembers everything; the stand-in forgot the webhook endpoint, so only that is made again.
    assert "created: stripe webhook endpoint" in again.output()
    assert again.ctrl_c() == 0
    assert gone(list(embedded_server_pids(again.output()).values())) == []


def test_a_taken_port_is_named_before_anything_starts(devstack_run):
    run = devstack_run(embedded=False)
    with closing(socket.socket()) as holder:
        holder.bind(("127.0.0.1", run.ports["flower"]))
        holder.listen()
        run.start()
        assert run.proc.wait(timeout=60) == 2
    assert f"port {run.ports['flower']} (Flower) is already in use" in run.output()
    assert "PostgreSQL" not in run.output()  # nothing was started


def _listening(port: int) -> bool:
    with closing(socket.socket()) as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0
