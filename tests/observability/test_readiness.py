"""Readiness follows the dependencies: every service answers 503 while the broker is unreachable and 200 once it is
back, while liveness stays 200 throughout (a broker outage must not get pods restarted).

Each process reaches RabbitMQ through a TCP proxy run by the test; cutting the proxy drops their connections and
refuses new ones, exactly what a broker outage or a network partition looks like from the service's side.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from tests.e2e.stack import DistributedStack
from tests.support.isolated import own_resources

from .tcp_proxy import TcpProxy

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def through(url: str, port: int) -> str:
    """``url`` with its host and port replaced by the proxy's (credentials and virtual host kept)."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{port}" if credentials else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def liveness_url(readiness_url: str) -> str:
    """The liveness probe beside a readiness probe: ``/readyz`` → ``/healthz`` (workers), ``/ready`` → ``/health``."""
    base, _, path = readiness_url.rpartition("/")
    return f"{base}/{'healthz' if path == 'readyz' else 'health'}"


def poll(stack: DistributedStack, condition: Callable[[], dict[str, str]], timeout: float) -> dict[str, str]:
    """Call ``condition`` (labels of the processes not yet as expected) until it is empty or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        pending = condition()
        if not pending or time.monotonic() > deadline:
            return pending
        time.sleep(0.5)


def readiness(stack: DistributedStack) -> dict[str, tuple[int, dict[str, str]]]:
    answers: dict[str, tuple[int, dict[str, str]]] = {}
    for label, process in stack.processes.items():
        try:
            response = httpx.get(process.health_url, timeout=10)
            answers[label] = (response.status_code, response.json().get("checks", {}))
        except httpx.HTTPError as exc:
            answers[label] = (0, {"request": type(exc).__name__})
    return answers


@pytest.fixture(scope="module")
def broker_proxy(distributed_settings) -> Iterator[TcpProxy]:
    target = urlsplit(distributed_settings.amqp_url)
    with TcpProxy(target.hostname or "127.0.0.1", target.port or 5672).running() as proxy:
        yield proxy


@pytest.fixture(scope="module")
async def proxied_stack(
    distributed_settings, service_endpoints, broker_proxy: TcpProxy, tmp_path_factory
) -> AsyncIterator[DistributedStack]:
    async with own_resources(distributed_settings, service_endpoints.postgres_admin_url, "readiness") as own:
        settings = own.model_copy(update={"amqp_url": through(own.amqp_url, broker_proxy.port)})
        stack = DistributedStack(settings, tmp_path_factory.mktemp("readiness-logs"))
        stack.start()
        try:
            yield stack
        finally:
            stack.stop()


def test_readiness_fails_without_the_broker_and_recovers(
    proxied_stack: DistributedStack, broker_proxy: TcpProxy
) -> None:
    labels = set(proxied_stack.processes)
    assert labels >= {"gateway", "orchestrator", "script", "tts", "visuals", "render"}
    before = readiness(proxied_stack)
    assert {label for label, (status, _) in before.items() if status != 200} == set(), before

    broker_proxy.cut()
    try:
        failing = poll(
            proxied_stack,
            lambda: {
                label: f"{status} {checks}"
                for label, (status, checks) in readiness(proxied_stack).items()
                if status != 503 or checks.get("broker", "").startswith("ok")
            },
            timeout=30,
        )
        assert failing == {}, f"still ready without a broker: {failing}\n{proxied_stack.logs()}"
        down = readiness(proxied_stack)
        # Only the broker is reported: the other dependencies are still there.
        for label, (_, checks) in down.items():
            assert checks["broker"].startswith("error"), (label, checks)
            assert all(result == "ok" for name, result in checks.items() if name != "broker"), (label, checks)
        # Liveness does not depend on the broker: restarting the process would not bring the broker back.
        for label, process in proxied_stack.processes.items():
            assert httpx.get(liveness_url(process.health_url), timeout=10).status_code == 200, label
    finally:
        broker_proxy.restore()

    # aio-pika's robust connection reconnects every 5 s by default; allow a few rounds on a busy machine.
    recovering = poll(
        proxied_stack,
        lambda: {
            label: f"{status} {checks}" for label, (status, checks) in readiness(proxied_stack).items() if status != 200
        },
        timeout=60,
    )
    assert recovering == {}, f"not ready again after the broker came back: {recovering}\n{proxied_stack.logs()}"
    exited = {
        label: process.popen.returncode for label, process in proxied_stack.processes.items() if not process.alive()
    }
    assert exited == {}, f"exited during the outage or the recovery: {exited}\n{proxied_stack.logs()}"
