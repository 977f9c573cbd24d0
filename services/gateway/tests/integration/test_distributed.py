"""The gateway on real PostgreSQL, Redis, RabbitMQ and a JWKS served over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aio_pika
import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlmodel import col

from mathreel_gateway.ratelimit import RateLimiterUnavailable, RedisRateLimiter
from mathreel_shared.bus import RabbitBus
from mathreel_shared.db import Job, OutboxMessage
from mathreel_shared.messages import JobRequested, parse_message
from tests.support.jwks import JwksServer

pytestmark = pytest.mark.integration

BODY = {"configuration": {"topic": "Pythagorean Theorem", "context": "Explain it with a proof."}}


def _user() -> str:
    return f"user_{uuid.uuid4().hex[:12]}"


@contextlib.asynccontextmanager
async def _limiter(redis_url: str, key_prefix: str, **options: Any) -> AsyncIterator[tuple[RedisRateLimiter, Redis]]:
    """A limiter of 5 requests a minute under the test's key prefix, and a plain client to inspect or upset Redis."""
    limiter = RedisRateLimiter.from_url(redis_url, 5, key_prefix=key_prefix, **options)
    admin = Redis.from_url(redis_url)
    try:
        yield limiter, admin
    finally:
        await limiter.close()
        await admin.aclose()  # type: ignore[attr-defined]


async def test_fifty_parallel_submits_by_one_user_accept_exactly_three(distributed_gateway, jwks_server) -> None:
    async with distributed_gateway(jwks_server) as gateway:
        user = _user()
        headers = {"Authorization": f"Bearer {jwks_server.key.mint(user)}"}
        responses = await asyncio.gather(
            *(gateway.client.post("/api/v1/videos/generate", json=BODY, headers=headers) for _ in range(50))
        )
        accepted = [r for r in responses if r.status_code == 201]
        refused = [r for r in responses if r.status_code == 429]
        assert len(accepted) == 3
        assert len(refused) == 47
        assert {r.json()["limit"] for r in refused} == {"active_jobs"}

        async with gateway.resources.sessionmaker() as session:
            jobs = (await session.execute(select(Job).where(col(Job.user_id) == user))).scalars().all()
            messages = [parse_message(row.body) for row in (await session.execute(select(OutboxMessage))).scalars()]
        assert sorted(str(job.id) for job in jobs) == sorted(r.json()["job_id"] for r in accepted)
        requested = [m for m in messages if isinstance(m, JobRequested) and m.user_id == user]
        assert len(requested) == 3


# The limiter's window in the boundary test: the product's is a minute, timed by the Redis server's clock, which a test
# cannot drive; waiting for the next wall-clock minute cost up to 60 s. The same script with a 20 s window is the
# same log and the same decision; the boundary is at most 20 s away, and 20 s still leaves the two bursts (about 2 s
# on a loaded machine) well inside one window.
BOUNDARY_WINDOW_SECONDS = 20


async def _seconds_to_the_next_boundary(redis: Redis, window: int) -> float:
    """How long until the Redis server's clock, which times the rate limit, reaches the next multiple of ``window``
    seconds: where a limiter of fixed windows would start counting afresh."""
    seconds, micros = await redis.time()
    return window - (seconds % window + micros / 1_000_000)


async def test_no_more_than_the_limit_in_any_window_across_a_window_boundary(
    distributed_gateway, jwks_server, redis_url
) -> None:
    """100 requests just before a window boundary and 100 just after: fixed windows allowed all 200 in under two
    seconds; the sliding window allows the first 100 only, and its headers say when the next one is."""
    window = BOUNDARY_WINDOW_SECONDS
    async with distributed_gateway(jwks_server, rate_limit_per_minute=100, window_seconds=window) as gateway:
        redis = Redis.from_url(redis_url)
        try:
            left = await _seconds_to_the_next_boundary(redis, window)
            if left < 1.5:
                await asyncio.sleep(left + 0.1)
                left = await _seconds_to_the_next_boundary(redis, window)
            await asyncio.sleep(max(left - 1.5, 0))  # 1.5 s before the boundary
            headers = {"Authorization": f"Bearer {jwks_server.key.mint(_user())}"}
            started = time.monotonic()
            boundary = started + await _seconds_to_the_next_boundary(redis, window)
            before = await asyncio.gather(
                *(gateway.client.get("/api/v1/videos/jobs", headers=headers) for _ in range(100))
            )
            # Past that boundary (the burst itself may have crossed it on a slow machine), not the one after it.
            await asyncio.sleep(max(boundary - time.monotonic(), 0) + 0.2)
            after = await asyncio.gather(
                *(gateway.client.get("/api/v1/videos/jobs", headers=headers) for _ in range(100))
            )
            elapsed = time.monotonic() - started
        finally:
            await redis.aclose()  # type: ignore[attr-defined]
    assert [r.status_code for r in before] == [200] * 100
    assert [r.status_code for r in after] == [429] * 100
    resets = {int(r.headers["x-ratelimit-reset"]) for r in after}
    assert len(resets) == 1
    (reset,) = resets
    retry_after = max(int(r.headers["retry-after"]) for r in after)
    # The first request of the burst leaves the window `window` seconds after it was made: the refusals came at most
    # `elapsed` seconds after it (about 1.7 s; more on a loaded machine), so the wait they announce is that much less.
    assert window - math.ceil(elapsed) <= retry_after <= window
    assert elapsed < window / 2, "the bursts took too long to say anything about the window"
    assert reset == int(before[-1].headers["x-ratelimit-reset"])


