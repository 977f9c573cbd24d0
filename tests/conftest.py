"""Running deployments for the contract and end-to-end tests: the distributed stack as real processes, and the
standalone server in this process. Both are session-scoped: starting them costs seconds (each of the distributed
stack's seven processes imports its libraries), and tests use their own users, so they cannot see each other's jobs.

The one distributed stack also serves the observability tests: every process exports its spans to a receiver of the
session (``span_receiver``), and reaches RabbitMQ through a proxy the readiness test can cut and restore
(``broker_proxy``). A test that disturbs the stack must leave it as it found it, and say so.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from mathreel_shared.settings import Settings
from tests.e2e.stack import DistributedStack, free_port
from tests.support.followed import FollowedJob, FollowedJobs
from tests.support.isolated import own_resources
from tests.support.standalone import standalone_settings

if TYPE_CHECKING:
    from mathreel_visuals.pool import RendererPool
    from tests.observability.otlp import OtlpReceiver
    from tests.observability.tcp_proxy import TcpProxy


@dataclass
class Deployment:
    """What a contract test needs from either mode: where the API is, and how to get a token for a user."""

    mode: str
    base_url: str
    mint: Callable[[str], str]

    def new_user(self) -> str:
        return f"user_{self.mode}_{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def span_receiver() -> Iterator[OtlpReceiver]:
    """An OTLP/HTTP receiver that every process of ``distributed_stack`` exports its spans to."""
    from tests.observability.otlp import OtlpReceiver

    with OtlpReceiver().running() as running:
        yield running


@pytest.fixture(scope="session")
def broker_proxy(distributed_settings: Settings) -> Iterator[TcpProxy]:
    """The TCP proxy between ``distributed_stack``'s processes and RabbitMQ; cutting it is a broker outage."""
    from urllib.parse import urlsplit

    from tests.observability.tcp_proxy import TcpProxy

    target = urlsplit(distributed_settings.amqp_url)
    with TcpProxy(target.hostname or "127.0.0.1", target.port or 5672).running() as proxy:
        yield proxy


@pytest.fixture(scope="session")
async def distributed_stack(
    distributed_settings: Settings,
    service_endpoints,
    tmp_path_factory,
    span_receiver: OtlpReceiver,
    broker_proxy: TcpProxy,
) -> AsyncIterator[DistributedStack]:
    """The whole distributed stack, on a database and broker namespace of its own (``tests.support.isolated``),
    exporting its spans to ``span_receiver`` and reaching the broker through ``broker_proxy``."""
    async with own_resources(distributed_settings, service_endpoints.postgres_admin_url, "stack") as own:
        settings = own.model_copy(update={"amqp_url": broker_proxy.route(own.amqp_url)})
        telemetry: dict[str, str | None] = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": span_receiver.endpoint,
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": None,
            "OTEL_SERVICE_NAME": None,
            # A short batch delay, so that a test finds a finished job's spans within a second.
            "OTEL_BSP_SCHEDULE_DELAY": "200",
        }
        stack = DistributedStack(settings, tmp_path_factory.mktemp("stack-logs"), environment=telemetry)
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
    settings = standalone_settings(
        work,
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


@pytest.fixture(scope="session")
def second_gateway(distributed_stack: DistributedStack) -> Iterator[str]:
    """Another gateway replica of the distributed stack, as a real process: the base URL it answers on."""
    import subprocess
    import sys
    import time

    import httpx

    port = free_port()
    env = distributed_stack.process_env() | {
        "MATHREEL_PORT": str(port),
        "MATHREEL_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    log = (distributed_stack.log_dir / "gateway-second.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "mathreel_gateway.main"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base_url}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, "the second gateway exited"
            time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def followed_jobs() -> FollowedJobs:
    return FollowedJobs()


@pytest.fixture
async def finished_job(
    deployment: Deployment, followed_jobs: FollowedJobs, request: pytest.FixtureRequest
) -> FollowedJob:
    """The one job of ``deployment``'s mode that the tests reading a finished job share (``tests.support.followed``),
    followed in distributed mode on a second gateway replica as well."""
    other = request.getfixturevalue("second_gateway") if deployment.mode == "distributed" else None
    return await followed_jobs.of(deployment, other)


@pytest.fixture(scope="session")
async def render_pool() -> AsyncIterator[RendererPool]:
    """The visuals service's warm fork server (Manim imported once), for the tests that render in this process.

    The visuals worker renders every scene this way; a cold render in a new Python process gives the same clip
    (``services/visuals/tests/integration/test_pool.py``) but pays Manim's imports each time.
    """
    from mathreel_visuals.pool import RendererPool

    pool = RendererPool(timeout_seconds=600)
    try:
        yield pool
    finally:
        await pool.close()
