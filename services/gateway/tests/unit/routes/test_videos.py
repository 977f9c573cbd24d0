"""Every /api/v1/videos route on a standalone-style gateway, status code by status code."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import select
from sqlmodel import col

from mathreel_shared.db import Job, OutboxMessage
from mathreel_shared.messages import JobCancelled, JobRequested, JobStatusChanged, parse_message

GENERATE = "/api/v1/videos/generate"
CONFIGURATION: dict[str, Any] = {
    "topic": "Pythagorean Theorem",
    "context": "Explain the Pythagorean theorem with visual examples and mathematical proof",
    "quality": "medium",
    "use_rag": False,
    "use_context_learning": False,
}
BODY: dict[str, Any] = {"configuration": CONFIGURATION, "priority": "normal"}


def _utc(text: str) -> datetime:
    assert text.endswith("Z") or text.endswith("+00:00"), text
    return datetime.fromisoformat(text)


# --- POST /videos/generate ------------------------------------------------------------------------------------------
async def test_generate_answers_201_with_the_contract_body_and_writes_the_outbox(gateway) -> None:
    response = await gateway.client.post(GENERATE, json=BODY, headers=gateway.auth())
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"job_id", "status", "progress", "estimated_completion_time", "created_at"}
    assert body["status"] == "queued"
    assert body["progress"] == {"percentage": 0.0, "current_stage": "initializing"}
    assert _utc(body["estimated_completion_time"]) > _utc(body["created_at"])
    job_id = UUID(body["job_id"])

    async with gateway.resources.sessionmaker() as session:
        job = await session.get(Job, job_id)
        outbox = (await session.execute(select(OutboxMessage))).scalars().all()
    assert job is not None
    assert job.user_id == "user_alice"
    assert job.quality == "medium"
    # The job's first message, and its first event (queued, first in the queue), in the same transaction.
    assert [row.routing_key for row in outbox] == ["job.requested", "job.status"]
    message = parse_message(outbox[0].body)
    assert isinstance(message, JobRequested)
    assert message.job_id == job_id
    assert message.configuration.topic == "Pythagorean Theorem"
    event = parse_message(outbox[1].body)
    assert isinstance(event, JobStatusChanged)
    assert event.seq == 1
    assert event.status == {
        **body,
        "updated_at": event.status["updated_at"],
        "title": None,
        "quality": "medium",
        "priority": "normal",
        "queue_position": 1,
    }

    assert await gateway.resources.relay.relay_once() == 2
    assert await gateway.resources.bus.queue_depth("orchestrator") == 1


async def test_generate_applies_defaults_and_trims_the_topic(gateway) -> None:
    body = {"configuration": {"topic": "  Limits  ", "context": "ε-δ"}}
    response = await gateway.client.post(GENERATE, json=body, headers=gateway.auth())
    assert response.status_code == 201
    async with gateway.resources.sessionmaker() as session:
        job = await session.get(Job, UUID(response.json()["job_id"]))
    assert job is not None
    assert (job.topic, job.quality, job.priority, job.use_rag) == ("Limits", "medium", "normal", False)


async def test_generate_rejects_invalid_bodies_with_422_naming_the_field(gateway) -> None:
    cases = [
        ({"configuration": {**CONFIGURATION, "topic": "   "}}, ["body", "configuration", "topic"]),
        ({"configuration": {**CONFIGURATION, "topic": "x" * 201}}, ["body", "configuration", "topic"]),
        ({"configuration": {**CONFIGURATION, "context": "x" * 5001}}, ["body", "configuration", "context"]),
        ({"configuration": {**CONFIGURATION, "quality": "ultra"}}, ["body", "configuration", "quality"]),
        ({**BODY, "priority": "urgent"}, ["body", "priority"]),
        ({**BODY, "colour": "blue"}, ["body", "colour"]),
        ({"configuration": {**CONFIGURATION, "fps": 60}}, ["body", "configuration", "fps"]),
        ({"priority": "normal"}, ["body", "configuration"]),
    ]
    for body, loc in cases:
        response = await gateway.client.post(GENERATE, json=body, headers=gateway.auth())
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/json"
        assert [error["loc"] for error in response.json()["detail"]] == [loc], body


async def test_generate_refuses_malformed_json_with_422(gateway) -> None:
    response = await gateway.client.post(
        GENERATE, content=b'{"configuration": ', headers={**gateway.auth(), "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


async def test_generate_refuses_other_content_types_with_415(gateway) -> None:
    response = await gateway.client.post(
        GENERATE, content=json.dumps(BODY).encode(), headers={**gateway.auth(), "Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert response.json() == {"detail": "Content-Type must be application/json"}


async def test_generate_refuses_large_bodies_with_413_by_header_and_by_stream(gateway) -> None:
    big = {"configuration": {**CONFIGURATION, "context": "x" * 70_000}}
    response = await gateway.client.post(GENERATE, json=big, headers=gateway.auth())
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large: at most 65536 bytes"}

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the limit must hold on the streamed size too
        for _ in range(20):
            yield b" " * 8192

    response = await gateway.client.post(
        GENERATE, content=chunks(), headers={**gateway.auth(), "Content-Type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    async with gateway.resources.sessionmaker() as session:
        assert (await session.execute(select(Job))).first() is None


async def test_a_fourth_active_job_is_refused_with_429_active_jobs(gateway) -> None:
    for _ in range(3):
        await gateway.create_job()
    response = await gateway.client.post(GENERATE, json=BODY, headers=gateway.auth())
    assert response.status_code == 429
    body = response.json()
    assert body["limit"] == "active_jobs"
    assert body["max_active_jobs"] == 3
    assert "detail" in body
    # Another user is not affected, and finishing a job frees a slot.
    assert (await gateway.client.post(GENERATE, json=BODY, headers=gateway.auth("user_bob"))).status_code == 201
    async with gateway.resources.sessionmaker() as session:
        first = (await session.execute(select(Job).where(col(Job.user_id) == "user_alice"))).scalars().first()
    assert first is not None
    await gateway.set_job(first.id, status="failed")
    assert (await gateway.client.post(GENERATE, json=BODY, headers=gateway.auth())).status_code == 201


async def test_parallel_submits_on_sqlite_accept_exactly_the_limit(gateway) -> None:
    responses = await asyncio.gather(
        *(gateway.client.post(GENERATE, json=BODY, headers=gateway.auth()) for _ in range(12))
    )
    codes = sorted(response.status_code for response in responses)
    assert codes == [201] * 3 + [429] * 9


# --- GET /jobs/{id}/status ------------------------------------------------------------------------------------------
async def test_status_of_a_new_job(gateway) -> None:
    job_id = await gateway.create_job()
    response = await gateway.client.get(f"/api/v1/videos/jobs/{job_id}/status", headers=gateway.auth())
    assert response.status_code == 200
    body = response.json()
    assert body["job_id"] == str(job_id)
    assert body["status"] == "queued"
    assert body["progress"] == {"percentage": 0.0, "current_stage": "initializing"}
    assert "error" not in body
    for field in ("created_at", "updated_at", "estimated_completion_time"):
        _utc(body[field])
    assert (body["quality"], body["priority"]) == ("medium", "normal")


async def test_status_while_processing_and_after_failure(gateway) -> None:
    job_id = await gateway.create_job()
    await gateway.set_job(job_id, status="processing", stage="generating_script", percentage=45.5)
    body = (await gateway.client.get(f"/api/v1/videos/jobs/{job_id}/status", headers=gateway.auth())).json()
    assert body["progress"] == {"percentage": 45.5, "current_stage": "generating_script"}

    await gateway.set_job(
        job_id, status="failed", error_code="render_failed", error_message="encoder crashed", error_stage="rendering"
    )
    body = (await gateway.client.get(f"/api/v1/videos/jobs/{job_id}/status", headers=gateway.auth())).json()
    assert body["status"] == "failed"
    assert body["error"] == {"code": "render_failed", "message": "encoder crashed", "stage": "rendering"}
    assert body["estimated_completion_time"] is None


async def test_unknown_and_foreign_jobs_are_404_and_bad_ids_422(gateway) -> None:
    job_id = await gateway.create_job("user_alice")
    await gateway.complete_job(job_id, "user_alice")
    for suffix in ("status", "video-url", "stream", "thumbnail", "metadata", "captions"):
        for probe, user in ((job_id, "user_mallory"), (uuid4(), "user_alice")):
            response = await gateway.client.get(f"/api/v1/videos/jobs/{probe}/{suffix}", headers=gateway.auth(user))
            assert response.status_code == 404, (suffix, user)
            assert response.json() == {"detail": "Job not found"}
    response = await gateway.client.post(f"/api/v1/videos/jobs/{job_id}/cancel", headers=gateway.auth("user_mallory"))
    assert response.status_code == 404
    response = await gateway.client.get("/api/v1/videos/jobs/not-a-uuid/status", headers=gateway.auth())
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "job_id"]


# --- GET /jobs/{id}/video-url and the media routes before completion ------------------------------------------------
async def test_media_routes_answer_the_exact_409_body_until_completed(gateway) -> None:
    job_id = await gateway.create_job()
    await gateway.set_job(job_id, status="processing", stage="generating_visuals", percentage=45.5)
    for suffix in ("video-url", "stream", "thumbnail", "metadata", "captions"):
        response = await gateway.client.get(f"/api/v1/videos/jobs/{job_id}/{suffix}", headers=gateway.auth())
        assert response.status_code == 409, suffix
        assert response.json() == {
            "detail": "Job is not completed yet. Current status: processing",
            "status": "processing",
            "progress": 45.5,
            "current_stage": "generating_visuals",
        }
    await gateway.set_job(job_id, status="failed")
    response = await gateway.client.get(f"/api/v1/videos/jobs/{job_id}/video-url", headers=gateway.auth())
    assert response.status_code == 409
    assert response.json()["status"] == "failed"
    assert "failed" in response.json()["detail"]


async def test_video_url_of_a_completed_job(gateway) -> None:
    job_id = await gateway.create_job()
    await gateway.complete_job(job_id)
    response = await gateway.client.get(f"/api/v1/videos/jobs/{job_id}/video-url", headers=gateway.auth())
    assert response.status_code == 200
    body = response.json()
    assert body["job_id"] == str(job_id)
    assert body["status"] == "completed"
    assert body["is_demo"] is False
    assert body["thumbnail_url"] == f"/api/v1/videos/jobs/{job_id}/thumbnail"
    assert body["video_url"].startswith("http://testserver/api/v1/media/")
    assert body["download_url"].startswith("http://testserver/api/v1/media/")
    assert body["download_url"] != body["video_url"]
    assert body["captions_url"].startswith("http://testserver/api/v1/media/")
    metadata = body["metadata"]
    assert metadata["duration"] == 31.5
    assert metadata["quality"] == "medium"
    assert metadata["format"] == "mp4"
    assert metadata["file_size"] == len(gateway.video_bytes)
    assert metadata["demo"] is False
    assert metadata["title"] == "The Pythagorean Theorem"
    assert metadata["dimensions"] == {"width": 1280, "height": 720}
    _utc(metadata["created_at"])
    assert _utc(body["expires_at"]) > _utc(metadata["created_at"])

    # The presigned links work without a bearer token; the download one is an attachment.
    played = await gateway.client.get(body["video_url"])
    assert played.status_code == 200
    assert played.content == gateway.video_bytes
    assert "content-disposition" not in played.headers
    downloaded = await gateway.client.get(body["download_url"])
    assert downloaded.content == gateway.video_bytes
    assert downloaded.headers["content-disposition"].startswith("attachment")
    captions = await gateway.client.get(body["captions_url"])
    assert captions.text == gateway.vtt_text
    assert captions.headers["content-type"].startswith("text/vtt")

    # Fresh URLs on every call.
    await asyncio.sleep(1.01)
    again = (await gateway.client.get(f"/api/v1/videos/jobs/{job_id}/video-url", headers=gateway.auth())).json()
    assert again["video_url"] != body["video_url"]


async def test_video_url_omits_captions_when_there_are_none(gateway) -> None:
    job_id = await gateway.create_job()
    await gateway.complete_job(job_id, captions=False)
    body = (await gateway.client.get(f"/api/v1/videos/jobs/{job_id}/video-url", headers=gateway.auth())).json()
    assert body["captions_url"] is None
    response = await gateway.client.get(f"/api/v1/videos/jobs/{job_id}/captions", headers=gateway.auth())
    assert response.status_code == 404


# --- GET /jobs/{id}/stream ------------------------------------------------------------------------------------------
async def test_stream_serves_the_whole_file_and_ranges(gateway) -> None:
    job_id = await gateway.create_job()
    await gateway.complete_job(job_id)
    url = f"/api/v1/videos/jobs/{job_id}/stream"
    size = len(gateway.video_bytes)

    full = await gateway.client.get(url, headers=gateway.auth())
    assert full.status_code == 200
    assert full.headers["accept-ranges"] == "bytes"
    assert full.headers["content-length"] == str(size)
    assert full.headers["content-type"] == "video/mp4"
    assert full.content == gateway.video_bytes

    for header, start, end in (
        ("bytes=0-99", 0, 99),
        ("bytes=10000-", 10000, size - 1),
        ("bytes=-240", size - 240, size - 1),
        ("bytes=5000-999999", 5000, size - 1),
    ):
        part = await gateway.client.get(url, headers={**gateway.auth(), "Range": header})
        assert part.status_code == 206, header
        assert part.headers["content-range"] == f"bytes {start}-{end}/{size}"
        assert part.headers["content-length"] == str(end - start + 1)
        assert part.content == gateway.video_bytes[start : end + 1]

    for header in (f"bytes={size}-", "bytes=9-3", "bytes=-0", "pages=1-2", "bytes=x-"):
        refused = await gateway.client.get(url, headers={**gateway.auth(), "Range": header})
        assert refused.status_code == 416, header
        assert refused.headers["content-range"] == f"bytes */{size}"
        assert "detail" in refused.json()


# --- thumbnail, metadata, captions ----------------------------------------------------------------------------------
async def test_thumbnail_metadata_and_captions(gateway) -> None:
    job_id = await gateway.create_job()
    await gateway.complete_job(job_id)
    base = f"/api/v1/videos/jobs/{job_id}"

    thumbnail = await gateway.client.get(f"{base}/thumbnail", headers=gateway.auth())
    assert thumbnail.status_code == 200
    assert thumbnail.headers["content-type"] == "image/jpeg"
    assert thumbnail.content.startswith(b"\xff\xd8")

    metadata = await gateway.client.get(f"{base}/metadata", headers=gateway.auth())
    assert metadata.status_code == 200
    body = metadata.json()
    assert body["job_id"] == str(job_id)
    assert body["metadata"]["title"] == "The Pythagorean Theorem"
    assert body["metadata"]["duration"] == 31.5
    assert body["metadata"]["dimensions"] == {"width": 1280, "height": 720}
    assert body["metadata"]["fps"] == 30.0
    assert body["metadata"]["file_size"] == len(gateway.video_bytes)
    assert body["metadata"]["sources"] == [{"title": "Euclid, Elements I.47", "url": None}]
    assert body["metadata"]["author"] == "offline-planner"

    vtt = await gateway.client.get(f"{base}/captions", headers=gateway.auth())
    assert vtt.status_code == 200
    assert vtt.headers["content-type"].startswith("text/vtt")
    assert vtt.text == gateway.vtt_text
    srt = await gateway.client.get(f"{base}/captions?format=srt", headers=gateway.auth())
    assert srt.headers["content-type"].startswith("application/x-subrip")
    assert srt.text == gateway.srt_text
    negotiated = await gateway.client.get(
        f"{base}/captions", headers={**gateway.auth(), "Accept": "application/x-subrip"}
    )
    assert negotiated.text == gateway.srt_text
    assert (await gateway.client.get(f"{base}/captions?format=ass", headers=gateway.auth())).status_code == 422


# --- GET /jobs ------------------------------------------------------------------------------------------------------
async def test_list_is_newest_first_paginated_filtered_and_private(gateway) -> None:
    created = []
    for _ in range(3):
        job_id = await gateway.create_job()
        await gateway.set_job(job_id, status="completed", stage="completed", percentage=100.0)
        created.append(str(job_id))
    created.append(str(await gateway.create_job()))
    await gateway.create_job("user_bob")

    page = (await gateway.client.get("/api/v1/videos/jobs?limit=3", headers=gateway.auth())).json()
    assert page["total"] == 4
    assert (page["limit"], page["offset"]) == (3, 0)
    assert [item["job_id"] for item in page["items"]] == created[::-1][:3]
    rest = (await gateway.client.get("/api/v1/videos/jobs?limit=3&offset=3", headers=gateway.auth())).json()
    assert [item["job_id"] for item in rest["items"]] == [created[0]]

    queued = (await gateway.client.get("/api/v1/videos/jobs?status=queued", headers=gateway.auth())).json()
    assert queued["total"] == 1
    assert [item["job_id"] for item in queued["items"]] == [created[3]]
    assert queued["items"][0]["progress"]["current_stage"] == "initializing"

    for query in ("status=done", "limit=0", "limit=101", "offset=-1"):
        assert (await gateway.client.get(f"/api/v1/videos/jobs?{query}", headers=gateway.auth())).status_code == 422


# --- POST /jobs/{id}/cancel -----------------------------------------------------------------------------------------
async def test_cancel_is_idempotent_and_broadcasts_once(gateway) -> None:
    job_id = await gateway.create_job()
    url = f"/api/v1/videos/jobs/{job_id}/cancel"
    first = await gateway.client.post(url, headers=gateway.auth())
    assert first.status_code == 200
    assert first.json()["status"] == "cancelled"
    again = await gateway.client.post(url, headers=gateway.auth())
    assert again.status_code == 200
    assert again.json() == first.json()

    async with gateway.resources.sessionmaker() as session:
        bodies = [row.body for row in (await session.execute(select(OutboxMessage))).scalars()]
    cancellations = [m for m in map(parse_message, bodies) if isinstance(m, JobCancelled)]
    assert [m.job_id for m in cancellations] == [job_id]

    received = []

    async def on_broadcast(message, _delivery) -> None:
        received.append(message)

    await gateway.resources.bus.subscribe_broadcast(on_broadcast)
    await gateway.resources.relay.relay_once()
    assert [type(m) for m in received] == [JobCancelled]

    # A cancelled job frees its slot.
    status = await gateway.client.get(f"/api/v1/videos/jobs/{job_id}/status", headers=gateway.auth())
    assert status.json()["status"] == "cancelled"


async def test_cancel_of_completed_or_failed_jobs_is_409(gateway) -> None:
    job_id = await gateway.create_job()
    await gateway.complete_job(job_id)
    response = await gateway.client.post(f"/api/v1/videos/jobs/{job_id}/cancel", headers=gateway.auth())
    assert response.status_code == 409
    assert response.json()["status"] == "completed"
    other = await gateway.create_job()
    await gateway.set_job(other, status="failed")
    assert (await gateway.client.post(f"/api/v1/videos/jobs/{other}/cancel", headers=gateway.auth())).status_code == 409
    assert (
        await gateway.client.post(f"/api/v1/videos/jobs/{uuid4()}/cancel", headers=gateway.auth())
    ).status_code == 404
