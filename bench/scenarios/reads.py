"""API reads at scale: the Invoiced tab, the queue, a client's portal list and the two A/R reports,
16 concurrent requests.

One practice years into using clinicpay, written with plain SQL (bench/seed.py `at_scale`):
100,000 invoices (60% paid, 20% partly paid, 18% open, 2% void; a payment for each paid and part
paid one) for 10,000 clients, and
500,000 services — 400,000 on invoices, 50,000 waiting in the queue, 50,000 on an
insurance rate that is never invoiced — then VACUUM ANALYZE, as autovacuum would have.
The whole table is this practice's: a group-scoped query that reads "all of the group's
rows" reads all of the table.

Each endpoint is loaded at 16 connections with the first page (limit 50) a biller (or the
client) would open; its baseline is the bare FastAPI app's sync `GET /ok` at the same
concurrency in the same run. Each endpoint's SQL is captured from the application's own
session (the same service functions the routes call) and run under EXPLAIN ANALYZE.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from bench import loadgen, seed, wrk
from bench.scenarios.common import Context, Figure, ScenarioResult, closed_loop_summary, in_turns
from bench.stats import percentile

CONNECTIONS = 16
# A first page of 50 that reads more rows than this is reading "the group", not "a page".
READ_LIMIT = 1_000
# The aging report reads the practice's open invoices by design (not a page of them): its plan is
# judged by reading no more than those (its index holds only open invoices), not by READ_LIMIT.
AGING_TITLE = "A/R aging report"
# Collections per month reads the chosen months' payments by design: a year of a busy practice's
# (the seed's invoices run from 2023 to 2026, each paid one 10 days after it was invoiced).
COLLECTIONS_TITLE = "Collections per month (12 months)"
COLLECTIONS_MONTHS = ("2025-01", "2025-12")
REPORTS = (AGING_TITLE, COLLECTIONS_TITLE)
# The ledger changes while the pages are read, as a working day's would: every 10 s an invoice of the
# practice is written (its row updated, which moves the practice's ledger version like any payment or
# invoice does), so the reports' cached answers (shared/reports/cache.py) are recomputed through the
# runs. The seed's practice averages ~160 invoices and payments a working day, one every 3 minutes:
# this is ~18 times that.
LEDGER_CHANGE_SECONDS = 10.0
# The cost the cache hides: a report requested right after a change, one request at a time.
FIRST_VIEWS = 15
# The figures of every endpoint, against the baseline's same key: (figure, unit, key, baseline, goal where
# the issue names one for the endpoint, how the figure reads).
PER_ENDPOINT = (
    (
        f"p99 at {CONNECTIONS} concurrent",
        "ms",
        "p99",
        "bare FastAPI sync endpoint, same concurrency",
        "< 30",
        {"lower_is_better": True},
    ),
    ("requests/s", "req/s", "rate", "bare FastAPI sync endpoint", "", {"digits": 0}),
    ("API CPU per request", "ms", "cpu_ms", "bare FastAPI sync endpoint", "", {"lower_is_better": True, "digits": 2}),
)


@dataclass(frozen=True)
class Endpoint:
    key: str
    title: str
    path: str
    as_client: bool = False
    goal: bool = True  # the issue names a goal for it


def _endpoints(client_id: uuid.UUID) -> list[Endpoint]:
    return [
        Endpoint("invoiced_tab", "Invoiced tab", "/v1/invoices?limit=50"),
        Endpoint("invoiced_tab_open", "Invoiced tab, status=open", "/v1/invoices?status=open&limit=50", goal=False),
        Endpoint(
            "invoiced_tab_client",
            "Invoiced tab, one client",
            f"/v1/invoices?client_id={client_id}&limit=50",
            goal=False,
        ),
        Endpoint("queue", "Invoices tab (queue)", "/v1/invoicing/queue?limit=50"),
        Endpoint("portal", "Client portal list", "/v1/portal/invoices?limit=50", as_client=True),
        # Its goal is relative: p99 at most 1.5x the Invoiced tab's p99 in the same run (a figure below).
        Endpoint("aging", AGING_TITLE, "/v1/reports/aging", goal=False),
        Endpoint(
            "collections",
            COLLECTIONS_TITLE,
            f"/v1/reports/collections?from={COLLECTIONS_MONTHS[0]}&to={COLLECTIONS_MONTHS[1]}",
            goal=False,
        ),
    ]


def _setup(ctx: Context) -> dict:
    sizes = ctx.sizes
    began = time.perf_counter()
    with ctx.db() as conn:
        group_id = seed.practice(conn, "Scale practice")
        invoiced = seed.billing_rate(conn, group_id, "Individual session (Self-Pay)")
        insurance = seed.billing_rate(conn, group_id, "Individual session", invoiced=False)
        seed.at_scale(
            conn,
            group_id,
            clients=sizes.reads_clients,
            invoices=sizes.reads_invoices,
            services=sizes.reads_services,
            queued_services=sizes.reads_queued,
            rate_invoiced=invoiced,
            rate_insurance=insurance,
        )
        seed.portal_logins_for_every_client(conn, group_id)
        client_id = conn.execute(
            "SELECT client_id FROM invoices WHERE group_id = %s ORDER BY sequence DESC LIMIT 1", (group_id,)
        ).fetchone()[0]
        biller = seed.login(conn, group_id, "biller")
        client = seed.login(conn, group_id, "client", client_id=client_id)
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM invoices WHERE group_id = %(g)s),"
            " (SELECT count(*) FROM services WHERE group_id = %(g)s),"
            " (SELECT count(*) FROM services WHERE invoice_id IS NULL AND billing_rate_id = %(r)s),"
            " (SELECT count(*) FROM access_tokens), (SELECT count(*) FROM invoices), (SELECT count(*) FROM services)",
            {"g": group_id, "r": invoiced},
        ).fetchone()
    seeded_s = time.perf_counter() - began
    with ctx.db() as conn:
        conn.autocommit = True
        for table in ("invoices", "services", "clients", "billing_rates", "users", "access_tokens"):
            conn.execute(f"VACUUM ANALYZE {table}")
    return {
        "group_id": group_id,
        "client_id": client_id,
        "biller": biller,
        "client": client,
        "invoices": counts[0],
        "services": counts[1],
        "queued": counts[2],
        "tokens": counts[3],
        "table_invoices": counts[4],
        "table_services": counts[5],
        "seed_s": round(seeded_s, 1),
        "vacuum_s": round(time.perf_counter() - began - seeded_s, 1),
    }


def _load(ctx: Context, base_url: str, path: str, token: str | None) -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    seconds = ctx.sizes.read_seconds
    if ctx.use_wrk:
        return closed_loop_summary(wrk.run(base_url + path, connections=CONNECTIONS, seconds=seconds, headers=headers))
    request = loadgen.Request("GET", path, headers=tuple(headers.items()))
    return closed_loop_summary(
        loadgen.run(loadgen.closed_loop(base_url, lambda _i: request, connections=CONNECTIONS, seconds=seconds))
    )


class LedgerChanges:
    """A thread that writes one of the practice's open invoices every `every` seconds (see above)."""

    def __init__(self, ctx: Context, group_id: uuid.UUID, every: float = LEDGER_CHANGE_SECONDS) -> None:
        self.ctx, self.group_id, self.every = ctx, group_id, every
        self.changes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ledger-changes", daemon=True)

    def touch(self, conn: Any) -> None:
        conn.execute(
            "UPDATE invoices SET balance_cents = balance_cents WHERE id = (SELECT id FROM invoices"
            " WHERE group_id = %s AND status = 'open' ORDER BY sequence DESC LIMIT 1)",
            (self.group_id,),
        )
        conn.commit()
        self.changes += 1

    def _run(self) -> None:
        with self.ctx.db() as conn:
            while not self._stop.wait(self.every):
                self.touch(conn)

    def __enter__(self) -> LedgerChanges:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _first_views(ctx: Context, setup: dict, endpoints: list[Endpoint]) -> dict[str, list[float]]:
    """Each report right after a ledger change, and the Invoiced tab, one request at a time (ms)."""
    chosen = {e.key: e for e in endpoints if e.key in ("invoiced_tab", "aging", "collections")}
    out: dict[str, list[float]] = {key: [] for key in chosen}
    changes = LedgerChanges(ctx, setup["group_id"])
    with ctx.db() as conn, ctx.api(setup["biller"]) as api:
        for _ in range(FIRST_VIEWS):
            for key, endpoint in chosen.items():
                changes.touch(conn)
                began = time.perf_counter()
                api.get(endpoint.path).raise_for_status()
                out[key].append((time.perf_counter() - began) * 1000)
    return out


