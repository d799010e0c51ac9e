"""Log lines as an operator reads them: JSON off a terminal, console on one, and one request id
from the HTTP request through to the worker's lines for the task it queued."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

from tests import factories as b
from tests.conftest import poll_until

_EMIT = (
    "from shared.logging import configure_logging, get_logger; configure_logging(); "
    "get_logger('probe').info('probe_line', invoice_id='inv_1')"
)


def _env_without_forced_format() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CLINICPAY_LOG_FORMAT", None)
    return env


def test_off_a_terminal_each_line_is_json_with_its_fields():
    out = subprocess.run(
        [sys.executable, "-c", _EMIT], capture_output=True, text=True, check=True, env=_env_without_forced_format()
    )
    line = json.loads(out.stderr.strip().splitlines()[-1])
    assert (line["event"], line["invoice_id"], line["level"]) == ("probe_line", "inv_1", "info")


def test_on_a_terminal_lines_are_readable_text_not_json():
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", _EMIT], stdout=follower, stderr=follower, env=_env_without_forced_format()
    )
    proc.wait(timeout=30)
    os.close(follower)
    text = os.read(leader, 65536).decode(errors="replace")
    os.close(leader)
    assert "probe_line" in text and "inv_1" in text
    assert not text.strip().startswith("{")


def test_the_request_id_of_an_invoicing_request_reaches_the_workers_lines(http, worker):
    practice = b.make_practice(staff=True, name="Trace Practice")
    client = b.make_client(practice, "Ada Lovelace", portal=True)
    rate = b.make_rate(practice, "General Service (Self-Pay)", 10_000)
    service = b.make_service(practice, client, rate, "2026-03-02")

    r = http.post(
        "/v1/invoicing/runs",
        headers={**practice.biller, "X-Request-Id": "req-trace-4711"},
        json={"service_ids": [str(service)], "invoiced_date": "2026-04-01"},
    )
    assert r.status_code == 202, r.text
    assert r.headers["x-request-id"] == "req-trace-4711"
    b.wait_for_run(http, practice, r.json()["id"])

    def worker_lines_with_the_request_id() -> list[dict]:
        found = []
        for raw in worker.log_path.read_text(errors="replace").splitlines():
            if "req-trace-4711" in raw and raw.startswith("{"):
                found.append(json.loads(raw))
        return found

    lines = poll_until(worker_lines_with_the_request_id, timeout=10, message="the worker's log line")
    assert any(line.get("task") == "invoicing.run" and line.get("request_id") == "req-trace-4711" for line in lines), (
        lines
    )
