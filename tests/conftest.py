"""Running deployments for the contract and end-to-end tests: the distributed stack as real processes, and the
standalone server in this process. Both are session-scoped: starting them costs seconds, and tests use their own
users, so they cannot see each other's jobs."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from mathreel_shared.settings import Mode, Settings
from tests.e2e.stack import DistributedStack, free_port
from tests.support.isolated import own_resources


@dataclass
class Deployment:
    """What a contract test needs from either mode: where the API is, and how to get a token for a user."""

    mode: str
    base_url: str
    mint: Callable[[str], str]

    def new_user(self) -> str:
        return f"user_{self.mode}_{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
async def distributed_stack(
    distributed_settings: Settings, service_endpoints, tmp_path_factory
) -> AsyncIterator[DistributedStack]:
    """The whole distributed stack, on a database and broker namespace of its own (``tests.support.isolated``)."""
    async with own_resources(distributed_settings, service_endpoints.postgres_admin_url, "stack") as settings:
        stack = DistributedStack(settings, tmp_path_factory.mktemp("stack-logs"))
        try:
            await asyncio.to_thread(stack.start)
            yield stack
        finally:
            await asyncio.to_thread(stack.stop)


@pytest.fixture(scope="session")
def distributed(distributed_stack: DistributedStack, jwks_server) -> Deployment:
    issuer = distributed_stack.settings.jwt_issuer
    return Deployment(
        "distributed",
        distributed_stack.base_url,
        lambda user: jwks_server.key.mint(user, issuer=issuer, ttl_seconds=3600),
    )


@pytest.fixture(scope="session")
async def standalone(tmp_path_factory) -> AsyncIterator[Deployment]:
    from mathreel_cli.standalone import serving, standalone_stack

    work = tmp_path_factory.mktemp("standalone")
    port = free_port()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        mode=Mode.STANDALONE,
        database_url=f"sqlite+aiosqlite:///{work}/mathreel.db",
        media_dir=work / "media",
        work_dir=work / "work",
        dev_signing_key_path=work / "dev-key.pem",
        public_base_url=f"http://127.0.0.1:{port}",
        port=port,
        # The webhook tests' receiver listens on 127.0.0.1.
        webhook_allow_private_networks=True,
    )
    async with standalone_stack(settings) as stack, serving(stack.app, port) as base_url:
        key = stack.resources.dev_key
        assert key is not None
        yield Deployment("standalone", base_url, lambda user: key.mint(user, issuer="mathreel-dev"))


@pytest.fixture(params=["standalone", "distributed"])
def deployment(request: pytest.FixtureRequest) -> Deployment:
    """Each contract test runs against both modes, so they cannot drift apart."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]
