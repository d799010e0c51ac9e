"""Event to paid: at a steady rate, the time from the receiver's 200 to the invoice reading "paid" in the API.

The benchmark sets up open invoices whose card payments are `processing` (as the portal
leaves them after confirming), then sends, at a fixed rate, the `payment_intent.succeeded`
event of each, built and signed here — so no Stripe stand-in sits on the path. The whole
pipeline runs: receiver (store) → relay (NOTIFY, claim, send) → Redis → Celery worker
(claim the inbox row, apply the ledger change, commit) → API.

"Reading paid through the API": a poller asks the Invoiced tab for the newest paid invoices
(`GET /v1/invoices?status=paid&limit=100`; the invoices were created in the order their
events are sent) every 25 ms; an invoice counts as paid when the first answer listing it
arrives. So each figure includes up to one poll interval plus one poll's time. Polling
faster would take the CPU the pipeline is measured on (a page of 100 costs the API ~10 ms).

Baseline, in the same run and at the same rate: the same hops with none of our code
(bench/scenarios/bare_pipeline.py).
"""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
import orjson

from bench import loadgen, seed
from bench.events import sign, succeeded_body
from bench.scenarios import bare_pipeline
from bench.scenarios.common import Context, Figure, ScenarioResult, in_turns, median_of, poll
from bench.stats import percentile
from tests.stripe_events import new_webhook_secret

POLLERS = 1
POLL_INTERVAL = 0.025
POLL_LIMIT = 100
DRAIN_SECONDS = 90.0  # after the last send: a backlog must drain for the latencies to be complete
CLIENTS = 100
AMOUNT = 5_000


def _setup(ctx: Context, name: str, count: int) -> dict:
    secret = new_webhook_secret()
    with ctx.db() as conn:
        group_id = seed.practice(conn, name, webhook_secret=secret)
        token = seed.login(conn, group_id, "biller")
        clients = seed.clients(conn, group_id, CLIENTS)
        prefix = f"pi_bench{uuid.uuid4().hex[:8]}_"
        rows = seed.open_invoices_with_card_payments(
            conn, group_id, clients, count, amount_cents=AMOUNT, status="processing", pi_prefix=prefix
        )
    return {"group_id": str(group_id), "secret": secret, "token": token, "rows": rows}


def _request(setup: dict, index: int) -> loadgen.Request:
    invoice_id, payment_id, pi = setup["rows"][index]
    body = succeeded_body(
        amount=AMOUNT,
        pi_id=pi,
        metadata={"group_id": setup["group_id"], "payment_id": str(payment_id), "invoice_id": str(invoice_id)},
    )
    return loadgen.Request(
        "POST",
        f"/v1/stripe/webhooks/{setup['group_id']}",
        body.encode(),
        (("Content-Type", "application/json"), ("Stripe-Signature", sign(body, setup["secret"]))),
    )


