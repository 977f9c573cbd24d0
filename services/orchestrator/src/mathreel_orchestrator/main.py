"""``mathreel-orchestrator``: consumes job requests, stage results and progress; persists them; drives the job."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy import text

from mathreel_orchestrator.service import Orchestrator, Watchdog
from mathreel_shared.db import create_engine, create_sessionmaker
from mathreel_shared.metrics import MetricsSampler
from mathreel_shared.outbox import OutboxRelay
from mathreel_shared.runtime import ServiceRuntime, run_service

PREFETCH = 16


async def setup(runtime: ServiceRuntime) -> Callable[[], Awaitable[None]]:
    engine = create_engine(runtime.settings.database_url, pool_size=runtime.settings.database_pool_size)
    sessionmaker = create_sessionmaker(engine)
    relay = OutboxRelay(sessionmaker, runtime.bus)
    relay.start()
    orchestrator = Orchestrator(sessionmaker, relay)
    await runtime.bus.consume("orchestrator", orchestrator.handle, prefetch=PREFETCH)
    watchdog = Watchdog(
        orchestrator,
        runtime.bus,
        min_silence=runtime.settings.watchdog_min_silence_seconds,
        interval=runtime.settings.watchdog_interval_seconds,
    )
    watchdog.start()

    async def database() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    runtime.ready_checks.append(database)
    sampler = MetricsSampler(runtime.bus, sessionmaker=sessionmaker)
    sampler.start()

    async def cleanup() -> None:
        await sampler.stop()
        await watchdog.stop()
        await relay.stop()
        await engine.dispose()

    return cleanup


def main() -> None:
    asyncio.run(run_service("orchestrator", setup))


if __name__ == "__main__":
    main()
