"""Connection tickets on real Redis (distributed mode) and in memory (standalone): single use, expiry, atomicity."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from mathreel_gateway.realtime.tickets import MemoryTicketStore, RedisTicketStore, TicketStore

pytestmark = pytest.mark.integration


@pytest.fixture(params=["redis", "memory"])
async def store(request: pytest.FixtureRequest, redis_url: str, redis_key_prefix: str):
    if request.param == "memory":
        yield MemoryTicketStore()
        return
    redis_store = RedisTicketStore.from_url(redis_url, key_prefix=redis_key_prefix)
    yield redis_store
    await redis_store.close()


async def test_a_ticket_opens_once_for_its_user(store: TicketStore) -> None:
    ticket = await store.issue("user_a", 60)
    assert len(ticket) >= 40
    assert await store.redeem(ticket) == "user_a"
    assert await store.redeem(ticket) is None
    assert await store.redeem("x" * 200) is None
    assert await store.redeem("") is None


async def test_a_ticket_expires(store: TicketStore) -> None:
    ticket = await store.issue("user_a", 1)
    await asyncio.sleep(1.2)
    assert await store.redeem(ticket) is None


async def test_twenty_parallel_redemptions_let_exactly_one_through(store: TicketStore) -> None:
    ticket = await store.issue("user_a", 60)
    results = await asyncio.gather(*(store.redeem(ticket) for _ in range(20)))
    assert results.count("user_a") == 1
    assert results.count(None) == 19


async def test_redis_keeps_only_a_digest_of_the_ticket(redis_url: str, redis_key_prefix: str) -> None:
    store = RedisTicketStore.from_url(redis_url, key_prefix=redis_key_prefix)
    admin = Redis.from_url(redis_url)
    try:
        ticket = await store.issue("user_b", 60)
        keys = [key.decode() async for key in admin.scan_iter(f"{redis_key_prefix}ticket:*")]
        assert keys
        assert all(ticket not in key for key in keys)
        assert 0 < max([await admin.ttl(key) for key in keys]) <= 60
    finally:
        await store.close()
        await admin.aclose()
