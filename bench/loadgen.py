"""The Python load generator: raw HTTP/1.1 keep-alive connections on asyncio (uvloop when present).

Used for every fixed-rate figure (wrk only knows "as fast as possible"), and for the
closed-loop figures when wrk is not installed. It writes requests by hand and reads
`Content-Length` bodies, because an HTTP client library's per-request cost (httpx:
~1 ms) would be a large part of what it measures on two cores.

Fixed rate is open loop: request i is due at start + i/rate whether or not earlier ones
were answered (a new connection is opened when none is idle), and its latency counts
from when it was due — so a stall in the server shows up in the figure instead of
silently slowing the sender down (coordinated omission).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

try:
    import uvloop
except ImportError:  # pragma: no cover - uvicorn[standard] brings it
    uvloop = None

MAX_OPEN_CONNECTIONS = 256


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Outcome:
    """What one load run saw. Latencies in milliseconds."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    elapsed_s: float = 0.0
    # Fixed rate only: how far behind schedule the sender got (its own lateness, not the server's).
    max_send_lag_ms: float = 0.0
    connections_opened: int = 0

    @property
    def count(self) -> int:
        return len(self.latencies_ms)

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed_s if self.elapsed_s else 0.0


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    async def send(self, request: Request) -> tuple[int, bytes]:
        head = [
            f"{request.method} {request.path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            f"Content-Length: {len(request.body)}",
        ]
        head += [f"{name}: {value}" for name, value in request.headers]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + request.body)
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        length, chunked, close = 0, False, False
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and b"close" in value.lower():
                close = True
        body = await self._chunked() if chunked else await self.reader.readexactly(length)
        if close:
            self.close()
        return status, body

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)


def _address(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    return parts.hostname or "127.0.0.1", parts.port or 80


async def _one(
    conn: Connection,
    request: Request,
    outcome: Outcome,
    started: float,
    on_answer: Callable[[int, Request, int, bytes, float], None] | None,
    index: int,
) -> bool:
    try:
        if conn.writer is None:
            await conn.open()
            outcome.connections_opened += 1
        status, body = await conn.send(request)
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        outcome.errors[type(exc).__name__] += 1
        conn.close()
        return False
    answered = time.perf_counter()
    outcome.latencies_ms.append((answered - started) * 1000)
    outcome.statuses[status] += 1
    if on_answer is not None:
        on_answer(index, request, status, body, answered)
    return True


async def closed_loop(base_url: str, make: Callable[[int], Request], *, connections: int, seconds: float) -> Outcome:
    """`connections` connections, each sending its next request as soon as the last is answered."""
    host, port = _address(base_url)
    outcome = Outcome()
    counter = iter(range(10**12))
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        conn = Connection(host, port)
        while time.perf_counter() < deadline:
            await _one(conn, make(next(counter)), outcome, time.perf_counter(), None, 0)
        conn.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    outcome.elapsed_s = time.perf_counter() - began
    return outcome


async def fixed_rate(
    base_url: str,
    make: Callable[[int], Request],
    *,
    rate: float,
    count: int,
    on_answer: Callable[[int, Request, int, bytes, float], None] | None = None,
) -> Outcome:
    """`count` requests at `rate` per second, open loop; latency counts from each request's due time."""
    host, port = _address(base_url)
    outcome = Outcome()
    idle: list[Connection] = []
    in_flight: set[asyncio.Task] = set()

    async def send(index: int, due: float) -> None:
        conn = idle.pop() if idle else Connection(host, port)
        if await _one(conn, make(index), outcome, due, on_answer, index):
            idle.append(conn)

    began = time.perf_counter()
    for index in range(count):
        due = began + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        outcome.max_send_lag_ms = max(outcome.max_send_lag_ms, (time.perf_counter() - due) * 1000)
        if len(in_flight) >= MAX_OPEN_CONNECTIONS:
            outcome.errors["generator_saturated"] += 1
            continue
        task = asyncio.create_task(send(index, due))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    if in_flight:
        await asyncio.gather(*in_flight)
    outcome.elapsed_s = time.perf_counter() - began
    for conn in idle:
        conn.close()
    return outcome


def run(coro):
    """Run a load coroutine on a fresh event loop (uvloop when installed)."""
    if uvloop is not None:
        return uvloop.run(coro)
    return asyncio.run(coro)
