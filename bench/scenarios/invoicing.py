"""Invoicing run: N services for M clients invoiced in one run, PDFs included, worker concurrency 2.

Each run has a practice of its own (clients, an invoiced self-pay rate, the services).
The clock starts when the biller's `POST /v1/invoicing/runs` (all service ids) is sent and
stops when polling the run (every 50 ms) first answers `succeeded` — the wall time a
biller waits. The worker's own log line gives the split between building + rendering
and writing.

Baseline, in the same run and the same process as the benchmark: the same number of PDFs
rendered by the application's renderer called on its own (no database, no worker), and
the same rows (invoices, lines, PDFs) written with plain INSERTs into copies of the tables,
committed once — the floor of the work a run must do. For reference, the same text drawn
with bare reportlab's canvas is timed too (the renderer writes PDF objects itself and is
faster than that).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import time
import uuid
from datetime import date

from bench import seed
from bench.scenarios.common import JOB_POLL_SECONDS, Context, Figure, ScenarioResult, finished_job, in_turns, median_of
from shared.invoicing.pdf import InvoiceDocument, LineView, render_invoice_pdf


def _setup(ctx: Context, name: str) -> dict:
    sizes = ctx.sizes
    per_client = sizes.invoicing_services // sizes.invoicing_clients
    with ctx.db() as conn:
        group_id = seed.practice(conn, name)
        token = seed.login(conn, group_id, "biller")
        rate = seed.billing_rate(conn, group_id, "Individual session (Self-Pay)")
        seed.clients(conn, group_id, sizes.invoicing_clients)
        services = seed.services_to_invoice(conn, group_id, rate, per_client)
    return {"group_id": str(group_id), "token": token, "service_ids": [str(s) for s in services]}


def _warm_up(ctx: Context) -> None:
    """Two small runs at once, unmeasured, so each of the worker's two processes has rendered a PDF and
    written a run before the clock starts (the first pays for imports, font metrics, cold statements)."""
    tokens_and_ids = []
    for i in range(2):
        with ctx.db() as conn:
            group_id = seed.practice(conn, f"Invoicing warm-up {i}")
            token = seed.login(conn, group_id, "biller")
            rate = seed.billing_rate(conn, group_id, "Individual session (Self-Pay)")
            seed.clients(conn, group_id, 20)
            services = seed.services_to_invoice(conn, group_id, rate, 2)
        tokens_and_ids.append((token, [str(s) for s in services]))
    runs = []
    for token, ids in tokens_and_ids:
        with ctx.api(token) as api:
            r = api.post("/v1/invoicing/runs", json={"service_ids": ids, "invoiced_date": "2026-03-31"})
            runs.append((token, r.json()["id"]))
    for token, run_id in runs:
        with ctx.api(token) as api:
            finished_job(api, f"/v1/invoicing/runs/{run_id}", timeout=120)


def _worker_split(ctx: Context, run_id: str) -> dict:
    """The worker's `invoicing_run_issued` line for this run: build+render and write seconds."""
    log = ctx.stack.log_dir / "worker.log"
    for line in reversed(log.read_text(errors="replace").splitlines()):
        if run_id in line and '"invoicing_run_issued"' in line:
            data = json.loads(line)
            return {"build_and_render_s": data.get("build_and_render_seconds"), "write_s": data.get("write_seconds")}
    return {}


@dataclasses.dataclass(frozen=True)
class TimedRun:
    """One run as the biller waits for it; moments on time.perf_counter()."""

    run_id: str
    body: dict
    began: float  # the POST sent
    accepted: float  # its 202 received
    done: float  # polling first answered `succeeded`


