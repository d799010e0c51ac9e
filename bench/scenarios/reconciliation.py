"""Reconciliation: N PaymentIntents in localstripe, of which K missed their webhook.

Setup, once: a practice connected to an in-memory localstripe; N open invoices, each
with a card payment whose PaymentIntent is created and confirmed (4242) in localstripe
with our metadata, as the portal would. N − K payments are then marked succeeded (their
webhook came); K stay `processing` (it never came). Each run resets those K (and deletes
earlier reconciliations, so every run reads the same window, like a first one), then the
biller's `POST /v1/reconciliations` and polling the job every 50 ms until it finishes:
the time to find and apply all K.

Baseline, in the same run: listing the N PaymentIntents from localstripe with the SDK
(100 a page) — the stand-in slows as its store grows, and that listing is the floor of
any catch-up that reads them.
"""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import stripe

from bench import seed
from bench.scenarios.common import JOB_POLL_SECONDS, Context, Figure, ScenarioResult, finished_job, in_turns, median_of

CREATE_THREADS = 4
AMOUNT = 7_500


def _client(ctx: Context, secret_key: str) -> stripe.StripeClient:
    return stripe.StripeClient(secret_key, base_addresses={"api": ctx.stack.url("localstripe")}, max_network_retries=0)


def _setup(ctx: Context) -> dict:
    n, missed = ctx.sizes.recon_payment_intents, ctx.sizes.recon_missed
    secret_key = f"sk_test_bench{uuid.uuid4().hex[:16]}"
    with ctx.db() as conn:
        group_id = seed.practice(
            conn,
            "Reconciliation practice",
            webhook_secret="whsec_bench_unused",
            stripe_secret_key=secret_key,
            stripe_api_base=ctx.stack.url("localstripe"),
        )
        token = seed.login(conn, group_id, "biller")
        clients = seed.clients(conn, group_id, 50)
        rows = seed.open_invoices_with_card_payments(
            conn, group_id, clients, n, amount_cents=AMOUNT, status="processing", pi_prefix="pending-"
        )
    client = _client(ctx, secret_key)

    def create(row: tuple) -> str:
        invoice_id, payment_id, _ = row
        pi = client.v1.payment_intents.create(
            params={
                "amount": AMOUNT,
                "currency": "usd",
                "payment_method": "pm_card_visa",
                # What the pinned API version takes (payment_method_types is refused since 2026-09-30).
                "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"},
                "confirm": True,
                "metadata": {"group_id": str(group_id), "invoice_id": str(invoice_id), "payment_id": str(payment_id)},
            }
        )
        return pi.id

    began = time.perf_counter()
    with ThreadPoolExecutor(CREATE_THREADS) as pool:
        pi_ids = list(pool.map(create, rows))
    created_s = time.perf_counter() - began
    arrived = rows[missed:]  # these got their webhook; the first `missed` did not
    with ctx.db() as conn, conn.cursor() as cur:
        cur.executemany(
            "UPDATE payments SET stripe_payment_intent_id = %s WHERE id = %s",
            [(pi, row[1]) for pi, row in zip(pi_ids, rows, strict=True)],
        )
        cur.executemany("UPDATE payments SET status = 'succeeded' WHERE id = %s", [(row[1],) for row in arrived])
        cur.executemany(
            "UPDATE invoices SET status = 'paid', paid_cents = total_cents, balance_cents = 0,"
            " ledger_version = 2 WHERE id = %s",
            [(row[0],) for row in arrived],
        )
    return {
        "group_id": str(group_id),
        "token": token,
        "secret_key": secret_key,
        "missed": [(row[0], row[1]) for row in rows[:missed]],
        "created_s": round(created_s, 1),
    }


def _reset(ctx: Context, setup: dict) -> None:
    with ctx.db() as conn:
        conn.execute("DELETE FROM reconciliations WHERE group_id = %s", (setup["group_id"],))
        with conn.cursor() as cur:
            cur.executemany(
                "UPDATE payments SET status = 'processing', overpayment_cents = 0 WHERE id = %s",
                [(p,) for _, p in setup["missed"]],
            )
            cur.executemany(
                "UPDATE invoices SET status = 'open', paid_cents = 0, balance_cents = total_cents WHERE id = %s",
                [(i,) for i, _ in setup["missed"]],
            )


