"""End to end over the real services: HTTP with a signed token → RabbitMQ → every worker → S3 → a playable video;
then a revision of that video with one sentence changed, which re-makes exactly that scene."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID

import httpx
import numpy as np
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from mathreel_shared.cache import CacheEntry, CacheKind
from mathreel_shared.db import Job, SceneResult, StageRun, create_engine, create_sessionmaker
from mathreel_shared.domain import QUALITY_PRESETS, Quality
from mathreel_shared.keys import scene_audio_key
from mathreel_shared.storage import S3Store

from .media import audio_samples, decode_video, is_faststart, jpeg_size, video_packets, wav_seconds
from .stack import DistributedStack

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

USER = "user_e2e_alice"
OTHER = "user_e2e_bob"


@pytest.fixture(scope="module")
def stack(distributed_stack: DistributedStack) -> DistributedStack:
    return distributed_stack


@pytest.fixture(scope="module")
def tokens(jwks_server, distributed_settings) -> dict[str, str]:
    return {
        user: jwks_server.key.mint(user, issuer=distributed_settings.jwt_issuer, ttl_seconds=3600)
        for user in (USER, OTHER)
    }


async def wait_for(client: httpx.AsyncClient, job_id: str, stack: DistributedStack, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    seen: list[float] = []
    while True:
        response = await client.get(f"/api/v1/videos/jobs/{job_id}/status")
        assert response.status_code == 200, response.text
        status = response.json()
        seen.append(status["progress"]["percentage"])
        if status["status"] in {"completed", "failed", "cancelled"}:
            assert seen == sorted(seen), f"progress went backwards: {seen}"
            return status
        if time.monotonic() > deadline:
            pytest.fail(f"job {job_id} still {status} after {timeout} s\n{stack.logs()}")
        await asyncio.sleep(1.0)  # well inside the 100 requests/minute limit


@pytest.fixture(scope="module")
async def narrated(stack: DistributedStack, tokens) -> tuple[httpx.Response, dict]:
    """USER's narrated video of the Pythagorean theorem, made once: the response that created it and its final
    status. Shared by the pipeline's checks and the revision's (which revises it)."""
    headers = {"Authorization": f"Bearer {tokens[USER]}"}
    async with httpx.AsyncClient(base_url=stack.base_url, headers=headers, timeout=30) as client:
        created = await client.post(
            "/api/v1/videos/generate",
            json={
                "configuration": {
                    "topic": "Pythagorean theorem",
                    "context": "In a right triangle, a^2 + b^2 = c^2 where c is the hypotenuse.",
                    "quality": "low",
                },
                "priority": "normal",
            },
        )
        assert created.status_code == 201, created.text
        return created, await wait_for(client, created.json()["job_id"], stack)


async def test_job_becomes_a_narrated_video(stack: DistributedStack, tokens, distributed_settings, narrated) -> None:
    created, status = narrated
    job_id = created.json()["job_id"]
    assert created.json()["progress"] == {"percentage": 0.0, "current_stage": "initializing"}
    assert created.headers["X-RateLimit-Limit"] == "100"
    assert status["status"] == "completed", f"{status}\n{stack.logs()}"
    assert status["progress"] == {"percentage": 100.0, "current_stage": "completed"}

    headers = {"Authorization": f"Bearer {tokens[USER]}"}
    async with httpx.AsyncClient(base_url=stack.base_url, headers=headers, timeout=30) as client:
        video_url = (await client.get(f"/api/v1/videos/jobs/{job_id}/video-url")).json()
        assert video_url["is_demo"] is False
        assert video_url["metadata"]["demo"] is False
        async with httpx.AsyncClient(timeout=60) as plain:
            mp4 = (await plain.get(video_url["video_url"])).content
        decoded = decode_video(mp4)
        preset = QUALITY_PRESETS[Quality.LOW]
        assert (decoded.width, decoded.height) == (preset.width, preset.height)
        assert decoded.video_codec == "h264"
        assert decoded.audio_codec == "aac"
        assert is_faststart(mp4)

        # The video is exactly as long as the narration the tts service measured.
        store = S3Store(distributed_settings)
        await store.start()
        try:
            metadata = (await client.get(f"/api/v1/videos/jobs/{job_id}/metadata")).json()["metadata"]
            narration = 0.0
            index = 0
            while await store.exists(scene_audio_key(USER, job_id, index)):  # type: ignore[arg-type]
                narration += wav_seconds(await store.get_bytes(scene_audio_key(USER, job_id, index)))  # type: ignore[arg-type]
                index += 1
        finally:
            await store.close()
        assert index >= 4, "the storyboard has at least four scenes"
        assert abs(decoded.duration - narration) <= 0.5, (decoded.duration, narration)
        assert abs(decoded.audio_duration - narration) <= 0.5
        assert abs(metadata["duration"] - decoded.duration) <= 0.1
        assert metadata["dimensions"] == {"width": preset.width, "height": preset.height}
        assert metadata["file_size"] == len(mp4)
        assert metadata["title"]

        thumbnail = await client.get(f"/api/v1/videos/jobs/{job_id}/thumbnail")
        assert thumbnail.headers["content-type"] == "image/jpeg"
        assert jpeg_size(thumbnail.content)[0] > 0

        ranged = await client.get(f"/api/v1/videos/jobs/{job_id}/stream", headers={"Range": "bytes=100-199"})
        assert ranged.status_code == 206
        assert ranged.headers["Content-Range"] == f"bytes 100-199/{len(mp4)}"
        assert ranged.content == mp4[100:200]
        assert ranged.headers["Accept-Ranges"] == "bytes"
        bad = await client.get(f"/api/v1/videos/jobs/{job_id}/stream", headers={"Range": f"bytes={len(mp4) + 10}-"})
        assert bad.status_code == 416

        captions = await client.get(f"/api/v1/videos/jobs/{job_id}/captions")
        assert captions.status_code == 200
        assert captions.text.startswith("WEBVTT")

    # Another user sees nothing of it.
    other = {"Authorization": f"Bearer {tokens[OTHER]}"}
    async with httpx.AsyncClient(base_url=stack.base_url, headers=other, timeout=30) as client:
        for path in ("status", "video-url", "stream", "thumbnail", "metadata", "captions"):
            response = await client.get(f"/api/v1/videos/jobs/{job_id}/{path}")
            assert response.status_code in {403, 404}, (path, response.status_code)


# --- a revision of that video: one sentence changed ----------------------------------------------------------------
CHANGED_SCENE = 1
OLD_SENTENCE = "In a right triangle, the legs a and b meet at the right angle."
NEW_SENTENCE = "In every right triangle, the two shorter sides, the legs a and b, meet at the right angle."


@dataclass
class Revision:
    """The narrated job, its storyboard as the API gave it, and the revision of that storyboard, finished; with
    the stack's database and object store to read their stage records and clips."""

    original: dict
    fetched: dict
    revision: dict
    client: httpx.AsyncClient
    sessionmaker: async_sessionmaker[AsyncSession]
    store: S3Store

    async def scene_results(self, job: dict, stage: str) -> list[dict]:
        async with self.sessionmaker() as session:
            rows = (
                await session.execute(
                    select(SceneResult)
                    .where(col(SceneResult.job_id) == UUID(job["job_id"]), col(SceneResult.stage) == stage)
                    .order_by(col(SceneResult.scene_index))
                )
            ).scalars()
            return [row.result for row in rows]

    async def stage_run(self, job: dict, stage: str) -> StageRun:
        async with self.sessionmaker() as session:
            run = await session.get(StageRun, (UUID(job["job_id"]), stage))
        assert run is not None, (job["job_id"], stage)
        return run

    async def clips(self, job: dict) -> list[bytes]:
        return [await self.store.get_bytes(result["clip_key"]) for result in await self.scene_results(job, "visuals")]

    async def video(self, job: dict) -> bytes:
        response = await self.client.get(f"/api/v1/videos/jobs/{job['job_id']}/stream")
        assert response.status_code == 200, response.text
        return response.content


