"""What a worker uses, read by the grader from /proc, never from the worker's own word.

A worker is a tree: bubblewrap, its init inside the sandbox, the Python worker, and whatever the
student's code starts. The kernel keeps each process's peak resident set (``VmHWM``), so reading it
just before the tree is killed gives each process's peak without sampling; the sandbox's total is
sampled for as long as the worker lives (see processes.WorkerProcess._enforce_memory).
"""
from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants alive now (Linux' /proc/<pid>/task/<tid>/children)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in (PROC / str(current) / "task").iterdir():
                queue += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def status_number(pid: int, field: str) -> int:
    """A number of /proc/<pid>/status: a ``kB`` field or a pid (0 when the process or the field is gone)."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def peak_rss_kb(pid: int) -> int:
    """The largest peak resident set of any process in the tree of ``pid``."""
    return max((status_number(p, "VmHWM") for p in tree(pid)), default=0)


def rss_kb(pid: int, spared: int | None = None) -> int:
    """The anonymous resident memory of the whole tree of ``pid`` but ``spared`` now: what its code allocated,
    without the shared libraries it maps (CUDA's alone are gigabytes, and the same pages for every worker)."""
    return sum(status_number(p, "RssAnon") for p in tree(pid) if p != spared)


def cpu_seconds(pid: int) -> float:
    """CPU time of the tree of ``pid``: each thread alive now (/proc/<pid>/task/<tid>/schedstat, in nanoseconds:
    /proc/<pid>/stat's clock ticks round a short worker's time down to nothing) and the children its processes
    have waited for (stat: cutime, cstime)."""
    seconds, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for process in tree(pid):
        try:
            fields = (PROC / str(process) / "stat").read_text().rsplit(")", 1)[1].split()
            seconds += (int(fields[13]) + int(fields[14])) / tick
            for task in (PROC / str(process) / "task").iterdir():
                seconds += int((task / "schedstat").read_text().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            continue
    return seconds


class WorkerUsage:
    """A student's workers over their grading: starts, calls (round trips), time-outs, crashes, peak memory, and the
    CPU time of the student's processes (their cells and the calls of the tests: the student's own work)."""

    def __init__(self):
        self.starts = self.calls = self.timeouts = self.crashes = self.peak_rss_kb = 0
        self.cpu_s = 0.0

    def sample(self, process) -> None:
        """Before a worker is killed: its processes' own peaks (exact, kept by the kernel), and the peak of its
        sandbox's sum that the grader sampled (processes.WorkerProcess._enforce_memory)."""
        self.peak_rss_kb = max(self.peak_rss_kb, process.peak_kb, peak_rss_kb(process.pid))
        self.cpu_s += cpu_seconds(process.pid)

    def to_json(self) -> dict:
        return {"starts": self.starts, "calls": self.calls, "timeouts": self.timeouts, "crashes": self.crashes,
                "peak_rss_mb": round(self.peak_rss_kb / 1024, 1), "cpu_s": round(self.cpu_s, 3)}
