"""The "security review" section of docs/RELIABILITY.md: each hostile request a test sent, and what it got.

A security test that reproduces a finding (a hole a review found, or one we thought of) calls
`record_finding` AFTER its assertions passed, with the request it sent and the answer it saw:

    record_finding("login_nul_byte", "2. Control characters",
                   "POST /v1/auth/token username='a\\x00b@x.org'", f"{r.status_code} {code}")

Rows go to test-artifacts/reliability/review_<name>.json (JSON lines, the last line wins), beside the
fault scenarios, and `make reliability-report` renders them as one table, ordered by finding.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from tests.faults.record import RELIABILITY_DIR

PREFIX = "review_"
_NAME = re.compile(r"^[a-z0-9_]+$")


def record_finding(name: str, finding: str, request: str, answer: str, notes: str = "") -> None:
    """Record that `request` (what a hostile or confused caller sent) now gets `answer` (what it saw)."""
    if not _NAME.match(name):
        raise ValueError(f"finding name must be snake_case: {name!r}")
    row: dict[str, Any] = {
        "scenario": PREFIX + name,
        "kind": "review",
        "finding": finding,
        "request": request,
        "answer": answer,
        "notes": notes,
        "ok": True,  # recorded only once the test's assertions held
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RELIABILITY_DIR.mkdir(parents=True, exist_ok=True)
    with (RELIABILITY_DIR / f"{PREFIX}{name}.json").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(row) + "\n")