def run_and_wait(ctx: Context, setup: dict) -> TimedRun:
    """`POST /v1/invoicing/runs` with the setup's services, polled until it finishes; raises if it failed."""
    with ctx.api(setup["token"]) as api:
        began = time.perf_counter()
        r = api.post("/v1/invoicing/runs", json={"service_ids": setup["service_ids"], "invoiced_date": "2026-03-31"})
        accepted = time.perf_counter()
        if r.status_code != 202:
            raise RuntimeError(f"run refused: {r.status_code} {r.text[:300]}")
        run_id = r.json()["id"]
        body = finished_job(api, f"/v1/invoicing/runs/{run_id}", timeout=600)
        done = time.perf_counter()
    if body["status"] != "succeeded":
        raise RuntimeError(f"run failed: {body['errors']}")
    return TimedRun(run_id, body, began, accepted, done)


def _measure(ctx: Context, setup: dict) -> dict:
    timed = run_and_wait(ctx, setup)
    run_id, body, began, accepted, done = timed.run_id, timed.body, timed.began, timed.accepted, timed.done
    invoices = len(body["invoice_ids"])
    with ctx.db() as conn:
        worker_s = conn.execute(
            "SELECT extract(epoch FROM finished_at - started_at) FROM invoicing_runs WHERE id = %s", (run_id,)
        ).fetchone()[0]
    wall = done - began
    split = _worker_split(ctx, run_id)
    render = split.get("build_and_render_s")
    return {
        "wall_s": round(wall, 3),
        "invoices": invoices,
        "invoices_per_s": invoices / wall,
        "accept_s": round(accepted - began, 3),
        "worker_s": float(worker_s),
        **split,
        "ms_per_pdf_in_worker": round(render * 1000 / invoices, 3) if render else None,
    }


# --- the baseline ---


def _documents(ctx: Context) -> list[InvoiceDocument]:
    sizes = ctx.sizes
    per_client = sizes.invoicing_services // sizes.invoicing_clients
    lines = [
        LineView(date(2026, 3, 1 + k), "Individual session (self-pay)", 12_000, (k % 3) * 1000, 12_000 - (k % 3) * 1000)
        for k in range(1, per_client + 1)
    ]
    total = sum(line.client_part_cents for line in lines)
    return [
        InvoiceDocument(
            practice_name="Invoicing practice",
            client_name=f"Client {n:06d}",
            number=f"INV-{n:06d}",
            invoiced_date=date(2026, 3, 31),
            currency="USD",
            total_cents=total,
            balance_cents=total,
            status="open",
            portal_url="http://127.0.0.1:8000/portal/",
            pay_online=False,
            lines=lines,
        )
        for n in range(1, sizes.invoicing_clients + 1)
    ]


def _bare_pdf(doc: InvoiceDocument) -> bytes:
    """The same words on a page with reportlab's canvas, and nothing else (no layout, no pagination)."""
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=(612.0, 792.0), invariant=1, pageCompression=1)
    c.setFont("Helvetica-Bold", 16)
    c.drawString(54, 738, doc.practice_name)
    c.setFont("Helvetica", 10)
    c.drawString(54, 706, doc.client_name)
    c.drawRightString(558, 706, doc.number)
    y = 670.0
    for line in doc.lines:
        c.drawString(54, y, line.service_date.isoformat())
        c.drawString(126, y, line.description)
        c.drawRightString(392, y, f"${line.amount_cents / 100:,.2f}")
        c.drawRightString(480, y, f"${line.insurance_paid_cents / 100:,.2f}")
        c.drawRightString(558, y, f"${line.client_part_cents / 100:,.2f}")
        y -= 16
    c.drawRightString(558, y - 16, f"${doc.total_cents / 100:,.2f}")
    c.showPage()
    c.save()
    return buffer.getvalue()


# Names the standard fonts cannot draw: each is shaped and drawn from embedded, subset TrueType fonts.
_OTHER_SCRIPTS = ("Łukasz Nguyễn 王秀英", "김민준", "سارة أحمد", "Dr. Sara כהן", "Людмила Соколова", "李小龍")


