"""``Idempotency-Key`` on ``POST /videos/generate`` against real PostgreSQL: one job however many parallel retries."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from mathreel_shared.db import Job

pytestmark = pytest.mark.integration

URL = "/api/v1/videos/generate"
BODY = {"configuration": {"topic": "Pythagorean Theorem", "context": "Explain it with a proof."}}


async def _job_count(gateway, user: str) -> int:
    async with gateway.resources.sessionmaker() as session:
        query = select(func.count()).select_from(Job).where(col(Job.user_id) == user)
        return int((await session.execute(query)).scalar_one())


async def test_twenty_parallel_identical_requests_create_one_job_and_later_ones_replay_it(
    distributed_gateway, jwks_server
) -> None:
    async with distributed_gateway(jwks_server, rate_limit_per_minute=1000) as gateway:
        user, other = f"user_{uuid.uuid4().hex[:12]}", f"user_{uuid.uuid4().hex[:12]}"
        key = f"key-{uuid.uuid4()}"
        headers = {"Authorization": f"Bearer {jwks_server.key.mint(user)}", "Idempotency-Key": key}
        responses = await asyncio.gather(*(gateway.client.post(URL, json=BODY, headers=headers) for _ in range(20)))
        assert {r.status_code for r in responses} <= {201, 409}, [r.text for r in responses]
        created = [r for r in responses if r.status_code == 201]
        assert created
        assert len({r.json()["job_id"] for r in created}) == 1
        assert await _job_count(gateway, user) == 1
        for conflict in (r for r in responses if r.status_code == 409):
            assert "still being handled" in conflict.json()["detail"]

        replay = await gateway.client.post(URL, json=BODY, headers=headers)
        assert replay.status_code == 201
        assert replay.headers["Idempotent-Replayed"] == "true"
        assert replay.json() == created[0].json()
        # The same meaning in another spelling is the same request.
        respelled = await gateway.client.post(
            URL,
            content=b'{"priority": "normal", "configuration": {"context": "Explain it with a proof.", '
            b'"topic": "Pythagorean Theorem"}}',
            headers={**headers, "Content-Type": "application/json"},
        )
        assert respelled.status_code == 201
        assert respelled.json()["job_id"] == created[0].json()["job_id"]
        assert await _job_count(gateway, user) == 1

        other_body = {"configuration": {**BODY["configuration"], "topic": "Fourier series"}}
        reused = await gateway.client.post(URL, json=other_body, headers=headers)
        assert reused.status_code == 422
        assert "different request body" in reused.json()["detail"]

        # Another user's identical key is another key.
        theirs = await gateway.client.post(
            URL, json=BODY, headers={"Authorization": f"Bearer {jwks_server.key.mint(other)}", "Idempotency-Key": key}
        )
        assert theirs.status_code == 201
        assert "Idempotent-Replayed" not in theirs.headers
        assert theirs.json()["job_id"] != created[0].json()["job_id"]
        assert await _job_count(gateway, user) == 1

        malformed = await gateway.client.post(URL, json=BODY, headers={**headers, "Idempotency-Key": "x" * 256})
        assert malformed.status_code == 422
        assert "Idempotency-Key" in str(malformed.json()["detail"])


async def test_a_request_refused_by_the_active_jobs_limit_releases_its_key(distributed_gateway, jwks_server) -> None:
    async with distributed_gateway(jwks_server, rate_limit_per_minute=1000, max_active_jobs_per_user=1) as gateway:
        user = f"user_{uuid.uuid4().hex[:12]}"
        auth = {"Authorization": f"Bearer {jwks_server.key.mint(user)}"}
        first = await gateway.client.post(URL, json=BODY, headers=auth)
        assert first.status_code == 201
        headers = {**auth, "Idempotency-Key": "retry-me"}
        refused = await gateway.client.post(URL, json=BODY, headers=headers)
        assert refused.status_code == 429
        cancelled = await gateway.client.post(f"/api/v1/videos/jobs/{first.json()['job_id']}/cancel", headers=auth)
        assert cancelled.status_code == 200
        retried = await gateway.client.post(URL, json=BODY, headers=headers)
        assert retried.status_code == 201
        assert "Idempotent-Replayed" not in retried.headers
