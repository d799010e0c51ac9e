"""`python -m bench [--quick] [--only ingest,reads] [--out DIR]` — see bench/__init__.py."""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = ("ingest", "event_to_paid", "invoicing", "email", "reconciliation", "reads")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Benchmark clinicpay on this machine.")
    parser.add_argument("--quick", action="store_true", help="small sizes, short runs (CI: under 2 minutes)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {', '.join(SCENARIOS)}")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where RESULTS.md and results.json go (default: bench/, or test-artifacts/bench-quick/ with --quick)",
    )
    parser.add_argument("--no-wrk", action="store_true", help="use the Python load generator even if wrk is here")
    parser.add_argument(
        "--keep-db", action="store_true", help="keep the clinicpay_bench database at the end (dropped by default)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    sys.path.insert(0, str(REPO))
    from bench import machine, report, wrk
    from bench.procstat import RssSampler
    from bench.scenarios.common import FULL, QUICK, Context
    from bench.stack import BenchStack

    chosen = [s for s in args.only.split(",") if s] or list(SCENARIOS)
    unknown = sorted(set(chosen) - set(SCENARIOS))
    if unknown:
        print(f"unknown scenario(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    out = args.out or (REPO / "test-artifacts" / "bench-quick" if args.quick else REPO / "bench")
    out.mkdir(parents=True, exist_ok=True)
    log_dir = REPO / "test-artifacts" / ("bench-quick" if args.quick else "bench") / "logs"
    began = time.monotonic()

    def say(text: str) -> None:
        print(f"[bench {time.monotonic() - began:6.1f}s] {text}", flush=True)

    stack = BenchStack(log_dir)
    say(f"database: {stack.sources['database']}; redis: {stack.sources['redis']}")
    stack.prepare()
    use_wrk = wrk.available() and not args.no_wrk
    say(
        "load generator: "
        + ("wrk" if use_wrk else "Python asyncio (" + ("--no-wrk" if args.no_wrk else "wrk not installed") + ")")
    )
    ctx = Context(stack=stack, sizes=QUICK if args.quick else FULL, use_wrk=use_wrk, say=say)
    info = machine.describe(REPO, stack.psycopg_url(), stack.redis_url)
    results, failures = [], []
    sampler = RssSampler(stack.services).start()
    try:
        for key in chosen:
            module = __import__(f"bench.scenarios.{key}", fromlist=["run"])
            say(f"{key}: starting (load average {machine.loadavg()})")
            started = time.monotonic()
            try:
                result = module.run(ctx)
            except Exception as exc:
                traceback.print_exc()
                failures.append({"scenario": key, "error": f"{type(exc).__name__}: {exc}"})
                say(f"{key}: FAILED ({type(exc).__name__}: {exc})")
                continue
            # Measured here, not by each scenario: one place says what a scenario's time covers (all of run()).
            result.seconds = time.monotonic() - started
            result.loadavg = machine.loadavg()
            results.append(result)
            say(f"{key}: done in {result.seconds:.0f} s")
    finally:
        peaks = sampler.stop()
        stack.stop_all()
        stack.flush_broker()
        if not args.keep_db:
            stack.drop_database()
        stack.stop_embedded()
    info.update(
        loadavg_at_end=machine.loadavg(),
        total_seconds=round(time.monotonic() - began, 1),
        quick=args.quick,
        load_generator="wrk" if use_wrk else ("python (--no-wrk)" if args.no_wrk else "python (wrk not installed)"),
        data_servers=stack.sources,
        command="make bench-quick" if args.quick else "make bench",
    )
    document = {
        "machine": info,
        "scenarios": [r.as_dict() for r in results],
        "failures": failures,
        "peak_rss_mb": {name: vars(peak) for name, peak in sorted(peaks.items())},
    }
    (out / "results.json").write_text(json.dumps(document, indent=2, default=str) + "\n")
    (out / "RESULTS.md").write_text(report.render(document))
    say(f"wrote {out / 'RESULTS.md'} and {out / 'results.json'}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
