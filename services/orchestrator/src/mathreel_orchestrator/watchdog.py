"""The watchdog: jobs whose stage went silent are re-driven once, then failed, so none hangs for ever."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from mathreel_orchestrator.service import Orchestrator
from mathreel_shared.bus import Bus
from mathreel_shared.contracts import QUEUE_OF_STAGE
from mathreel_shared.db import utcnow
from mathreel_shared.domain import Quality, Stage
from mathreel_shared.periodic import PeriodicTask


class Watchdog:
    """Finds jobs whose stage went silent past its deadline: re-drives the stage once, then fails the job.

    Deadline: ``max(settings.watchdog_min_silence_seconds, 4 × the stage's median duration)`` of silence (no event
    of the job at all, progress included). While the stage's queue still holds messages the job may just be waiting
    its turn behind others: a backlog is not silence, so the watchdog waits until the queue has drained.
    """

    def __init__(self, orchestrator: Orchestrator, bus: Bus, *, min_silence: float, interval: float) -> None:
        self._orchestrator = orchestrator
        self._bus = bus
        self._min_silence = min_silence
        self._loop = PeriodicTask("watchdog", self.sweep, interval)

    def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def sweep(self, now: datetime | None = None) -> dict[UUID, str]:
        """One pass; returns what was done per job: "redriven" or "failed"."""
        now = now or utcnow()
        actions: dict[UUID, str] = {}
        for job_id, stage, quality, updated_at in await self._orchestrator.active_jobs():
            medians = await self._orchestrator.medians(Quality(quality))
            deadline = max(self._min_silence, 4 * medians.get(stage, 0.0))
            silence = (now - updated_at).total_seconds()
            if silence < deadline:
                continue
            if await self._queue_busy(stage):
                continue
            action = await self._orchestrator.handle_silence(job_id, stage, now)
            if action:
                actions[job_id] = action
        return actions

    async def _queue_busy(self, stage: Stage) -> bool:
        try:
            return await self._bus.queue_depth(QUEUE_OF_STAGE[stage]) > 0
        except Exception:
            return False
