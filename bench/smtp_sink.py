"""The benchmark's mail server: aiosmtpd in this process, keeping only when each Message-ID arrived.

The worker sends every email to it (CLINICPAY_SMTP_URL), so the invoicing scenario's invoice emails
are delivered rather than retried against a port nobody listens on, and the email scenario can time
the last one. It stores nothing else: the messages themselves are checked by the tests."""

from __future__ import annotations

import re
import threading
import time

from aiosmtpd.controller import Controller

from tests import stack as test_stack

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class _Handler:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrived: dict[str, float] = {}  # Message-ID → first arrival (time.perf_counter())
        self.deliveries = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        head = envelope.content.split(b"\r\n\r\n", 1)[0] if isinstance(envelope.content, bytes) else b""
        found = _MESSAGE_ID.search(head)
        now = time.perf_counter()
        with self.lock:
            self.deliveries += 1
            if found:
                self.arrived.setdefault(found.group(1).decode(), now)
        return "250 OK"


class SmtpSink:
    def __init__(self) -> None:
        self.port = test_stack.free_port()
        self.handler = _Handler()
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def arrivals(self, message_ids: set[str]) -> list[float]:
        """When each of these Message-IDs first arrived (only those that did)."""
        with self.handler.lock:
            return [self.handler.arrived[m] for m in message_ids if m in self.handler.arrived]
