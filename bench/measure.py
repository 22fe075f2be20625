"""Run a command in its own process and measure wall time and peak resident memory."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_mb: float
    ok: bool
    error: str = ""
    tree_peak_mb: float | None = None


def measure(
    command: list[str],
    env: dict | None = None,
    cwd: str | None = None,
    sample_tree: bool = False,
) -> Measurement:
    """Wall time and peak RSS (the largest process of the tree, as the kernel reports it; it
    also counts the caller's own peak at the time, so callers keep their own memory small).
    With sample_tree, also the peak of the tree's summed RSS, sampled every 0.2 s: the figure for
    a command whose children are not all waited on (a JVM started by pyspark)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    sampler = _TreeSampler(process.pid) if sample_tree else None
    stderr = process.stderr.read() if process.stderr else ""
    _, status, usage = os.wait4(process.pid, 0)
    tree_peak_mb = sampler.stop() if sampler else None
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    peak_mb = usage.ru_maxrss / 1024  # Linux reports KiB
    if process.returncode != 0:
        last = stderr.strip().splitlines()[-1:] or [f"exit {process.returncode}"]
        return Measurement(seconds, peak_mb, False, last[0][:200], tree_peak_mb)
    return Measurement(seconds, peak_mb, True, "", tree_peak_mb)


def tree_rss_mb(root: int) -> float:
    """Summed resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    resident: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            pages = int((entry / "statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])  # after "pid (comm) state"
        children.setdefault(parent, []).append(int(entry.name))
        resident[int(entry.name)] = pages
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += resident.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total * PAGE_MB


class _TreeSampler:
    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self._pid, self._interval, self.peak_mb = pid, interval, 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(self._interval):
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self._pid))

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return self.peak_mb