# --- the plans ---


def _call(endpoint: Endpoint, session: Any, setup: dict) -> None:
    """What the route calls, in this process, so its statements can be captured."""
    from shared.actor import Actor
    from shared.invoicing import service as invoicing
    from shared.portal import service as portal

    staff = Actor(kind="biller", group_id=setup["group_id"])
    if endpoint.key == "invoiced_tab":
        invoicing.list_invoices(session, staff, status=None, client_id=None, limit=50, starting_after=None)
    elif endpoint.key == "invoiced_tab_open":
        invoicing.list_invoices(session, staff, status="open", client_id=None, limit=50, starting_after=None)
    elif endpoint.key == "invoiced_tab_client":
        invoicing.list_invoices(
            session, staff, status=None, client_id=str(setup["client_id"]), limit=50, starting_after=None
        )
    elif endpoint.key == "queue":
        invoicing.list_queue(
            session, staff, client_id=None, date_from=None, date_to=None, limit=50, starting_after=None
        )
    elif endpoint.key == "portal":
        client = Actor(kind="client", group_id=setup["group_id"], client_id=setup["client_id"])
        portal.list_invoices(session, client, limit=50, starting_after=None)
    elif endpoint.key == "aging":
        from shared.reports.aging import aging_report

        aging_report(session, staff)
    elif endpoint.key == "collections":
        from shared.reports.collections import collections_report

        collections_report(session, staff, *COLLECTIONS_MONTHS)