@pytest.fixture(scope="module")
async def revised(stack: DistributedStack, tokens, narrated) -> AsyncIterator[Revision]:
    """The narrated job's storyboard, fetched over HTTP, with one sentence changed and sent back as a revision."""
    original = narrated[1]
    assert original["status"] == "completed", f"{original}\n{stack.logs()}"
    headers = {"Authorization": f"Bearer {tokens[USER]}"}
    engine = create_engine(stack.settings.database_url, pool_size=2)
    store = S3Store(stack.settings)
    await store.start()
    try:
        async with httpx.AsyncClient(base_url=stack.base_url, headers=headers, timeout=60) as client:
            url = f"/api/v1/videos/jobs/{original['job_id']}"
            fetched = await client.get(f"{url}/storyboard")
            assert fetched.status_code == 200, fetched.text
            edited = copy.deepcopy(fetched.json())
            assert edited["scenes"][CHANGED_SCENE]["beats"][0]["narration"] == OLD_SENTENCE
            edited["scenes"][CHANGED_SCENE]["beats"][0]["narration"] = NEW_SENTENCE
            created = await client.post(f"{url}/revise", json={"storyboard": edited})
            assert created.status_code == 201, created.text
            revision = await wait_for(client, created.json()["job_id"], stack)
            yield Revision(original, fetched.json(), revision, client, create_sessionmaker(engine), store)
    finally:
        await store.close()
        await engine.dispose()


