"""``GET /videos/jobs/{id}/storyboard`` and ``POST /videos/jobs/{id}/revise`` on a standalone-style gateway, and the
optional ``revision_of`` and ``resources`` of a job's status."""

from __future__ import annotations

import copy
import json
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import func, select

from mathreel_shared import keys
from mathreel_shared.db import Job, OutboxMessage
from mathreel_shared.messages import JobRequested, parse_message

STORYBOARD: dict[str, Any] = {
    "version": "1",
    "title": "The Pythagorean Theorem",
    "scenes": [
        {
            "id": "intro",
            "beats": [
                {
                    "narration": "Right triangles hide a rule.",
                    "actions": [{"op": "title", "id": "t", "text": "Pythagoras"}],
                }
            ],
        },
        {
            "id": "rule",
            "beats": [
                {"narration": "The legs and the hypotenuse are linked.", "actions": []},
                {
                    "narration": "Here is how.",
                    "actions": [
                        {"op": "text", "id": "words", "text": "a, b and c"},
                        {"op": "equation", "id": "eq", "latex": "a^2 + b^2 = c^2"},
                    ],
                },
            ],
        },
    ],
}
GENERATE_KEYS = {"job_id", "status", "progress", "estimated_completion_time", "created_at"}


def _url(job_id: UUID, what: str) -> str:
    return f"/api/v1/videos/jobs/{job_id}/{what}"


async def _with_storyboard(gateway, user: str = "user_alice", quality: str = "low") -> UUID:
    job_id = await gateway.create_job(user, quality=quality)
    key = keys.storyboard_key(user, job_id)
    await gateway.resources.store.put_bytes(key, json.dumps(STORYBOARD, indent=2).encode(), "application/json")
    await gateway.set_job(job_id, status="processing", stage="generating_audio", storyboard_key=key)
    return job_id


async def test_the_storyboard_is_served_once_written_and_409_before(gateway) -> None:
    job_id = await gateway.create_job()
    early = await gateway.client.get(_url(job_id, "storyboard"), headers=gateway.auth())
    assert early.status_code == 409
    assert early.json()["status"] == "queued"
    assert early.json()["current_stage"] == "initializing"

    job_id = await _with_storyboard(gateway)
    response = await gateway.client.get(_url(job_id, "storyboard"), headers=gateway.auth())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == STORYBOARD


async def test_another_user_s_job_can_be_neither_read_nor_revised(gateway) -> None:
    job_id = await _with_storyboard(gateway, "user_alice")
    mallory = gateway.auth("user_mallory")
    read = await gateway.client.get(_url(job_id, "storyboard"), headers=mallory)
    revised = await gateway.client.post(_url(job_id, "revise"), json={"storyboard": STORYBOARD}, headers=mallory)
    assert (read.status_code, revised.status_code) == (404, 404)
    assert read.json() == revised.json() == {"detail": "Job not found"}
    unknown = await gateway.client.post(_url(uuid4(), "revise"), json={"storyboard": STORYBOARD}, headers=mallory)
    assert unknown.status_code == 404


async def test_a_revision_is_a_new_job_that_names_its_original(gateway) -> None:
    original = await _with_storyboard(gateway, quality="low")
    edited = copy.deepcopy(STORYBOARD)
    edited["scenes"][1]["beats"][0]["narration"] = "The two legs and the long side are linked."
    response = await gateway.client.post(
        _url(original, "revise"), json={"storyboard": edited, "priority": "high"}, headers=gateway.auth()
    )
    assert response.status_code == 201, response.text
    assert set(response.json()) == GENERATE_KEYS
    revision = UUID(response.json()["job_id"])
    assert revision != original

    status = (await gateway.client.get(_url(revision, "status"), headers=gateway.auth())).json()
    assert status["revision_of"] == str(original)
    assert (status["quality"], status["priority"], status["status"]) == ("low", "high", "queued")
    assert "revision_of" not in (await gateway.client.get(_url(original, "status"), headers=gateway.auth())).json()

    async with gateway.resources.sessionmaker() as session:
        job = await session.get(Job, revision)
        first = await session.get(Job, original)
    assert job is not None
    assert first is not None
    assert (job.topic, job.context, job.revision_of) == (first.topic, first.context, original)
    given = keys.given_storyboard_key("user_alice", revision)
    assert job.details == {"given_storyboard_key": given}
    assert json.loads(await gateway.resources.store.get_bytes(given))["scenes"][1]["beats"][0]["narration"] == (
        "The two legs and the long side are linked."
    )
    async with gateway.resources.sessionmaker() as session:
        rows = (await session.execute(select(OutboxMessage))).scalars().all()
    requested = [m for m in map(parse_message, (row.body for row in rows)) if isinstance(m, JobRequested)]
    mine = [message for message in requested if message.job_id == revision]
    assert len(mine) == 1
    assert (mine[0].configuration.topic, mine[0].priority) == (first.topic, "high")


