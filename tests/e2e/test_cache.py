"""The artifact cache through whole jobs, in standalone mode: concurrent identical jobs speak and render each scene
once, a repeated job is assembled from cache down to its final video, another user's identical job gets nothing
from it.

One run of three concurrent jobs (two of alice's; one of bob's, cancelled after its first clip) and a fourth of
alice's afterwards, at low quality; then the first scene alone as a given storyboard, alice's and then bob's (one
scene for bob to render, to see his final video made, not copied). Every assertion reads the same jobs' stage
records (``scene_result``, ``stage_run``) and media.
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
from mathreel_gateway.jobs.service import admit_storyboard
from mathreel_scenelang.storyboard import Storyboard
from mathreel_shared.cache import CACHE_HITS
from mathreel_shared.db import Job, SceneResult, StageRun
from mathreel_shared.domain import Quality
from mathreel_shared.keys import scene_clip_key
from tests.support.standalone import standalone_settings

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

    async def submit_storyboard(self, user: str, storyboard: Storyboard) -> UUID:
        job = await admit_storyboard(
            self.stack.resources, user_id=user, storyboard=storyboard, quality=Quality.LOW, max_active_jobs=3
        )
        return job.id

    async def render_outcome(self, job_id: UUID) -> tuple[int, int]:
        """The render stage's (cache hits, cache misses) from its stage record."""
        async with self.stack.resources.sessionmaker() as session:
            run = await session.get(StageRun, (job_id, "rendering"))
        assert run is not None
        return run.cache_hits or 0, run.cache_misses or 0

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
    settings = standalone_settings(work)
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
    videos_before = CACHE_HITS.labels("video")._value.get()
    again = await run.submit(ALICE)
    await run.finished(again)
    assert CACHE_HITS.labels("scene")._value.get() > hits_before
    assert CACHE_HITS.labels("video")._value.get() == videos_before + 1
    async with run.stack.resources.sessionmaker() as session:
        job = await session.get(Job, first)
    assert job is not None
    assert job.storyboard_key
    planned = Storyboard.model_validate_json(await run.stack.resources.store.get_bytes(job.storyboard_key))
    one_scene = planned.model_copy(update={"scenes": planned.scenes[:1]})
    alice_one = await run.submit_storyboard(ALICE, one_scene)
    await run.finished(alice_one)
    bob_one = await run.submit_storyboard(BOB, one_scene)
    await run.finished(bob_one)
    return {
        "first": first,
        "second": second,
        "other": other,
        "again": again,
        "alice_one": alice_one,
        "bob_one": bob_one,
    }


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


async def test_the_repeated_job_s_final_video_comes_from_the_cache_and_another_user_s_does_not(
    run: Run, jobs: dict[str, UUID]
) -> None:
    # The two concurrent jobs assembled the video once: one made it, the other waited for it.
    assert sorted([await run.render_outcome(jobs["first"]), await run.render_outcome(jobs["second"])]) == [
        (0, 1),
        (1, 0),
    ]
    assert await run.render_outcome(jobs["again"]) == (1, 0)
    # The one-scene video was new to alice (her scenes came from the cache); bob, asking for the very same video
    # after her, made his own.
    assert await run.render_outcome(jobs["alice_one"]) == (0, 1)
    assert await run.render_outcome(jobs["bob_one"]) == (0, 1)
    assert set(await run.cache_outcomes(jobs["alice_one"], "visuals")) == {"hit"}
    # (bob's own scene may come from his cancelled job's clips: his cache, not alice's.)


async def test_the_cached_job_has_the_same_files_and_a_playable_video(run: Run, jobs: dict[str, UUID]) -> None:
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
    async with run.stack.resources.sessionmaker() as session:
        first = await session.get(Job, jobs["first"])
    assert first is not None
    assert first.video_key
    data = await store.get_bytes(again.video_key)
    assert data == await store.get_bytes(first.video_key)
    for made, copied_key in (
        (first.thumbnail_key, again.thumbnail_key),
        (first.captions_key, again.captions_key),
        (first.srt_key, again.srt_key),
    ):
        assert made
        assert copied_key
        assert copied_key != made
        assert await store.get_bytes(copied_key) == await store.get_bytes(made)
    video = decode_video(data)
    assert video.duration == pytest.approx(again.duration_seconds, abs=0.2)
    assert (video.width, video.height, video.video_codec, video.audio_codec) == (854, 480, "h264", "aac")
    assert video.frames > 0
    assert again.file_size == len(data)
