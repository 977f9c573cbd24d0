"""The frontend integration guide, checked against both deployments: standalone and distributed.

Shapes, status codes and error bodies are the guide's; a frontend written against it must work unchanged.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

import httpx
import pytest

from tests.conftest import Deployment
from tests.e2e.media import decode_video, jpeg_size
from tests.support.followed import FollowedJob

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

STAGES = {
    "initializing",
    "generating_script",
    "generating_audio",
    "generating_visuals",
    "rendering",
    "uploading",
    "completed",
}
STATUSES = {"queued", "processing", "completed", "failed", "cancelled"}

REQUEST = {
    "configuration": {
        "topic": "Pythagorean theorem",
        "context": "Explain the Pythagorean theorem with visual examples and mathematical proof",
        "quality": "low",
        "use_rag": False,
        "use_context_learning": False,
    },
    "priority": "normal",
}


def client_for(deployment: Deployment, user: str) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {deployment.mint(user)}", "Content-Type": "application/json"}
    return httpx.AsyncClient(base_url=f"{deployment.base_url}/api/v1", headers=headers, timeout=30)


def parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.tzinfo is not None, f"{value} has no timezone"
    return parsed


def assert_progress_as_polled(job: FollowedJob) -> None:
    """Every status the job's owner polled while it ran has the guide's values, and progress never went back."""
    assert job.polled, "the job was never polled"
    for status in job.polled:
        assert status["status"] in STATUSES
        assert status["progress"]["current_stage"] in STAGES
    percentages = [status["progress"]["percentage"] for status in job.polled]
    assert percentages == sorted(percentages), f"progress went backwards: {percentages}"
    assert job.polled[-1]["status"] == "completed", job.polled[-1]


async def test_health_has_the_guides_shape(deployment: Deployment) -> None:
    async with httpx.AsyncClient(base_url=deployment.base_url) as client:
        response = await client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"app_name", "version", "environment", "status"}
    assert body["status"] == "healthy"


async def test_generate_answers_201_with_the_job(deployment: Deployment) -> None:
    async with client_for(deployment, deployment.new_user()) as client:
        response = await client.post("/videos/generate", json=REQUEST)
        assert response.status_code == 201, response.text
        body = response.json()
        uuid.UUID(body["job_id"])
        assert body["status"] == "queued"
        assert body["progress"] == {"percentage": 0.0, "current_stage": "initializing"}
        assert parse_time(body["estimated_completion_time"]) > parse_time(body["created_at"])
        for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
            assert header in response.headers

        status = (await client.get(f"/videos/jobs/{body['job_id']}/status")).json()
        assert set(status) >= {"job_id", "status", "progress", "created_at", "updated_at", "estimated_completion_time"}
        assert status["job_id"] == body["job_id"]

        not_ready = await client.get(f"/videos/jobs/{body['job_id']}/video-url")
        if not_ready.status_code == 409:
            detail = not_ready.json()
            assert set(detail) == {"detail", "status", "progress", "current_stage"}
            assert detail["detail"].startswith("Job is not completed yet. Current status: ")
            assert isinstance(detail["progress"], float)
            assert detail["current_stage"] in STAGES
        await client.post(f"/videos/jobs/{body['job_id']}/cancel")


async def test_completed_job_gives_a_playable_video(deployment: Deployment, finished_job: FollowedJob) -> None:
    assert_progress_as_polled(finished_job)
    user, job_id = finished_job.user, finished_job.job_id
    async with client_for(deployment, user) as client:
        video = (await client.get(f"/videos/jobs/{job_id}/video-url")).json()
        assert video["job_id"] == job_id
        assert video["status"] == "completed"
        assert video["is_demo"] is False
        assert video["thumbnail_url"] == f"/api/v1/videos/jobs/{job_id}/thumbnail"
        metadata = video["metadata"]
        assert set(metadata) >= {"duration", "quality", "format", "file_size", "demo", "created_at"}
        assert (metadata["quality"], metadata["format"], metadata["demo"]) == ("low", "mp4", False)

        async with httpx.AsyncClient(timeout=60) as plain:
            downloaded = await plain.get(video["video_url"])
            assert downloaded.status_code == 200
            second = (await client.get(f"/videos/jobs/{job_id}/video-url")).json()
            assert (await plain.get(second["download_url"])).content == downloaded.content
        decoded = decode_video(downloaded.content)
        assert (decoded.width, decoded.height) == (854, 480)
        assert metadata["file_size"] == len(downloaded.content)
        assert abs(metadata["duration"] - decoded.duration) < 0.1

        described = (await client.get(f"/videos/jobs/{job_id}/metadata")).json()
        assert described["job_id"] == job_id
        assert described["metadata"]["dimensions"] == {"width": 854, "height": 480}
        assert described["metadata"]["title"]

        thumbnail = await client.get(f"/videos/jobs/{job_id}/thumbnail")
        assert thumbnail.headers["content-type"] == "image/jpeg"
        assert jpeg_size(thumbnail.content)[0] > 0

        streamed = await client.get(f"/videos/jobs/{job_id}/stream")
        assert streamed.status_code == 200
        assert streamed.headers["content-type"] == "video/mp4"
        assert streamed.headers["accept-ranges"] == "bytes"
        assert streamed.content == downloaded.content
        tail = await client.get(f"/videos/jobs/{job_id}/stream", headers={"Range": "bytes=-500"})
        assert tail.status_code == 206
        assert tail.content == downloaded.content[-500:]

        finished = await client.post(f"/videos/jobs/{job_id}/cancel")
        assert finished.status_code == 409


async def test_errors_have_the_guides_codes_and_json_bodies(deployment: Deployment) -> None:
    user = deployment.new_user()
    async with client_for(deployment, user) as client:
        unknown = await client.get(f"/videos/jobs/{uuid.uuid4()}/status")
        assert unknown.status_code == 404
        assert "detail" in unknown.json()

        missing_topic = await client.post("/videos/generate", json={"configuration": {"context": "x"}})
        assert missing_topic.status_code == 422
        assert any("topic" in error["loc"] for error in missing_topic.json()["detail"])

        bad_quality = await client.post(
            "/videos/generate", json={"configuration": {"topic": "t", "context": "c", "quality": "ultra"}}
        )
        assert bad_quality.status_code == 422

        unknown_field = await client.post(
            "/videos/generate", json={"configuration": {"topic": "t", "context": "c", "colour": "red"}}
        )
        assert unknown_field.status_code == 422

        huge = await client.post("/videos/generate", json={"configuration": {"topic": "t", "context": "x" * 200_000}})
        assert huge.status_code == 413
        assert "detail" in huge.json()

    async with httpx.AsyncClient(base_url=f"{deployment.base_url}/api/v1") as anonymous:
        unauthorized = await anonymous.get("/videos/jobs")
        assert unauthorized.status_code == 401
        assert unauthorized.headers["www-authenticate"].startswith("Bearer")
        assert "detail" in unauthorized.json()


async def test_list_and_cancel(deployment: Deployment) -> None:
    async with client_for(deployment, deployment.new_user()) as client:
        first = (await client.post("/videos/generate", json=REQUEST)).json()["job_id"]
        second = (await client.post("/videos/generate", json=REQUEST)).json()["job_id"]
        listed = (await client.get("/videos/jobs")).json()
        assert [item["job_id"] for item in listed["items"]][:2] == [second, first]

        cancelled = await client.post(f"/videos/jobs/{first}/cancel")
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"
        assert (await client.post(f"/videos/jobs/{first}/cancel")).status_code == 200
        only_cancelled = (await client.get("/videos/jobs", params={"status": "cancelled"})).json()
        assert [item["job_id"] for item in only_cancelled["items"]] == [first]
        await client.post(f"/videos/jobs/{second}/cancel")


async def test_other_users_see_nothing(deployment: Deployment, finished_job: FollowedJob) -> None:
    job_id = finished_job.job_id
    async with client_for(deployment, deployment.new_user()) as stranger:
        for path in ("status", "video-url", "stream", "thumbnail", "metadata", "captions", "storyboard"):
            assert (await stranger.get(f"/videos/jobs/{job_id}/{path}")).status_code == 404, path
        assert (await stranger.post(f"/videos/jobs/{job_id}/cancel")).status_code == 404
        revise = await stranger.post(f"/videos/jobs/{job_id}/revise", json={"storyboard": {"title": "x"}})
        assert revise.status_code == 404


async def test_a_completed_job_has_a_storyboard_a_resource_report_and_can_be_revised(
    deployment: Deployment, finished_job: FollowedJob
) -> None:
    user, job_id = finished_job.user, finished_job.job_id
    async with client_for(deployment, user) as client:
        status = (await client.get(f"/videos/jobs/{job_id}/status")).json()
        resources = status["resources"]
        assert resources["cpu_seconds"] > 0
        assert resources["bytes_stored"] > 0
        assert resources["stages"]["generating_visuals"]["cpu_seconds"] > 0
        assert resources["stages"]["rendering"]["wall_seconds"] > 0
        assert "revision_of" not in status

        response = await client.get(f"/videos/jobs/{job_id}/storyboard")
        assert response.status_code == 200
        storyboard = response.json()
        assert storyboard["version"] == "1"
        assert storyboard["scenes"]

        broken = json.loads(json.dumps(storyboard))
        broken["scenes"][0]["beats"][0]["actions"] = [{"op": "equation", "id": "e", "latex": "\\input{x}"}]
        refused = await client.post(f"/videos/jobs/{job_id}/revise", json={"storyboard": broken})
        assert refused.status_code == 422
        assert [p["path"] for p in refused.json()["detail"]] == ["storyboard.scenes[0].beats[0].actions[0].latex"]

        created = await client.post(f"/videos/jobs/{job_id}/revise", json={"storyboard": storyboard})
        assert created.status_code == 201, created.text
        revision = created.json()["job_id"]
        assert created.json()["status"] == "queued"
        revised = (await client.get(f"/videos/jobs/{revision}/status")).json()
        assert revised["revision_of"] == job_id
        await client.post(f"/videos/jobs/{revision}/cancel")  # its rendering is tested in tests/e2e/test_revision.py
