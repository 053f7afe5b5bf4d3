"""Figures of a running process read from Linux's /proc: what the benchmarks measure a
command's memory by (not wait4's, see bench.scale.PeakRss)."""

from __future__ import annotations

from pathlib import Path


def status_kb(pid: int, field: str) -> int | None:
    """A figure of /proc/PID/status in kB (VmHWM, VmRSS), or None (no such process or /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def children(pid: int) -> list[int]:
    """The process ids of its children (of every thread), or [] when it is gone."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []
    found: list[int] = []
    for task in tasks:
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found
