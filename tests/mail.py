"""A real SMTP server for tests (aiosmtpd, in this process), storing what arrives where the API's
/dev/mailbox/ reads it — the same handler `make run` uses (shared/outbox/dev_mailbox.py) — and
able to misbehave as a provider would: refuse an address (5xx), defer it (4xx), go down and come back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from aiosmtpd.controller import Controller

from shared.outbox.dev_mailbox import MailboxHandler, MailboxMessage, clear, list_messages


class TestMailHandler(MailboxHandler):
    __test__ = False  # not a pytest class

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.refuse: dict[str, str] = {}  # address → the RCPT reply, e.g. "550 5.1.1 no such user"
        self.before_accept: Callable[[object], None] | None = None  # runs before the 250 to DATA
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        reply = self.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        reply = await super().handle_DATA(server, session, envelope)
        hook = self.before_accept
        if hook is not None:
            hook(envelope)
        return reply


class MailServer:
    def __init__(self, directory: Path, port: int) -> None:
        self.directory = directory
        self.port = port
        self.handler = TestMailHandler(directory)
        self.url = f"smtp://127.0.0.1:{port}"
        self._controller: Controller | None = None

    def start(self) -> MailServer:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def reset(self) -> None:
        self.handler.refuse.clear()
        self.handler.before_accept = None
        if not self.running:
            self.start()
        clear(self.directory)

    def messages(self) -> list[MailboxMessage]:
        return list_messages(self.directory, limit=100_000)

    def to(self, address: str) -> list[MailboxMessage]:
        return [m for m in self.messages() if address.lower() in (a.lower() for a in m.to)]
