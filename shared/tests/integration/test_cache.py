"""The artifact cache on real PostgreSQL (migrated) and a real S3 server: claims, takeover, eviction, partitioning.

Two ``ArtifactCache`` instances with engines and S3 clients of their own stand for two worker processes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col

from mathreel_orchestrator.migrate import upgrade
from mathreel_shared.cache import (
    CACHE_HITS,
    CACHE_MISSES,
    ArtifactCache,
    CacheEntry,
    CacheKind,
    Produced,
    content_key,
    utcnow,
)
from mathreel_shared.db import transaction
from mathreel_shared.settings import Mode, Settings
from mathreel_shared.storage import S3Store

pytestmark = pytest.mark.integration


@dataclass
class Worker:
    cache: ArtifactCache
    store: S3Store


@pytest.fixture(scope="module")
async def migrated_url(pg_database_url: str) -> str:
    await upgrade(pg_database_url)
    return pg_database_url


@pytest.fixture(scope="module")
async def workers(migrated_url: str, s3_settings: Any) -> AsyncIterator[list[Worker]]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        mode=Mode.DISTRIBUTED,
        database_url=migrated_url,
        s3_endpoint_url=s3_settings.endpoint_url,
        s3_bucket=s3_settings.bucket,
        s3_region=s3_settings.region,
        s3_access_key_id=s3_settings.access_key_id,
        s3_secret_access_key=s3_settings.secret_access_key,
        cache_claim_seconds=1.5,
    )
    made: list[Worker] = []
    for _ in range(2):
        store = S3Store(settings)
        await store.start()
        cache = ArtifactCache.from_settings(settings, store)
        cache.poll_seconds = 0.05
        made.append(Worker(cache, store))
    yield made
    for worker in made:
        await worker.cache.close()
        await worker.store.close()


def _user(request: pytest.FixtureRequest) -> str:
    return f"user_{request.node.name[-40:]}".replace("[", "_").replace("]", "_")


class Producer:
    """Counts how often it is asked to make the artifact, and takes ``seconds`` to make it."""

    def __init__(self, data: bytes, seconds: float = 0.0, fail: bool = False) -> None:
        self.data, self.seconds, self.fail, self.calls = data, seconds, fail, 0

    async def __call__(self) -> Produced:
        self.calls += 1
        await asyncio.sleep(self.seconds)
        if self.fail:
            raise RuntimeError("the render crashed")
        return Produced("application/octet-stream", data=self.data, meta={"duration": 1.5})


async def test_concurrent_requests_for_one_entry_produce_it_once(
    workers: list[Worker], request: pytest.FixtureRequest
) -> None:
    user = _user(request)
    key = content_key(CacheKind.SCENE, user, {"scene": "one"})
    producer = Producer(b"clip-bytes", seconds=0.5)
    hits, misses = CACHE_HITS.labels("scene")._value.get(), CACHE_MISSES.labels("scene")._value.get()

    served = await asyncio.gather(
        *(
            worker.cache.serve(
                CacheKind.SCENE,
                user,
                key,
                suffix=".mp4",
                target_key=f"users/{user}/jobs/{n}/clip.mp4",
                produce=producer,
            )
            for n, worker in enumerate(workers)
        )
    )

    assert producer.calls == 1
    assert sorted(s.cache or "" for s in served) == ["hit", "miss"]
    assert all(s.meta == {"duration": 1.5} for s in served)
    for n in range(2):
        assert await workers[0].store.get_bytes(f"users/{user}/jobs/{n}/clip.mp4") == b"clip-bytes"
    assert CACHE_HITS.labels("scene")._value.get() == hits + 1
    assert CACHE_MISSES.labels("scene")._value.get() == misses + 1


async def test_a_failed_production_releases_the_claim_and_an_expired_claim_is_taken_over(
    workers: list[Worker], request: pytest.FixtureRequest
) -> None:
    user = _user(request)
    key = content_key(CacheKind.SPEECH, user, {"beats": ["hello"]})
    failing = Producer(b"", fail=True)
    with pytest.raises(RuntimeError):
        await workers[0].cache.serve(
            CacheKind.SPEECH, user, key, suffix=".wav", target_key=f"users/{user}/a.wav", produce=failing
        )
    assert await workers[0].cache._get(key) is None  # released: nobody waits for a claim that nobody holds

    # A worker that died holding the claim: a pending row whose claim lapsed, never renewed.
    assert await workers[0].cache._claim(CacheKind.SPEECH, user, key, f"users/{user}/cache/speech/{key}.wav")
    sessionmaker = workers[0].cache._sessionmaker
    assert sessionmaker is not None
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(CacheEntry).where(col(CacheEntry.key) == key).values(claimed_until=utcnow() + timedelta(seconds=0.3))
        )
    producer = Producer(b"wav")
    served = await workers[1].cache.serve(
        CacheKind.SPEECH, user, key, suffix=".wav", target_key=f"users/{user}/b.wav", produce=producer
    )
    assert served.cache == "miss"
    assert producer.calls == 1
    again = await workers[0].cache.serve(
        CacheKind.SPEECH, user, key, suffix=".wav", target_key=f"users/{user}/c.wav", produce=producer
    )
    assert again.cache == "hit"
    assert producer.calls == 1


async def test_eviction_keeps_both_bounds_least_recently_used_first(
    workers: list[Worker], request: pytest.FixtureRequest
) -> None:
    user, other = _user(request), _user(request) + "_other"
    cache = workers[0].cache
    # Everything else in the session's table counts toward the global bound too: start from its current total.
    base = await cache.total_bytes()
    cache.max_bytes, cache.max_bytes_per_user = base + 350, 250
    try:
        keys = []
        for n in range(3):
            key = content_key(CacheKind.SCENE, user, {"n": n})
            keys.append(key)
            await cache.serve(
                CacheKind.SCENE,
                user,
                key,
                suffix=".mp4",
                target_key=f"users/{user}/j/{n}.mp4",
                produce=Producer(bytes(100)),
            )
        # The user's third 100-byte entry pushed them past 250 bytes: the oldest one went, row and object.
        assert await cache.total_bytes(user) == 200
        assert await cache._get(keys[0]) is None
        assert not await workers[0].store.exists(f"users/{user}/cache/scene/{keys[0]}.mp4")
        assert await workers[0].store.exists(f"users/{user}/j/0.mp4")  # the job's copy is the job's

        # Using the second entry makes the third the least recently used one.
        await cache.serve(
            CacheKind.SCENE,
            user,
            keys[1],
            suffix=".mp4",
            target_key=f"users/{user}/j/again.mp4",
            produce=Producer(bytes(100)),
        )
        for n in range(2):
            await cache.serve(
                CacheKind.SCENE,
                other,
                content_key(CacheKind.SCENE, other, {"n": n}),
                suffix=".mp4",
                target_key=f"users/{other}/j/{n}.mp4",
                produce=Producer(bytes(100)),
            )
        assert await cache.total_bytes() <= cache.max_bytes
        assert await cache._get(keys[1]) is not None
        assert await cache._get(keys[2]) is None
    finally:
        cache.max_bytes, cache.max_bytes_per_user = 20 * 1024**3, 1024**3


async def test_another_users_identical_work_is_never_a_hit(
    workers: list[Worker], request: pytest.FixtureRequest
) -> None:
    user, other = _user(request), _user(request) + "_b"
    inputs = {"scene": {"title": "Pythagoras"}, "quality": "low"}
    assert content_key(CacheKind.SCENE, user, inputs) != content_key(CacheKind.SCENE, other, inputs)
    producer = Producer(b"clip")
    for who in (user, other):
        served = await workers[0].cache.serve(
            CacheKind.SCENE,
            who,
            content_key(CacheKind.SCENE, who, inputs),
            suffix=".mp4",
            target_key=f"users/{who}/j/clip.mp4",
            produce=producer,
        )
        assert served.cache == "miss"
    assert producer.calls == 2


async def test_a_disabled_cache_produces_every_time(workers: list[Worker], request: pytest.FixtureRequest) -> None:
    user = _user(request)
    cache = ArtifactCache(None, workers[0].store, max_bytes=0, max_bytes_per_user=0)
    producer = Producer(b"x")
    for _ in range(2):
        served = await cache.serve(
            CacheKind.SCENE,
            user,
            content_key(CacheKind.SCENE, user, {}),
            suffix=".mp4",
            target_key=f"users/{user}/j/x.mp4",
            produce=producer,
        )
        assert served.cache is None
    assert producer.calls == 2


async def test_fetch_puts_an_entry_on_local_disk_made_once_and_never_in_a_job(
    workers: list[Worker], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    user = _user(request)
    key = content_key(CacheKind.NARRATION, user, {"speech": "s0", "clip_samples": 48_000})
    calls = 0

    def writer(path: Path) -> Callable[[], Awaitable[Produced]]:
        async def produce() -> Produced:
            nonlocal calls
            calls += 1
            await asyncio.sleep(0.3)
            path.write_bytes(b"aac-piece")
            return Produced("audio/mp4", path=path, meta={"frames": 48})

        return produce

    first, second = tmp_path / "a" / "piece.m4a", tmp_path / "b" / "piece.m4a"
    first.parent.mkdir()
    second.parent.mkdir()
    served = await asyncio.gather(
        *(
            worker.cache.fetch(CacheKind.NARRATION, user, key, suffix=".m4a", path=path, produce=writer(path))
            for worker, path in zip(workers, (first, second), strict=True)
        )
    )

    assert calls == 1
    assert sorted(s.cache or "" for s in served) == ["hit", "miss"]
    assert all(s.meta == {"frames": 48} for s in served)
    assert first.read_bytes() == second.read_bytes() == b"aac-piece"
    assert await workers[0].store.get_bytes(f"users/{user}/cache/narration/{key}.m4a") == b"aac-piece"

    # An entry whose object has gone (evicted meanwhile) is made again, not served empty.
    await workers[0].store.delete(f"users/{user}/cache/narration/{key}.m4a")
    third = tmp_path / "c.m4a"
    again = await workers[1].cache.fetch(
        CacheKind.NARRATION, user, key, suffix=".m4a", path=third, produce=writer(third)
    )
    assert (again.cache, calls, third.read_bytes()) == ("miss", 2, b"aac-piece")


async def test_fetch_refuses_a_producer_that_wrote_elsewhere(
    workers: list[Worker], request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    user = _user(request)
    key = content_key(CacheKind.NARRATION, user, {"speech": "elsewhere"})
    elsewhere = tmp_path / "elsewhere.m4a"
    elsewhere.write_bytes(b"x")

    async def produce() -> Produced:
        return Produced("audio/mp4", path=elsewhere)

    with pytest.raises(ValueError, match="writes the file at the path"):
        await workers[0].cache.fetch(
            CacheKind.NARRATION, user, key, suffix=".m4a", path=tmp_path / "wanted.m4a", produce=produce
        )
    assert await workers[0].cache._get(key) is None  # the claim was released
