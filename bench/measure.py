"""Run a command in its own process and measure wall time and peak resident memory."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    seconds: float
    peak_mb: float
    ok: bool
    error: str = ""


def measure(command: list[str], env: dict | None = None, cwd: str | None = None) -> Measurement:
    """Wall time and peak RSS (the largest process of the tree, as the kernel reports it; it
    also counts the caller's own peak at the time, so callers keep their own memory small)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    stderr = process.stderr.read() if process.stderr else ""
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    peak_mb = usage.ru_maxrss / 1024  # Linux reports KiB
    if process.returncode != 0:
        last = stderr.strip().splitlines()[-1:] or [f"exit {process.returncode}"]
        return Measurement(seconds, peak_mb, False, last[0][:200])
    return Measurement(seconds, peak_mb, True)