async def test_a_revision_re_makes_only_the_changed_scene(revised: Revision, stack: DistributedStack) -> None:
    original, revision = revised.original, revised.revision
    assert revision["status"] == "completed", f"{revision}\n{stack.logs()}"
    assert revision["revision_of"] == original["job_id"]
    assert revision["quality"] == "low"
    scenes = len(revised.fetched["scenes"])
    assert scenes >= 4

    # Over HTTP, in the finished job's resource report: one narration and one clip made, the rest from the cache.
    for stage in ("generating_audio", "generating_visuals"):
        report = revision["resources"]["stages"][stage]
        assert (report["cache_hits"], report["cache_misses"]) == (scenes - 1, 1), (stage, report)
        assert original["resources"]["stages"][stage]["cache_misses"] == scenes, original["resources"]
    # The renders ran in the visuals worker's warm pool, yet their CPU time is in the report: Manim takes more than
    # half a CPU second for any scene, and a clip copied from the cache takes far less than one render.
    original_visuals = original["resources"]["stages"]["generating_visuals"]["cpu_seconds"]
    revision_visuals = revision["resources"]["stages"]["generating_visuals"]["cpu_seconds"]
    assert original_visuals > 0.5 * scenes, original["resources"]
    assert revision_visuals < original_visuals, (revision_visuals, original_visuals)

    # In the database's stage records: which scene missed, per stage.
    expected = ["miss" if index == CHANGED_SCENE else "hit" for index in range(scenes)]
    for kind, stage in (("tts", "generating_audio"), ("visuals", "generating_visuals")):
        assert [result["cache"] for result in await revised.scene_results(revision, kind)] == expected, kind
        assert [result["cache"] for result in await revised.scene_results(original, kind)] == ["miss"] * scenes
        run = await revised.stage_run(revision, stage)
        assert (run.cache_hits, run.cache_misses) == (scenes - 1, 1), stage

    # The clips in S3: the changed scene's is new, every other one is the original's, byte for byte.
    before, after = await revised.clips(original), await revised.clips(revision)
    assert len(before) == len(after) == scenes
    assert [b == a for b, a in zip(before, after, strict=True)] == [i != CHANGED_SCENE for i in range(scenes)]

    # The videos, downloaded and decoded. Each scene of the new video is its clip stream-copied, so its packets are
    # the original video's for every scene but the changed one.
    old_mp4, new_mp4 = await revised.video(original), await revised.video(revision)
    old_video, new_video = decode_video(old_mp4), decode_video(new_mp4)
    preset = QUALITY_PRESETS[Quality.LOW]
    assert (new_video.width, new_video.height, new_video.video_codec, new_video.audio_codec) == (
        preset.width,
        preset.height,
        "h264",
        "aac",
    )
    old_scenes = _split(video_packets(old_mp4), [len(video_packets(clip)) for clip in before])
    new_scenes = _split(video_packets(new_mp4), [len(video_packets(clip)) for clip in after])
    assert new_scenes == [video_packets(clip) for clip in after]
    assert [o == n for o, n in zip(old_scenes, new_scenes, strict=True)] == [i != CHANGED_SCENE for i in range(scenes)]
    assert new_video.frames == sum(len(packets) for packets in new_scenes)

    # The longer sentence is spoken for longer, and the video grows by just that.
    old_narration = [result["timing"]["duration"] for result in await revised.scene_results(original, "tts")]
    new_narration = [result["timing"]["duration"] for result in await revised.scene_results(revision, "tts")]
    assert [o == n for o, n in zip(old_narration, new_narration, strict=True)] == [
        i != CHANGED_SCENE for i in range(scenes)
    ]
    grown = new_narration[CHANGED_SCENE] - old_narration[CHANGED_SCENE]
    assert grown > 0.5, (old_narration, new_narration)
    # Within a frame or so: each clip is a whole number of frames.
    assert new_video.duration - old_video.duration == pytest.approx(grown, abs=0.1)

    # The join encoded the changed scene's narration only: one narration piece entered the cache during the
    # revision, the other scenes' pieces (made for the original) were copied.
    async with revised.sessionmaker() as session:
        job = await session.get(Job, UUID(revision["job_id"]))
        assert job is not None
        assert job.completed_at is not None
        made = (
            await session.execute(
                select(CacheEntry.key).where(
                    col(CacheEntry.user_id) == USER,
                    col(CacheEntry.kind) == CacheKind.NARRATION.value,
                    col(CacheEntry.created_at) >= job.created_at,
                    col(CacheEntry.created_at) <= job.completed_at,
                )
            )
        ).all()
    assert len(made) == 1, made

    # The sound: the same before the changed scene, different within it.
    (old_audio, rate), (new_audio, new_rate) = audio_samples(old_mp4), audio_samples(new_mp4)
    assert rate == new_rate
    clip_seconds = [result["duration"] for result in await revised.scene_results(original, "visuals")]
    start = round(sum(clip_seconds[:CHANGED_SCENE]) * rate)
    margin = round(0.1 * rate)
    assert np.abs(old_audio[: start - margin] - new_audio[: start - margin]).max() < 1e-3
    span = slice(start + margin, start + round(min(old_narration[CHANGED_SCENE], 2.0) * rate))
    difference = np.sqrt(np.mean((old_audio[span] - new_audio[span]) ** 2))
    assert difference > 0.2 * np.sqrt(np.mean(old_audio[span] ** 2)), difference