async def _measure(ctx: Context, setup: dict, rate: float) -> dict:
    rows = setup["rows"]
    index_of = {str(invoice_id): i for i, (invoice_id, _, _) in enumerate(rows)}
    # Built (and signed) before the clock starts: the sender should only send.
    requests = [_request(setup, i) for i in range(len(rows))]
    acked: dict[int, float] = {}
    seen: dict[int, float] = {}
    sending_done = asyncio.Event()
    polls = 0

    def on_ack(index: int, _req: loadgen.Request, status: int, _body: bytes, at: float) -> None:
        if status == 200:
            acked[index] = at

    api = ctx.stack.url("api")
    host, port = api.rsplit(":", 1)[0].split("//")[1], int(api.rsplit(":", 1)[1])
    poll = loadgen.Request(
        "GET", f"/v1/invoices?status=paid&limit={POLL_LIMIT}", headers=(("Authorization", f"Bearer {setup['token']}"),)
    )

    all_paid = asyncio.Event()

    async def watch_database() -> None:
        """Once sending is over: stop the poller one poll after the database holds every acknowledged
        event's invoice paid (an invoice the poller missed would otherwise keep it waiting)."""
        await sending_done.wait()
        pool = await asyncpg.create_pool(ctx.stack.psycopg_url(), min_size=1, max_size=1)
        deadline = time.perf_counter() + DRAIN_SECONDS
        try:
            while time.perf_counter() < deadline and len(seen) < len(rows):
                paid = await pool.fetchval(
                    "SELECT count(*) FROM invoices WHERE group_id = $1 AND status = 'paid'",
                    uuid.UUID(setup["group_id"]),
                )
                if paid >= len(acked):
                    await asyncio.sleep(POLL_INTERVAL * 2 + 0.2)
                    break
                await asyncio.sleep(0.25)
        finally:
            all_paid.set()
            await pool.close()

    async def poller(offset: float) -> None:
        nonlocal polls
        await asyncio.sleep(offset)
        conn = loadgen.Connection(host, port)
        while len(seen) < len(rows) and not all_paid.is_set():
            try:
                if conn.writer is None:
                    await conn.open()
                status, body = await conn.send(poll)
            except (OSError, asyncio.IncompleteReadError):
                conn.close()
                await asyncio.sleep(POLL_INTERVAL)
                continue
            answered = time.perf_counter()
            polls += 1
            if status == 200:
                for invoice in orjson.loads(body)["data"]:
                    index = index_of.get(invoice["id"])
                    if index is not None and index not in seen:
                        seen[index] = answered
            await asyncio.sleep(POLL_INTERVAL)
        conn.close()

    async def send() -> loadgen.Outcome:
        try:
            return await loadgen.fixed_rate(
                ctx.stack.url("receiver"), lambda i: requests[i], rate=rate, count=len(rows), on_answer=on_ack
            )
        finally:
            sending_done.set()

    began = time.perf_counter()
    outcome, *_ = await asyncio.gather(
        send(), watch_database(), *(poller(i * POLL_INTERVAL / POLLERS) for i in range(POLLERS))
    )
    elapsed = time.perf_counter() - began
    latencies = [(seen[i] - acked[i]) * 1000 for i in acked if i in seen]
    return {
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": max(latencies, default=None),
        "sent": len(rows),
        "acked": len(acked),
        "seen_paid": len(seen),
        "missed": len(acked) - len(latencies),
        "ack_p99_ms": percentile(outcome.latencies_ms, 99),
        "polls_per_s": round(polls / elapsed, 1),
        "max_send_lag_ms": round(outcome.max_send_lag_ms, 2),
    }


def _warm_up(ctx: Context, events: int = 40) -> None:
    """A few events through the whole pipeline first, unmeasured: the first ones after a start pay for
    cold caches (SQLAlchemy's compiled statements, connections, prepared statements) in every process."""
    setup = _setup(ctx, "Event to paid, warm-up", events)
    requests = [_request(setup, i) for i in range(events)]
    loadgen.run(loadgen.fixed_rate(ctx.stack.url("receiver"), lambda i: requests[i], rate=40, count=events))
    poll(lambda: _paid_in_database(ctx, setup["group_id"]) >= events, timeout=120, interval=0.2)


def _paid_in_database(ctx: Context, group_id: str) -> int:
    with ctx.db() as conn:
        return conn.execute(
            "SELECT count(*) FROM invoices WHERE group_id = %s AND status = 'paid'", (group_id,)
        ).fetchone()[0]


def _stages(ctx: Context, group_id: str) -> dict:
    """Where an event spent its time, from the inbox's own timestamps (ms): stored → sent by the relay
    → applied by the worker; and how fast the worker applied them once they queued up."""
    with ctx.db() as conn:
        row = conn.execute(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM dispatched_at - received_at)),"
            "       percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM dispatched_at - received_at)),"
            "       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - dispatched_at)),"
            "       percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - dispatched_at)),"
            "       count(processed_at) / nullif(extract(epoch FROM max(processed_at) - min(received_at)), 0)"
            " FROM stripe_events WHERE group_id = %s",
            (group_id,),
        ).fetchone()
    ms = [None if v is None else round(float(v) * 1000, 1) for v in row[:4]]
    return {
        "relay_p50_ms": ms[0],
        "relay_p99_ms": ms[1],
        "worker_p50_ms": ms[2],
        "worker_p99_ms": ms[3],
        "applied_per_s": None if row[4] is None else round(float(row[4]), 1),
    }


