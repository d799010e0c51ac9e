"""docs/RELIABILITY.md says plainly what each scenario held and lost, and which lost something."""

from __future__ import annotations

import json

from tests.reliability_report import main


def _record(directory, name: str, lost: dict[str, int], **extra) -> None:
    row = {
        "scenario": name,
        "title": name.replace("_", " ").title(),
        "load": {"events": 500},
        "faults": ["Redis stopped"],
        "lost": lost,
        "ok": not any(lost.values()),
        "notes": "a | b",
        "duration_s": 12.5,
        "recorded_at": "2026-05-01T12:00:00+00:00",
        **extra,
    }
    older = {**row, "lost": {"events_not_applied": 99}, "ok": False}
    (directory / f"{name}.json").write_text(json.dumps(older) + "\n" + json.dumps(row) + "\n")


def test_the_report_has_a_row_per_scenario_from_its_last_run(tmp_path):
    _record(tmp_path, "broker_down", {"events_not_applied": 0, "events_applied_twice": 0})
    _record(tmp_path, "tenant_wall", {"requests_let_through": 2})
    out = tmp_path / "RELIABILITY.md"

    assert main(["--records", str(tmp_path), "--output", str(out)]) == 0
    text = out.read_text()
    assert "**1 of 2 scenarios lost something:** Tenant Wall." in text
    faults, security = text.split("## Security\n")
    broker = next(line for line in faults.splitlines() if line.startswith("| Broker Down"))
    assert "500 events" in broker and "Redis stopped" in broker and "a \\| b" in broker
    assert "**0** — events not applied, events applied twice" in broker  # the last run, not the older one
    assert "**2 requests let through**" in security
    assert main(["--records", str(tmp_path), "--output", str(out), "--check"]) == 1


def test_the_security_review_lists_each_request_and_what_it_now_gets(tmp_path, monkeypatch):
    from tests.security import review

    monkeypatch.setattr(review, "RELIABILITY_DIR", tmp_path)
    review.record_finding("login_nul_byte", "2. Control characters", "POST /v1/auth/token username='a\\x00b'", "500")
    review.record_finding(
        "login_nul_byte", "2. Control characters", "POST /v1/auth/token username='a\\x00b'", "422 validation_failed"
    )
    _record(tmp_path, "broker_down", {"events_not_applied": 0})
    out = tmp_path / "RELIABILITY.md"

    assert main(["--records", str(tmp_path), "--output", str(out)]) == 0
    text = out.read_text()
    assert "**Every one of the 1 scenarios lost nothing.**" in text  # review rows are not scenarios
    section = text.split("## Security review")[1]
    [row] = [line for line in section.splitlines() if line.startswith("| 2. Control")]
    assert "username='a\\x00b'" in row and row.endswith("| 422 validation_failed |")  # the last answer recorded