def _baseline(ctx: Context) -> dict:
    docs = _documents(ctx)
    render_invoice_pdf(docs[0])  # warm: imports and font metrics load on first use
    _bare_pdf(docs[0])
    began = time.perf_counter()
    rendered = [render_invoice_pdf(doc).content for doc in docs]
    app_s = time.perf_counter() - began
    # The same documents with a number in the name, so no two are shaped alike (no cache helps).
    scripts = [
        dataclasses.replace(doc, client_name=f"{_OTHER_SCRIPTS[n % len(_OTHER_SCRIPTS)]} {n}")
        for n, doc in enumerate(docs)
    ]
    render_invoice_pdf(scripts[0])  # warm: the fonts open on first use
    began = time.perf_counter()
    scripts_rendered = [render_invoice_pdf(doc).content for doc in scripts]
    scripts_s = time.perf_counter() - began
    began = time.perf_counter()
    for doc in docs:
        _bare_pdf(doc)
    bare_s = time.perf_counter() - began
    rows = _bare_inserts(ctx, docs, rendered)
    n = len(docs)
    return {
        "render_s": round(app_s, 3),
        "app_renderer_ms_per_pdf": round(app_s * 1000 / n, 3),
        "pdf_bytes": round(sum(map(len, rendered)) / n),
        "other_scripts_ms_per_pdf": round(scripts_s * 1000 / n, 3),
        "other_scripts_pdf_bytes": round(sum(map(len, scripts_rendered)) / n),
        "bare_reportlab_ms_per_pdf": round(bare_s * 1000 / n, 3),
        "insert_s": round(rows, 3),
        "invoices_per_s": n / (app_s + rows),
    }


def _bare_inserts(ctx: Context, docs: list[InvoiceDocument], pdfs: list[bytes]) -> float:
    """Invoices, lines and PDFs as plain INSERTs into copies of the tables (indexes, no triggers), one commit."""
    with ctx.db() as conn:
        for table in ("invoices", "invoice_lines", "invoice_pdfs"):
            conn.execute(f"DROP TABLE IF EXISTS bench_{table}")
            conn.execute(f"CREATE TABLE bench_{table} (LIKE {table} INCLUDING DEFAULTS INCLUDING INDEXES)")
        conn.commit()
        group, client = uuid.uuid4(), uuid.uuid4()
        began = time.perf_counter()
        with conn.cursor() as cur:
            invoice_ids = [uuid.uuid4() for _ in docs]
            cur.executemany(
                "INSERT INTO bench_invoices (id, group_id, client_id, sequence, number, invoiced_date, due_date,"
                " currency, total_cents, paid_cents, balance_cents, overpaid_cents, status, disputed, ledger_version)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, 'USD', %s, 0, %s, 0, 'open', false, 1)",
                [
                    (inv, group, client, n, d.number, d.invoiced_date, d.invoiced_date, d.total_cents, d.total_cents)
                    for n, (inv, d) in enumerate(zip(invoice_ids, docs, strict=True), start=1)
                ],
            )
            cur.executemany(
                "INSERT INTO bench_invoice_lines (id, invoice_id, position, service_date, description, amount_cents,"
                " insurance_paid_cents, client_part_cents) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    (
                        uuid.uuid4(),
                        inv,
                        pos,
                        line.service_date,
                        line.description,
                        line.amount_cents,
                        line.insurance_paid_cents,
                        line.client_part_cents,
                    )
                    for inv, d in zip(invoice_ids, docs, strict=True)
                    for pos, line in enumerate(d.lines, start=1)
                ],
            )
            cur.executemany(
                "INSERT INTO bench_invoice_pdfs (id, invoice_id, version, ledger_version, content, sha256)"
                " VALUES (%s, %s, 1, 1, %s, %s)",
                [
                    (uuid.uuid4(), inv, pdf, hashlib.sha256(pdf).hexdigest())
                    for inv, pdf in zip(invoice_ids, pdfs, strict=True)
                ],
            )
        conn.commit()
        elapsed = time.perf_counter() - began
        for table in ("invoices", "invoice_lines", "invoice_pdfs"):
            conn.execute(f"DROP TABLE bench_{table}")
    return elapsed


