"""Standalone mode resumes the jobs it had in flight as soon as it starts again, not when the watchdog notices."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from uuid import UUID

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import update
from sqlmodel import col

from mathreel_cli.standalone import standalone_stack
from mathreel_shared.db import Job, create_engine, create_sessionmaker, utcnow
from mathreel_shared.settings import Settings
from tests.support.standalone import standalone_settings

BODY = {"configuration": {"topic": "Pythagorean Theorem", "context": "Explain a^2 + b^2 = c^2 with a 3-4-5 triangle."}}


def _settings(work: Path) -> Settings:
    return standalone_settings(
        work,
        # The watchdog would notice a silent stage only after three minutes: recovery must not wait for it.
        watchdog_min_silence_seconds=180.0,
    )


async def _job(stack, job_id: UUID) -> Job:
    async with stack.resources.sessionmaker() as session:
        job = await session.get(Job, job_id)
        assert job is not None
        return job


async def _crashed_job(settings: Settings, **values: object) -> UUID:
    """A job as a crash in its script stage leaves it: processing, its message gone with the process."""
    async with standalone_stack(settings) as stack, LifespanManager(stack.app) as manager:
        key = stack.resources.dev_key
        assert key is not None
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://t") as client:
            headers = {"Authorization": f"Bearer {key.mint('user_alice', issuer=settings.jwt_issuer)}"}
            created = await client.post("/api/v1/videos/generate", json=BODY, headers=headers)
            assert created.status_code == 201
            job_id = UUID(created.json()["job_id"])
    engine = create_engine(settings.database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            state = {"status": "processing", "stage": "generating_script", "percentage": 5.0, "details": {}}
            await session.execute(
                update(Job).where(col(Job.id) == job_id).values(updated_at=utcnow(), **{**state, **values})
            )
    finally:
        await engine.dispose()
    return job_id


async def test_a_job_in_flight_at_a_crash_moves_on_within_seconds_of_the_restart(tmp_path: Path) -> None:
    job_id = await _crashed_job(_settings(tmp_path))
    async with standalone_stack(_settings(tmp_path)) as stack:
        started = time.monotonic()
        async with asyncio.timeout(60):
            while (job := await _job(stack, job_id)).stage == "generating_script" and job.status == "processing":
                await asyncio.sleep(0.2)
        resumed_after = time.monotonic() - started
    assert job.status in {"processing", "completed"}
    assert job.stage != "generating_script"
    assert resumed_after < 30  # the offline script takes seconds; the watchdog would have waited 180 s


async def test_a_job_that_keeps_taking_the_process_down_fails_instead_of_resuming_forever(tmp_path: Path) -> None:
    job_id = await _crashed_job(_settings(tmp_path), details={"resumed": {"generating_script": 3}})
    async with standalone_stack(_settings(tmp_path)) as stack:
        job = await _job(stack, job_id)
    assert job.status == "failed"
    assert job.error_code == "stage_timeout"
    assert job.error_message == "the generating_script stage was interrupted by 3 restarts"