def run(ctx: Context) -> ScenarioResult:
    sizes, stack = ctx.sizes, ctx.stack
    stack.start("api", "receiver", "relay", "worker")
    rate, count = sizes.e2p_rate, int(sizes.e2p_rate * sizes.e2p_seconds)
    _warm_up(ctx)
    setups = [_setup(ctx, f"Event to paid {i}", count) for i in range(sizes.runs)]
    real, bare, cpu = [], [], []
    for i, setup in enumerate(setups):
        for which in in_turns(i, ("bare", "real")):
            if which == "real":
                result, used = ctx.metered(loadgen.run, _measure(ctx, setup, rate))
                cpu.append(used)
                result["paid_in_database"] = _paid_in_database(ctx, setup["group_id"])
                result.update(_stages(ctx, setup["group_id"]))
                real.append(result)
            else:
                result = loadgen.run(bare_pipeline.measure(stack.psycopg_url(), stack.redis_url, rate, count))
                bare.append(result)
            ctx.say(
                f"  event→paid run {i + 1} {which}: p50 {result['p50'] or 0:.0f} ms p99 {result['p99'] or 0:.0f} ms "
                f"(seen {result.get('seen_paid', result.get('seen'))} of {count}"
                + (
                    f"; relay p50 {result['relay_p50_ms']} ms, worker p50 {result['worker_p50_ms']} ms, "
                    f"applied {result['applied_per_s']}/s)"
                    if which == "real"
                    else ")"
                )
            )
    with ctx.db() as conn:
        bare_pipeline.drop(conn)
    generator = f"bench/loadgen.py (Python asyncio, open loop, {rate:.0f}/s)"
    baseline = "bare pipeline: INSERT+COMMIT, LPUSH, BRPOP, UPDATE+COMMIT, SELECT poll"
    figures = [
        Figure.compare(
            f"event → paid {key} at {rate:.0f} events/s",
            "ms",
            key,
            real,
            bare,
            baseline,
            goal,
            generator,
            lower_is_better=True,
        )
        for key, goal in (("p50", "< 100"), ("p99", "< 500"))
    ]
    summary = [
        f"Stages (medians of the runs' p50 / p99, from the inbox's timestamps): stored → sent by the relay "
        f"{median_of(real, 'relay_p50_ms', 1)} / {median_of(real, 'relay_p99_ms', 1)} ms; sent → applied by the "
        f"worker (queue wait included) {median_of(real, 'worker_p50_ms', 1)} / {median_of(real, 'worker_p99_ms', 1)} ms.",
        f"The pipeline applied {median_of(real, 'applied_per_s', 1)} events/s over a run (median) against "
        f"{rate:.0f}/s arriving: "
        + (
            "it kept up."
            if (median_of(real, "applied_per_s", 1) or 0) >= rate * 0.95
            else "it fell behind, so the latency grew with every second of the run."
        ),
        f"Receiver acknowledgement p99 during the runs: {median_of(real, 'ack_p99_ms', 1)} ms; API polls answered: "
        f"{median_of(real, 'polls_per_s', 1)}/s; invoices seen paid by the poller: "
        f"{', '.join(str(r['seen_paid']) for r in real)} of {count} each (the rest were paid, per the database: "
        f"{', '.join(str(r['paid_in_database']) for r in real)}).",
    ]
    return ScenarioResult(
        key="event_to_paid",
        title="Event to paid",
        setup=(
            f"{sizes.runs} runs, each {count:,} `payment_intent.succeeded` events at {rate:.0f}/s for payments "
            f"set up in a practice of its own ({CLIENTS} clients, one open invoice per event with a "
            f"`processing` card payment). Pipeline: receiver (2 workers) → relay → Redis → worker "
            f"(concurrency 2) → API (2 workers), polled by {POLLERS} Invoiced-tab poller(s) every "
            f"{POLL_INTERVAL * 1000:.0f} ms."
        ),
        figures=figures,
        cpu={"pipeline_runs": cpu},
        details={"runs": real, "baseline_runs": bare, "summary": summary},
    )
