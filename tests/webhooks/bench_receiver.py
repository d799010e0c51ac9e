"""Load the webhook receiver with wrk: `python -m tests.webhooks.bench_receiver [--workers 2] [--relay]`.

Not a test (no assertions, not collected). Uses its own database (`clinicpay_bench_receiver`
on DATABASE_URL's server), a practice with a webhook secret, and N distinct signed
~3 KB `payment_intent.succeeded` events that wrk posts round-robin (after the first
pass they are duplicates, which still cost a round trip). Needs `wrk` on PATH.

The full benchmark suite (`make bench`, bench/) measures the receiver the same way, beside a
bare endpoint; this script is the quick knob-turning tool (workers, relay on or off). The wrk
script and the CPU count are bench's (bench/wrk.py, bench/procstat.py).
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
    from bench.procstat import cpu_seconds
    from bench.wrk import post_bodies_script
    from tests import stack

    base = os.environ.get("DATABASE_URL") or stack.embedded_postgres_url()
    stack.create_database(base, DB_NAME)
    os.environ["DATABASE_URL"] = stack.with_database(base, DB_NAME)
    os.environ.setdefault("CLINICPAY_SECRET_KEYS", "bench-secret-key-material")
    os.environ["CLINICPAY_LOG_LEVEL"] = "WARNING"

    from shared.config import clear_settings_cache

    clear_settings_cache()
    from shared.db.migrate import upgrade_to_head

    upgrade_to_head()
    from bench.events import signed_bodies
    from tests.factories import make_practice

    practice = make_practice(with_webhook_secret=True)
    bodies = signed_bodies(args.events, practice.webhook_secret)  # ~3 KB each, like a real event
    print(f"body size ~{len(bodies[0][0])} bytes, {len(bodies)} distinct events")

    port = stack.free_port()
    env = stack.child_env(CLINICPAY_LOG_FORMAT="json")
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "services.webhooks.app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(args.workers),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=REPO,
            start_new_session=True,
        )
    ]
    if args.relay:
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "services.webhooks.relay"], env=env, cwd=REPO, start_new_session=True
            )
        )
    try:
        stack.wait_for_http(f"http://127.0.0.1:{port}/healthz")
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "post.lua"
            post_bodies_script(bodies, script)
            url = f"http://127.0.0.1:{port}/v1/stripe/webhooks/{practice.group_id}"
            subprocess.run(
                ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "-s", str(script), url], check=True
            )
        cpu = cpu_seconds(procs[0].pid)
        import psycopg

        with psycopg.connect(stack.with_database(base, DB_NAME).replace("postgresql+psycopg", "postgresql")) as c:
            stored, dispatched = c.execute("SELECT count(*), count(dispatched_at) FROM stripe_events").fetchone()
        print(
            json.dumps(
                {
                    "stored": stored,
                    "dispatched": dispatched,
                    "workers": args.workers,
                    "relay": args.relay,
                    "receiver_cpu_seconds": round(cpu, 2),
                    "receiver_cpu_ms_per_stored_event": round(cpu * 1000 / max(stored, 1), 3),
                }
            )
        )
    finally:
        for proc in procs:
            os.killpg(proc.pid, 15)
            proc.wait(timeout=15)
        time.sleep(0.2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
