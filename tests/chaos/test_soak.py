"""Many jobs under random faults of every kind: the full-size chaos run.

``MATHREEL_CHAOS_JOBS=100 uv run pytest tests/chaos/test_soak.py -s`` submits that many jobs through two gateway
replicas and, while any job is active, injects a fault every ``MATHREEL_CHAOS_FAULT_SECONDS`` (default 20), in
random order, every kind once per round: SIGKILL of a worker of any kind, of the orchestrator or of a gateway
replica (each restarted at once), or a restart of RabbitMQ or PostgreSQL. Target: every job completed, none lost,
none stuck, no duplicate stage message or artifact.

Without ``MATHREEL_CHAOS_JOBS`` the test is not collected (the ``soak`` marker, see the root conftest.py): CI covers
each fault once in test_faults.py, and the soak at any useful size takes longer than a CI run should (each job
renders a real video).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter

import pytest

from tests.chaos.conftest import ChaosEnvironment
from tests.chaos.harness import (
    TERMINAL,
    ChaosStack,
    JobClient,
    audit_jobs,
    s3_lister,
    wait_all_terminal,
)
from tests.e2e.stack import free_port

pytestmark = [pytest.mark.integration, pytest.mark.chaos, pytest.mark.soak]

PROCESS_FAULTS = ("script", "tts", "visuals", "render", "orchestrator", "gateway-1")
SERVER_FAULTS = ("rabbitmq", "postgres")


def soak_timeout() -> float:
    jobs = int(os.environ.get("MATHREEL_CHAOS_JOBS", "0"))
    return float(os.environ.get("MATHREEL_CHAOS_TIMEOUT", str(600 + 90 * jobs)))


# The suite's 600 s per test is for CI sizes; the soak's bound is its own, plus time to start and audit.
@pytest.mark.timeout(soak_timeout() + 900)
async def test_random_faults_of_every_kind(
    chaos_stack: ChaosStack, job_client: JobClient, chaos_environment: ChaosEnvironment
) -> None:
    total = int(os.environ["MATHREEL_CHAOS_JOBS"])
    interval = float(os.environ.get("MATHREEL_CHAOS_FAULT_SECONDS", "20"))
    # Budget: the jobs run one render at a time on a small machine; a minute each is generous unless it is crowded.
    timeout = soak_timeout()
    rng = random.Random(int(os.environ.get("MATHREEL_CHAOS_SEED", "5")))
    port = free_port()
    await asyncio.to_thread(chaos_stack.start_gateway, "gateway-1", port)
    second = f"http://127.0.0.1:{port}"

    started = time.monotonic()
    jobs = []
    for index in range(total):
        jobs.append(await job_client.submit(index, base_url=second if index % 2 else None))
    faults: Counter[str] = Counter()

    async def inject() -> None:
        # Random order, in rounds that each hold every kind once: a short run still meets every fault.
        round_: list[str] = []
        while True:
            await asyncio.sleep(interval)
            if not round_:
                round_ = rng.sample(PROCESS_FAULTS + SERVER_FAULTS, len(PROCESS_FAULTS + SERVER_FAULTS))
            kind = round_.pop()
            faults[kind] += 1
            print(f"[{time.monotonic() - started:7.1f} s] fault: {kind}")  # noqa: T201 - the run's log
            if kind == "rabbitmq":
                await asyncio.to_thread(chaos_environment.rabbitmq.restart)
            elif kind == "postgres":
                await asyncio.to_thread(chaos_environment.postgres.restart, "immediate")
            elif kind == "gateway-1":
                chaos_stack.kill(kind)
                await asyncio.to_thread(chaos_stack.start_gateway, kind, port)
            else:
                chaos_stack.kill(kind)
                await asyncio.to_thread(chaos_stack.restart, kind)

    injector = asyncio.create_task(inject())
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            statuses = [(await job_client.status(job))["status"] for job in jobs]
            if all(status in TERMINAL for status in statuses):
                break
            await asyncio.sleep(5)
    finally:
        injector.cancel()
        # A fault in progress (a server restarting) finishes before the audit.
        await asyncio.gather(injector, return_exceptions=True)
    # Anything still active gets a last look once the faults have stopped.
    await wait_all_terminal(job_client, jobs, 120)
    elapsed = time.monotonic() - started

    lister = s3_lister(chaos_environment.s3.client(), chaos_environment.settings.s3_bucket)
    audit = await audit_jobs(chaos_environment.settings.database_url, [job.job_id for job in jobs], lister)
    print(  # noqa: T201 - the figures for docs/reliability.md
        f"soak: {total} jobs in {elapsed:.0f} s, faults {dict(faults)} (total {sum(faults.values())}); "
        f"{audit.summary()} unavailable_polls={dict(job_client.unavailable)}"
    )
    audit.assert_nothing_lost(expect_completed=total)