async def test_rate_limit_is_exact_across_two_replicas(distributed_gateway, jwks_server, redis_url) -> None:
    async with (
        distributed_gateway(jwks_server, rate_limit_per_minute=10) as first,
        distributed_gateway(jwks_server, rate_limit_per_minute=10) as second,
    ):
        user = _user()
        headers = {"Authorization": f"Bearer {jwks_server.key.mint(user)}"}
        responses = await asyncio.gather(
            *(
                (first if index % 2 else second).client.get("/api/v1/videos/jobs", headers=headers)
                for index in range(25)
            )
        )
        codes = [r.status_code for r in responses]
        assert codes.count(200) == 10
        assert codes.count(429) == 15
        remaining = sorted(int(r.headers["x-ratelimit-remaining"]) for r in responses if r.status_code == 200)
        assert remaining == list(range(10))
        # Every refusal names the same moment: when the first of the ten allowed leaves the window.
        refused = [r for r in responses if r.status_code == 429]
        assert len({r.headers["x-ratelimit-reset"] for r in refused}) == 1
        assert all(
            r.json()["limit"] == "rate" and int(r.headers["retry-after"]) >= 1
            for r in responses
            if r.status_code == 429
        )


async def test_key_rotation_refetches_the_jwks_for_an_unknown_key_id(distributed_gateway, tmp_path: Path) -> None:
    # Clerk may rotate at any moment; the refetch interval guard is for floods, not for this test's timing.
    with JwksServer(tmp_path / "keys") as server:
        async with distributed_gateway(server, jwks_min_refetch_seconds=0.0) as gateway:
            user = _user()
            old_token = server.key.mint(user)
            assert (
                await gateway.client.get("/api/v1/videos/jobs", headers={"Authorization": f"Bearer {old_token}"})
            ).status_code == 200
            fetches = server.request_count

            server.rotate()
            new_token = server.key.mint(user)
            response = await gateway.client.get("/api/v1/videos/jobs", headers={"Authorization": f"Bearer {new_token}"})
            assert response.status_code == 200
            assert server.request_count == fetches + 1

            # The retired key is no longer served, so its tokens stop working.
            stale = await gateway.client.get("/api/v1/videos/jobs", headers={"Authorization": f"Bearer {old_token}"})
            assert stale.status_code == 401
            assert "invalid_token" in stale.headers["www-authenticate"]


