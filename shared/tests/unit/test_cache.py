"""Content addresses and code fingerprints of the artifact cache (no I/O beyond a temporary package)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mathreel_shared.cache import CacheKind, cache_object_key, content_key, package_fingerprint


def test_a_content_key_does_not_depend_on_key_order_but_on_every_value_and_the_user() -> None:
    key = content_key(CacheKind.SCENE, "alice", {"a": 1, "b": [1, 2]})
    assert key == content_key(CacheKind.SCENE, "alice", {"b": [1, 2], "a": 1})
    assert key != content_key(CacheKind.SCENE, "alice", {"a": 1, "b": [2, 1]})
    assert key != content_key(CacheKind.SPEECH, "alice", {"a": 1, "b": [1, 2]})
    assert key != content_key(CacheKind.SCENE, "bob", {"a": 1, "b": [1, 2]})


def test_object_keys_live_under_the_users_prefix_and_take_only_digests() -> None:
    key = content_key(CacheKind.SPEECH, "alice", {})
    assert cache_object_key("alice", CacheKind.SPEECH, key, ".wav") == f"users/alice/cache/speech/{key}.wav"
    with pytest.raises(ValueError, match="SHA-256"):
        cache_object_key("alice", CacheKind.SPEECH, "../../jobs/x", ".wav")
    with pytest.raises(ValueError, match="not allowed"):
        content_key(CacheKind.SPEECH, "../bob", {})


@pytest.fixture
def package(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "fingerprinted_pkg"
    (root / "builders").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "builders" / "shapes.py").write_text("RADIUS = 1\n")
    sys.path.insert(0, str(tmp_path))
    yield root
    sys.path.remove(str(tmp_path))
    sys.modules.pop("fingerprinted_pkg", None)


def test_the_fingerprint_of_a_package_changes_with_any_file(package: Path) -> None:
    before = package_fingerprint("fingerprinted_pkg")
    (package / "builders" / "__pycache__").mkdir()
    (package / "builders" / "__pycache__" / "shapes.cpython-311.pyc").write_bytes(b"compiled")
    package_fingerprint.cache_clear()
    assert package_fingerprint("fingerprinted_pkg") == before  # compiled caches are not the code
    (package / "builders" / "shapes.py").write_text("RADIUS = 2\n")
    package_fingerprint.cache_clear()
    assert package_fingerprint("fingerprinted_pkg") != before
    with pytest.raises(ValueError, match="not an installed package"):
        package_fingerprint("no_such_package_here")


async def test_standalone_eviction_on_sqlite_and_a_local_folder(tmp_path: Path) -> None:
    """Standalone mode's cache: the same index on SQLite (migrated), objects in the media folder."""
    from mathreel_orchestrator.migrate import upgrade
    from mathreel_shared.cache import ArtifactCache, Produced
    from mathreel_shared.db import create_engine, create_sessionmaker
    from mathreel_shared.settings import Settings
    from mathreel_shared.storage import LocalStore

    url = f"sqlite+aiosqlite:///{tmp_path}/cache.db"
    await upgrade(url)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        media_dir=tmp_path / "media",
        dev_signing_key_path=tmp_path / "key.pem",
        database_url=url,
    )
    store = LocalStore(settings)
    await store.start()
    engine = create_engine(url)
    cache = ArtifactCache(create_sessionmaker(engine), store, max_bytes=250, max_bytes_per_user=1000)

    async def produce() -> Produced:
        return Produced("video/mp4", data=bytes(100))

    keys = [content_key(CacheKind.SCENE, "alice", {"n": n}) for n in range(3)]
    try:
        for n, key in enumerate(keys):
            served = await cache.serve(
                CacheKind.SCENE, "alice", key, suffix=".mp4", target_key=f"users/alice/jobs/{n}.mp4", produce=produce
            )
            assert served.cache == "miss"
        assert await cache.total_bytes() == 200
        assert not await store.exists(cache_object_key("alice", CacheKind.SCENE, keys[0], ".mp4"))
        assert await store.exists(cache_object_key("alice", CacheKind.SCENE, keys[2], ".mp4"))
        assert await store.exists("users/alice/jobs/0.mp4")
        again = await cache.serve(
            CacheKind.SCENE, "alice", keys[2], suffix=".mp4", target_key="users/alice/jobs/9.mp4", produce=produce
        )
        assert again.cache == "hit"
    finally:
        await engine.dispose()


