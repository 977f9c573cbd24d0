"""IsolatedRunner against real child processes: calls that run too long or take too much memory are killed and
refused, answers and errors come back, and the event loop stays free while a child computes."""

from __future__ import annotations

import asyncio
import operator
import time
from collections.abc import AsyncIterator

import pytest

from mathreel_shared.isolation import InputTooComplex, IsolatedRunner

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
    assert 2.0 <= elapsed < 6.0
    assert ticks >= 20, "the event loop was held while the child computed"
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
    assert time.monotonic() - started < 3.0
    assert await runner.run(operator.add, 1, 1) == 2


async def test_closing_the_runner_ends_a_call_in_progress_at_once() -> None:
    runner = IsolatedRunner(workers=1, timeout_seconds=60.0, memory_bytes=None)
    call = asyncio.create_task(runner.run(operator.pow, *ENDLESS_POWER))
    await asyncio.sleep(0.5)
    started = time.monotonic()
    await runner.close()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert time.monotonic() - started < 3.0
    with pytest.raises(asyncio.CancelledError):
        await runner.run(operator.add, 1, 1)


async def test_start_readies_a_child_before_the_first_call() -> None:
    runner = IsolatedRunner(workers=1, timeout_seconds=5.0, memory_bytes=None)
    try:
        await runner.start()
        started = time.monotonic()
        assert await runner.run(operator.add, 1, 2) == 3
        assert time.monotonic() - started < 1.0
    finally:
        await runner.close()
