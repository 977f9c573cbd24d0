"""Gathering the calls of one event-loop turn into one round trip.

At 64 concurrent status polls, a round trip of its own for each request's rate-limit count and job read was most of
the gateway's CPU: each one wakes the event loop, takes a pooled connection, and parses one small reply. The
requests that reach the same call in the same turn of the event loop are instead sent together (one Redis pipeline,
one ``= ANY($1)`` statement), the DataLoader pattern (``aiodataloader``, without its cache: every call is a fresh
read or count). A lone request waits for nothing: its batch of one leaves at the end of the turn it arrived in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

from aiodataloader import DataLoader

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


class Batched(Generic[Key, Value]):
    """``await batched(key)`` answers ``load_all(keys)[i]`` for the ``keys`` gathered in the current loop turn.

    ``load_all`` returns one value per key, in order (a key may repeat); an exception among the values is raised to
    that key's caller only, and an exception raised by ``load_all`` to every caller of the batch.
    """

    def __init__(self, load_all: Callable[[list[Key]], Awaitable[Sequence[Value | Exception]]]) -> None:
        self._load_all = load_all
        self._loader: DataLoader[Key, Value] | None = None

    async def __call__(self, key: Key) -> Value:
        loop = asyncio.get_running_loop()
        if self._loader is None or self._loader.loop is not loop:
            # Bound to the loop that runs it (a test's, an app's), never to one that was current when built.
            self._loader = DataLoader(self._load_all, cache=False, loop=loop)  # type: ignore[arg-type]
        return await self._loader.load(key)
