"""Calls of one event-loop turn answered by one batch."""

from __future__ import annotations

import asyncio

import pytest

from mathreel_gateway.batching import Batched


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[int]] = []

    async def load_all(self, keys: list[int]) -> list[int | Exception]:
        self.batches.append(list(keys))
        await asyncio.sleep(0)
        return [ValueError(f"no {key}") if key < 0 else key * 10 for key in keys]


async def test_calls_of_one_turn_share_a_batch_and_keep_their_order_and_repeats() -> None:
    recorder = Recorder()
    batched = Batched(recorder.load_all)

    assert await asyncio.gather(batched(1), batched(2), batched(1)) == [10, 20, 10]
    assert recorder.batches == [[1, 2, 1]]

    assert await batched(3) == 30  # a lone call is not held back for company
    assert recorder.batches == [[1, 2, 1], [3]]


async def test_a_failed_value_reaches_its_caller_only() -> None:
    batched = Batched(Recorder().load_all)
    results = await asyncio.gather(batched(1), batched(-1), return_exceptions=True)
    assert results[0] == 10
    assert isinstance(results[1], ValueError)


async def test_a_failed_batch_reaches_every_caller() -> None:
    async def broken(_keys: list[int]) -> list[int]:
        raise ConnectionError("down")

    batched = Batched(broken)
    results = await asyncio.gather(batched(1), batched(2), return_exceptions=True)
    assert [type(result) for result in results] == [ConnectionError, ConnectionError]


def test_each_event_loop_gets_its_own_batches() -> None:
    recorder = Recorder()
    batched = Batched(recorder.load_all)
    assert asyncio.run(batched(1)) == 10
    assert asyncio.run(batched(2)) == 20  # a loader bound to the first, closed loop would fail here
    assert recorder.batches == [[1], [2]]


@pytest.mark.parametrize("size", [1, 50])
async def test_every_caller_is_answered(size: int) -> None:
    batched = Batched(Recorder().load_all)
    assert await asyncio.gather(*(batched(key) for key in range(size))) == [key * 10 for key in range(size)]
