"""A real HTTP hop between clinicpay and the Stripe stand-in that can fail on cue.

It forwards every request to localstripe, except those matching a rule, which it answers
with an error status — before forwarding (Stripe never saw it) or after (Stripe acted, the
answer was lost) — or by dropping the connection. That is how these tests make Stripe
"unreachable", "rate limited" or "5xx" at one exact call, and prove nothing is charged twice.
An injected answer carries a `Request-Id` header, as every answer of Stripe's does, and may carry
a Stripe error of the test's choosing (`error=`), e.g. a 400 with a code clinicpay does not know.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

import httpx

from tests.loopback_server import LoopbackServer, RelayHandler


@dataclass
class Rule:
    method: str
    path: re.Pattern[str]
    status: int | None  # None: drop the connection
    after_forward: bool
    times: int
    error: dict[str, str] | None = None  # Stripe's `error` object; a generic api_error when None


class FlakyProxy(LoopbackServer):
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.rules: list[Rule] = []
        self.failed: list[str] = []
        # The Request-Id of each injected answer, in order (Stripe's look like req_ and 14 characters).
        self.request_ids: list[str] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        super().__init__(self._handler())

    def fail(
        self,
        method: str,
        path_regex: str,
        *,
        status: int | None = 503,
        after_forward: bool = False,
        times: int = 1,
        error: dict[str, str] | None = None,
    ) -> None:
        with self._lock:
            self.rules.append(Rule(method.upper(), re.compile(path_regex), status, after_forward, times, error))

    def _next_request_id(self) -> str:
        with self._lock:
            request_id = f"req_flaky{next(self._ids):08d}"
            self.request_ids.append(request_id)
            return request_id

    def heal(self) -> None:
        with self._lock:
            self.rules.clear()

    def _match(self, method: str, path: str) -> Rule | None:
        with self._lock:
            for rule in self.rules:
                if rule.method == method and rule.path.search(path.split("?")[0]) and rule.times > 0:
                    rule.times -= 1
                    self.failed.append(f"{method} {path}")
                    return rule
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(RelayHandler):
            def relay(self, body: bytes) -> None:
                rule = proxy._match(self.command, self.path)
                if rule is not None and not rule.after_forward:
                    return self._fail(rule)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
                upstream = httpx.request(
                    self.command, proxy.upstream + self.path, content=body, headers=headers, timeout=30
                )
                if rule is not None:
                    return self._fail(rule)
                self.send_response(upstream.status_code)
                for key, value in upstream.headers.items():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(upstream.content)))
                self.end_headers()
                self.wfile.write(upstream.content)

            def _fail(self, rule: Rule) -> None:
                if rule.status is None:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                error = rule.error or {"type": "api_error", "message": "injected failure"}
                payload = json.dumps({"error": error}).encode()
                self.send_response(rule.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Request-Id", proxy._next_request_id())
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = RelayHandler.read_and_relay

        return Handler
