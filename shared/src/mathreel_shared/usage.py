"""What a worker spends on one stage message: the figures of the per-job resource report.

A worker starts a ``CpuMeter`` when it takes a message and puts ``meter.seconds()`` into its result's
``cpu_seconds``. The figure is the CPU time (user + system) of the worker process, plus that of the subprocesses it
waited for in the meantime (Manim, FFmpeg): ``time.process_time()`` and ``getrusage(RUSAGE_CHILDREN)``. Both are
per process, so a process that handles several messages at once (standalone mode, a worker with concurrency above
one) counts the overlapping work in each: the figures are exact for one message at a time and upper bounds
otherwise. Long-lived helper processes (the script worker's planner pool) are counted when they exit, not per job.
Work done in a process this one is not the parent of is added with ``CpuMeter.add``: a scene rendered in the warm
renderer pool runs in a child of the pool's fork server, which measures it when it reaps it.
"""

from __future__ import annotations

import resource
import time


def process_cpu_seconds() -> float:
    """CPU seconds of this process and of its finished, waited-for children, since the process started."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class CpuMeter:
    """CPU seconds spent since the meter was made (see the module's note on concurrency)."""

    def __init__(self) -> None:
        self._start = process_cpu_seconds()
        self._elsewhere = 0.0

    def add(self, seconds: float) -> None:
        """Count ``seconds`` of CPU spent for this message in a process the meter cannot see (not a waited-for
        child of this one)."""
        self._elsewhere += max(seconds, 0.0)

    def seconds(self) -> float:
        return round(max(process_cpu_seconds() - self._start, 0.0) + self._elsewhere, 3)
