"""Keep a database lease alive while long work runs (invoicing runs, reconciliations).

A thread calls `extend()` (which uses its own connection) every `interval` seconds until the
work ends, or until `extend()` answers False: the job finished or another worker took it over."""

from __future__ import annotations

import threading
from collections.abc import Callable

from shared.logging import get_logger

log = get_logger(__name__)


class LeaseHeartbeat:
    def __init__(self, extend: Callable[[], bool], *, interval: float, name: str, failure_event: str,
                 **log_ids: str) -> None:
        self._extend = extend
        self.interval = interval
        self._failure_event = failure_event
        self._log_ids = log_ids
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=name, daemon=True)

    def __enter__(self) -> LeaseHeartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if not self._extend():
                    return  # finished, or taken over: nothing left to keep alive
            except Exception as exc:
                log.warning(self._failure_event, error=str(exc), **self._log_ids)
