"""The orchestrator's consumer and watchdog, wired the same way in both modes.

Distributed mode runs them in their own process (``main``), on its own engine and outbox relay; standalone mode
(``mathreel serve``) runs them beside the gateway and the workers, on the gateway's engine and relay.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mathreel_orchestrator.service import Orchestrator
from mathreel_orchestrator.watchdog import Watchdog
from mathreel_shared.contracts import ORCHESTRATOR
from mathreel_shared.outbox import OutboxRelay
from mathreel_shared.runtime import ServiceRuntime

# Events applied at once: each holds its job's row lock, so events of different jobs overlap, one job's never do.
PREFETCH = 16


@dataclass
class RunningOrchestrator:
    orchestrator: Orchestrator
    watchdog: Watchdog

    async def stop(self) -> None:
        await self.watchdog.stop()


async def register(
    runtime: ServiceRuntime,
    sessionmaker: async_sessionmaker[AsyncSession],
    relay: OutboxRelay,
    *,
    prefetch: int = PREFETCH,
) -> RunningOrchestrator:
    """Consume the orchestrator's queue (its contract in ``mathreel_shared.contracts``) and start the watchdog."""
    orchestrator = Orchestrator(sessionmaker, relay)
    await runtime.bus.consume(ORCHESTRATOR.queue, orchestrator.handle, prefetch=prefetch)
    watchdog = Watchdog(
        orchestrator,
        runtime.bus,
        min_silence=runtime.settings.watchdog_min_silence_seconds,
        interval=runtime.settings.watchdog_interval_seconds,
    )
    watchdog.start()
    return RunningOrchestrator(orchestrator, watchdog)
