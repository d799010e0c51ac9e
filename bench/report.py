"""RESULTS.md from results.json: the machine, one table of every figure, then each scenario in detail.

`python -m bench.report [bench/results.json]` writes RESULTS.md again beside it from the same
measurements (after the notes in bench/notes.py change, say).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bench.notes import LIMITS, READING


def _num(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer() and abs(value) >= 100:
        value = int(value)
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}".strip()


def _spread(pair: Any) -> str:
    if not pair:
        return ""
    low, high = pair
    return f" ({_num(round(low, 2))}–{_num(round(high, 2))})"


def _met(figure: dict[str, Any]) -> str:
    if figure["met"] is None:
        return ""
    return "yes" if figure["met"] else "**no**"


def _ratio(figure: dict[str, Any]) -> str:
    value, base = figure["value"], figure["baseline_value"]
    if value is None or base in (None, 0):
        return "—"
    return f"{value / base:.2f}×"


def _figures_table(scenarios: list[dict[str, Any]]) -> list[str]:
    rows = [
        "| scenario | figure | clinicpay, median (min–max) | baseline, same run | ratio | goal | met | load generator |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in scenarios:
        for f in s["figures"]:
            rows.append(
                f"| {s['title']} | {f['name']} | {_num(f['value'], f['unit'])}{_spread(f['spread'])} | "
                f"{_num(f['baseline_value'], f['unit'])} ({f['baseline']}) | {_ratio(f)} | "
                f"{(f['goal'] + ' ' + f['unit']) if f['goal'] else ''} | {_met(f)} | {f['generator']} |"
            )
    return rows


def _cpu_lines(cpu: dict[str, Any]) -> list[str]:
    lines = []
    for label, samples in cpu.items():
        if not samples:
            continue
        sample = samples if isinstance(samples, dict) else samples[len(samples) // 2]
        used = ", ".join(
            f"{name} {cores:.2f}"
            for name, cores in sorted(sample["cores_used"].items(), key=lambda kv: -kv[1])
            if cores >= 0.01
        )
        lines.append(
            f"- CPU during {label.replace('_', ' ')} (a middle run, cores of 2): {used}; whole machine "
            f"{sample['machine_cores_busy']:.2f} busy; load average {sample['loadavg_1m'][0]} → "
            f"{sample['loadavg_1m'][1]}."
        )
    return lines


def render(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    out = [
        "# clinicpay benchmarks" + (" (quick mode: small sizes, not the goals' sizes)" if m.get("quick") else ""),
        "",
        f"Measured {m['measured_at']} with `{m['command']}` at commit {m.get('commit') or '?'}, in "
        f"{m['total_seconds'] / 60:.1f} minutes.",
        "",
        f"- Machine: {m['cores']} cores ({m['cpu_model']}), {m['memory_gb']} GB memory, Linux {m['kernel']}.",
        f"- Load average (1, 5, 15 min): {m['loadavg_at_start']} at the start, {m['loadavg_at_end']} at the end — "
        "other work shared these cores, which is why every figure sits beside a baseline measured in the same "
        "run; compare ratios, not absolute figures, across runs.",
        f"- Data servers: {m['data_servers']['database']} (PostgreSQL {m.get('postgresql')}); "
        f"{m['data_servers']['redis']} (Redis {m.get('redis')}).",
        f"- Python {m['python']}. Closed-loop load: "
        + ("wrk." if m["load_generator"] == "wrk" else f"bench/loadgen.py, {m['load_generator']}.")
        + " Fixed-rate load: bench/loadgen.py, open loop, latency counted from each request's due time.",
        "- Every figure is the median of its runs (min–max beside it); each run of a figure is paired with a run "
        "of its baseline, alternating which goes first.",
        "",
        READING,
        "",
        "## Every figure",
        "",
        *_figures_table(doc["scenarios"]),
        "",
    ]
    if doc.get("failures"):
        out += ["## Scenarios that failed", ""]
        out += [f"- {f['scenario']}: {f['error']}" for f in doc["failures"]]
        out.append("")
    for s in doc["scenarios"]:
        out += [
            f"## {s['title']}",
            "",
            s["setup"],
            "",
            f"Took {s['seconds']:.0f} s; load average at its end {s['loadavg']}.",
            "",
        ]
        out += _cpu_lines(s.get("cpu") or {})
        if s.get("cpu"):
            out.append("")
        for line in s.get("details", {}).get("summary", []):
            out.append(f"- {line}")
        if s.get("details", {}).get("summary"):
            out.append("")
        plans = s.get("details", {}).get("plans")
        if plans:
            out += [
                "Query plans (EXPLAIN ANALYZE of the statements each endpoint ran, captured from the "
                "application's own session):",
                "",
                "| endpoint | statement | plan | rows read | ms |",
                "| --- | --- | --- | --- | --- |",
            ]
            for p in plans:
                out.append(
                    f"| {p['endpoint']} | {p['statement']} | {p['plan']} | {_num(p['rows_read'])} | {p['ms']:.2f} |"
                )
            out.append("")
        limits = LIMITS.get(s["key"])
        if limits:
            out += ["What limited it:", "", limits.strip(), ""]
    if doc.get("peak_rss_mb"):
        out += [
            "## Memory: peak RSS of each service over the whole run",
            "",
            "| service | processes | peak RSS, all its processes | largest single process |",
            "| --- | --- | --- | --- |",
        ]
        for name, peak in doc["peak_rss_mb"].items():
            out.append(
                f"| {name} | {peak['processes']} | {_num(peak['group_rss_mb'], 'MB')} | "
                f"{_num(peak['largest_process_mb'], 'MB')} |"
            )
        out += ["", "RSS counts shared pages in every process of a service, so the sum is an upper bound.", ""]
    return "\n".join(out)


if __name__ == "__main__":
    source = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "results.json")
    (source.parent / "RESULTS.md").write_text(render(json.loads(source.read_text())))
    print(f"wrote {source.parent / 'RESULTS.md'}")
