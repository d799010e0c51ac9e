"""A recording hop in front of every localstripe the tests start: what clinicpay tells Stripe, on the wire.

It forwards every request unchanged and, for requests made with a secret key (our servers'
calls through the Stripe SDK — not the browser's Stripe.js calls with the publishable key, nor
the tests' own `/_config` calls), appends one JSON line to `capture.STRIPE_REQUESTS`: method,
path, the form or query fields as Stripe parses them (`metadata[invoice_id]`, `expand[0]`…) and
the idempotency key. The key itself is never written down. tests/security/test_stripe_phi.py
checks every line against the fields a PaymentIntent, Customer or SetupIntent may carry.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from tests import capture
from tests.loopback_server import LoopbackServer, RelayHandler

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "proxy-connection"}
_lock = threading.Lock()


def _is_server_call(headers: object) -> bool:
    auth = headers.get("Authorization", "") or ""  # type: ignore[attr-defined]
    return auth.startswith(("Bearer sk_", "Bearer rk_"))


def _record(method: str, target: str, headers: object, body: bytes) -> None:
    parts = urlsplit(target)
    fields = parse_qsl(parts.query, keep_blank_values=True)
    if body:
        fields += parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    line = json.dumps(
        {
            "method": method,
            "path": parts.path,
            "fields": fields,
            "idempotency_key": headers.get("Idempotency-Key"),  # type: ignore[attr-defined]
            "user_agent": headers.get("User-Agent"),
        }
    )  # type: ignore[attr-defined]
    with _lock, capture.STRIPE_REQUESTS.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


class RecordingProxy(LoopbackServer):
    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self._local = threading.local()
        super().__init__(self._handler())

    def _forward(self, method: str, target: str, headers: dict[str, str], body: bytes) -> http.client.HTTPResponse:
        for attempt in (1, 2):  # a kept-alive upstream connection may have been closed meanwhile
            conn = getattr(self._local, "conn", None)
            if conn is None:
                conn = self._local.conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=60)
            try:
                conn.request(method, target, body=body or None, headers=headers)
                return conn.getresponse()
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(RelayHandler):
            def relay(self, body: bytes) -> None:
                if _is_server_call(self.headers):
                    _record(self.command, self.path, self.headers, body)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                headers["Host"] = f"127.0.0.1:{proxy.upstream_port}"
                try:
                    upstream = proxy._forward(self.command, self.path, headers, body)
                    payload = upstream.read()
                except (OSError, http.client.HTTPException):
                    self.send_error(502)
                    return
                self.send_response(upstream.status, upstream.reason)
                for key, value in upstream.getheaders():
                    if key.lower() not in _HOP_BY_HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_OPTIONS = do_HEAD = RelayHandler.read_and_relay

        return Handler


# --- What a recorded call may carry -----------------------------------------------------------------

# Field names Stripe parses from our calls. Anything else — a description, a statement descriptor,
# a receipt email, metadata beyond our ids — fails the PHI check, whatever its value.
ALLOWED_FIELDS = {
    "amount",
    "currency",
    "customer",
    "payment_method",
    "usage",
    "confirm",
    "capture_method",
    "name",
    "email",
    "type",
    "limit",
    "starting_after",
    "ending_before",
    "payment_intent",
    "charge",
    # The Payment Element flow: a ConfirmationToken's id, never a redirect.
    "confirmation_token",
    "automatic_payment_methods[enabled]",
    "automatic_payment_methods[allow_redirects]",
    # clinicpay's webhook endpoint (our receiver's URL, the pinned version) and the portal's domain.
    "url",
    "api_version",
    "disabled",
    "domain_name",
    "enabled",
    # A refund: Stripe's reason code only (duplicate, fraudulent, requested_by_customer), never the note.
    "reason",
}
_ALLOWED_PATTERNS = [
    re.compile(p)
    for p in (
        r"^payment_method_types\[\d+\]$",
        r"^allowed_payment_method_types\[\d+\]$",
        r"^enabled_events\[\d+\]$",
        r"^metadata\[(group_id|invoice_id|payment_id|invoice_number|refund_id)\]$",
        r"^created\[(gte|gt|lt|lte)\]$",
        r"^expand\[\d+\]$",
    )
]


def recorded_calls(since: int = 0) -> list[dict]:
    """Every call our servers made to a Stripe stand-in this session, from line `since` on."""
    if not capture.STRIPE_REQUESTS.exists():
        return []
    lines = capture.STRIPE_REQUESTS.read_text(encoding="utf-8").splitlines()[since:]
    return [json.loads(line) for line in lines if line.strip()]


def field_allowed(name: str) -> bool:
    return name in ALLOWED_FIELDS or any(p.match(name) for p in _ALLOWED_PATTERNS)


def phi_violations(calls: list[dict], forbidden_text: list[str] = ()) -> list[str]:  # type: ignore[assignment]
    """Fields outside the allow-list, and any value containing one of `forbidden_text` (case-insensitive)."""
    found = []
    lowered = [t.lower() for t in forbidden_text if t]
    for call in calls:
        for name, value in call["fields"]:
            where = f"{call['method']} {call['path']} {name}"
            if not field_allowed(name):
                found.append(f"{where}: field not allowed")
            hits = [t for t in lowered if t in value.lower()]
            if hits:
                found.append(f"{where}: carries {hits}")
    return found