def _split(packets: list[bytes], counts: list[int]) -> list[list[bytes]]:
    """``packets`` cut into consecutive runs of ``counts`` packets (one run a scene); all of them are used."""
    assert sum(counts) == len(packets), (counts, len(packets))
    offsets = [sum(counts[:index]) for index in range(len(counts) + 1)]
    return [packets[offsets[index] : offsets[index + 1]] for index in range(len(counts))]


async def test_an_invalid_revision_is_refused_with_its_path(revised: Revision) -> None:
    broken = copy.deepcopy(revised.fetched)
    broken["scenes"][CHANGED_SCENE]["beats"][1]["actions"] = [
        {"op": "equation", "id": "outside", "latex": r"\input{/etc/passwd}"}
    ]
    response = await revised.client.post(
        f"/api/v1/videos/jobs/{revised.original['job_id']}/revise", json={"storyboard": broken}
    )
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["path"] == f"storyboard.scenes[{CHANGED_SCENE}].beats[1].actions[0].latex"
    assert problem["loc"] == ["body", "storyboard", "scenes", CHANGED_SCENE, "beats", 1, "actions", 0, "latex"]
    assert await _revisions_of(revised, revised.original["job_id"]) == [UUID(revised.revision["job_id"])]


async def test_another_user_can_neither_read_nor_revise_the_job(
    revised: Revision, stack: DistributedStack, tokens
) -> None:
    url = f"/api/v1/videos/jobs/{revised.original['job_id']}"
    headers = {"Authorization": f"Bearer {tokens[OTHER]}"}
    async with httpx.AsyncClient(base_url=stack.base_url, headers=headers, timeout=30) as client:
        read = await client.get(f"{url}/storyboard")
        revise = await client.post(f"{url}/revise", json={"storyboard": revised.fetched})
    for response in (read, revise):
        assert response.status_code == 404, response.text
        assert response.json() == {"detail": "Job not found"}
    assert await _revisions_of(revised, revised.original["job_id"]) == [UUID(revised.revision["job_id"])]


async def _revisions_of(revised: Revision, job_id: str) -> list[UUID]:
    async with revised.sessionmaker() as session:
        rows = await session.execute(select(col(Job.id)).where(col(Job.revision_of) == UUID(job_id)))
        return list(rows.scalars())


async def test_cancel_stops_a_running_job(stack: DistributedStack, tokens) -> None:
    headers = {"Authorization": f"Bearer {tokens[OTHER]}"}
    async with httpx.AsyncClient(base_url=stack.base_url, headers=headers, timeout=30) as client:
        created = await client.post(
            "/api/v1/videos/generate",
            json={"configuration": {"topic": "Area of a circle", "context": "A = pi r^2", "quality": "low"}},
        )
        job_id = created.json()["job_id"]
        cancelled = await client.post(f"/api/v1/videos/jobs/{job_id}/cancel")
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"
        again = await client.post(f"/api/v1/videos/jobs/{job_id}/cancel")
        assert again.status_code == 200
        await asyncio.sleep(3)
        status = (await client.get(f"/api/v1/videos/jobs/{job_id}/status")).json()
        assert status["status"] == "cancelled"
        conflict = await client.get(f"/api/v1/videos/jobs/{job_id}/video-url")
        assert conflict.status_code == 409
