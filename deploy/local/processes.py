"""The dev stack's children: each in its own process group, its output prefixed with its name.

Each child gets its own session so a terminal's Ctrl-C reaches only the dev stack,
which then stops the children in order; stopping a child signals its whole group
(Celery's pool processes, uvicorn's workers) and escalates to SIGKILL when it dawdles.
On Linux a child is also told to die with its parent, so even a SIGKILLed dev
stack leaves no orphaned server holding a port.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

_COLORS = ("36", "32", "35", "33", "34", "91", "96", "92")
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass  # not Linux: the dev stack's own shutdown still stops everything


class Output:
    """Serialises lines from many threads onto one stream, each tagged with its source."""

    def __init__(self, stream: TextIO, *, color: bool, width: int = 11) -> None:
        self.stream = stream
        self.color = color
        self.width = width
        self.lock = threading.Lock()
        self._colors: dict[str, str] = {}

    def line(self, name: str, text: str) -> None:
        tag = name.ljust(self.width)
        if self.color:
            code = self._colors.setdefault(name, _COLORS[len(self._colors) % len(_COLORS)])
            tag = f"\033[{code}m{tag}\033[0m"
        with self.lock:
            try:
                self.stream.write(f"{tag}| {text}\n")
                self.stream.flush()
            except (BrokenPipeError, ValueError):
                pass  # whoever read our output went away; keep supervising


class Child:
    def __init__(self, name: str, cmd: Sequence[str], *, env: dict[str, str], cwd: Path, output: Output) -> None:
        self.name = name
        self.cmd = list(cmd)
        self.env = env
        self.cwd = cwd
        self.output = output
        self.proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            self.cmd,
            env=self.env,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self._reader = threading.Thread(target=self._pump, name=f"out-{self.name}", daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for raw in iter(self.proc.stdout.readline, b""):
            self.output.line(self.name, raw.decode(errors="replace").rstrip("\r\n"))

    def exit_code(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def signal_group(self, sig: int) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def group_alive(self) -> bool:
        """Any process left in this child's group (the leader may be gone while its pool lingers)."""
        if self.proc is None:
            return False
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def wait_output(self, timeout: float = 2.0) -> None:
        if self._reader is not None:
            self._reader.join(timeout)


def run_once(name: str, cmd: Sequence[str], *, env: dict[str, str], cwd: Path, output: Output) -> int:
    """A one-shot step (migrate, seed) whose lines show up like everyone else's."""
    child = Child(name, cmd, env=env, cwd=cwd, output=output)
    child.start()
    assert child.proc is not None
    try:
        code = child.proc.wait()
    finally:
        if child.exit_code() is None:
            child.signal_group(signal.SIGTERM)
            child.proc.wait()
    child.wait_output()
    return code


def stop_all(children: list[Child], output: Output, *, grace: float = 10.0) -> list[str]:
    """SIGTERM every group (newest first), wait, then SIGKILL what is left. Returns the names that needed a kill."""
    for child in reversed(children):
        if child.group_alive():
            child.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(c.group_alive() for c in children):
        for c in children:
            if c.proc is not None:
                c.proc.poll()  # reap, so a finished leader stops counting as alive
        time.sleep(0.1)
    killed = []
    for child in children:
        if child.group_alive():
            output.line("devstack", f"{child.name} did not stop within {grace:.0f}s; killing it")
            child.signal_group(signal.SIGKILL)
            killed.append(child.name)
    for child in children:
        if child.proc is not None:
            try:
                child.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        child.wait_output(1.0)
    return killed


def python_cmd(*args: str) -> list[str]:
    return [sys.executable, *args]