async def test_companions_are_stored_served_and_evicted_with_their_artifact(tmp_path: Path) -> None:
    """A final video's thumbnail and captions: put in the job before the video, copied on a hit, evicted with it."""
    from mathreel_orchestrator.migrate import upgrade
    from mathreel_shared.cache import ArtifactCache, Produced, companion_key
    from mathreel_shared.db import create_engine, create_sessionmaker
    from mathreel_shared.settings import Settings
    from mathreel_shared.storage import LocalStore

    url = f"sqlite+aiosqlite:///{tmp_path}/cache.db"
    await upgrade(url)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        media_dir=tmp_path / "media",
        dev_signing_key_path=tmp_path / "key.pem",
        database_url=url,
    )
    store = LocalStore(settings)
    await store.start()
    engine = create_engine(url)
    cache = ArtifactCache(create_sessionmaker(engine), store, max_bytes=100, max_bytes_per_user=1000)
    made = 0

    async def produce() -> Produced:
        nonlocal made
        made += 1
        return Produced(
            "video/mp4",
            data=bytes(60),
            meta={"n": made},
            companions={".jpg": Produced("image/jpeg", data=b"jpeg"), ".vtt": Produced("text/vtt", data=b"WEBVTT")},
        )

    def job(n: int) -> tuple[str, dict[str, str]]:
        prefix = f"users/alice/jobs/{n}/"
        return prefix + "output.mp4", {".jpg": prefix + "thumbnail.jpg", ".vtt": prefix + "captions.vtt"}

    key, other = (content_key(CacheKind.VIDEO, "alice", {"n": n}) for n in range(2))
    try:
        target, companions = job(0)
        first = await cache.serve(
            CacheKind.VIDEO, "alice", key, suffix=".mp4", target_key=target, produce=produce, companion_keys=companions
        )
        assert (first.cache, first.meta["n"]) == ("miss", 1)
        assert await store.get_bytes(companions[".jpg"]) == b"jpeg"
        assert await cache.total_bytes("alice") == 60 + 4 + 6

        target, companions = job(1)
        again = await cache.serve(
            CacheKind.VIDEO, "alice", key, suffix=".mp4", target_key=target, produce=produce, companion_keys=companions
        )
        assert (again.cache, again.meta["n"], made) == ("hit", 1, 1)
        assert await store.get_bytes(target) == bytes(60)
        assert await store.get_bytes(companions[".vtt"]) == b"WEBVTT"

        # A second entry passes the bound: the first goes, companions and all.
        await cache.serve(
            CacheKind.VIDEO,
            "alice",
            other,
            suffix=".mp4",
            target_key=job(2)[0],
            produce=produce,
            companion_keys=job(2)[1],
        )
        object_key = cache_object_key("alice", CacheKind.VIDEO, key, ".mp4")
        for suffix in (".jpg", ".vtt"):
            assert not await store.exists(companion_key(object_key, suffix))
        assert not await store.exists(object_key)
        assert await store.exists(companion_key(cache_object_key("alice", CacheKind.VIDEO, other, ".mp4"), ".jpg"))
        # The jobs keep their copies.
        assert await store.get_bytes(job(0)[1][".jpg"]) == b"jpeg"

        # No key (the inputs are not all known): made straight into the job, the cache untouched.
        target, companions = job(3)
        unkeyed = await cache.serve(
            CacheKind.VIDEO, "alice", None, suffix=".mp4", target_key=target, produce=produce, companion_keys=companions
        )
        assert unkeyed.cache is None
        assert await store.get_bytes(companions[".jpg"]) == b"jpeg"
        with pytest.raises(ValueError, match="companions"):
            await cache.serve(
                CacheKind.VIDEO, "alice", None, suffix=".mp4", target_key=target, produce=produce, companion_keys={}
            )
    finally:
        await engine.dispose()
