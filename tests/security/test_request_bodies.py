"""Request bodies: refused over the limit before they are read, read only after sign-in, and timed out.

Raw sockets where the point is what the server does before (or instead of) reading a body: an
HTTP client would insist on sending the whole body first.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from shared.config import app_settings, clear_settings_cache
from tests import capture, stack
from tests.factories import make_practice_via_api
from tests.security.review import record_finding
from tests.security.test_text_fields import _logged_during

BIG = 92 * 1024 * 1024


def _raw(api_url: str, head: str, body: bytes = b"", read_timeout: float = 30) -> tuple[int, bytes]:
    """Send `head` (and `body`), read the answer; (status, raw answer)."""
    host, port = api_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=read_timeout) as sock:
        sock.sendall(head.encode("latin-1") + body)
        data = b""
        while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + _length(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ", 2)[1]), data


def _length(data: bytes) -> int:
    head = data.split(b"\r\n\r\n", 1)[0].lower()
    for line in head.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


def _post_head(path: str, length: int, token: str | None = None, content_type: str = "application/json") -> str:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (
        f"POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: {content_type}\r\n{auth}"
        f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
    )


def test_a_huge_body_is_refused_before_it_is_read_signed_in_or_not(http, api_url):
    practice = make_practice_via_api(http)
    # Only the head is sent: the answer comes without the server waiting for (or reading) 92 MB.
    nobody, answer = _raw(api_url, _post_head("/v1/services", BIG))
    assert nobody == 401 and b"not_authenticated" in answer, answer
    staff, answer = _raw(api_url, _post_head("/v1/services", BIG, practice.biller_token))
    assert staff == 413 and b"body_too_large" in answer, answer
    login, answer = _raw(
        api_url, _post_head("/v1/auth/token", 64 * 1024, content_type="application/x-www-form-urlencoded")
    )
    assert login == 413, answer  # sign-in is public: its own small limit
    record_finding(
        "huge_body_unauthenticated",
        "5. Request bodies",
        "POST /v1/services Content-Length: 92 MB, not signed in / signed in (head only)",
        f"{nobody} not_authenticated / {staff} body_too_large, before a byte of the body was read",
    )


def test_a_body_without_a_length_stops_being_read_at_the_limit(http):
    practice = make_practice_via_api(http)
    sent = 0

    def chunks() -> Iterator[bytes]:
        nonlocal sent
        yield b'{"name": "'
        for _ in range(4 * 1024):  # 4 MB in 1 KB chunks, chunked: no Content-Length to refuse early
            sent += 1024
            yield b"a" * 1024

    r = http.post("/v1/clients", headers={**practice.biller, "Content-Type": "application/json"}, content=chunks())
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "body_too_large"


def test_a_ten_thousand_service_invoicing_run_fits_the_limit(http):
    practice = make_practice_via_api(http)
    body = {"service_ids": [str(uuid.uuid4()) for _ in range(10_000)], "invoiced_date": "2026-03-31"}
    r = http.post("/v1/invoicing/runs", headers=practice.biller, json=body)
    assert len(r.request.content) > 380_000
    assert r.status_code != 413, r.text
    assert r.json()["error"]["code"] != "body_too_large"  # unknown ids: refused for what they are


@pytest.mark.parametrize(
    "body,content_type",
    [
        (b'{"name": "unterminated', "application/json"),
        (b'{"name": "\xff\xfe"}', "application/json"),  # not UTF-8
        (b"\x00\x01garbage", "application/json"),
        (b"name=%zz&&&", "application/x-www-form-urlencoded"),
    ],
)
def test_a_malformed_body_to_a_route_that_needs_a_login_is_401_then_403_then_400(http, body, content_type):
    practice = make_practice_via_api(http)
    nobody = http.post("/v1/clients", content=body, headers={"Content-Type": content_type})
    assert nobody.status_code == 401, nobody.text
    assert nobody.headers["www-authenticate"] == "Bearer"
    client_token = {"Authorization": "Bearer not-a-token"}
    assert (
        http.post("/v1/clients", content=body, headers={**client_token, "Content-Type": content_type}).status_code
        == 401
    )
    wrong_role = http.post(
        "/v1/groups", content=body, headers={**practice.admin, "Content-Type": content_type}
    )  # operators only
    assert wrong_role.status_code == 403, wrong_role.text
    staff = http.post("/v1/clients", content=body, headers={**practice.biller, "Content-Type": content_type})
    assert staff.status_code in (400, 422), staff.text
    record_finding(
        f"malformed_body_unauthenticated_{abs(hash(body)) % 1000}",
        "8. 401 before 400",
        f"POST /v1/clients {content_type} body {body[:24]!r}, not signed in",
        f"{nobody.status_code} {nobody.json()['error']['code']}; admin to an operator route 403; biller {staff.status_code}",
    )


@contextmanager
def _own_api(app: FastAPI) -> Iterator[str]:
    port = stack.free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive()
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def _api_with(**settings: str) -> Iterator[FastAPI]:
    from services.api.app import create_app

    try:
        with mock.patch.dict(os.environ, settings):
            clear_settings_cache()
            app = create_app()
            capture.attach_log_handler()  # create_app() configured logging afresh
            yield app
    finally:  # once the environment is back
        clear_settings_cache()


def test_slow_bodies_are_cut_off_with_408(http):
    practice = make_practice_via_api(http)
    with _api_with(CLINICPAY_BODY_TIMEOUT_SECONDS="2") as app, _own_api(app) as url:
        timeout = app_settings().body_timeout_seconds
        host, port = url.removeprefix("http://").split(":")
        socks = []
        for _ in range(4):
            sock = socket.create_connection((host, int(port)), timeout=30)
            sock.sendall(_post_head("/v1/clients", 100, practice.biller_token).encode())
            socks.append(sock)
        answers: list[bytes] = [b""] * 4
        started = time.monotonic()
        # A byte every half second from each: far slower than the deadline allows.
        while not all(answers) and time.monotonic() - started < 30:
            for i, sock in enumerate(socks):
                if answers[i]:
                    continue
                try:
                    sock.sendall(b"{")
                    sock.settimeout(0.5)
                    answers[i] = sock.recv(4096)
                except TimeoutError:
                    continue
                except OSError:
                    answers[i] = b"closed"
        for sock in socks:
            sock.settimeout(10)
            rest = b""
            try:
                while chunk := sock.recv(4096):  # the server closes the connection after answering
                    rest += chunk
            except OSError:
                pass
            sock.close()
    assert timeout == 2
    assert all(a.startswith(b"HTTP/1.1 408") and b"body_timeout" in a for a in answers), answers
    record_finding(
        "slow_body",
        "5. Request bodies",
        "4 connections, POST /v1/clients Content-Length: 100, a byte every 0.5 s (deadline set to 2 s)",
        "each answered 408 body_timeout and closed (default deadline 20 s)",
    )


def test_an_unhandled_error_is_logged_once():
    from shared.config import app_settings as settings

    with _api_with() as app:

        @app.get("/boom-for-test")
        def boom() -> None:
            raise RuntimeError("a bug")

        with _own_api(app) as url:
            answers = []
            logged = _logged_during(lambda: answers.append(httpx.get(f"{url}/boom-for-test", timeout=10)))
    assert settings() is not None
    assert answers[0].status_code == 500
    assert answers[0].json()["error"]["code"] == "internal_error"
    assert logged.count("unhandled_error") == 1, logged
    assert "Exception in ASGI application" not in logged, logged
    assert logged.count("RuntimeError: a bug") <= 1, logged
    record_finding(
        "unhandled_error_logged_once",
        "8. Logged once",
        "GET a route that raises RuntimeError",
        "500 internal_error; one unhandled_error line, no uvicorn 'Exception in ASGI application'",
    )


def test_answers_with_client_data_are_not_stored_or_sniffed_and_https_gets_hsts(http):
    from tests.factories import make_client_via_api, make_invoice

    practice = make_practice_via_api(http)
    client = make_client_via_api(http, practice, name="Avery Client")
    invoice_id = make_invoice(practice.group_id, client["id"], 12_000)
    answers = {
        "JSON": http.get(f"/v1/clients/{client['id']}", headers=practice.biller),
        "PDF": http.get(f"/v1/invoices/{invoice_id}/pdf", headers=practice.biller),
        "error": http.get("/v1/clients", headers={"Authorization": "Bearer nope"}),
    }
    assert answers["JSON"].status_code == 200 and answers["PDF"].status_code == 200, answers
    assert answers["PDF"].headers["content-type"] == "application/pdf"
    for kind, r in answers.items():
        assert r.headers["cache-control"] == "no-store", (kind, r.headers)
        assert r.headers["x-content-type-options"] == "nosniff", (kind, r.headers)
        assert "strict-transport-security" not in r.headers, kind  # plain http here
    # Behind the TLS-terminating proxy (127.0.0.1 is uvicorn's trusted proxy in tests).
    https = http.get(f"/v1/clients/{client['id']}", headers={**practice.biller, "X-Forwarded-Proto": "https"})
    assert https.headers["strict-transport-security"].startswith("max-age=31536000")
    record_finding(
        "cache_and_sniffing_headers",
        "8. Headers",
        "GET /v1/clients/{id} and /v1/invoices/{id}/pdf (and over https via the proxy)",
        "Cache-Control: no-store, X-Content-Type-Options: nosniff; HSTS max-age=31536000 over https",
    )