async def test_quality_can_be_changed_and_defaults_to_the_original_s(gateway) -> None:
    original = await _with_storyboard(gateway, quality="low")
    response = await gateway.client.post(
        _url(original, "revise"), json={"storyboard": STORYBOARD, "quality": "medium"}, headers=gateway.auth()
    )
    assert response.status_code == 201
    status = (await gateway.client.get(_url(UUID(response.json()["job_id"]), "status"), headers=gateway.auth())).json()
    assert status["quality"] == "medium"


async def test_invalid_storyboards_are_refused_with_the_field_path(gateway) -> None:
    original = await _with_storyboard(gateway)
    refused_latex = copy.deepcopy(STORYBOARD)
    refused_latex["scenes"][1]["beats"][1]["actions"][1]["latex"] = r"\input{/etc/passwd}"
    missing_narration = copy.deepcopy(STORYBOARD)
    del missing_narration["scenes"][0]["beats"][0]["narration"]
    bad_field = copy.deepcopy(STORYBOARD)
    bad_field["scenes"][1]["beats"][1]["actions"][1]["latex"] = ""
    dangling = copy.deepcopy(STORYBOARD)
    dangling["scenes"][1]["beats"][0]["actions"] = [{"op": "indicate", "target": "nowhere"}]
    cases = {
        "storyboard.scenes[1].beats[1].actions[1].latex": refused_latex,
        "storyboard.scenes[0].beats[0].narration": missing_narration,
        "storyboard.scenes[1].beats[1].actions[1].latex ": bad_field,
        "storyboard.scenes[1]": dangling,
    }
    for path, storyboard in cases.items():
        response = await gateway.client.post(
            _url(original, "revise"), json={"storyboard": storyboard}, headers=gateway.auth()
        )
        assert response.status_code == 422, (path, response.text)
        problems = response.json()["detail"]
        assert [problem["path"] for problem in problems] == [path.strip()], problems
        assert problems[0]["loc"][:2] == ["body", "storyboard"]
        assert problems[0]["msg"]
    not_an_object = await gateway.client.post(
        _url(original, "revise"), json={"storyboard": ["scenes"]}, headers=gateway.auth()
    )
    assert not_an_object.status_code == 422
    async with gateway.resources.sessionmaker() as session:
        count = (await session.execute(select(func.count()).select_from(Job))).scalar_one()
    assert count == 1  # nothing was created


async def test_an_original_without_a_storyboard_cannot_be_revised(gateway) -> None:
    job_id = await gateway.create_job()
    response = await gateway.client.post(
        _url(job_id, "revise"), json={"storyboard": STORYBOARD}, headers=gateway.auth()
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "Job has no storyboard to revise yet. Current status: queued"


async def test_revisions_count_against_the_active_jobs_limit_and_the_body_limit(make_gateway) -> None:
    async with make_gateway(max_active_jobs_per_user=2, max_request_bytes=4096) as gateway:
        original = await _with_storyboard(gateway)
        first = await gateway.client.post(
            _url(original, "revise"), json={"storyboard": STORYBOARD}, headers=gateway.auth()
        )
        assert first.status_code == 201
        second = await gateway.client.post(
            _url(original, "revise"), json={"storyboard": STORYBOARD}, headers=gateway.auth()
        )
        assert second.status_code == 429
        assert second.json()["limit"] == "active_jobs"
        padded = copy.deepcopy(STORYBOARD)
        padded["scenes"][0]["beats"][0]["narration"] = "x" * 5000
        large = await gateway.client.post(_url(original, "revise"), json={"storyboard": padded}, headers=gateway.auth())
        assert large.status_code == 413


async def test_a_completed_job_s_status_carries_its_resource_report(gateway) -> None:
    job_id = await gateway.create_job()
    await gateway.complete_job(job_id)
    plain = (await gateway.client.get(_url(job_id, "status"), headers=gateway.auth())).json()
    assert "resources" not in plain  # completed before reports existed: nothing to show
    stage = {"wall_seconds": 2.5, "cpu_seconds": 1.25, "bytes_stored": 300, "cache_hits": 1, "cache_misses": 0}
    report = {
        "wall_seconds": 3.0,
        "cpu_seconds": 1.25,
        "bytes_stored": 300,
        "cache_hits": 1,
        "cache_misses": 0,
        "stages": {"generating_visuals": stage},
    }
    async with gateway.resources.sessionmaker() as session:
        job = await session.get(Job, job_id)
        assert job is not None
        details = dict(job.details)
    await gateway.set_job(job_id, details={**details, "resources": report})
    status = (await gateway.client.get(_url(job_id, "status"), headers=gateway.auth())).json()
    assert status["resources"] == report
    listed = (await gateway.client.get("/api/v1/videos/jobs", headers=gateway.auth())).json()["items"]
    assert listed[0]["resources"] == report
