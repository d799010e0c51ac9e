"""wrk, the closed-loop load generator in C, when it is installed (`make bench` installs Debian's).

Each run's Lua script ends with a `done` hook that prints one JSON line (requests,
errors, latency percentiles), which is all we read of wrk's output. The POST script
posts a list of signed bodies round robin; tests/webhooks/bench_receiver.py uses it too.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"bench_wrk": 1, "requests": %d, "duration_us": %d, "non2xx": %d, "connect": %d, "read": %d, '
    .. '"write": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def _quote(text: str) -> str:
    return "[==[" + text + "]==]"


def post_bodies_script(bodies: list[tuple[str, str]], path: Path) -> None:
    """A script posting (body, Stripe-Signature) pairs round robin, each wrk thread from its own offset.

    The bodies go in a data file beside the script, read when each thread starts: as Lua
    constants, tens of thousands of them would pass LuaJIT's limit per function."""
    data = path.with_suffix(".bodies")
    with data.open("w") as out:
        for body, signature in bodies:
            out.write(f"{signature}\t{body}\n")  # JSON bodies hold no raw tab or newline
    lines = [
        "local bodies = {}",
        f"for line in io.lines({_quote(str(data))}) do",
        '  local tab = line:find("\\t", 1, true)',
        "  bodies[#bodies + 1] = {line:sub(tab + 1), line:sub(1, tab - 1)}",
        "end",
        # Each wrk thread starts at its own offset, so the threads do not post the same events.
        "local counter = 0",
        "setup = function(thread) thread:set('offset', counter); counter = counter + 1 end",
        "local i = 0",
        "init = function(args) i = (offset or 0) * math.floor(#bodies / 2) end",
        "request = function()",
        "  i = (i % #bodies) + 1",
        "  local b = bodies[i]",
        '  return wrk.format("POST", nil, {["Content-Type"]="application/json", ["Stripe-Signature"]=b[2]}, b[1])',
        "end",
        DONE,
    ]
    path.write_text("\n".join(lines))


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    non2xx: int
    socket_errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @property
    def ok(self) -> int:
        return self.requests - self.non2xx

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


def parse(output: str) -> WrkResult:
    for line in output.splitlines():
        if line.startswith('{"bench_wrk"'):
            d = json.loads(line)
            return WrkResult(
                d["requests"],
                d["duration_us"] / 1e6,
                d["non2xx"],
                d["connect"] + d["read"] + d["write"] + d["timeout"],
                d["p50_us"] / 1000,
                d["p90_us"] / 1000,
                d["p99_us"] / 1000,
                d["max_us"] / 1000,
            )
    raise RuntimeError(f"wrk printed no summary:\n{output[-2000:]}")


def run(
    url: str,
    *,
    connections: int,
    seconds: float,
    threads: int = 2,
    script: Path | None = None,
    headers: dict[str, str] | None = None,
) -> WrkResult:
    """One wrk run; with no script, GETs `url` (with `headers`)."""
    with tempfile.TemporaryDirectory() as tmp:
        if script is None:
            script = Path(tmp) / "get.lua"
            script.write_text(DONE)
        cmd = [
            "wrk",
            f"-t{min(threads, connections)}",
            f"-c{connections}",
            f"-d{max(round(seconds), 1)}s",
            "--timeout",
            "5s",
            "-s",
            str(script),
        ]
        for name, value in (headers or {}).items():
            cmd += ["-H", f"{name}: {value}"]
        done = subprocess.run([*cmd, url], capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-1000:]}")
    return parse(done.stdout)