def _measure(ctx: Context, setup: dict) -> dict:
    _reset(ctx, setup)
    with ctx.api(setup["token"]) as api:
        began = time.perf_counter()
        r = api.post("/v1/reconciliations")
        if r.status_code != 202:
            raise RuntimeError(f"reconciliation refused: {r.status_code} {r.text[:300]}")
        rec_id = r.json()["id"]
        body = finished_job(api, f"/v1/reconciliations/{rec_id}", timeout=900)
        wall = time.perf_counter() - began
    with ctx.db() as conn:
        paid = conn.execute(
            "SELECT count(*) FROM invoices WHERE id = ANY(%s) AND status = 'paid'", ([i for i, _ in setup["missed"]],)
        ).fetchone()[0]
        worker_s = conn.execute(
            "SELECT extract(epoch FROM finished_at - started_at) FROM reconciliations WHERE id = %s", (rec_id,)
        ).fetchone()[0]
    return {
        "wall_s": round(wall, 3),
        "status": body["status"],
        "fixed": len(body.get("fixed") or []),
        "unmatched": len(body.get("unmatched") or []),
        "errors": len(body.get("errors") or []),
        "missed_now_paid": paid,
        "worker_s": float(worker_s or 0),
    }


def _list_all(ctx: Context, setup: dict) -> dict:
    client = _client(ctx, setup["secret_key"])
    began = time.perf_counter()
    count = sum(1 for _ in client.v1.payment_intents.list(params={"limit": 100}).auto_paging_iter())
    return {"wall_s": round(time.perf_counter() - began, 3), "listed": count}


def run(ctx: Context) -> ScenarioResult:
    sizes, stack = ctx.sizes, ctx.stack
    # The practice names its own Stripe address (allowed outside production), so the API and the
    # worker need no restart to reach this localstripe.
    stack.start("localstripe", "api", "worker")
    setup = _setup(ctx)
    ctx.say(f"  reconciliation: {sizes.recon_payment_intents} PaymentIntents created in {setup['created_s']} s")
    real, base, cpu = [], [], []
    for i in range(sizes.runs):
        for which in in_turns(i, ("baseline", "real")):
            if which == "real":
                result, used = ctx.metered(_measure, ctx, setup)
                cpu.append(used)
                real.append(result)
                ctx.say(
                    f"  reconciliation run {i + 1}: {result['status']} in {result['wall_s']:.2f} s, fixed "
                    f"{result['fixed']} of {sizes.recon_missed}, now paid {result['missed_now_paid']}"
                )
            else:
                result = _list_all(ctx, setup)
                base.append(result)
                ctx.say(f"  listing {result['listed']} PaymentIntents: {result['wall_s']:.2f} s")
    stack.stop("localstripe")
    n, k = sizes.recon_payment_intents, sizes.recon_missed
    figures = [
        Figure.compare(
            f"find and apply {k} missed of {n:,} PaymentIntents",
            "s",
            "wall_s",
            real,
            base,
            f"listing the {n:,} PaymentIntents from localstripe",
            "",
            "one API call",
            lower_is_better=True,
            digits=2,
        )
    ]
    summary = [
        f"Every run fixed {min(r['fixed'] for r in real)}–{max(r['fixed'] for r in real)} payments of the "
        f"{k} missed; errors {max(r['errors'] for r in real)}; worker time (started→finished) "
        f"{median_of(real, 'worker_s')} s median.",
        f"Creating the {n:,} PaymentIntents in localstripe (setup, {CREATE_THREADS} threads) took "
        f"{setup['created_s']} s.",
    ]
    return ScenarioResult(
        key="reconciliation",
        title="Reconciliation",
        setup=(
            f"{n:,} PaymentIntents created and confirmed in an in-memory localstripe for one practice; "
            f"{k} of their payments left `processing` (webhook missed); {sizes.runs} runs of "
            f"`POST /v1/reconciliations`, polled every {JOB_POLL_SECONDS * 1000:.0f} ms."
        ),
        figures=figures,
        cpu={"run": cpu},
        details={"runs": real, "baseline_runs": base, "summary": summary},
    )
