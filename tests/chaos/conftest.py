"""Fixtures of the chaos suite: a RabbitMQ node and a PostgreSQL cluster of its own (so the tests may restart them),
the distributed stack running on them, and a standalone stack whose bus delivers every message twice.

CI size by default; ``MATHREEL_CHAOS_JOBS=100`` runs the scaled tests at full size (see docs/reliability.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from pydantic import SecretStr

from mathreel_orchestrator.migrate import upgrade
from mathreel_shared.settings import Mode, Settings
from tests.chaos.harness import ChaosStack, JobClient, wait_ready
from tests.chaos.private_services import PrivatePostgres, PrivateRabbitMQ, private_postgres, private_rabbitmq
from tests.e2e.stack import free_port
from tests.support.standalone import standalone_settings


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "chaos: kills processes and restarts servers while jobs run")


@dataclass
class ChaosEnvironment:
    """Settings wired to the private broker and database, plus handles to restart them."""

    settings: Settings
    rabbitmq: PrivateRabbitMQ
    postgres: PrivatePostgres
    jwks: Any
    s3: Any

    def mint(self, user_id: str) -> str:
        return str(self.jwks.key.mint(user_id, issuer=self.settings.jwt_issuer, ttl_seconds=7200))


@pytest.fixture(scope="session")
def chaos_environment(
    tmp_path_factory: pytest.TempPathFactory,
    redis_url: str,
    redis_key_prefix: str,
    s3_settings: Any,
    jwks_server: Any,
) -> Iterator[ChaosEnvironment]:
    from tests.support.aio import run_async

    with contextlib.ExitStack() as servers:
        # The two servers boot side by side (each mostly waits on its own start-up); both are stopped on exit, even
        # when the other failed to start.
        with ThreadPoolExecutor(max_workers=2) as pool:
            starting = [
                pool.submit(servers.enter_context, server) for server in (private_rabbitmq(), private_postgres())
            ]
        rabbitmq: PrivateRabbitMQ = starting[0].result()
        postgres: PrivatePostgres = starting[1].result()
        database_url = postgres.create_database("mathreel_chaos")
        run_async(upgrade(database_url))
        work = tmp_path_factory.mktemp("chaos")
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            environment="test",
            mode=Mode.DISTRIBUTED,
            database_url=database_url,
            amqp_url=rabbitmq.amqp_url,
            broker_namespace=f"mathreel-chaos-{uuid.uuid4().hex[:8]}",
            redis_url=redis_url,
            redis_key_prefix=f"{redis_key_prefix}chaos:",
            s3_endpoint_url=s3_settings.endpoint_url,
            s3_public_endpoint_url=None,
            s3_bucket=s3_settings.bucket,
            s3_region=s3_settings.region,
            s3_access_key_id=s3_settings.access_key_id,
            s3_secret_access_key=SecretStr(s3_settings.secret_access_key),
            jwks_url=jwks_server.url,
            jwt_issuer="mathreel-dev",
            authorized_parties=[],
            media_dir=work / "media",
            work_dir=work / "work",
            dev_signing_key_path=work / "dev-signing-key.pem",
            # One scene at a time: the machine has two cores and runs every service at once.
            visuals_concurrency=1,
            # Long enough that a slow stage on a busy machine is not re-driven, short enough to catch a lost one.
            # A big soak queues jobs behind each other for longer: MATHREEL_CHAOS_WATCHDOG_SECONDS raises it.
            watchdog_min_silence_seconds=float(os.environ.get("MATHREEL_CHAOS_WATCHDOG_SECONDS", "150")),
            watchdog_interval_seconds=5.0,
            shutdown_grace_seconds=90.0,
            publish_confirm_timeout_seconds=5.0,
        )
        yield ChaosEnvironment(settings, rabbitmq, postgres, jwks_server, s3_settings)


@pytest.fixture(scope="session")
def chaos_stack_session(
    chaos_environment: ChaosEnvironment, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ChaosStack]:
    stack = ChaosStack(chaos_environment.settings, tmp_path_factory.mktemp("chaos-logs"))
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
        if os.environ.get("MATHREEL_CHAOS_KEEP_LOGS"):
            print(stack.logs(), file=sys.stderr)  # noqa: T201 - asked for on the command line


@pytest.fixture
def chaos_stack(chaos_stack_session: ChaosStack) -> Iterator[ChaosStack]:
    """The session's stack, whole: whatever a test killed and did not bring back is restarted after it."""
    yield chaos_stack_session
    for label, process in list(chaos_stack_session.processes.items()):
        if process.alive() or label.startswith("gateway"):
            continue
        chaos_stack_session.restart(label)
    for process in chaos_stack_session.processes.values():
        if process.alive():
            wait_ready(process)


@pytest.fixture
def job_client(chaos_stack: ChaosStack, chaos_environment: ChaosEnvironment) -> JobClient:
    return JobClient(chaos_stack.base_url, chaos_environment.mint, uuid.uuid4().hex[:8])


@dataclass
class DuplicatingStandalone:
    """A standalone deployment whose bus delivers every message twice."""

    client: JobClient
    settings: Settings
    orchestrator: Any
    bus: Any


@pytest.fixture
async def duplicating_standalone(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[DuplicatingStandalone]:
    """Every service of the standalone mode, on a bus that publishes every message twice."""
    import mathreel_gateway.resources
    from mathreel_cli.standalone import standalone_stack
    from tests.chaos.duplicating_bus import DuplicatingMemoryBus

    monkeypatch.setattr(mathreel_gateway.resources, "MemoryBus", DuplicatingMemoryBus)
    work = tmp_path_factory.mktemp("duplicates")
    port = free_port()
    settings = standalone_settings(
        work,
        public_base_url=f"http://127.0.0.1:{port}",
        port=port,
        visuals_concurrency=1,
    )
    async with standalone_stack(settings) as stack:
        assert isinstance(stack.resources.bus, DuplicatingMemoryBus)
        server = uvicorn.Server(uvicorn.Config(stack.app, host="127.0.0.1", port=port, log_level="warning"))
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
        key = stack.resources.dev_key
        assert key is not None
        client = JobClient(f"http://127.0.0.1:{port}", lambda user: key.mint(user, issuer="mathreel-dev"), "dup")
        try:
            yield DuplicatingStandalone(client, settings, stack.orchestrator, stack.resources.bus)
        finally:
            server.should_exit = True
            await task
