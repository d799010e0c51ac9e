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
- **Throughput is CPU.** Per acknowledged event the receiver spends ~0.2–0.3 ms of CPU and
  PostgreSQL ~0.2 ms; the bare endpoint ~0.12–0.18 ms per request. The relay used to cost as much
  as the receiver (~0.25 ms per event, 70 % of it Celery/kombu publishing one message per event —
  kombu's Redis transport even builds a new redis client object for every message); it now
  sends up to 20 inbox ids per message (`shared/stripe_sync/batching.py`), which took the
  receiver + relay figure from ~0.64 to ~0.31 ms per event and the relay from ~0.6 to ~0.1 of a
  core at 2,000 events/s. The "capacity implied by CPU" line is what the receiver would take
  with the machine to itself.
- **p99 at 32 connections was the garbage collector.** With the cores saturated the p50 is ~6–8 ms,
  but the p99 sat at ~50–55 ms — the same with the commit's disk flush switched off (tried:
  `synchronous_commit = off` for a run), so not the disk. It was Python's full collections walking
  the hundreds of thousands of objects every service imports at startup. Frozen after startup
  (`shared/gc_tuning.py`, called by the receiver, the API and the worker's prefork parent): p99
  17–22 ms at the same rate. What remains is waiting for a group commit and for a core.
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
""",
    "event_to_paid": """\
- **Met since the worker applies events in batches** (shared/jobs/inbox.py
  `process_events`). Before, each event was its own Celery task with two transactions and 11
  statements, ~15 ms of worker CPU: the worker applied ~56–100 events/s, so at 200/s the
  backlog (and the latency) grew for the whole run (p50 7–19 s). Now:
  - the relay sends up to 20 inbox ids per message;
  - a task claims its ids in one statement **topped up to 20 with the oldest other rows waiting
    unleased** (their own messages, arriving later, find them taken and cost one UPDATE), so a
    backlog is worked off in full batches however small the messages that announced it; the
    claim's commit skips the disk flush (a lost lease only means a second look at the row);
  - one transaction applies the batch: it locks the batch's invoices in id order and reads
    their payments in two statements up front (so two batches never deadlock, and the lookups
    answer from memory: 8 → 5 statements per event), then applies each event through the
    same `apply_event` as before, marks all processed in one UPDATE and commits once;
  - if anything in a batch fails it is rolled back whole and its events are applied one by one,
    each in its own transaction with its own failure record (tests/webhooks/test_inbox_recovery.py).
  In-process, a `payment_intent.succeeded` now costs ~2.2–3 ms of worker CPU (was ~5–8.5 ms
  per event one at a time); in the pipeline the worker used ~0.8 of a core at 200/s (~4 ms per
  event with Celery's share).
- **What the latency is made of:** the relay hands an event to the broker within ~10 ms (its
  deliberate coalescing); the worker stage (queue wait + apply) has a p50 of ~5 ms; the rest is
  the poller (every 25 ms, and each poll is an Invoiced-tab page the API must compute on the
  same two cores). At 200/s the machine is ~1.7–1.9 cores busy (worker ~0.8, PostgreSQL ~0.4,
  receiver + relay ~0.25, API ~0.15, load generator): the p99 is a core being busy.
- **Fixed earlier:** 17 → 11 statements per applied event (the ledger totals were three queries
  run twice; the payment was flushed in two UPDATEs and looked up twice).
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
  (shared/jobs/reconciliation.py, reconciliation_repository.py): ~5–7 s, below the
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
- Freezing the startup objects out of the garbage collector (`shared/gc_tuning.py`) trimmed the
  tails here too (Invoiced tab p99 ~72–80 ms instead of 125–365 in back-to-back runs), but the
  throughput, and so the p99, is still bound by the API's CPU per request.
- **Measured, not adopted yet:** throwaway async twins of the Invoiced tab (the same Core statement
  and `ListOut` adapter; bearer lookup and page on the event loop, no thread hop, no pre-ping, no
  log line, no role check), 2 uvicorn workers, wrk at 16 connections on the same 100,000-invoice
  data, quiet machine, back to back, startup objects frozen in all three (2026-11-26): the real
  route 424 requests/s, p50 35 ms, p99 86 ms; through SQLAlchemy's asyncio engine on asyncpg
  823/s, p50 19 ms, p99 48 ms; raw asyncpg with the statement compiled once 1,256/s, p50 12 ms,
  p99 40 ms. Even the leanest misses a 30 ms p99: with wrk, two API processes and PostgreSQL
  sharing two cores, the tail is waiting for a core. The SQLAlchemy-asyncio path (2× the
  throughput) is the next step worth taking for the hot lists; it was not taken in this round
  because it is a second way to reach the database in the API and still does not reach the goal,
  which wants cores not shared with the load generator, or a much cheaper request.
""",
}
