"""Webhook ingest: signed ~3 KB `payment_intent.succeeded` events into the real receiver.

Closed loop at 32 connections (events/s, p50/p99 of the acknowledgement), then a steady
100 events/s (p99). Each run's baseline is the bare FastAPI endpoint (bench/baseline_app.py,
same uvicorn, same 2 workers) loaded the same way in the same run, alternating which goes first.

The receiver's whole service runs: uvicorn with 2 workers (verify, store with group commit,
answer) and the relay (claims stored rows and sends them to the broker). The Celery worker
is stopped meanwhile: on two cores it would take the CPU the receiver is being measured
on (in production it runs elsewhere); the broker db is emptied after. Every run posts
events never sent before, to a practice of its own: a duplicate costs less (nothing is
written), so resending would flatter the figure.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench import loadgen, seed, wrk
from bench.events import signed_bodies
from bench.scenarios.common import Context, Figure, ScenarioResult, closed_loop_summary, in_turns, median_of
from bench.stats import percentile
from tests.stripe_events import new_webhook_secret

CONNECTIONS = 32
# More distinct events than the fastest run could post (the receiver has done ~3k/s here).
DISTINCT_PER_SECOND = 3_500


def _posts(url: str, bodies: list[tuple[str, str]]) -> list[loadgen.Request]:
    """The signed bodies as bench/loadgen.py requests to the path of `url`."""
    path = "/" + url.split("/", 3)[3]
    return [
        loadgen.Request("POST", path, body.encode(), (("Content-Type", "application/json"), ("Stripe-Signature", sig)))
        for body, sig in bodies
    ]


def _closed(ctx: Context, url: str, bodies: list[tuple[str, str]], seconds: float) -> dict:
    if ctx.use_wrk:
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "post.lua"
            wrk.post_bodies_script(bodies, script)
            r = wrk.run(url, connections=CONNECTIONS, seconds=seconds, script=script)
        return {**closed_loop_summary(r), "socket_errors": r.socket_errors}
    requests = _posts(url, bodies)
    out = loadgen.run(
        loadgen.closed_loop(url, lambda i: requests[i % len(requests)], connections=CONNECTIONS, seconds=seconds)
    )
    return {**closed_loop_summary(out), "socket_errors": sum(out.errors.values())}


def _steady(url: str, bodies: list[tuple[str, str]], rate: float) -> dict:
    requests = _posts(url, bodies)
    out = loadgen.run(loadgen.fixed_rate(url, lambda i: requests[i], rate=rate, count=len(requests)))
    return {
        "p50": percentile(out.latencies_ms, 50),
        "p99": percentile(out.latencies_ms, 99),
        "max": max(out.latencies_ms, default=None),
        "requests": out.count,
        "non2xx": out.count - out.ok,
        "max_send_lag_ms": round(out.max_send_lag_ms, 2),
    }


_PRACTICES: list[str] = []  # every practice this scenario stored events for


def _new_practice(ctx: Context, name: str) -> tuple[str, str]:
    secret = new_webhook_secret()
    with ctx.db() as conn:
        group_id = seed.practice(conn, name, webhook_secret=secret)
    _PRACTICES.append(str(group_id))
    return str(group_id), secret


def _stored(ctx: Context, group_id: str) -> int:
    with ctx.db() as conn:
        return conn.execute("SELECT count(*) FROM stripe_events WHERE group_id = %s", (group_id,)).fetchone()[0]


def _capacity(runs: list[dict]) -> str:
    per_event = median_of(runs, "cpu_ms_per_request", 4)
    pg = median_of(runs, "postgres_cpu_ms_per_request", 4) or 0.0
    if not per_event:
        return "—"
    return f"{2000 / (per_event + pg):,.0f}"


def run(ctx: Context) -> ScenarioResult:
    sizes, stack = ctx.sizes, ctx.stack
    stack.stop("worker")
    stack.start("receiver", "relay", "baseline")
    generator = "wrk (C, 2 threads)" if ctx.use_wrk else "bench/loadgen.py (Python asyncio)"
    closed = {"receiver": [], "baseline": []}
    cpu_closed = []
    distinct = int(DISTINCT_PER_SECOND * sizes.ingest_seconds)
    for i in range(sizes.runs):
        for target in in_turns(i, ("baseline", "receiver")):
            group_id, secret = _new_practice(ctx, f"Ingest {i} {target}")
            bodies = signed_bodies(distinct, secret)
            url = f"{stack.url(target)}/v1/stripe/webhooks/{group_id}"
            result, cpu = ctx.metered(_closed, ctx, url, bodies, sizes.ingest_seconds)
            # The receiver's service is the receiver and its relay; PostgreSQL's share is shown apart.
            own = cpu["cores_used"].get(target, 0.0) + (
                cpu["cores_used"].get("relay", 0.0) if target == "receiver" else 0
            )
            acked = max(result["requests"] - result["non2xx"], 1)
            result["cpu_ms_per_request"] = own * cpu["seconds"] * 1000 / acked
            result["postgres_cpu_ms_per_request"] = (
                cpu["cores_used"].get("postgres", 0.0) * cpu["seconds"] * 1000 / acked
            )
            if target == "receiver":
                cpu_closed.append(cpu)
                result["stored"] = _stored(ctx, group_id)
            closed[target].append(result)
            ctx.say(
                f"  ingest run {i + 1} {target}: {result['rate']:.0f}/s p50 {result['p50']:.1f} ms "
                f"p99 {result['p99']:.1f} ms"
            )
    steady = {"receiver": [], "baseline": [], "store": []}
    count = int(sizes.steady_rate * sizes.steady_seconds)
    with ctx.db() as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_store (id uuid PRIMARY KEY, body text NOT NULL)")
    for i in range(sizes.runs):
        for target in in_turns(i, ("baseline", "store", "receiver")):
            group_id, secret = _new_practice(ctx, f"Steady {i} {target}")
            if target == "store":
                url = f"{stack.url('baseline')}/store/{group_id}"
            else:
                url = f"{stack.url(target)}/v1/stripe/webhooks/{group_id}"
            result = _steady(url, signed_bodies(count, secret), sizes.steady_rate)
            steady[target].append(result)
            ctx.say(
                f"  steady {sizes.steady_rate:.0f}/s run {i + 1} {target}: p50 {result['p50']:.2f} ms "
                f"p99 {result['p99']:.2f} ms"
            )
    stack.stop("baseline")
    with ctx.db() as conn:
        conn.execute("DROP TABLE IF EXISTS bench_store")
        # Tens of thousands of stored events naming no payment: the next worker would work them off first
        # (oldest first), and the next scenario would measure that backlog instead of its own events.
        conn.execute("DELETE FROM stripe_events WHERE group_id = ANY(%s::uuid[])", (_PRACTICES,))
    stack.flush_broker()  # the relay's messages for the stopped worker: nobody will apply them
    stack.start("worker")

    rcv, base = closed["receiver"], closed["baseline"]
    figures = [
        Figure.compare(
            "events/s at 32 connections",
            "events/s",
            "rate",
            rcv,
            base,
            "bare FastAPI endpoint, same server and workers",
            ">= 2000",
            generator,
            digits=0,
        ),
        Figure.compare(
            "p50 acknowledgement at 32 connections",
            "ms",
            "p50",
            rcv,
            base,
            "bare FastAPI endpoint",
            "",
            generator,
            lower_is_better=True,
        ),
        Figure.compare(
            "p99 acknowledgement at 32 connections",
            "ms",
            "p99",
            rcv,
            base,
            "bare FastAPI endpoint",
            "< 50",
            generator,
            lower_is_better=True,
        ),
        # The steady rate's two figures differ only in the percentile and its goal.
        *(
            Figure.compare(
                f"{key} at a steady {sizes.steady_rate:.0f} events/s",
                "ms",
                key,
                steady["receiver"],
                steady["baseline"],
                "bare FastAPI endpoint at the same rate",
                goal,
                "bench/loadgen.py (Python asyncio, open loop)",
                lower_is_better=True,
                digits=2,
            )
            for key, goal in (("p99", "< 10"), ("p50", ""))
        ),
        Figure.compare(
            "CPU per acknowledged event (receiver + relay)",
            "ms",
            "cpu_ms_per_request",
            rcv,
            base,
            "bare endpoint's CPU per request",
            "",
            generator,
            lower_is_better=True,
            digits=3,
        ),
    ]
    store = steady["store"]
    summary = [
        f"At {sizes.steady_rate:.0f}/s, the bare endpoint that first stores the body (one asyncpg INSERT + COMMIT, "
        f"no batching) answered with p50 {median_of(store, 'p50', 2)} ms and p99 {median_of(store, 'p99', 2)} ms "
        f"(medians of {len(store)} runs): the floor for any endpoint that holds an event durably before "
        "answering, on this disk and under this load.",
        f"PostgreSQL's own CPU per stored event during the closed-loop runs: "
        f"{median_of(rcv, 'postgres_cpu_ms_per_request', 3)} ms (its backends serving our database).",
        f"Rows stored per closed-loop run: {', '.join(str(r.get('stored')) for r in rcv)}, for "
        f"{', '.join(str(r['requests'] - r['non2xx']) for r in rcv)} acknowledgements"
        + (
            " — every acknowledged event was new (no duplicate flattered the figure)."
            if all((r.get("stored") or 0) >= r["requests"] - r["non2xx"] for r in rcv)
            else " — some posts repeated earlier events (cheaper: nothing is written), so the rate is flattered."
        ),
        "Capacity implied by CPU alone (2 cores / CPU per event, receiver + relay + PostgreSQL): "
        f"{_capacity(rcv)} events/s — what the receiver would take with the machine to itself.",
    ]
    return ScenarioResult(
        key="ingest",
        title="Webhook ingest",
        setup=(
            f"{sizes.runs} runs of {sizes.ingest_seconds:.0f} s at {CONNECTIONS} connections, each posting up to "
            f"{distinct:,} distinct signed events (~2.9 KB) to a practice of its own; then {sizes.runs} runs of "
            f"{count:,} events at {sizes.steady_rate:.0f}/s. Receiver: uvicorn, 2 workers, plus the relay; "
            f"worker stopped."
        ),
        figures=figures,
        cpu={"receiver_closed_loop_runs": cpu_closed},
        details={"closed_loop": closed, "steady": steady, "summary": summary},
    )
