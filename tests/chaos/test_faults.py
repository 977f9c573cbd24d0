"""Faults against the real services (separate processes on a private RabbitMQ node and PostgreSQL cluster).

Each test injects its fault while jobs are active, waits (with a bound) for every job to finish, and audits the
database and the object store: every job completed, none stuck, no stage message sent twice, no stray artifact.
"""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from mathreel_shared.domain import Stage, stage_percentage
from tests.chaos.conftest import ChaosEnvironment
from tests.chaos.harness import (
    Audit,
    ChaosStack,
    JobClient,
    Submitted,
    audit_jobs,
    s3_lister,
    wait_all_terminal,
    wait_for_stage,
    wait_ready,
)
from tests.e2e.stack import free_port, settings_env
from tests.observability.tcp_proxy import TcpProxy

# A job renders a real video, and the first test also starts the private servers and the stack: on a busy two-core
# machine that passes the suite's 600 s per test.
pytestmark = [pytest.mark.integration, pytest.mark.chaos, pytest.mark.timeout(1500)]

JOB_TIMEOUT = 900.0
STAGE_TIMEOUT = 600.0


async def audit(environment: ChaosEnvironment, client: JobClient) -> Audit:
    lister = s3_lister(environment.s3.client(), environment.settings.s3_bucket)
    result = await audit_jobs(environment.settings.database_url, [job.job_id for job in client.jobs], lister)
    print(f"audit: {result.summary()} unavailable_polls={dict(client.unavailable)}")  # noqa: T201 - the figures
    return result


async def assert_all_completed(
    jobs: list[Submitted], stack: ChaosStack, client: JobClient, environment: ChaosEnvironment
) -> None:
    """Wait (bounded) for ``jobs`` to end; every one completed, and the audit finds nothing lost, stuck or doubled."""
    final = await wait_all_terminal(client, jobs, JOB_TIMEOUT)
    result = await audit(environment, client)
    assert all(final[job.job_id] == "completed" for job in jobs), f"{result.summary()}\n{stack.logs()}"
    result.assert_nothing_lost(expect_completed=len(jobs))


def pids(stack: ChaosStack) -> dict[str, int]:
    return {label: process.popen.pid for label, process in stack.processes.items() if process.alive()}


async def test_sigkill_each_worker_kind_and_the_orchestrator_mid_job(
    chaos_stack: ChaosStack, job_client: JobClient, chaos_environment: ChaosEnvironment
) -> None:
    """One job survives a SIGKILL of every service it passes through, each while it holds the job's work; the
    orchestrator is killed in the middle of the visuals fan-in (some scene results in, not all)."""
    job = await job_client.submit(0)
    # The script request is in the queue or in the worker's hand right after the 201.
    chaos_stack.kill("script")
    chaos_stack.restart("script")

    await wait_for_stage(job_client, job, {Stage.GENERATING_AUDIO.value}, STAGE_TIMEOUT)
    chaos_stack.kill("tts")
    chaos_stack.restart("tts")

    await wait_for_stage(job_client, job, {Stage.GENERATING_VISUALS.value}, STAGE_TIMEOUT)
    chaos_stack.kill("visuals")
    chaos_stack.restart("visuals")

    # Mid fan-in: at least one scene's clip recorded, the job still waiting for the others.
    visuals_started = stage_percentage(Stage.GENERATING_VISUALS, 0.0)
    while True:
        status = await job_client.status(job)
        if status["progress"]["current_stage"] != Stage.GENERATING_VISUALS.value:
            break
        if status["progress"]["percentage"] > visuals_started:
            break
        await asyncio.sleep(0.5)
    chaos_stack.kill("orchestrator")
    chaos_stack.restart("orchestrator")

    await wait_for_stage(job_client, job, {Stage.RENDERING.value, Stage.UPLOADING.value}, STAGE_TIMEOUT)
    chaos_stack.kill("render")
    chaos_stack.restart("render")

    await assert_all_completed([job], chaos_stack, job_client, chaos_environment)


async def test_gateway_killed_between_commit_and_publish(
    chaos_stack: ChaosStack, job_client: JobClient, chaos_environment: ChaosEnvironment
) -> None:
    """A gateway whose broker link is cut commits the job and its ``job.requested`` row, answers 201 and is killed
    before any publish could happen; the orchestrator's outbox relay publishes the row and the job completes."""
    settings = chaos_environment.settings
    proxy = TcpProxy("127.0.0.1", chaos_environment.rabbitmq.amqp_port)
    with proxy.running():
        port = free_port()
        env = {
            **os.environ,
            **settings_env(settings),
            "MATHREEL_PORT": str(port),
            "MATHREEL_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "MATHREEL_AMQP_URL": f"amqp://guest:guest@127.0.0.1:{proxy.port}/",
        }
        gateway = chaos_stack._spawn(
            "gateway-cut", [sys.executable, "-m", "mathreel_gateway.main"], env, f"http://127.0.0.1:{port}/ready"
        )
        await asyncio.to_thread(wait_ready, gateway)
        proxy.cut()  # from now on this gateway can commit but never publish
        job = await job_client.submit(0, base_url=f"http://127.0.0.1:{port}")
        chaos_stack.kill("gateway-cut")
    del chaos_stack.processes["gateway-cut"]

    await assert_all_completed([job], chaos_stack, job_client, chaos_environment)


async def test_broker_restart_while_jobs_active(
    chaos_stack: ChaosStack, job_client: JobClient, chaos_environment: ChaosEnvironment
) -> None:
    """RabbitMQ stops and starts again under two active jobs. No service is restarted: each reconnects by itself
    (the same processes finish the jobs), and the persistent messages in the durable queues survive."""
    jobs = [await job_client.submit(index) for index in range(2)]
    await wait_for_stage(job_client, jobs[0], {Stage.GENERATING_AUDIO.value}, STAGE_TIMEOUT)
    before = pids(chaos_stack)

    await asyncio.to_thread(chaos_environment.rabbitmq.restart)

    await assert_all_completed(jobs, chaos_stack, job_client, chaos_environment)
    assert pids(chaos_stack) == before, "a service died instead of reconnecting"


async def test_database_restart_while_jobs_active(
    chaos_stack: ChaosStack, job_client: JobClient, chaos_environment: ChaosEnvironment
) -> None:
    """PostgreSQL crashes (immediate stop: connections cut, recovery at start) and comes back under two active jobs.
    Events that fail meanwhile are requeued; nothing is restarted, and nothing is lost or applied twice."""
    jobs = [await job_client.submit(index) for index in range(2)]
    await wait_for_stage(job_client, jobs[0], {Stage.GENERATING_AUDIO.value}, STAGE_TIMEOUT)
    before = pids(chaos_stack)

    await asyncio.to_thread(chaos_environment.postgres.restart, "immediate")

    await assert_all_completed(jobs, chaos_stack, job_client, chaos_environment)
    assert pids(chaos_stack) == before, "a service died instead of reconnecting"
