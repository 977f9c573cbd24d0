"""The background loop shared by the outbox relay, the watchdog and the metrics sampler."""

from __future__ import annotations

import asyncio

from mathreel_shared.periodic import PeriodicTask


async def test_runs_on_its_interval_survives_failures_and_stops() -> None:
    runs: list[int] = []

    async def run_once() -> None:
        runs.append(len(runs))
        if len(runs) == 2:
            raise RuntimeError("the database is away")

    task = PeriodicTask("test-loop", run_once, interval=0.02)
    task.start()
    await asyncio.sleep(0.15)
    await task.stop()
    count = len(runs)

    assert count >= 4, "a failing run does not end the loop"
    await asyncio.sleep(0.06)
    assert len(runs) == count, "nothing runs after stop()"


async def test_wake_runs_at_once_instead_of_after_the_interval() -> None:
    ran = asyncio.Event()
    calls = 0

    async def run_once() -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            ran.set()

    task = PeriodicTask("test-wake", run_once, interval=60)
    task.start()
    await asyncio.sleep(0.01)
    task.wake()
    await asyncio.wait_for(ran.wait(), timeout=1)
    await task.stop()
    assert calls == 2
