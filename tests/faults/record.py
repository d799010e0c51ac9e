"""The figures each fault scenario held, written where the reliability report reads them.

Format (agreed with the report generator): `test-artifacts/reliability/<name>.json`, JSON
lines, one object per recorded run, appended; a reader takes the LAST line of each file:

    {"scenario": "broker_down",                  # file stem, snake_case, stable
     "title": "Broker down while events arrive", # for the table's first column
     "load": {"events": 500, "payments": 500},   # what the scenario held (counts)
     "faults": ["private Redis stopped while 500 events were received"],
     "lost": {"events_not_applied": 0, "events_applied_twice": 0},  # the goal: every value 0
     "ok": true,                                 # every value in `lost` is 0
     "notes": "free text",
     "duration_s": 12.3,                         # null when not measured
     "recorded_at": "2024-05-01T12:00:00+00:00"}
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RELIABILITY_DIR = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability"
_NAME = re.compile(r"^[a-z0-9_]+$")


def record_scenario(
    name: str,
    load: dict[str, Any],
    faults: list[str],
    lost: dict[str, int],
    notes: str = "",
    *,
    title: str | None = None,
    duration_s: float | None = None,
) -> Path:
    """Append one scenario's figures; returns the file written."""
    if not _NAME.match(name):
        raise ValueError(f"scenario name must be snake_case: {name!r}")
    row = {
        "scenario": name,
        "title": title or name.replace("_", " ").capitalize(),
        "load": load,
        "faults": list(faults),
        "lost": {k: int(v) for k, v in lost.items()},
        "ok": all(int(v) == 0 for v in lost.values()),
        "notes": notes,
        "duration_s": None if duration_s is None else round(duration_s, 1),
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    RELIABILITY_DIR.mkdir(parents=True, exist_ok=True)
    path = RELIABILITY_DIR / f"{name}.json"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(row, sort_keys=False) + "\n")
    return path


def latest_records(directory: Path = RELIABILITY_DIR) -> list[dict[str, Any]]:
    """The last recorded run of every scenario, sorted by scenario name."""
    rows = []
    for path in sorted(directory.glob("*.json")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if lines:
            rows.append(json.loads(lines[-1]))
    return rows