def _walk(node: dict[str, Any], out: list[dict[str, Any]]) -> None:
    out.append(node)
    for child in node.get("Plans", []):
        _walk(child, out)


def _summarize(plan: dict[str, Any]) -> dict[str, Any]:
    nodes: list[dict[str, Any]] = []
    _walk(plan["Plan"], nodes)
    shown, rows_read, seq_scans = [], 0, []
    for node in nodes:
        kind = node["Node Type"]
        if "Scan" in kind:
            loops = node.get("Actual Loops", 1)
            rows_read += (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops
            where = node.get("Index Name") or node.get("Relation Name") or ""
            shown.append(f"{kind} {where}".strip())
            if kind == "Seq Scan":
                seq_scans.append(node.get("Relation Name"))
        elif kind in ("Sort", "Hash Join", "Nested Loop", "Merge Join", "Aggregate", "Limit", "Incremental Sort"):
            shown.append(kind)
    return {
        "plan": " → ".join(shown),
        "rows_read": rows_read,
        "seq_scans": seq_scans,
        "ms": plan.get("Execution Time", 0.0) + plan.get("Planning Time", 0.0),
    }


def _short(statement: str) -> str:
    text = " ".join(statement.split())
    select_from = text.split(" FROM ", 1)
    if len(select_from) == 2:
        table = select_from[1].split(" ", 1)[0]
        return f"SELECT … FROM {table}" + (" … LIMIT" if " LIMIT " in text else "")
    return text[:60]


def _plans(ctx: Context, endpoints: list[Endpoint], setup: dict) -> list[dict[str, Any]]:
    from sqlalchemy import event

    from shared.auth.service import resolve_bearer
    from shared.db.engine import get_engine, get_sessionmaker

    engine = get_engine()
    captured: list[tuple[str, Any]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, parameters))

    plans = []
    event.listen(engine, "before_cursor_execute", capture)
    try:
        calls = [("every request: the bearer token", lambda s: resolve_bearer(s, setup["biller"]))]
        calls += [(e.title, lambda s, e=e: _call(e, s, setup)) for e in endpoints]
        for title, call in calls:
            captured.clear()
            with get_sessionmaker()() as session:
                call(session)
                statements = list(captured)
                for statement, parameters in statements:
                    explained = (
                        session.connection()
                        .exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters)
                        .scalar()
                    )
                    plans.append({"endpoint": title, "statement": _short(statement), **_summarize(explained[0])})
                session.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return plans


