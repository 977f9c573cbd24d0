"""A background loop that runs one coroutine every few seconds for a service's lifetime.

The outbox relay, the orchestrator's watchdog and the metrics sampler are each such a loop: started with the service,
stopped (cancelled and awaited) on shutdown, and never ended by one failing run, since the database or broker it
talks to may be away for a while.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class PeriodicTask:
    """Runs ``run_once`` every ``interval`` seconds in a task of its own, from ``start()`` until ``stop()``.

    A run that raises is logged and the next one comes on time. ``wake()`` starts the next run at once instead of
    at the end of the interval (the outbox relay is woken after a commit that added messages).
    """

    def __init__(self, name: str, run_once: Callable[[], Awaitable[object]], interval: float) -> None:
        self.name = name
        self.interval = interval
        self._run_once = run_once
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    def wake(self) -> None:
        self._wakeup.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self._run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("%s failed; it runs again in %.0f s", self.name, self.interval, exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=self.interval)
            self._wakeup.clear()
