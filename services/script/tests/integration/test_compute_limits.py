"""The script worker on hostile context: computations past their limits fail the job once, with
``input_too_complex``, and the worker stays responsive and stops on SIGTERM whatever it is computing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import uuid4

import httpx

from mathreel_orchestrator.migrate import upgrade
from mathreel_script.worker import register
from mathreel_shared.bus import Delivery, MemoryBus, RabbitBus
from mathreel_shared.domain import Quality
from mathreel_shared.messages import JobConfiguration, Message, ScriptCompleted, ScriptRequested, StageFailed
from mathreel_shared.runtime import ServiceRuntime
from mathreel_shared.settings import Mode, Settings
from mathreel_shared.storage import LocalStore
from tests.e2e.stack import free_port, settings_env

# A curriculum topic, so the hostile job has a lesson to plan around the tower it must not compute.
HOSTILE = JobConfiguration(topic="Laws of exponents", context="Compute 9^9^9^9 = 5 now.", quality=Quality.LOW)
GRACE_SECONDS = 10.0


async def test_a_plan_past_its_time_limit_fails_the_job_once_with_input_too_complex(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    await upgrade(database_url)
    # A limit no plan can meet: the round trip to the child alone takes longer.
    settings = Settings(
        mode=Mode.STANDALONE,
        database_url=database_url,
        media_dir=tmp_path / "media",
        compute_timeout_seconds=0.001,
        stage_max_attempts={"script": 3},
    )
    bus = MemoryBus()
    store = LocalStore(settings)
    await store.start()
    results: asyncio.Queue[Message] = asyncio.Queue()

    async def collect(message: Message, _delivery: Delivery) -> None:
        if message.type != "job.progress":
            await results.put(message)

    await bus.consume("orchestrator", collect)
    cleanup = await register(ServiceRuntime(settings=settings, bus=bus, store=store))
    try:
        await bus.publish(ScriptRequested(job_id=uuid4(), user_id="user-1", configuration=HOSTILE))
        failed = await asyncio.wait_for(results.get(), timeout=60)
        assert isinstance(failed, StageFailed), failed
        assert failed.code == "input_too_complex"
        assert failed.retryable is False
        assert "0.001 s of computation" in failed.message
        # Permanent: no delayed retry (the first comes after 2 s) and nothing else for this job.
        await asyncio.sleep(3.0)
        assert results.empty()
        assert await bus.queue_depth("script") == 0
    finally:
        await bus.close()
        await cleanup()


def _ready(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


async def test_the_worker_process_plans_hostile_context_and_stops_on_sigterm(
    distributed_settings: Settings, tmp_path: Path
) -> None:
    """Finding 1 against a real worker on RabbitMQ: it answers the hostile job, keeps answering its probe, and a
    SIGTERM sent while it plans another stops it within its grace period."""
    namespace = f"{distributed_settings.broker_namespace}-compute-{uuid4().hex[:6]}"
    settings = distributed_settings.model_copy(
        update={"broker_namespace": namespace, "shutdown_grace_seconds": GRACE_SECONDS}
    )
    health = free_port()
    env = {
        **os.environ,
        **settings_env(settings),
        "MATHREEL_HEALTH_PORT": str(health),
        "MATHREEL_HEALTH_HOST": "127.0.0.1",
    }
    env.pop("MATHREEL_LLM_BASE_URL", None)
    log_path = tmp_path / "script.log"
    bus = RabbitBus(settings.amqp_url, namespace)
    await bus.start()
    results: asyncio.Queue[Message] = asyncio.Queue()

    async def collect(message: Message, _delivery: Delivery) -> None:
        if message.type != "job.progress":
            await results.put(message)

    await bus.consume("orchestrator", collect)
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "mathreel_script.main"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        probe = f"http://127.0.0.1:{health}/healthz"
        deadline = time.monotonic() + 120
        while not await asyncio.to_thread(_ready, probe):
            assert worker.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            await asyncio.sleep(0.3)

        await bus.publish(ScriptRequested(job_id=uuid4(), user_id="user-1", configuration=HOSTILE))
        started = time.monotonic()
        while results.empty() and time.monotonic() - started < 60:
            assert await asyncio.to_thread(_ready, probe), "the worker stopped answering its probe"
            await asyncio.sleep(0.5)
        answer = await asyncio.wait_for(results.get(), timeout=1)
        assert isinstance(answer, ScriptCompleted), answer

        await bus.publish(ScriptRequested(job_id=uuid4(), user_id="user-1", configuration=HOSTILE))
        await asyncio.sleep(0.2)
        stopping = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(worker.wait, GRACE_SECONDS + 10)
        assert code == 0, log_path.read_text()
        assert time.monotonic() - stopping < GRACE_SECONDS + 10
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        await bus.close()


# A worker process of the shared runtime whose stage work is stuck in a child: GMP computing 9^387420489.
STUCK_WORKER = """
import asyncio, operator
from mathreel_shared.contracts import SCRIPT
from mathreel_shared.isolation import IsolatedRunner
from mathreel_shared.runtime import run_service, serve_stage

async def setup(runtime):
    runner = IsolatedRunner(workers=1, timeout_seconds=600, memory_bytes=None)
    await runner.start()

    async def work(message):
        await runner.run(operator.pow, 9, 9**9)

    await serve_stage(runtime, SCRIPT, work)
    return runner.close

asyncio.run(run_service("script", setup))
"""


async def test_sigterm_kills_a_stuck_child_computation_within_the_grace_period(
    distributed_settings: Settings, tmp_path: Path
) -> None:
    """Whatever the child computes, SIGTERM ends the worker within its grace period: the runtime waits for the
    message in hand, then closing the runner kills the child, and the message goes back to the queue."""
    import psutil

    grace = 3.0
    namespace = f"{distributed_settings.broker_namespace}-stuck-{uuid4().hex[:6]}"
    settings = distributed_settings.model_copy(update={"broker_namespace": namespace, "shutdown_grace_seconds": grace})
    health = free_port()
    env = {
        **os.environ,
        **settings_env(settings),
        "MATHREEL_HEALTH_PORT": str(health),
        "MATHREEL_HEALTH_HOST": "127.0.0.1",
    }
    log_path = tmp_path / "stuck.log"
    bus = RabbitBus(settings.amqp_url, namespace)
    await bus.start()
    with log_path.open("wb") as log:
        worker = subprocess.Popen([sys.executable, "-c", STUCK_WORKER], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        probe = f"http://127.0.0.1:{health}/healthz"
        deadline = time.monotonic() + 120
        while not await asyncio.to_thread(_ready, probe):
            assert worker.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            await asyncio.sleep(0.3)
        children = psutil.Process(worker.pid).children(recursive=True)
        before = {child.pid: child.cpu_times().user for child in children}
        await bus.publish(ScriptRequested(job_id=uuid4(), user_id="user-1", configuration=HOSTILE))
        # The child computes (a second of CPU time spent, however loaded the machine), the worker still answers.
        busy = time.monotonic() + 90
        while not any(child.cpu_times().user - before.get(child.pid, 0.0) > 1.0 for child in children):
            assert time.monotonic() < busy, "the computation never started"
            await asyncio.sleep(0.5)
        assert await asyncio.to_thread(_ready, probe)

        stopping = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        await asyncio.to_thread(worker.wait, grace + 15)
        assert time.monotonic() - stopping < grace + 15
        _, alive = await asyncio.to_thread(psutil.wait_procs, children, 10)
        assert not alive, f"left running: {alive}"
        assert await bus.queue_depth("script") == 1, "the message in hand was not given back to the queue"
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        await bus.close()
