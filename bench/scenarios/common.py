"""What every scenario shares: sizes, the running stack, the meters, and how a figure is recorded."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, ParamSpec, TypeVar

import httpx
import psycopg

from bench import loadgen, wrk
from bench.procstat import CpuMeter
from bench.stack import BenchStack
from bench.stats import median, percentile, rounded, spread

T = TypeVar("T")
P = ParamSpec("P")
# How often a biller's job (an invoicing run, a reconciliation) is asked whether it has finished: the
# wall time a figure reports is the biller's wait, so it includes up to one interval of this.
JOB_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class Sizes:
    runs: int
    ingest_seconds: float
    steady_rate: float
    steady_seconds: float
    e2p_rate: float
    e2p_seconds: float
    invoicing_services: int
    invoicing_clients: int
    recon_payment_intents: int
    recon_missed: int
    reads_invoices: int
    reads_services: int
    reads_queued: int
    reads_clients: int
    read_seconds: float


FULL = Sizes(
    runs=3,
    ingest_seconds=10,
    steady_rate=100,
    steady_seconds=6,
    e2p_rate=200,
    e2p_seconds=10,
    invoicing_services=10_000,
    invoicing_clients=2_000,
    recon_payment_intents=1_000,
    recon_missed=100,
    reads_invoices=100_000,
    reads_services=500_000,
    reads_queued=50_000,
    reads_clients=10_000,
    read_seconds=5,
)
QUICK = Sizes(
    runs=3,
    ingest_seconds=1,
    steady_rate=100,
    steady_seconds=1,
    e2p_rate=50,
    e2p_seconds=1,
    invoicing_services=500,
    invoicing_clients=100,
    recon_payment_intents=60,
    recon_missed=10,
    reads_invoices=2_000,
    reads_services=10_000,
    reads_queued=1_000,
    reads_clients=200,
    read_seconds=1,
)


@dataclass
class Figure:
    """One measured figure: the median of its runs, beside the median of a baseline taken in the same run."""

    name: str
    unit: str
    runs: list[float | None]
    baseline_runs: list[float | None] = field(default_factory=list)
    baseline: str = ""  # what the baseline is
    goal: str = ""  # e.g. ">= 2000"
    generator: str = ""  # which load generator produced it
    lower_is_better: bool = False
    digits: int = 1

    @property
    def value(self) -> float | None:
        return rounded(median(self.runs), self.digits)

    @property
    def baseline_value(self) -> float | None:
        return rounded(median(self.baseline_runs), self.digits)

    @property
    def met(self) -> bool | None:
        if not self.goal or self.value is None:
            return None
        op, _, number = self.goal.partition(" ")
        target = float(number.replace(",", ""))
        return {
            "<": self.value < target,
            "<=": self.value <= target,
            ">": self.value > target,
            ">=": self.value >= target,
        }[op]

    @classmethod
    def compare(
        cls,
        name: str,
        unit: str,
        key: str,
        runs: list[dict[str, Any]],
        base: list[dict[str, Any]],
        baseline: str,
        goal: str,
        generator: str,
        **how: Any,
    ) -> Figure:
        """The figure of `key` in each measured run, beside the same `key` of each baseline run."""
        return cls(name, unit, [r[key] for r in runs], [b[key] for b in base], baseline, goal, generator, **how)

    @classmethod
    def multiple(
        cls,
        name: str,
        key: str,
        runs: list[dict[str, Any]],
        of: list[dict[str, Any]],
        baseline: str,
        goal: str,
        generator: str,
        **how: Any,
    ) -> Figure:
        """`key` of each run as a multiple of the same key of its paired run in `of` (the same run's
        index): a ratio taken run by run, which load that shifts between runs cannot move. Its
        baseline is 1 by definition."""
        return cls(
            name,
            "×",
            [r[key] / o[key] for r, o in zip(runs, of, strict=True)],
            [1.0 for _ in of],
            baseline,
            goal,
            generator,
            **how,
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            value=self.value,
            baseline_value=self.baseline_value,
            met=self.met,
            spread=spread(self.runs),
            baseline_spread=spread(self.baseline_runs),
        )
        return data


@dataclass
class ScenarioResult:
    key: str
    title: str
    setup: str
    figures: list[Figure] = field(default_factory=list)
    cpu: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    # Filled in by the runner (bench/__main__.py), so every scenario is timed the same way.
    seconds: float = 0.0
    loadavg: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "setup": self.setup,
            "figures": [f.as_dict() for f in self.figures],
            "cpu": self.cpu,
            "details": self.details,
            "seconds": round(self.seconds, 1),
            "loadavg": self.loadavg,
        }


@dataclass
class Context:
    stack: BenchStack
    sizes: Sizes
    use_wrk: bool
    say: Callable[[str], None]

    def __post_init__(self) -> None:
        self.cpu = CpuMeter(lambda: self.stack.services(with_postgres=True))

    def db(self) -> psycopg.Connection:
        return psycopg.connect(self.stack.psycopg_url())

    def api(self, token: str | None = None, timeout: float = 60.0) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.stack.url("api"), headers=headers, timeout=timeout)

    def metered(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> tuple[T, dict[str, Any]]:
        """What fn(*args, **kwargs) returns, and the CPU each service used while it ran (`CpuMeter.since`)."""
        before = self.cpu.snapshot()
        result = fn(*args, **kwargs)
        return result, self.cpu.since(before)


def in_turns(i: int, parts: Sequence[T]) -> list[T]:
    """The parts of run i in the order they are measured: as given on even runs, reversed on odd ones,
    so that neither a figure nor its baseline always goes first (onto a machine the other has warmed)."""
    return list(parts) if i % 2 == 0 else list(reversed(parts))


def poll(fn: Callable[[], Any], *, timeout: float, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("gave up waiting")


def finished_job(api: httpx.Client, path: str, *, timeout: float) -> dict[str, Any]:
    """The job at `path` (its JSON) once it has succeeded or failed, polled every JOB_POLL_SECONDS."""

    def finished() -> dict[str, Any] | None:
        body = api.get(path).json()
        return body if body["status"] in ("succeeded", "failed") else None

    return poll(finished, timeout=timeout, interval=JOB_POLL_SECONDS)


def closed_loop_summary(out: wrk.WrkResult | loadgen.Outcome) -> dict[str, Any]:
    """A closed-loop run's rate, p50 and p99 (ms), requests and non-2xx answers, from wrk or bench/loadgen.py."""
    if isinstance(out, wrk.WrkResult):
        return {"rate": out.rate, "p50": out.p50_ms, "p99": out.p99_ms, "requests": out.requests, "non2xx": out.non2xx}
    return {
        "rate": out.rate,
        "p50": percentile(out.latencies_ms, 50),
        "p99": percentile(out.latencies_ms, 99),
        "requests": out.count,
        "non2xx": out.count - out.ok,
    }


def median_of(rows: list[dict[str, Any]], key: str, digits: int = 3) -> float | None:
    return rounded(median(row.get(key) for row in rows), digits)
