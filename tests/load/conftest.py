"""Two gateway replicas as real processes on the session's PostgreSQL, Redis and RabbitMQ namespace."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mathreel_shared.settings import Settings
from tests.chaos.harness import ChaosStack
from tests.e2e.stack import free_port


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "load: many users on two gateway replicas for a bounded time")


@pytest.fixture(scope="module")
def load_settings(distributed_settings: Settings, redis_key_prefix: str) -> Settings:
    # A small pool per replica: the machine's PostgreSQL is shared with other test runs.
    return distributed_settings.model_copy(
        update={"redis_key_prefix": f"{redis_key_prefix}load:", "database_pool_size": 5}
    )


@pytest.fixture(scope="module")
def two_gateways(load_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    """Base URLs of two gateway processes sharing one database, one Redis and one broker namespace."""
    from mathreel_orchestrator.migrate import upgrade
    from tests.chaos.harness import wait_ready
    from tests.support.aio import run_async

    run_async(upgrade(load_settings.database_url))
    stack = ChaosStack(load_settings, tmp_path_factory.mktemp("load-logs"))
    urls: list[str] = []
    try:
        # Both replicas start side by side, then the fixture waits for each.
        for label in ("gateway", "gateway-1"):
            port = free_port()
            stack.start_gateway(label, port, wait=False)
            urls.append(f"http://127.0.0.1:{port}")
        for process in stack.processes.values():
            wait_ready(process)
        yield urls
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def load_mint(jwks_server: Any, load_settings: Settings) -> Any:
    return lambda user: jwks_server.key.mint(user, issuer=load_settings.jwt_issuer, ttl_seconds=3600)
