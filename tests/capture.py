"""Everything the suite saw, kept for the secrets check that runs last (tests/security/test_zz_no_secrets_leak.py).

- every log line of the test process (the API runs in it, on a thread): a handler on the root
  logger, formatted as production formats it, written to test-artifacts/logs/test-process-*.log;
- the logs of the child processes the fixtures start (worker, receiver, relay, localstripe…):
  every `*.log` under test-artifacts/ that grew during the session, read from where it stood;
- every answer of our services a test received (httpx, and schemathesis' calls): JSON lines in
  test-artifacts/logs/api-responses-*.jsonl, with the URL, status and text body;
- the secrets the tests used: every password and Stripe key they sent to the API (read from the
  requests as they go out), so the check looks for the real values, not only their shapes.

File names carry the test slot and xdist worker, so parallel runs in one tree keep apart.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

from tests.stack import REPO_ROOT

ARTIFACTS = REPO_ROOT / "test-artifacts"
LOG_DIR = ARTIFACTS / "logs"
_SUFFIX = f"{os.environ.get('CLINICPAY_TEST_SLOT', 'main')}-{os.environ.get('PYTEST_XDIST_WORKER', 'gw0')}"
TEST_PROCESS_LOG = LOG_DIR / f"test-process-{_SUFFIX}.log"
RESPONSES = LOG_DIR / f"api-responses-{_SUFFIX}.jsonl"
STRIPE_REQUESTS = LOG_DIR / f"stripe-requests-{_SUFFIX}.jsonl"
# Our own outputs, and pytest's console output copied by CI: not logs of the system under test.
_NOT_SYSTEM_LOGS = ("test-process-", "ci-")
# Only what a person typed or pasted: names of request fields that carry a secret.
_SECRET_FIELDS = {"password", "admin_password", "current_password", "new_password", "secret_key", "webhook_secret"}
_TEXT_TYPES = ("json", "text", "html", "javascript", "xml")

_lock = threading.Lock()
_handler: logging.Handler | None = None
_log_offsets: dict[Path, int] = {}
secrets_sent: set[str] = set()


# --- the session ----------------------------------------------------------------------------------


def start_session() -> None:
    """Empty this run's capture files and note where every existing log stands."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    for path in (TEST_PROCESS_LOG, RESPONSES, STRIPE_REQUESTS):
        path.write_bytes(b"")
    _log_offsets.clear()
    for path in ARTIFACTS.rglob("*.log"):
        _log_offsets[path] = path.stat().st_size
    install_httpx_hooks()
    attach_log_handler()


def system_logs() -> dict[Path, str]:
    """What each child-process log (and the test process' own) gained during this session."""
    out: dict[Path, str] = {}
    for path in sorted(ARTIFACTS.rglob("*.log")):
        if path.name.startswith(_NOT_SYSTEM_LOGS) and path != TEST_PROCESS_LOG:
            continue
        start = _log_offsets.get(path, 0)
        if path.stat().st_size <= start:
            continue
        with path.open("rb") as fh:
            fh.seek(start)
            out[path] = fh.read().decode("utf-8", errors="replace")
    return out


def responses() -> list[dict[str, Any]]:
    if not RESPONSES.exists():
        return []
    return [json.loads(line) for line in RESPONSES.read_text(encoding="utf-8").splitlines() if line.strip()]


# --- the test process' log lines ------------------------------------------------------------------


def _formatter() -> logging.Formatter:
    """The formatter configure_logging() put on the root logger, so the file reads as production would."""
    import structlog

    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter):
            return handler.formatter
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")


def attach_log_handler() -> None:
    """Idempotent. configure_logging() replaces the root handlers, so this is called again around every test."""
    global _handler
    root = logging.getLogger()
    if _handler is not None and _handler in root.handlers:
        return
    if _handler is None:
        _handler = logging.FileHandler(TEST_PROCESS_LOG, encoding="utf-8")
        _handler.setLevel(logging.INFO)
        # httpx is the tests' own client (our services do not use it): its lines are the URLs the tests
        # asked for, pay links' tokens among them, not anything our services logged.
        _handler.addFilter(lambda record: not record.name.startswith("httpx"))
    _handler.setFormatter(_formatter())
    root.addHandler(_handler)
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)


# --- answers the tests received, and secrets they sent ---------------------------------------------


def record_response(method: str, url: object, status: int, content_type: str | list[str], body: bytes) -> None:
    if not isinstance(content_type, str):  # schemathesis' responses give each header as a list of values
        content_type = ", ".join(content_type)
    text = (
        body.decode("utf-8", errors="replace")
        if any(t in content_type for t in _TEXT_TYPES)
        else f"<{len(body)} bytes of {content_type or 'unknown'}>"
    )
    line = json.dumps({"method": method, "url": str(url), "status": status, "body": text})
    with _lock, RESPONSES.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


def note_secrets_in_request(request: httpx.Request) -> None:
    content_type = request.headers.get("content-type", "")
    try:
        body = request.content
    except httpx.RequestNotRead:
        return
    if not body or len(body) > 1_000_000 or not any(name.encode() in body for name in _SECRET_FIELDS):
        return
    fields: dict[str, Any] = {}
    if "json" in content_type:
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):  # the tests send hostile bodies on purpose
            return
        if isinstance(parsed, dict):
            fields = parsed
    elif "x-www-form-urlencoded" in content_type:
        fields = dict(parse_qsl(body.decode("utf-8", errors="replace")))
    for name in _SECRET_FIELDS:
        value = fields.get(name)
        if not isinstance(value, str) or len(value.strip()) < 8:
            continue
        # A test pasting a publishable key into the secret field is not sending a secret.
        if name == "secret_key" and not value.startswith(("sk_", "rk_")):
            continue
        if name == "webhook_secret" and not value.startswith("whsec_"):
            continue
        secrets_sent.add(value.strip())


def _from_our_services(response: httpx.Response) -> bool:
    # The API's middleware stamps every answer with a request id; Stripe's stand-in does not.
    return "x-request-id" in response.headers


def _after(request: httpx.Request, response: httpx.Response, streamed: bool) -> None:
    note_secrets_in_request(request)
    if not streamed and _from_our_services(response):
        record_response(
            request.method,
            request.url,
            response.status_code,
            response.headers.get("content-type", ""),
            response.content,
        )


_installed = False


def install_httpx_hooks() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    sync_send, async_send = httpx.Client.send, httpx.AsyncClient.send

    def send(self, request, **kwargs):
        response = sync_send(self, request, **kwargs)
        _after(request, response, bool(kwargs.get("stream")))
        return response

    async def asend(self, request, **kwargs):
        response = await async_send(self, request, **kwargs)
        _after(request, response, bool(kwargs.get("stream")))
        return response

    httpx.Client.send = send  # type: ignore[method-assign]
    httpx.AsyncClient.send = asend  # type: ignore[method-assign]
