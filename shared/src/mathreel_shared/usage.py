"""What a worker spends on one stage message: the figures of the per-job resource report.

A worker starts a ``CpuMeter`` when it takes a message and puts ``meter.seconds()`` into its result's
``cpu_seconds``. The figure is the CPU time (user + system) of the worker process, plus that of the subprocesses it
waited for in the meantime (Manim, FFmpeg): ``time.process_time()`` and ``getrusage(RUSAGE_CHILDREN)``. Both are
per process, so a process that handles several messages at once (standalone mode, a worker with concurrency above
one) counts the overlapping work in each: the figures are exact for one message at a time and upper bounds
otherwise. Work done in a process this one is not the parent of is added with ``CpuMeter.add``: a scene rendered in
the warm renderer pool runs in a child of the pool's fork server, which measures it when it reaps it. Long-lived
helper processes (the script worker's planner children, its warm preflight) measure each call themselves and report
it with ``count_elsewhere``, which adds it to the meter ``CpuMeter.counting`` made current for the message.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


def own_cpu_seconds() -> float:
    """CPU seconds of this process and of its finished, waited-for children (``getrusage``): what a helper process
    measures around one call it makes for another."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


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

    @contextmanager
    def counting(self) -> Iterator[CpuMeter]:
        """Make this the meter ``count_elsewhere`` adds to, in this task and the tasks it starts."""
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)


_current: ContextVar[CpuMeter | None] = ContextVar("mathreel_cpu_meter", default=None)


def count_elsewhere(seconds: float) -> None:
    """Add ``seconds`` of CPU that a helper process spent for the current message to the meter counting it (none:
    the work is not part of a stage's report)."""
    meter = _current.get()
    if meter is not None:
        meter.add(seconds)
