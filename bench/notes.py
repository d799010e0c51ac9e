"""What limited each figure, from profiling it while the suite was built (py-spy on the running
services, cProfile in-process, EXPLAIN ANALYZE) — kept beside the code because the reasons
outlive any one run. RESULTS.md prints them under each scenario's own numbers; the CPU lines
printed above them are that run's, these paragraphs are the diagnosis."""

READING = """\
How to read this: the absolute figures move by tens of percent with whatever else runs on the
machine (a load average far above the 2 cores means every process waits for a core — the
bare baselines suffer too). The ratio to the same-run baseline and the CPU-per-unit figures
are what carry over between runs. "CPU per request/event" is the user+system time of the
service's processes divided by what they answered; on a busy machine it is inflated too
(cache and scheduler churn), but much less than latency is."""

LIMITS: dict[str, str] = {
    "ingest": """\
- **Throughput is CPU, and the receiver's service is two processes.** Per acknowledged event the
  receiver spends ~0.25–0.3 ms of CPU, its relay about as much again (~0.25 ms: 70 % of it is
  Celery/kombu publishing one message per event — kombu's Redis transport even builds a new
  redis client object for every message), PostgreSQL ~0.2 ms; the bare endpoint ~0.13–0.18 ms
  per request. With both cores to itself that is ~2,000–2,600 events/s (the "capacity implied
  by CPU" line): at the goal, not far above it. In these runs the receiver, the relay,
  PostgreSQL and wrk together kept both cores busy. In production the relay can run on other
  cores (it is a separate process); on a single 2-core box it halves the receiver's headroom.
- **p99 at 32 connections** follows from that: with the cores saturated, a request waits for its
  group-commit batch (which waits for the disk) and then for a core; the bare endpoint's p99 in
  the same run is the scheduling part of it.
- The receiver's own request path (py-spy on its workers under wrk) is mostly uvicorn/Starlette
  per-request machinery; verifying (`verify_header`, ~8 µs) and parsing (orjson) are ~3 %, the
  group-commit writer and asyncpg's encoding ~10 %.
- **Fixed while measuring:** `configure_logging()` re-enabled uvicorn's access logger that
  `--no-access-log` had switched off, so every request also wrote a JSON log line (structlog
  formatting, ~1/6 of the request path). Honouring the flag took the receiver from 348 to
  729 events/s in back-to-back runs on this (then very busy) machine (shared/logging.py).
- **p99 at 100 events/s is the disk.** Each delivery must be committed before it is answered.
  The reference in the same run — a bare endpoint doing one INSERT + COMMIT per request — has
  a p99 at or near the 10 ms goal on this machine's shared disk (a lone commit measured
  p50 7.5 ms, p99 31 ms while other test suites were committing); the receiver's p50/p99 sit
  within a few ms of that floor (its group commit costs nothing at low rates). A p99 reliably
  under 10 ms needs a disk whose fsync is fast and quiet, not different code.
"""
,
    "event_to_paid": """\
- **The worker is the bottleneck, and it falls behind.** The relay hands an event to the broker
  within ~10–30 ms (10 ms of that is its deliberate coalescing); the rest is the event waiting
  for, and being applied by, the Celery worker. At concurrency 2 the worker applied ~40–80
  events/s here (both processes warmed up first), so at 200/s arriving the backlog — and the
  latency — grow for the whole run: the p50/p99 measure the length of the run as much as the
  pipeline. At 50/s (the quick mode's rate) the same pipeline keeps up, with a p50 of ~60–70 ms.
- **Why it is slow:** per event the worker spends ~14–17 ms of CPU (in-process cProfile: ~9 ms of
  it SQLAlchemy — ORM loading and flush ~3 ms, building statements ~3 ms, engine ~2 ms — plus
  Celery's hand-off and four log lines) and makes 11 round trips and 2 commits (claim, then
  apply + `processed_at`). On a machine whose cores are busy with other work every round trip
  also waits for the database process and then the worker to be scheduled again, so each child
  spends ~25–100 ms per event. The worker used under one core of the two (~0.9) — it waits
  more than it computes; concurrency 4 gave +20–50 % here, prefetch 4 changed nothing.
- **Fixed while measuring:** 17 → 11 statements per applied `payment_intent.succeeded`: the
  ledger totals were three queries, run twice (now one statement, built once — building it cost
  ~1.3 ms of CPU per call); the payment's changes were flushed in two UPDATEs (now one); the
  payment was looked up twice (shared/payments/ledger.py, card.py, shared/stripe_sync/events.py).
- **What would reach the goal:** 200 events/s at ~15 ms of worker CPU each is 3 cores for the
  worker alone — more than this machine has. It needs a leaner apply path (prebuilt Core
  statements instead of ORM round trips, ~3× less CPU) and/or workers on cores of their own.
""",
    "invoicing": """\
- One run is one Celery task in one process (concurrency 2 does not split a run), and it is one
  transaction by design (gapless numbers, all-or-nothing). Its time splits roughly in half
  between building + rendering the invoices (the renderer writes PDF objects directly,
  ~0.3 ms per one-page PDF alone, about twice that inside the run with the rows and line
  snapshots built beside it) and writing them (invoices, lines, PDFs, the services' links,
  audit events — Core bulk inserts); the API's validation and atomic claim of the selection
  take ~0.4–1.4 s of the wall time before the worker starts.
- The baseline (the same PDFs rendered and the same rows inserted, nothing else) is ~2.5–3× faster:
  the difference is the claim, reading the services back, linking them, the audit trail,
  Celery, and polling. The goal (≥ 300 invoices/s, < 5 ms per PDF) holds with room to spare.
""",
    "reconciliation": """\
- **Fixed while measuring:** a run re-read from Stripe, one by one, every card payment touched
  in its window and every PaymentIntent named by a listed event — at 1,000 payments that was
  ~1,000 retrieves (~25 s, 3.5× the time to list the 1,000). Payments already settled here
  (succeeded, canceled) cannot move any more, so they are no longer fetched
  (shared/stripe_sync/reconciliation.py, reconciliation_repository.py): ~5–7 s, below the
  listing floor.
- What remains: listing the window's `payment_intent.*` events (10 pages for 1,000 succeeded
  events, six event types), one retrieve per unsettled payment (the 100 missed) and one short
  transaction per fix. localstripe answers more slowly as its store grows (it scans it), so
  against real Stripe the calls would be cheaper and the apply transactions would dominate.
""",
    "reads": """\
- **Fixed while measuring:** the queue (`GET /v1/invoicing/queue`) joined every waiting service
  of the group to its billing rate and sorted them: at 500,000 services one page read 216,006
  rows (~100 ms of database time, ~20 requests/s). Services on insurance rates are never
  invoiced, so that set only grows. The queue now reads per invoiced rate — a LATERAL taking
  each rate's newest `limit + 1` from a partial index of waiting services
  (`ix_services_queue (billing_rate_id, created_at, id) WHERE invoice_id IS NULL AND
  claimed_by_run_id IS NULL`) — ~100 rows, < 1 ms. A second partial index serves a run's
  claimed services (`ix_services_claimed`). Every other statement was already an index scan
  of one page (see the plans).
- **Lighter read routes (issue 6).** The three lists read plain rows of the columns they show
  (`paginate_rows`: a Core-style select of columns, rows as dicts — not ORM objects), with the
  client's name (and for the queue the rate's name and the currency) joined in: one statement
  per page instead of two to four. The answer is validated and serialized once, by the route's
  own `ListOut[...]` adapter, and sent as bytes (`services/api/lists.py` `list_response`), so
  FastAPI does not validate and serialize it again. The bearer lookup reads the four columns
  an Actor needs with a statement built once. Role guards are async and opening the session is
  too (a Session connects on first use), so a request makes three thread-pool hops (bearer
  lookup, endpoint, commit), not five. Answers are byte-identical to before (checked on pages,
  filters, cursors and errors against this data). API CPU per request went from 5.2 to 3.8 ms
  (Invoiced tab), 4.9 → 3.7 (status=open), 4.4 → 3.6 (one client), 7.1 → 4.3 (queue); the portal
  list, one statement before too, stayed ~2.8–2.9 ms. Both runs had load averages of 5–10 on
  the 2 cores (another suite running), which inflates CPU per request as well.
- **p99 is still far from 30 ms, and it is the API's CPU, not the database.** Every statement
  takes < 1 ms in the database. Timed in one thread on this machine (`time.thread_time`, no
  HTTP), a page's database work — pool checkout with pre-ping, the bearer lookup, the page
  query, COMMIT — costs ~1.0–1.4 ms of CPU (SQLAlchemy and psycopg ~0.1–0.3 ms per statement,
  converting 51 rows of UUIDs and timestamps ~0.3 ms); validating and serializing the page
  ~0.1 ms. The rest, ~2 ms per request under this load, is the framework path: uvicorn,
  FastAPI routing over the included routers, dependency solving, the three thread-pool hops,
  the middleware and the log line. Hops cost latency more than CPU: a bare async endpoint used
  0.12 ms of CPU per request (p99 ~6 ms at 16 connections), its sync twin 0.19 ms (p99 ~21 ms),
  sync with two sync dependencies 0.43 ms. A p99 under 30 ms at 16 concurrent needs ~1,000+
  requests/s, i.e. ≤ ~1–1.5 ms of CPU per request on these 2 cores: what is left is one hop per
  request at most (bearer lookup, query and commit in one thread call, keeping 401 before 422,
  which FastAPI gives only when the lookup is a dependency) or an async driver on these routes,
  and a machine not shared with other work.
""",
}
