"""End to end over the real services: HTTP with a signed token → RabbitMQ → every worker → S3 → a playable video."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from mathreel_shared.domain import QUALITY_PRESETS, Quality
from mathreel_shared.keys import scene_audio_key
from mathreel_shared.storage import S3Store

from .media import decode_video, is_faststart, jpeg_size, wav_seconds
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


async def test_job_becomes_a_narrated_video(stack: DistributedStack, tokens, distributed_settings) -> None:
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
        job_id = created.json()["job_id"]
        assert created.json()["progress"] == {"percentage": 0.0, "current_stage": "initializing"}
        assert created.headers["X-RateLimit-Limit"] == "100"

        status = await wait_for(client, job_id, stack)
        assert status["status"] == "completed", f"{status}\n{stack.logs()}"
        assert status["progress"] == {"percentage": 100.0, "current_stage": "completed"}

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
