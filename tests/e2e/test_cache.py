"""The artifact cache through whole jobs, in standalone mode: concurrent identical jobs speak and render each scene
once, a repeated job is assembled from cache, another user's identical job gets nothing from it.

One run of three concurrent jobs (two of alice's; one of bob's, cancelled after its first clip) and a fourth of
alice's afterwards, at low quality; every assertion reads the same jobs' stage records (``scene_result``) and media.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlmodel import col, select

from mathreel_cli.standalone import Standalone, standalone_stack
from mathreel_shared.cache import CACHE_HITS
from mathreel_shared.db import Job, SceneResult
from mathreel_shared.keys import scene_clip_key
from mathreel_shared.settings import Mode, Settings

from .media import decode_video

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

ALICE, BOB = "user_cache_alice", "user_cache_bob"
BODY = {
    "configuration": {
        "topic": "Pythagorean theorem",
        "context": "Explain a^2 + b^2 = c^2 with a 3-4-5 triangle.",
        "quality": "low",
    }
}


@dataclass
class Run:
    stack: Standalone
    client: httpx.AsyncClient
    mint: Any

    async def submit(self, user: str) -> UUID:
        headers = {"Authorization": f"Bearer {self.mint(user)}"}
        created = await self.client.post("/api/v1/videos/generate", json=BODY, headers=headers)
        assert created.status_code == 201, created.text
        return UUID(created.json()["job_id"])

    async def cancel_once_visuals_begin(self, user: str, job_id: UUID, timeout: float = 600) -> None:
        """Cancel the job as soon as one scene has a clip: enough to see where its narration and clips came from,
        without rendering the rest."""
        async with asyncio.timeout(timeout):
            while not await self.cache_outcomes(job_id, "visuals"):
                await asyncio.sleep(0.5)
        headers = {"Authorization": f"Bearer {self.mint(user)}"}
        cancelled = await self.client.post(f"/api/v1/videos/jobs/{job_id}/cancel", headers=headers)
        assert cancelled.status_code == 200, cancelled.text

    async def finished(self, job_id: UUID, timeout: float = 600) -> Job:
        async with asyncio.timeout(timeout):
            while True:
                async with self.stack.resources.sessionmaker() as session:
                    job = await session.get(Job, job_id)
                assert job is not None
                if job.status in {"completed", "failed", "cancelled"}:
                    assert job.status == "completed", (job.error_code, job.error_message)
                    return job
                await asyncio.sleep(0.5)

    async def cache_outcomes(self, job_id: UUID, stage: str) -> list[str | None]:
        """The ``cache`` field of each scene's result of ``stage`` (``tts`` or ``visuals``), in scene order."""
        async with self.stack.resources.sessionmaker() as session:
            rows = (
                await session.execute(
                    select(SceneResult)
                    .where(col(SceneResult.job_id) == job_id, col(SceneResult.stage) == stage)
                    .order_by(col(SceneResult.scene_index))
                )
            ).scalars()
            return [row.result.get("cache") for row in rows]


@pytest.fixture(scope="module")
async def run(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Run]:
    work: Path = tmp_path_factory.mktemp("cache-standalone")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        mode=Mode.STANDALONE,
        database_url=f"sqlite+aiosqlite:///{work}/mathreel.db",
        media_dir=work / "media",
        work_dir=work / "work",
        dev_signing_key_path=work / "dev-key.pem",
    )
    async with standalone_stack(settings) as stack, LifespanManager(stack.app) as manager:
        key = stack.resources.dev_key
        assert key is not None
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t", timeout=30) as client:
            yield Run(stack, client, lambda user: key.mint(user, issuer=settings.jwt_issuer))


@pytest.fixture(scope="module")
async def jobs(run: Run) -> dict[str, UUID]:
    """alice twice and bob once, at the same time (bob's cancelled after his first clip); then alice once more."""
    first, second, other = await asyncio.gather(run.submit(ALICE), run.submit(ALICE), run.submit(BOB))
    await run.cancel_once_visuals_begin(BOB, other)
    for job_id in (first, second):
        await run.finished(job_id)
    hits_before = CACHE_HITS.labels("scene")._value.get()
    again = await run.submit(ALICE)
    await run.finished(again)
    assert CACHE_HITS.labels("scene")._value.get() > hits_before
    return {"first": first, "second": second, "other": other, "again": again}


@pytest.mark.parametrize("stage", ["tts", "visuals"])
async def test_two_concurrent_identical_jobs_make_each_scene_once(run: Run, jobs: dict[str, UUID], stage: str) -> None:
    first = await run.cache_outcomes(jobs["first"], stage)
    second = await run.cache_outcomes(jobs["second"], stage)
    assert len(first) == len(second) >= 2
    # Per scene, one of the two made it and the other took it from the cache (waiting for it if need be).
    assert all(sorted([a, b]) == ["hit", "miss"] for a, b in zip(first, second, strict=True)), (first, second)


@pytest.mark.parametrize("stage", ["tts", "visuals"])
async def test_a_repeated_job_is_assembled_from_cache_and_another_users_is_not(
    run: Run, jobs: dict[str, UUID], stage: str
) -> None:
    again = await run.cache_outcomes(jobs["again"], stage)
    assert again
    assert set(again) == {"hit"}
    # bob's job ran at the same time as alice's first two, on the same narration and scenes, and got no hit.
    others = await run.cache_outcomes(jobs["other"], stage)
    assert others
    assert set(others) == {"miss"}


async def test_the_cached_job_has_the_same_clips_and_a_playable_video(run: Run, jobs: dict[str, UUID]) -> None:
    store = run.stack.resources.store
    async with run.stack.resources.sessionmaker() as session:
        again = await session.get(Job, jobs["again"])
    assert again is not None
    assert again.scene_count
    assert again.video_key
    for index in range(again.scene_count):
        original = await store.get_bytes(scene_clip_key(ALICE, jobs["first"], index))
        copied = await store.get_bytes(scene_clip_key(ALICE, jobs["again"], index))
        assert copied == original
    video = decode_video(await store.get_bytes(again.video_key))
    assert video.duration == pytest.approx(again.duration_seconds, abs=0.2)
    assert video.width == 854