def _cpu_per_request(result: dict, used: dict, service: str) -> None:
    answered = max(result["requests"] - result["non2xx"], 1)
    result["cpu_ms"] = used["cores_used"].get(service, 0.0) * used["seconds"] * 1000 / answered
    result["postgres_cpu_ms"] = used["cores_used"].get("postgres", 0.0) * used["seconds"] * 1000 / answered


def _seq_scan_note(ctx: Context, plans: list[dict[str, Any]]) -> str:
    tables = sorted({t for p in plans for t in p["seq_scans"]})
    if not tables:
        return "No plan scans a table sequentially."
    with ctx.db() as conn:
        sizes = dict(
            conn.execute(
                "SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)", (tables,)
            ).fetchall()
        )
    listed = ", ".join(f"{t} ({sizes.get(t, 0):,} rows)" for t in tables)
    big = [t for t in tables if sizes.get(t, 0) > READ_LIMIT]
    return (
        f"Sequential scans only on small tables, where the planner rightly prefers them: {listed}."
        if not big
        else f"Sequential scans on: {listed} — {', '.join(big)} will grow."
    )


def _measure(
    ctx: Context,
    endpoints: list[Endpoint],
    setup: dict,
    measured: dict[str, list[dict]],
    base: list[dict],
    cpu: list[dict],
) -> None:
    """Each run: the baseline, then every endpoint (in reverse order every other run)."""
    stack = ctx.stack
    for i in range(ctx.sizes.runs):
        result, used = ctx.metered(_load, ctx, stack.url("baseline"), "/ok", None)
        _cpu_per_request(result, used, "baseline")
        base.append(result)
        for endpoint in in_turns(i, endpoints):
            token = setup["client"] if endpoint.as_client else setup["biller"]
            result, used = ctx.metered(_load, ctx, stack.url("api"), endpoint.path, token)
            _cpu_per_request(result, used, "api")
            if endpoint.key == "invoiced_tab":
                cpu.append(used)
            measured[endpoint.key].append(result)
            ctx.say(
                f"  {endpoint.title} run {i + 1}: p50 {result['p50']:.1f} ms p99 {result['p99']:.1f} ms "
                f"{result['rate']:.0f}/s (non-2xx {result['non2xx']})"
            )


