"""Standalone mode: every service in one process, on SQLite, an in-process bus and a local media folder.

It is the same service code as the distributed deployment: the gateway app, the orchestrator and the four workers
are composed around one shared set of resources instead of talking over RabbitMQ, PostgreSQL and S3.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI

from mathreel_gateway.app import create_app
from mathreel_gateway.main import JsonErrorHttpProtocol
from mathreel_gateway.resources import GatewayResources, open_resources
from mathreel_orchestrator.migrate import upgrade
from mathreel_orchestrator.service import Orchestrator
from mathreel_orchestrator.worker import register as register_orchestrator
from mathreel_render.worker import register as register_render
from mathreel_script.worker import register as register_script
from mathreel_shared.runtime import ServiceRuntime
from mathreel_shared.settings import Mode, Settings
from mathreel_tts.worker import register as register_tts
from mathreel_visuals.worker import register as register_visuals
from mathreel_webhooks.worker import register as register_webhooks

log = logging.getLogger(__name__)


@dataclass
class Standalone:
    app: FastAPI
    resources: GatewayResources
    runtime: ServiceRuntime
    orchestrator: Orchestrator


@asynccontextmanager
async def standalone_stack(settings: Settings) -> AsyncIterator[Standalone]:
    """Migrate the SQLite database, start every service's consumers and yield the gateway app."""
    if settings.mode is not Mode.STANDALONE:
        raise ValueError("standalone_stack needs settings with mode=standalone")
    await upgrade(settings.database_url)
    async with open_resources(settings) as resources:
        runtime = ServiceRuntime(settings=settings, bus=resources.bus, store=resources.store)
        await resources.bus.subscribe_broadcast(runtime.cancellations.on_broadcast)
        # The gateway's relay publishes the orchestrator's outbox too: one process, one database, one relay.
        orchestrator = await register_orchestrator(runtime, resources.sessionmaker, resources.relay, prefetch=8)
        cleanups = [
            cleanup
            for register in (register_script, register_tts, register_visuals, register_render)
            if (cleanup := await register(runtime)) is not None
        ]
        cleanups.append(await register_webhooks(runtime, resources.sessionmaker))
        # The in-process bus lost the messages of the jobs in flight when the process last stopped: send them again
        # now, with every consumer listening. The watchdog is for stages that go silent, not for restarts.
        resumed = await orchestrator.orchestrator.resume_after_restart()
        if resumed:
            log.warning("resumed %d job(s) in flight at start-up", sum(a == "resumed" for a in resumed.values()))
        try:
            yield Standalone(create_app(settings, resources=resources), resources, runtime, orchestrator.orchestrator)
        finally:
            await orchestrator.stop()
            await resources.bus.stop_consuming()
            for cleanup in cleanups:
                await cleanup()


@asynccontextmanager
async def serving(app: FastAPI, port: int, *, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn in this event loop until the block ends; yield its base URL once it listens.

    The access log stays off: standalone media URLs carry their signature in the path.
    """
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, http=JsonErrorHttpProtocol
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # start-up failed: raise its error
        await asyncio.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task
