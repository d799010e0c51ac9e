"""Load the webhook receiver with wrk: `python -m tests.webhooks.bench_receiver [--workers 2] [--relay]`.

Not a test (no assertions, not collected). Uses its own database (`clinicpay_bench_receiver`
on DATABASE_URL's server), a practice with a webhook secret, and N distinct signed
~3 KB `payment_intent.succeeded` events that wrk posts round-robin (after the first
pass they are duplicates, which still cost a round trip). Needs `wrk` on PATH.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DB_NAME = "clinicpay_bench_receiver"


def _lua(bodies: list[tuple[str, str]], path: Path) -> None:
    def q(s: str) -> str:
        return "[==[" + s + "]==]"
    lines = ["local bodies = {"]
    lines += [f"  {{{q(body)}, {q(sig)}}}," for body, sig in bodies]
    # Each wrk thread starts at its own offset, so the threads do not post the same events.
    lines += ["}", "local counter = 0", "setup = function(thread) thread:set('offset', counter); counter = counter + 1 end",
              "local i = 0", "init = function(args) i = (offset or 0) * math.floor(#bodies / 2) end",
              "request = function()",
              "  i = (i % #bodies) + 1",
              "  local b = bodies[i]",
              '  return wrk.format("POST", nil, {["Content-Type"]="application/json", ["Stripe-Signature"]=b[2]}, b[1])',
              "end",
              "done = function(summary, latency, requests)",
              '  io.write(string.format("non2xx=%d p50_ms=%.1f p99_ms=%.1f\\n", summary.errors.status,'
              " latency:percentile(50)/1000, latency:percentile(99)/1000))",
              "end"]
    path.write_text("\n".join(lines))


def _cpu_seconds(root_pid: int) -> float:
    """User+system CPU of the receiver's processes (uvicorn's supervisor and its workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root_pid or ppid == root_pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--relay", action="store_true", help="run the relay too (needs REDIS_URL)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed", file=sys.stderr)
        return 2

    sys.path.insert(0, str(REPO))
    from tests import stack  # noqa: PLC0415

    base = os.environ.get("DATABASE_URL") or stack.embedded_postgres_url()
    stack.create_database(base, DB_NAME)
    os.environ["DATABASE_URL"] = stack.with_database(base, DB_NAME)
    os.environ.setdefault("CLINICPAY_SECRET_KEYS", "bench-secret-key-material")
    os.environ["CLINICPAY_LOG_LEVEL"] = "WARNING"

    from shared.config import clear_settings_cache  # noqa: PLC0415
    clear_settings_cache()
    from shared.db.migrate import upgrade_to_head  # noqa: PLC0415
    upgrade_to_head()
    from tests.stripe_events import encode, event, payment_intent, signature_header  # noqa: PLC0415
    from tests.webhooks.builders import make_practice  # noqa: PLC0415

    practice = make_practice()
    padding = {f"k{i}": "v" * 40 for i in range(45)}  # brings a body to ~3 KB, like a real event
    bodies = []
    for _ in range(args.events):
        body = encode(event("payment_intent.succeeded",
                            payment_intent(amount=5_000, status="succeeded", metadata=padding)))
        bodies.append((body, signature_header(body, practice.webhook_secret)))
    print(f"body size ~{len(bodies[0][0])} bytes, {len(bodies)} distinct events")

    port = stack.free_port()
    env = stack.child_env(CLINICPAY_LOG_FORMAT="json")
    procs = [subprocess.Popen([sys.executable, "-m", "uvicorn", "services.webhooks.app:app", "--host", "127.0.0.1",
                               "--port", str(port), "--workers", str(args.workers), "--no-access-log",
                               "--log-level", "warning"], env=env, cwd=REPO, start_new_session=True)]
    if args.relay:
        procs.append(subprocess.Popen([sys.executable, "-m", "services.webhooks.relay"], env=env, cwd=REPO,
                                      start_new_session=True))
    try:
        stack.wait_for_http(f"http://127.0.0.1:{port}/healthz")
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "post.lua"
            _lua(bodies, script)
            url = f"http://127.0.0.1:{port}/v1/stripe/webhooks/{practice.group_id}"
            subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "-s", str(script), url],
                           check=True)
        cpu = _cpu_seconds(procs[0].pid)
        import psycopg  # noqa: PLC0415
        with psycopg.connect(stack.with_database(base, DB_NAME).replace("postgresql+psycopg", "postgresql")) as c:
            stored, dispatched = c.execute(
                "SELECT count(*), count(dispatched_at) FROM stripe_events").fetchone()
        print(json.dumps({"stored": stored, "dispatched": dispatched, "workers": args.workers,
                          "relay": args.relay, "receiver_cpu_seconds": round(cpu, 2),
                          "receiver_cpu_ms_per_stored_event": round(cpu * 1000 / max(stored, 1), 3)}))
    finally:
        for proc in procs:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=15)
        time.sleep(0.2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
