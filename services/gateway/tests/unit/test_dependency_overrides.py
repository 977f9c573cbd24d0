"""The gateway is plain FastAPI: its dependencies are resolved by FastAPI, so ``app.dependency_overrides`` works."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from mathreel_gateway.deps import BearerAuthentication, get_owned_job
from mathreel_shared.auth import Principal
from mathreel_shared.db import Job


def _caller() -> BearerAuthentication:
    """The bearer scheme the routes depend on (one instance, shared by every route)."""
    from mathreel_gateway.deps import CurrentUser

    return CurrentUser.__metadata__[0].dependency  # type: ignore[attr-defined, no-any-return]


async def test_overriding_authentication_reaches_every_route(gateway) -> None:
    gateway.app.dependency_overrides[_caller()] = lambda: Principal("user_override", None, {})
    try:
        listed = await gateway.client.get("/api/v1/videos/jobs")  # no token at all
        assert listed.status_code == 200
        assert listed.json()["total"] == 0
        body = {"configuration": {"topic": "Primes", "context": "Why infinitely many?"}}
        created = await gateway.client.post("/api/v1/videos/generate", json=body)
        assert created.status_code == 201
        job_id = created.json()["job_id"]
        status = await gateway.client.get(f"/api/v1/videos/jobs/{job_id}/status")
        assert status.status_code == 200
        assert status.json()["job_id"] == job_id
    finally:
        gateway.app.dependency_overrides.clear()
    assert (await gateway.client.get("/api/v1/videos/jobs")).status_code == 401


async def test_overriding_the_job_lookup_reaches_the_polled_status_route(gateway) -> None:
    now = datetime.now(UTC)
    job = Job(
        id=uuid4(),
        user_id="user_alice",
        topic="Overridden",
        context="",
        status="processing",
        stage="generating_audio",
        percentage=42.0,
        quality="medium",
        priority="normal",
        created_at=now,
        updated_at=now,
    )
    gateway.app.dependency_overrides[get_owned_job] = lambda: job
    try:
        response = await gateway.client.get(f"/api/v1/videos/jobs/{job.id}/status", headers=gateway.auth())
    finally:
        gateway.app.dependency_overrides.clear()
    assert response.status_code == 200
    assert response.json()["progress"] == {"percentage": 42.0, "current_stage": "generating_audio"}
