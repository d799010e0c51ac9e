"""An HTTP server on a free loopback port, served from a daemon thread: what the tests' Stripe
proxies (tests/stripe_recorder.py, tests/stripe/flaky_proxy.py) are built on."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

from tests.stack import free_port


class RelayHandler(BaseHTTPRequestHandler):
    """A quiet HTTP/1.1 handler that reads each request's body and hands it to `relay`: a proxy's
    subclass names the methods it serves, e.g. `do_GET = do_POST = RelayHandler.read_and_relay`."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def relay(self, body: bytes) -> None:
        raise NotImplementedError

    def read_and_relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.relay(self.rfile.read(length) if length else b"")


class LoopbackServer:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
