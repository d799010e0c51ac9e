"""`python -m bench.ab --base DIR`: this checkout's API against another checkout's, request by request.

What a change costs in CPU per request, to within a few per cent, on a machine whose speed moves by
tens of per cent from one minute to the next. `make bench` measures one tree at a time, and the same
tree's figures differ by 30-80 % between runs on shared cores; that hides a 10 % regression.

Here both trees' APIs run side by side (one uvicorn worker each), each on a database of its own that
its own code migrated and its own `bench/seed.py` filled with the same practice. The requests go
strictly in turn, one to each tree's API (which goes first alternates), so whatever else the machine is
doing falls on both alike. Each figure is a server process's own CPU (utime + stime, /proc) over
`--requests` requests, and the answer is the ratio `this / base` for each read the benchmarks time
(bench/scenarios/reads.py), one line per round.

DIR is any checkout with a `.venv` (a `git worktree add --detach DIR <commit>` with this checkout's
venv linked into it will do). Uses `DATABASE_URL`/`REDIS_URL` like the benchmarks (else the embedded
servers); databases `clinicpay_ab_this` and `clinicpay_ab_base`, Redis db 13. Writes
test-artifacts/bench-ab/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg

from tests import stack as test_stack

REPO = test_stack.REPO_ROOT
OUT = REPO / "test-artifacts" / "bench-ab"
REDIS_DB = 13
TICK = os.sysconf("SC_CLK_TCK")
WARMUP = 30
# (name, path, who): the reads of bench/scenarios/reads.py, at the same page size.
READS = [
    ("Invoiced tab", "/v1/invoices?limit=50", "biller"),
    ("Invoiced, status=open", "/v1/invoices?status=open&limit=50", "biller"),
    ("Invoiced, one client", "/v1/invoices?client_id={client_id}&limit=50", "biller"),
    ("Invoices tab (queue)", "/v1/invoicing/queue?limit=50", "biller"),
    ("Client portal list", "/v1/portal/invoices?limit=50", "client"),
    ("A/R aging", "/v1/reports/aging", "biller"),
    ("Collections per month", "/v1/reports/collections", "biller"),
]

# Run by each tree's own Python, so each seeds through its own code (the base may predate bench/ab.py).
SEED = """
import json, sys
import psycopg
from shared.db.migrate import upgrade_to_head
from bench import seed
upgrade_to_head()
with psycopg.connect(sys.argv[1]) as conn:
    g = seed.practice(conn, "A/B practice")
    invoiced = seed.billing_rate(conn, g, "Individual session (Self-Pay)")
    insurance = seed.billing_rate(conn, g, "Individual session", invoiced=False)
    seed.at_scale(conn, g, clients=2000, invoices=20000, services=40000, queued_services=5000,
                  rate_invoiced=invoiced, rate_insurance=insurance)
    seed.portal_logins_for_every_client(conn, g)
    client_id = conn.execute(
        "SELECT client_id FROM invoices WHERE group_id = %s ORDER BY sequence DESC LIMIT 1", (g,)
    ).fetchone()[0]
    logins = {"biller": seed.login(conn, g, "biller"), "client": seed.login(conn, g, "client", client_id=client_id)}
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute("VACUUM ANALYZE")
print(json.dumps({"client_id": str(client_id), **logins}))
"""


def _python(tree: Path) -> str:
    venv = tree / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


class Api:
    """One tree's API on its own seeded database."""

    def __init__(self, name: str, tree: Path, admin_db: str, redis: str) -> None:
        self.name, self.tree = name, tree
        self.db = test_stack.with_database(admin_db, f"clinicpay_ab_{name}")
        with psycopg.connect(admin_db, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS clinicpay_ab_{name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE clinicpay_ab_{name}")
        self.env = {**os.environ, "PYTHONPATH": str(tree), "DATABASE_URL": self.db, "REDIS_URL": redis}
        self.env["CLINICPAY_LOG_LEVEL"] = "WARNING"
        seeded = subprocess.run(
            [_python(tree), "-c", SEED, self.db], cwd=tree, env=self.env, capture_output=True, text=True, check=True
        )
        self.facts = json.loads(seeded.stdout.strip().splitlines()[-1])
        self.port = test_stack.free_port()
        cmd = [_python(tree), "-m", "uvicorn", "services.api.app:create_app", "--factory", "--port", str(self.port)]
        self.proc = subprocess.Popen(
            [*cmd, "--log-level", "warning", "--no-access-log"], cwd=tree, env=self.env, stdout=subprocess.DEVNULL
        )
        test_stack.wait_for_http(f"http://127.0.0.1:{self.port}/healthz", timeout=60, proc=self.proc)
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30)

    def request(self, path: str, who: str) -> tuple[str, dict[str, str]]:
        return path.format(**self.facts), {"Authorization": f"Bearer {self.facts[who]}"}

    def stop(self) -> None:
        self.http.close()
        self.proc.terminate()
        self.proc.wait(timeout=20)


def _round(apis: list[Api], requests: int) -> dict[str, float]:
    """`this / base` CPU per request for each read, the two asked in strict turn."""
    ratios = {}
    for name, path, who in READS:
        asked = [api.request(path, who) for api in apis]
        for _ in range(WARMUP):
            for api, (url, headers) in zip(apis, asked, strict=True):
                answer = api.http.get(url, headers=headers)
                assert answer.status_code == 200, (api.name, name, answer.status_code, answer.text[:200])
        before = [_cpu_seconds(api.proc.pid) for api in apis]
        pairs = list(zip(apis, asked, strict=True))
        for i in range(requests):
            for api, (url, headers) in pairs if i % 2 == 0 else pairs[::-1]:  # neither always goes first
                api.http.get(url, headers=headers)
        this, base = ((_cpu_seconds(api.proc.pid) - b) / requests * 1000 for api, b in zip(apis, before, strict=True))
        ratios[name] = round(this / base, 3)
        print(f"  {name}: {this:.2f} ms vs {base:.2f} ms of CPU per request = {this / base:.2f}", flush=True)
    return ratios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="the other checkout (its own .venv, or this Python)")
    parser.add_argument("--requests", type=int, default=500, help="requests to each API per read and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    admin_db = os.environ.get("DATABASE_URL") or test_stack.embedded_postgres_url()
    redis = test_stack.with_redis_db(os.environ.get("REDIS_URL") or test_stack.embedded_redis_url(), REDIS_DB)
    began = time.perf_counter()
    apis: list[Api] = []
    try:
        apis = [Api("this", REPO, admin_db, redis), Api("base", args.base.resolve(), admin_db, redis)]
        rounds = []
        for n in range(1, args.rounds + 1):
            print(f"round {n} (this / base):", flush=True)
            rounds.append(_round(apis, args.requests))
    finally:
        for api in apis:
            api.stop()
    OUT.mkdir(parents=True, exist_ok=True)
    result = {
        "base": str(args.base),
        "requests": args.requests,
        "rounds": rounds,
        "seconds": time.perf_counter() - began,
    }
    (OUT / "results.json").write_text(json.dumps(result, indent=2))
    print(f"wrote {OUT / 'results.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