def run(ctx: Context) -> ScenarioResult:
    sizes, stack = ctx.sizes, ctx.stack
    stack.start("api", "worker")
    _warm_up(ctx)
    setups = [_setup(ctx, f"Invoicing {i}") for i in range(sizes.runs)]
    real, base, cpu = [], [], []
    for i, setup in enumerate(setups):
        for which in in_turns(i, ("baseline", "real")):
            if which == "real":
                result, used = ctx.metered(_measure, ctx, setup)
                cpu.append(used)
                real.append(result)
                ctx.say(
                    f"  invoicing run {i + 1}: {result['invoices']} invoices in {result['wall_s']:.2f} s "
                    f"({result['invoices_per_s']:.0f}/s; render {result.get('build_and_render_s')} s, "
                    f"write {result.get('write_s')} s)"
                )
            else:
                result = _baseline(ctx)
                base.append(result)
                ctx.say(
                    f"  invoicing baseline {i + 1}: {result['invoices_per_s']:.0f}/s (renderer "
                    f"{result['app_renderer_ms_per_pdf']} ms/PDF, bare reportlab "
                    f"{result['bare_reportlab_ms_per_pdf']} ms/PDF, inserts {result['insert_s']} s)"
                )
    clients = sizes.invoicing_clients
    base_label = "the app's renderer alone + plain INSERTs, same counts"
    figures = [
        Figure(
            f"wall time, {sizes.invoicing_services:,} services → {clients:,} invoices",
            "s",
            [r["wall_s"] for r in real],
            [clients / b["invoices_per_s"] for b in base],
            base_label,
            "",
            "one API call",
            lower_is_better=True,
            digits=2,
        ),
        Figure.compare(
            "invoices/s",
            "invoices/s",
            "invoices_per_s",
            real,
            base,
            base_label,
            ">= 300",
            "one API call",
            digits=0,
        ),
        Figure(
            "ms per PDF (build + render, in the worker)",
            "ms",
            [r["ms_per_pdf_in_worker"] for r in real],
            [b["app_renderer_ms_per_pdf"] for b in base],
            "the renderer alone, outside the app",
            "< 5",
            "—",
            lower_is_better=True,
            digits=2,
        ),
    ]
    summary = [
        f"For reference, the same text drawn with bare reportlab's canvas: "
        f"{median_of(base, 'bare_reportlab_ms_per_pdf')} ms per PDF (median); the application's renderer "
        f"alone: {median_of(base, 'app_renderer_ms_per_pdf')} ms ({median_of(base, 'pdf_bytes')} bytes a PDF); "
        f"with client names in other scripts (Polish, Vietnamese, Chinese, Korean, Arabic, Hebrew, Cyrillic: "
        f"glyphs shaped and subset fonts embedded) {median_of(base, 'other_scripts_ms_per_pdf')} ms "
        f"({median_of(base, 'other_scripts_pdf_bytes')} bytes).",
        f"Split of a run (medians): API accepting the selection {median_of(real, 'accept_s')} s; worker "
        f"start to finish {median_of(real, 'worker_s')} s, of which building + rendering "
        f"{median_of(real, 'build_and_render_s')} s and writing {median_of(real, 'write_s')} s.",
    ]
    return ScenarioResult(
        key="invoicing",
        title="Invoicing run",
        setup=(
            f"{sizes.runs} runs, each one `POST /v1/invoicing/runs` with {sizes.invoicing_services:,} services "
            f"({sizes.invoicing_services // clients} per client) of {clients:,} clients in a practice of its own; "
            f"worker concurrency 2 (one run is one task); the run polled every {JOB_POLL_SECONDS * 1000:.0f} ms."
        ),
        figures=figures,
        cpu={"run": cpu},
        details={"runs": real, "baseline_runs": base, "summary": summary},
    )
