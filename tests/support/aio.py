"""Running coroutines from synchronous fixtures."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion on a private event loop in a worker thread.

    Session fixtures set up and tear down with async-only clients (asyncpg, aio-pika). Running them on a thread of
    their own leaves pytest-asyncio's session loop, and the main thread's notion of the current loop, untouched.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fixture-io") as pool:
        return pool.submit(asyncio.run, coro).result()
