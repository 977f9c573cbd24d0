"""The CPU meter behind the per-job resource report."""

from __future__ import annotations

import resource

from mathreel_shared.usage import CpuMeter


def _spin(cpu_seconds: float) -> None:
    start = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    while resource.getrusage(resource.RUSAGE_SELF).ru_utime - start < cpu_seconds:
        pass


def test_the_meter_counts_this_process_and_what_was_spent_elsewhere() -> None:
    meter = CpuMeter()
    _spin(0.2)
    own = meter.seconds()
    assert own >= 0.2
    # A warm render's CPU, measured by the fork server that reaped it; a negative figure is never subtracted.
    meter.add(3.5)
    meter.add(-1.0)
    assert 3.5 + own <= meter.seconds() < 3.5 + own + 0.5