async def test_jwks_unreachable_is_503(distributed_gateway, tmp_path: Path) -> None:
    with JwksServer(tmp_path / "keys") as server:
        server.unavailable = True
        async with distributed_gateway(server) as gateway:
            token = server.key.mint(_user())
            response = await gateway.client.get("/api/v1/videos/jobs", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 503
            assert response.json()["detail"].startswith("Authentication is temporarily unavailable")
            ready = await gateway.client.get("/ready")
            assert ready.status_code == 503
            assert ready.json()["checks"]["auth"] != "ok"
            assert ready.json()["checks"]["database"] == "ok"
            assert ready.json()["checks"]["cache"] == "ok"


async def test_the_outbox_relay_publishes_accepted_jobs_to_rabbitmq(
    distributed_gateway, jwks_server, amqp_url: str, broker_namespace: str
) -> None:
    # A namespace under the session's, so the session's clean-up removes it; no other consumer reads it.
    bus = RabbitBus(amqp_url, f"{broker_namespace}.gateway")
    await bus.start()
    try:
        async with distributed_gateway(jwks_server, bus=bus) as gateway:
            user = _user()
            headers = {"Authorization": f"Bearer {jwks_server.key.mint(user)}"}
            created = await gateway.client.post("/api/v1/videos/generate", json=BODY, headers=headers)
            assert created.status_code == 201
            while await gateway.resources.relay.relay_once():
                pass
            # Read the queue from a connection of our own. Earlier tests of the session left unpublished rows in the
            # shared database, which the relay sent first; the message of this job must be among them, parseable.
            received: list[JobRequested] = []
            connection = await aio_pika.connect(amqp_url)
            try:
                channel = await connection.channel()
                queue = await channel.declare_queue(bus.queue_name("orchestrator"), passive=True)
                while (incoming := await queue.get(timeout=5, fail=False)) is not None:
                    await incoming.ack()
                    message = parse_message(incoming.body)
                    assert isinstance(message, JobRequested)
                    received.append(message)
            finally:
                await connection.close()
            ours = [m for m in received if str(m.job_id) == created.json()["job_id"]]
            assert len(ours) == 1
            assert ours[0].user_id == user
            async with gateway.resources.sessionmaker() as session:
                unpublished = (
                    await session.execute(
                        select(func.count()).select_from(OutboxMessage).where(col(OutboxMessage.published_at).is_(None))
                    )
                ).scalar_one()
            assert unpublished == 0
    finally:
        await bus.close()


async def test_the_rate_limit_script_is_loaded_again_after_redis_forgets_it(redis_url, redis_key_prefix) -> None:
    """The limiter calls EVALSHA; a Redis that was restarted or flushed no longer knows the script, and the limiter
    loads it again instead of failing the request."""
    async with _limiter(redis_url, redis_key_prefix) as (limiter, admin):
        user = _user()
        assert (await limiter.hit(user)).allowed
        await admin.script_flush()
        assert not (await admin.script_exists(limiter._script.sha))[0]

        decisions = [await limiter.hit(user) for _ in range(5)]

        assert [d.allowed for d in decisions] == [True, True, True, True, False]  # the count went on: 2nd..6th hit
        assert (await admin.script_exists(limiter._script.sha))[0]


async def test_hits_of_one_loop_turn_are_counted_in_one_round_trip_each_exactly_once(
    redis_url, redis_key_prefix
) -> None:
    """Concurrent hits go to Redis as one script call; after a script flush the whole batch fails with NOSCRIPT
    (nothing counted), the script is loaded and the batch counted again, each hit once."""
    async with _limiter(redis_url, redis_key_prefix) as (limiter, admin):
        calls: list[int] = []
        send = limiter._count

        async def counting(keys: list[str]) -> list[Any]:
            calls.append(len(keys))
            return await send(keys)

        limiter._count = counting  # type: ignore[method-assign]
        await admin.script_flush()
        user = _user()
        decisions = await asyncio.gather(*(limiter.hit(user) for _ in range(8)))

        assert calls == [8, 8]
        assert [d.allowed for d in decisions].count(True) == 5
        assert sorted(d.remaining for d in decisions) == [0, 0, 0, 0, 1, 2, 3, 4]
        # The log holds the five allowed requests (refused ones are not logged) and expires a window after them.
        assert await admin.zcard(f"{redis_key_prefix}ratelimit-log:{user}") == 5
        assert 0 < await admin.ttl(f"{redis_key_prefix}ratelimit-log:{user}") <= 60


async def test_a_counter_that_fails_in_a_batch_fails_only_its_own_request(redis_url, redis_key_prefix) -> None:
    """A log Redis cannot read (here: a key of the wrong type) makes that request's limiter unavailable, while the
    other requests of the same script call are counted, before and after it."""
    async with _limiter(redis_url, redis_key_prefix) as (limiter, admin):
        before, broken, after = _user(), _user(), _user()
        await admin.rpush(f"{redis_key_prefix}ratelimit-log:{broken}", "not a counter")
        results = await asyncio.gather(
            limiter.hit(before), limiter.hit(broken), limiter.hit(after), return_exceptions=True
        )

        assert isinstance(results[1], RateLimiterUnavailable)
        for result in (results[0], results[2]):
            assert not isinstance(result, BaseException)
            assert result.allowed
            assert result.remaining == 4
        assert await admin.lrange(f"{redis_key_prefix}ratelimit-log:{broken}", 0, -1) == [b"not a counter"]


async def test_a_stalled_redis_is_answered_unavailable_at_the_deadline_and_the_limiter_recovers(
    redis_url, redis_key_prefix
) -> None:
    """Redis holding every write (``CLIENT PAUSE … WRITE``) fails the waiting batch at the limiter's deadline, not
    when Redis answers; the cut connection is replaced, and counting goes on once Redis does."""
    pause_seconds = 5
    async with _limiter(redis_url, redis_key_prefix, timeout=0.2) as (limiter, admin):
        user = _user()
        assert (await limiter.hit(user)).remaining == 4
        await admin.execute_command("CLIENT", "PAUSE", pause_seconds * 1000, "WRITE")
        try:
            loop = asyncio.get_running_loop()
            started = loop.time()
            results = await asyncio.gather(limiter.hit(user), limiter.hit(_user()), return_exceptions=True)
            waited = loop.time() - started
        finally:
            await admin.execute_command("CLIENT", "UNPAUSE")

        assert all(isinstance(result, RateLimiterUnavailable) for result in results), results
        assert waited < 2  # the deadline is 0.2 s; without one, the batch would wait for the pause to end
        decision = await limiter.hit(user)
        assert decision.allowed
        # The 503'd request is not counted: Redis drops a held command whose client has gone.
        assert decision.remaining == 3