def run(ctx: Context) -> ScenarioResult:
    sizes, stack = ctx.sizes, ctx.stack
    stack.start("api", "baseline")
    setup = _setup(ctx)
    ctx.say(
        f"  reads: {setup['invoices']:,} invoices, {setup['services']:,} services of one practice written in "
        f"{setup['seed_s']} s "
        f"(vacuum analyze {setup['vacuum_s']} s)"
    )
    endpoints = _endpoints(setup["client_id"])
    plans = _plans(ctx, endpoints, setup)
    for p in plans:
        if p["rows_read"] > READ_LIMIT and p["endpoint"] not in REPORTS:
            ctx.say(f"  plan to look at: {p['endpoint']}: {p['statement']}: {p['plan']} ({p['rows_read']} rows)")
    measured: dict[str, list[dict]] = {e.key: [] for e in endpoints}
    base: list[dict] = []
    cpu = []
    first_views = _first_views(ctx, setup, endpoints)
    ctx.say(
        "  one request at a time, right after a ledger change: "
        + ", ".join(f"{k} p50 {percentile(v, 50):.1f} ms" for k, v in first_views.items())
    )
    with LedgerChanges(ctx, setup["group_id"]) as changes:
        _measure(ctx, endpoints, setup, measured, base, cpu)
    ctx.say(f"  the ledger changed {changes.changes} times while the endpoints were loaded")
    stack.stop("baseline")

    generator = "wrk (C, 2 threads)" if ctx.use_wrk else "bench/loadgen.py (Python asyncio)"
    figures = [
        Figure.compare(
            f"{endpoint.title}: {what}",
            unit,
            key,
            measured[endpoint.key],
            base,
            baseline,
            goal if endpoint.goal else "",
            generator,
            **how,
        )
        for endpoint in endpoints
        for what, unit, key, baseline, goal, how in PER_ENDPOINT
    ]
    # The reports read every open invoice of the practice (aging) and the chosen months' payments
    # (collections), never its whole history: measured against the Invoiced tab's first page, run by run.
    for key, title in (("aging", AGING_TITLE), ("collections", COLLECTIONS_TITLE)):
        figures.append(
            Figure.multiple(
                f"{title}: p99 as a multiple of the Invoiced tab's p99",
                "p99",
                measured[key],
                measured["invoiced_tab"],
                "the Invoiced tab (first page of 50) in the same run",
                "<= 1.5",
                generator,
                lower_is_better=True,
                digits=2,
            )
        )
    # What the cache hides: the report computed afresh, with nothing else running (median of FIRST_VIEWS).
    for key, title in (("aging", AGING_TITLE), ("collections", COLLECTIONS_TITLE)):
        figures.append(
            Figure(
                f"{title}: first view after a ledger change, one request at a time",
                "ms",
                first_views[key],
                first_views["invoiced_tab"],
                "the Invoiced tab, one request at a time",
                "",
                "one httpx client",
                lower_is_better=True,
                digits=1,
            )
        )
    grows = [p for p in plans if p["rows_read"] > READ_LIMIT and p["endpoint"] not in REPORTS]
    summary = [
        f"Data: the practice has {setup['invoices']:,} invoices and {setup['services']:,} services "
        f"({setup['queued']:,} uninvoiced on its invoiced rate), written in {setup['seed_s']} s; with the "
        f"earlier scenarios' rows the tables hold {setup['table_invoices']:,} invoices and "
        f"{setup['table_services']:,} services.",
        f"The ledger changed every {LEDGER_CHANGE_SECONDS:.0f} s while the endpoints were loaded ({changes.changes} "
        "times): the reports' cached answers were recomputed through the runs, as on a working day.",
        f"{setup['tokens']:,} access tokens and as many portal logins (the bearer-token lookup of every "
        "request reads those tables).",
        (
            f"No statement reads more than {READ_LIMIT:,} rows for a page."
            if not grows
            else f"{len(grows)} statement(s) read more than {READ_LIMIT:,} rows: see the plans."
        ),
        _seq_scan_note(ctx, plans),
    ]
    return ScenarioResult(
        key="reads",
        title="API reads at scale",
        setup=(
            f"{sizes.runs} runs of {sizes.read_seconds:.0f} s per endpoint at {CONNECTIONS} connections (API: "
            f"uvicorn, 2 workers), after the baseline's run of the same length."
        ),
        figures=figures,
        cpu={"invoiced_tab_runs": cpu},
        details={
            "runs": measured,
            "baseline_runs": base,
            "plans": plans,
            "summary": summary,
            "seed": {
                k: setup[k]
                for k in (
                    "invoices",
                    "services",
                    "queued",
                    "tokens",
                    "table_invoices",
                    "table_services",
                    "seed_s",
                    "vacuum_s",
                )
            },
        },
    )
