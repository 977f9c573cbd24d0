"""Graceful shutdown: SIGTERM stops consuming, lets the message in hand finish within the grace period, exits 0."""

from __future__ import annotations

import asyncio
import signal

import pytest

from mathreel_shared.domain import Stage
from tests.chaos.conftest import ChaosEnvironment
from tests.chaos.harness import (
    ChaosStack,
    JobClient,
    audit_jobs,
    exit_code,
    s3_lister,
    wait_all_terminal,
    wait_for_stage,
)

pytestmark = [pytest.mark.integration, pytest.mark.chaos, pytest.mark.timeout(1500)]


async def test_sigterm_visuals_worker_mid_render(
    chaos_stack: ChaosStack, job_client: JobClient, chaos_environment: ChaosEnvironment
) -> None:
    job = await job_client.submit(0)
    await wait_for_stage(job_client, job, {Stage.GENERATING_VISUALS.value}, 600)
    await asyncio.sleep(1.0)  # the worker has taken a scene and is rendering it
    worker = chaos_stack.processes["visuals"]
    log_before = worker.log_path.read_text(errors="replace")

    worker.signal(signal.SIGTERM)
    grace = chaos_environment.settings.shutdown_grace_seconds
    code = await asyncio.to_thread(exit_code, worker, grace + 30)

    assert code == 0, f"visuals exited with {code} after SIGTERM:\n{worker.log_tail()}"
    log = worker.log_path.read_text(errors="replace")[len(log_before) :]
    assert "stopping" in log
    assert "stopped" in log
    # The scene in hand was finished (or handed back): no "requeueing" of a failed handler, no traceback.
    assert "Traceback" not in log, log[-3000:]

    await asyncio.to_thread(chaos_stack.restart, "visuals")
    final = await wait_all_terminal(job_client, [job], 900)
    lister = s3_lister(chaos_environment.s3.client(), chaos_environment.settings.s3_bucket)
    audit = await audit_jobs(chaos_environment.settings.database_url, [job.job_id], lister)
    print(f"sigterm: {audit.summary()}")  # noqa: T201 - the figures
    assert final[job.job_id] == "completed", audit.summary()
    audit.assert_nothing_lost(expect_completed=1)
