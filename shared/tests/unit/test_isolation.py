"""IsolatedRunner against real child processes: calls that run too long or take too much memory are killed and
refused, answers and errors come back, and the event loop stays free while a child computes."""

from __future__ import annotations

import asyncio
import hashlib
import operator
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import psutil
import pytest

from mathreel_shared.isolation import InputTooComplex, IsolatedRunner
from mathreel_shared.usage import CpuMeter

# 9 ** 387420489 has some 370 million digits: GMP holds the interpreter for minutes computing it.
ENDLESS_POWER = (9, 9**9)


@pytest.fixture
async def runner() -> AsyncIterator[IsolatedRunner]:
    runner = IsolatedRunner(workers=2, timeout_seconds=2.0, memory_bytes=256 * 2**20)
    yield runner
    await runner.close()


async def test_answers_and_errors_come_back_from_the_child(runner: IsolatedRunner) -> None:
    assert await runner.run(operator.add, 2, 3) == 5
    with pytest.raises(ZeroDivisionError):
        await runner.run(operator.truediv, 1, 0)
    assert await runner.run(operator.mul, "ab", 2) == "abab"


async def test_the_cpu_a_call_spends_in_its_child_is_counted_for_the_current_message() -> None:
    # About 0.2 s of CPU per million rounds on this machine: 0.2 s or more, which waiting on a pipe never spends.
    work = (hashlib.pbkdf2_hmac, "sha256", b"key", b"salt", 1_000_000)
    runner = IsolatedRunner(workers=1, timeout_seconds=120.0, memory_bytes=None)
    try:
        with CpuMeter().counting() as meter:
            await runner.run(*work)
        assert meter.seconds() >= 0.1
        # Outside a counting meter the call is counted nowhere, and nothing breaks.
        await runner.run(*work)
    finally:
        await runner.close()


async def test_a_call_past_its_time_is_killed_and_refused_while_the_loop_keeps_running(
    runner: IsolatedRunner,
) -> None:
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    ticker = asyncio.create_task(tick())
    started = time.monotonic()
    with pytest.raises(InputTooComplex, match="more than 2 s") as refused:
        await runner.run(operator.pow, *ENDLESS_POWER)
    elapsed = time.monotonic() - started
    ticker.cancel()
    assert refused.value.code == "input_too_complex"
    assert refused.value.retryable is False
    # The power takes minutes: ending within seconds (with room for a loaded machine) is the limit at work.
    assert 2.0 <= elapsed < 15.0
    assert ticks >= 10, "the event loop was held while the child computed"
    # A fresh child takes the killed one's place.
    assert await runner.run(operator.add, 1, 1) == 2


async def test_a_call_past_the_memory_limit_is_refused(runner: IsolatedRunner) -> None:
    with pytest.raises(InputTooComplex, match="more memory"):
        await runner.run(operator.mul, b"x", 2**30)
    assert await runner.run(operator.add, 1, 1) == 2


async def test_a_cancelled_call_kills_its_child(runner: IsolatedRunner) -> None:
    call = asyncio.create_task(runner.run(operator.pow, *ENDLESS_POWER))
    await asyncio.sleep(0.5)
    started = time.monotonic()
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert time.monotonic() - started < 10.0
    assert await runner.run(operator.add, 1, 1) == 2


async def test_closing_the_runner_ends_a_call_in_progress_at_once() -> None:
    runner = IsolatedRunner(workers=1, timeout_seconds=60.0, memory_bytes=None)
    call = asyncio.create_task(runner.run(operator.pow, *ENDLESS_POWER))
    await asyncio.sleep(0.5)
    started = time.monotonic()
    await runner.close()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert time.monotonic() - started < 10.0
    with pytest.raises(asyncio.CancelledError):
        await runner.run(operator.add, 1, 1)


async def test_start_readies_a_child_before_the_first_call() -> None:
    runner = IsolatedRunner(workers=1, timeout_seconds=5.0, memory_bytes=None)
    try:
        await runner.start()
        started = time.monotonic()
        assert await runner.run(operator.add, 1, 2) == 3
        assert time.monotonic() - started < 5.0
    finally:
        await runner.close()


# A parent that starts a stuck call and dies without any clean-up, as under SIGKILL; it prints its children's pids.
ORPHANING_PARENT = """
import asyncio, operator, os
import psutil
from mathreel_shared.isolation import IsolatedRunner

async def main():
    runner = IsolatedRunner(workers=1, timeout_seconds=1.0, memory_bytes=None)
    await runner.start()
    call = asyncio.ensure_future(runner.run(operator.pow, 9, 9**9))
    await asyncio.sleep(0.5)
    print(" ".join(str(child.pid) for child in psutil.Process().children(recursive=True)), flush=True)
    os._exit(0)

asyncio.run(main())
"""


def test_a_child_outliving_its_killed_parent_is_ended_by_its_cpu_limit() -> None:
    """The parent's timer dies with the parent, and the fork server outlives it while a child runs: the child's
    own CPU limit (the call's time plus a margin) still ends the computation."""
    orphaning = subprocess.run(
        [sys.executable, "-c", ORPHANING_PARENT], capture_output=True, text=True, timeout=120, check=True
    )
    # The fork server, the computing child (and the resource tracker, which leaves with its parent).
    children = [psutil.Process(int(pid)) for pid in orphaning.stdout.split()]
    assert children, orphaning

    def running() -> list[psutil.Process]:
        # A zombie has ended; whether anyone reaps it is up to the machine's init.
        return [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]

    # CPU seconds, not wall seconds: on a loaded machine the child gets a fraction of a core.
    deadline = time.monotonic() + 90
    while running() and time.monotonic() < deadline:
        time.sleep(0.5)
    left = running()
    for process in left:
        process.kill()
    assert not left, "the orphaned computation kept running"
