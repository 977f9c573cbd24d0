"""Readiness follows the dependencies: every service answers 503 while the broker is unreachable and 200 once it is
back, while liveness stays 200 throughout (a broker outage must not get pods restarted).

Each process of the session's stack reaches RabbitMQ through a TCP proxy run by the tests (``broker_proxy`` in
``tests/conftest.py``); cutting the proxy drops their connections and refuses new ones, exactly what a broker outage
or a network partition looks like from the service's side. The test restores the proxy and waits until every process
is ready again, so the tests after it find the stack as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from tests.e2e.stack import DistributedStack

from .tcp_proxy import TcpProxy

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


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


def test_readiness_fails_without_the_broker_and_recovers(
    distributed_stack: DistributedStack, broker_proxy: TcpProxy
) -> None:
    proxied_stack = distributed_stack
    assert broker_proxy.route(proxied_stack.settings.amqp_url) == proxied_stack.settings.amqp_url
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
