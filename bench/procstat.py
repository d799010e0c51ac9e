"""CPU and memory of the processes a benchmark runs, read from /proc (through psutil).

Every service runs in its own process group (uvicorn's supervisor and workers, Celery's
parent and pool children), so a service is "every live process of its group". CPU is
counted per scenario as the difference of user+system time; memory as the peak, over
the whole run, of the group's summed RSS (shared pages counted in each process, so an
upper bound) and of its largest single process.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psutil


def cpu_seconds(root_pid: int) -> float:
    """User+system CPU of a process and its direct children (uvicorn's supervisor and its workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root_pid or ppid == root_pid:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def group_processes(pgid: int) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if os.getpgid(proc.pid) == pgid:
                found.append(proc)
        except (ProcessLookupError, PermissionError, psutil.Error, OSError):
            continue
    return found


def _cpu(procs: Iterable[psutil.Process]) -> dict[int, float]:
    times = {}
    for proc in procs:
        try:
            t = proc.cpu_times()
            times[proc.pid] = t.user + t.system
        except (psutil.Error, OSError):
            continue
    return times


@dataclass
class CpuSnapshot:
    at: float
    per_service: dict[str, dict[int, float]]
    machine_busy: float  # seconds of non-idle CPU, all cores
    loadavg: tuple[float, float, float]


def _machine_busy() -> float:
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


@dataclass
class CpuMeter:
    """Snapshots of CPU per service; `since(snapshot)` gives cores used by each over the interval."""

    services: Callable[[], dict[str, list[psutil.Process]]]

    def snapshot(self) -> CpuSnapshot:
        return CpuSnapshot(
            time.monotonic(),
            {name: _cpu(procs) for name, procs in self.services().items()},
            _machine_busy(),
            os.getloadavg(),
        )

    def since(self, before: CpuSnapshot) -> dict:
        after = self.snapshot()
        wall = max(after.at - before.at, 1e-6)
        cores: dict[str, float] = {}
        for name, now in after.per_service.items():
            then = before.per_service.get(name, {})
            used = sum(max(t - then.get(pid, 0.0), 0.0) for pid, t in now.items())
            cores[name] = round(used / wall, 2)
        return {
            "seconds": round(wall, 1),
            "cores_used": cores,
            "machine_cores_busy": round((after.machine_busy - before.machine_busy) / wall, 2),
            "loadavg_1m": [round(before.loadavg[0], 1), round(after.loadavg[0], 1)],
        }


@dataclass
class Peak:
    group_rss_mb: float = 0.0
    largest_process_mb: float = 0.0
    processes: int = 0


@dataclass
class RssSampler:
    """Samples each service's RSS every `interval` seconds in a thread, keeping the peaks."""

    services: Callable[[], dict[str, list[psutil.Process]]]
    interval: float = 0.5
    peaks: dict[str, Peak] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)

    def start(self) -> RssSampler:
        self._thread.start()
        return self

    def stop(self) -> dict[str, Peak]:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.peaks

    def sample(self) -> None:
        for name, procs in self.services().items():
            sizes = []
            for proc in procs:
                try:
                    sizes.append(proc.memory_info().rss / 2**20)
                except (psutil.Error, OSError):
                    continue
            if not sizes:
                continue
            peak = self.peaks.setdefault(name, Peak())
            peak.group_rss_mb = max(peak.group_rss_mb, round(sum(sizes), 1))
            peak.largest_process_mb = max(peak.largest_process_mb, round(max(sizes), 1))
            peak.processes = max(peak.processes, len(sizes))

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.sample()
            except Exception:
                continue
