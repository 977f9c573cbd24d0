"""``mathreel-orchestrator``: consumes job requests, stage results and progress; persists them; drives the job."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy import text

from mathreel_orchestrator.worker import register
from mathreel_shared.db import create_engine, create_sessionmaker
from mathreel_shared.metrics import MetricsSampler
from mathreel_shared.outbox import OutboxRelay
from mathreel_shared.runtime import ServiceRuntime, run_service


async def setup(runtime: ServiceRuntime) -> Callable[[], Awaitable[None]]:
    engine = create_engine(runtime.settings.database_url, pool_size=runtime.settings.database_pool_size)
    sessionmaker = create_sessionmaker(engine)
    relay = OutboxRelay(sessionmaker, runtime.bus)
    relay.start()
    running = await register(runtime, sessionmaker, relay)

    async def database() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    runtime.ready_checks.append(database)
    sampler = MetricsSampler(runtime.bus, sessionmaker=sessionmaker)
    sampler.start()

    async def cleanup() -> None:
        await sampler.stop()
        await running.stop()
        await relay.stop()
        await engine.dispose()

    return cleanup


def main() -> None:
    asyncio.run(run_service("orchestrator", setup))


if __name__ == "__main__":
    main()
