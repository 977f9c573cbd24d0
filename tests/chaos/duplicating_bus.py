"""A bus that delivers every message twice: the worst an at-least-once broker may do, on every message at once."""

from __future__ import annotations

from collections import Counter
from typing import Any

from mathreel_shared.bus import MemoryBus


class DuplicatingMemoryBus(MemoryBus):
    """``MemoryBus`` whose every publish (outbox relay, workers, poison reports) enqueues the message twice.

    Retries through ``publish_delayed`` are left single: they are a new attempt, not a copy.
    """

    def __init__(self) -> None:
        super().__init__()
        self.published: Counter[str] = Counter()

    async def publish_raw(self, routing_key: str, body: bytes, *, priority: int, headers: dict[str, Any]) -> None:
        self.published[routing_key] += 2
        await super().publish_raw(routing_key, body, priority=priority, headers=headers)
        await super().publish_raw(routing_key, body, priority=priority, headers=headers)
