"""A content-addressed cache of narration audio, scene clips, narration encoded for the join and final videos,
partitioned per user.

An entry's key is a SHA-256 over a canonical JSON of everything that produced it (for narration: the spoken text,
engine, voice, rate and the code that synthesised it; for a scene clip: the scene, its narration timing, the
quality and the renderer's code and TeX; for a scene's narration encoded for the join: its speech key, its clip's
length and the render code; for a final video: its scenes' keys, timings, title, quality and the render code)
**and the user id**. So a hit only ever comes from the same user's earlier work:
no user can learn anything about another user's content from a hit, a miss or how long either took (docs/cache.md).

The index is a table (``cache_entry``) in the job database, PostgreSQL or SQLite, so it works the same across worker
processes and in standalone mode; the objects live in the object store under ``users/{user}/cache/``, outside every
job's prefix, so deleting a job never deletes a cached object. A job never points at a cache object: a hit is copied
into the job's own key (server-side on S3), so evicting an entry never breaks a job.

Concurrency: the first worker to want a missing entry inserts a ``pending`` row (the primary key makes the insert a
claim) and renews ``claimed_until`` while it produces. Others poll until the entry is ready, and take the claim over
if it expires (its holder died). A failed production releases the claim.

Size: after every new entry, least-recently-used ready entries are deleted until the cache is within
``cache_max_bytes`` overall and ``cache_max_bytes_per_user`` for each user.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import importlib.util
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from prometheus_client import Counter
from sqlalchemy import BigInteger, Column, Index, String, Text, delete, func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.types import JSON
from sqlmodel import Field, SQLModel, col

from mathreel_shared.db import UtcDateTime, create_engine, create_sessionmaker, transaction
from mathreel_shared.domain import validate_user_id
from mathreel_shared.errors import CANCELLED, StageError
from mathreel_shared.settings import Settings
from mathreel_shared.storage import ObjectNotFound, ObjectStore

log = logging.getLogger(__name__)

CacheOutcome = Literal["hit", "miss"]

CACHE_HITS = Counter("mathreel_cache_hits_total", "Artifacts served from the cache", ["kind"])
CACHE_MISSES = Counter("mathreel_cache_misses_total", "Artifacts produced because the cache had none", ["kind"])
CACHE_EVICTIONS = Counter("mathreel_cache_evictions_total", "Cache entries evicted to keep the size bound", ["kind"])


class CacheKind(StrEnum):
    SPEECH = "speech"
    SCENE = "scene"
    VIDEO = "video"
    # A scene's narration encoded for the final video (AAC, fitted to its clip): what makes a join incremental.
    NARRATION = "narration"


class EntryState(StrEnum):
    PENDING = "pending"
    READY = "ready"


class CacheEntry(SQLModel, table=True):
    """One cached artifact, or one worker's claim on producing it (migration ``0006``)."""

    __tablename__ = "cache_entry"
    __table_args__ = (
        Index("ix_cache_entry_state_used", "state", "last_used_at"),
        Index("ix_cache_entry_user_used", "user_id", "last_used_at"),
    )

    key: str = Field(sa_column=Column(String(64), primary_key=True))
    user_id: str = Field(sa_column=Column(String(128), nullable=False))
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    state: str = Field(sa_column=Column(String(8), nullable=False))
    object_key: str = Field(sa_column=Column(Text, nullable=False))
    size: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    claimed_until: datetime | None = Field(default=None, sa_column=Column(UtcDateTime(), nullable=True))
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    last_used_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


def utcnow() -> datetime:
    return datetime.now(UTC)


def content_key(kind: CacheKind, user_id: str, inputs: Mapping[str, Any]) -> str:
    """The content address of an artifact: SHA-256 of a canonical JSON of its kind, its owner and its inputs.

    ``inputs`` must hold everything that changes the artifact (text, voice, renderer version, ...): two calls with
    equal inputs give the same key, any difference gives another one.
    """
    canonical = json.dumps(
        {"kind": kind.value, "user": validate_user_id(user_id), "inputs": inputs},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@lru_cache(maxsize=16)
def package_fingerprint(*packages: str) -> str:
    """SHA-256 over the files of the named installed packages (relative paths and contents, sorted).

    A cache key that includes it changes whenever any of that code changes, with no version constant to forget.
    Compiled caches (``__pycache__``, ``*.pyc``) are left out. Computed once per process.
    """
    digest = hashlib.sha256()
    for package in packages:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise ValueError(f"{package} is not an installed package")
        for root in spec.submodule_search_locations:
            base = Path(root)
            files = sorted(
                path
                for path in base.rglob("*")
                if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
            )
            for path in files:
                digest.update(f"{package}/{path.relative_to(base).as_posix()}\0".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def cache_object_key(user_id: str, kind: CacheKind, key: str, suffix: str) -> str:
    """Where an entry's object lives: under the user's prefix, outside every job's."""
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        raise ValueError("cache keys are SHA-256 hex digests")
    return f"users/{validate_user_id(user_id)}/cache/{kind.value}/{key}{suffix}"


# A ready entry's ``meta`` lists the suffixes of its companion files under this name (read by hits and eviction).
COMPANIONS = "companions"
_COMPANION_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")


def companion_key(object_key: str, suffix: str) -> str:
    """Where a companion file of the entry at ``object_key`` lives: beside it, the same name with ``suffix``."""
    if not _COMPANION_SUFFIX.fullmatch(suffix):
        raise ValueError(f"a companion's suffix is a short extension, not {suffix!r}")
    return f"{object_key.rsplit('.', 1)[0]}{suffix}"


def _check_companions(produced: Produced, wanted: Mapping[str, str]) -> None:
    if set(produced.companions) != set(wanted):
        raise ValueError(f"the producer made companions {sorted(produced.companions)}, not {sorted(wanted)}")


@dataclass(frozen=True)
class Produced:
    """What a producer made: the artifact (bytes or a file), the small facts stored beside it (a timing) and the
    files that belong with it, by suffix (a video's thumbnail and captions: stored, served and evicted with it)."""

    content_type: str
    data: bytes | None = None
    path: Path | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    companions: dict[str, Produced] = field(default_factory=dict)


@dataclass(frozen=True)
class Served:
    """The artifact is now at the job's key. ``cache`` is None when the cache was off or unreachable."""

    cache: CacheOutcome | None
    meta: dict[str, Any]


class ArtifactCache:
    """The cache as the tts, visuals and render workers use it: ``serve`` an artifact into a job's key, from cache or
    not."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession] | None,
        store: ObjectStore,
        *,
        max_bytes: int,
        max_bytes_per_user: int,
        claim_seconds: float = 60.0,
        poll_seconds: float = 0.5,
        engine: AsyncEngine | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._store = store
        self.max_bytes = max_bytes
        self.max_bytes_per_user = max_bytes_per_user
        self.claim_seconds = claim_seconds
        self.poll_seconds = poll_seconds
        self._engine = engine

    @classmethod
    def from_settings(cls, settings: Settings, store: ObjectStore) -> ArtifactCache:
        """A cache on the job database (its own small pool), or a disabled one when ``cache_enabled`` is off."""
        if not settings.cache_enabled:
            return cls(None, store, max_bytes=0, max_bytes_per_user=0)
        engine = create_engine(settings.database_url, pool_size=2)
        return cls(
            create_sessionmaker(engine),
            store,
            max_bytes=settings.cache_max_bytes,
            max_bytes_per_user=settings.cache_max_bytes_per_user,
            claim_seconds=settings.cache_claim_seconds,
            engine=engine,
        )

    @property
    def enabled(self) -> bool:
        return self._sessionmaker is not None

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()

    async def serve(
        self,
        kind: CacheKind,
        user_id: str,
        key: str | None,
        *,
        suffix: str,
        target_key: str,
        produce: Callable[[], Awaitable[Produced]],
        cancelled: Callable[[], bool] | None = None,
        companion_keys: Mapping[str, str] | None = None,
    ) -> Served:
        """Put the artifact with content address ``key`` at ``target_key``: copied from the cache on a hit, made by
        ``produce`` (once, whoever else wants it at the same time) and stored in the cache on a miss.

        ``companion_keys`` maps the suffix of each companion file (``Produced.companions``) to its place in the job;
        companions are put there before the artifact, so once the artifact is at ``target_key`` they are too.
        While another worker holds the claim, this waits for it; ``cancelled`` (polled) stops the wait with a
        ``cancelled`` stage error. Without a ``key`` (the inputs are not all known) or when the index cannot be
        reached, the artifact is produced without the cache.
        """
        companions = dict(companion_keys or {})
        if self._sessionmaker is None or key is None:
            return Served(None, await self._produce_into(target_key, companions, produce))
        object_key = cache_object_key(user_id, kind, key, suffix)
        try:
            hit = await self._hit_or_claim(
                kind, user_id, key, object_key, lambda entry: self._copy_hit(entry, target_key, companions), cancelled
            )
        except SQLAlchemyError:
            log.warning("the cache index is unreachable; producing %s without the cache", kind.value, exc_info=True)
            return Served(None, await self._produce_into(target_key, companions, produce))
        if hit is not None:
            return hit

        meta = await self._produce_claimed(kind, key, object_key, companions, produce)
        for companion_suffix, companion_target in companions.items():
            await self._store.copy(companion_key(object_key, companion_suffix), companion_target)
        await self._store.copy(object_key, target_key)
        await self._count_miss(kind)
        return Served("miss", meta)

    async def fetch(
        self,
        kind: CacheKind,
        user_id: str,
        key: str | None,
        *,
        suffix: str,
        path: Path,
        produce: Callable[[], Awaitable[Produced]],
        cancelled: Callable[[], bool] | None = None,
    ) -> Served:
        """Put the artifact with content address ``key`` at the local ``path``: downloaded from the cache on a hit,
        made by ``produce`` (which writes it at ``path`` and returns ``Produced(path=path)``) and stored on a miss.

        For an intermediate a worker needs on its own disk and no job keeps (a scene's narration encoded for the
        join): nothing is copied into the job's keys. Claims, waits and the cache being off or unreachable are as
        in ``serve``.
        """
        if self._sessionmaker is None or key is None:
            return Served(None, (await self._produced_at(path, produce)).meta)
        object_key = cache_object_key(user_id, kind, key, suffix)
        try:
            hit = await self._hit_or_claim(
                kind, user_id, key, object_key, lambda entry: self._download_hit(entry, path), cancelled
            )
        except SQLAlchemyError:
            log.warning("the cache index is unreachable; producing %s without the cache", kind.value, exc_info=True)
            return Served(None, (await self._produced_at(path, produce)).meta)
        if hit is not None:
            return hit
        meta = await self._produce_claimed(kind, key, object_key, {}, lambda: self._produced_at(path, produce))
        await self._count_miss(kind)
        return Served("miss", meta)

    async def _hit_or_claim(
        self,
        kind: CacheKind,
        user_id: str,
        key: str,
        object_key: str,
        deliver: Callable[[CacheEntry], Awaitable[bool]],
        cancelled: Callable[[], bool] | None,
    ) -> Served | None:
        """A hit (the ready entry ``deliver``ed), or None once this worker holds the claim to produce ``key``."""
        while True:
            entry = await self._get(key)
            if entry is not None and entry.state == EntryState.READY:
                if await deliver(entry):
                    CACHE_HITS.labels(kind.value).inc()
                    return Served("hit", entry.meta)
                continue
            if await self._claim(kind, user_id, key, object_key):
                return None
            if cancelled is not None and cancelled():
                raise StageError(CANCELLED, "the job was cancelled while waiting for a cached artifact")
            await asyncio.sleep(self.poll_seconds)

    async def _count_miss(self, kind: CacheKind) -> None:
        CACHE_MISSES.labels(kind.value).inc()
        try:
            await self.evict()
        except Exception:
            # The artifact is made and where the job wants it: a failed eviction must not fail the job.
            log.warning("cache eviction failed; the next new entry tries again", exc_info=True)

    @staticmethod
    async def _produced_at(path: Path, produce: Callable[[], Awaitable[Produced]]) -> Produced:
        produced = await produce()
        if produced.path is None or Path(produced.path) != Path(path):
            raise ValueError("a producer for fetch writes the file at the path it was given")
        return produced

    async def _produce_into(
        self, target_key: str, companions: Mapping[str, str], produce: Callable[[], Awaitable[Produced]]
    ) -> dict[str, Any]:
        produced = await produce()
        _check_companions(produced, companions)
        for companion_suffix, companion_target in companions.items():
            await self._put(companion_target, produced.companions[companion_suffix])
        await self._put(target_key, produced)
        return produced.meta

    async def _put(self, key: str, produced: Produced) -> int:
        if produced.data is not None:
            await self._store.put_bytes(key, produced.data, produced.content_type)
            return len(produced.data)
        if produced.path is None:
            raise ValueError("a producer returns bytes or a file")
        await self._store.put_file(key, produced.path, produced.content_type)
        return produced.path.stat().st_size

    async def _produce_claimed(
        self,
        kind: CacheKind,
        key: str,
        object_key: str,
        companions: Mapping[str, str],
        produce: Callable[[], Awaitable[Produced]],
    ) -> dict[str, Any]:
        renewal = asyncio.create_task(self._renew(key))
        try:
            produced = await produce()
            _check_companions(produced, companions)
            size = 0
            for companion_suffix in companions:
                size += await self._put(
                    companion_key(object_key, companion_suffix), produced.companions[companion_suffix]
                )
            size += await self._put(object_key, produced)
        except BaseException:
            renewal.cancel()
            # Let a waiter take over at once rather than after the claim expires.
            with contextlib.suppress(Exception):
                await self._release(key)
            raise
        renewal.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewal
        now = utcnow()
        meta = {**produced.meta, COMPANIONS: sorted(companions)} if companions else produced.meta
        assert self._sessionmaker is not None
        async with transaction(self._sessionmaker) as session:
            await session.execute(
                update(CacheEntry)
                .where(col(CacheEntry.key) == key)
                .values(
                    state=EntryState.READY.value,
                    size=size,
                    meta=meta,
                    claimed_until=None,
                    last_used_at=now,
                )
            )
        return meta

    async def _get(self, key: str) -> CacheEntry | None:
        assert self._sessionmaker is not None
        async with self._sessionmaker() as session:
            return await session.get(CacheEntry, key)

    async def _copy_hit(self, entry: CacheEntry, target_key: str, companions: Mapping[str, str]) -> bool:
        """Copy a ready entry (companions first) to the job; False (and the entry forgotten) if an object has gone
        or a wanted companion was never stored."""
        assert self._sessionmaker is not None
        try:
            if not set(companions) <= set(entry.meta.get(COMPANIONS, [])):
                raise ObjectNotFound(entry.object_key)
            for companion_suffix, companion_target in companions.items():
                await self._store.copy(companion_key(entry.object_key, companion_suffix), companion_target)
            await self._store.copy(entry.object_key, target_key)
        except ObjectNotFound:
            await self._forget(entry)
            return False
        await self._touch(entry)
        return True

    async def _download_hit(self, entry: CacheEntry, path: Path) -> bool:
        """Download a ready entry to ``path``; False (and the entry forgotten) if its object has gone."""
        assert self._sessionmaker is not None
        try:
            await self._store.download_file(entry.object_key, path)
        except ObjectNotFound:
            await self._forget(entry)
            return False
        await self._touch(entry)
        return True

    async def _forget(self, entry: CacheEntry) -> None:
        """Drop a ready entry whose object has gone (an eviction raced with the read)."""
        assert self._sessionmaker is not None
        async with transaction(self._sessionmaker) as session:
            await session.execute(
                delete(CacheEntry).where(
                    col(CacheEntry.key) == entry.key, col(CacheEntry.state) == EntryState.READY.value
                )
            )

    async def _touch(self, entry: CacheEntry) -> None:
        assert self._sessionmaker is not None
        async with transaction(self._sessionmaker) as session:
            await session.execute(
                update(CacheEntry).where(col(CacheEntry.key) == entry.key).values(last_used_at=utcnow())
            )

    async def _claim(self, kind: CacheKind, user_id: str, key: str, object_key: str) -> bool:
        """Claim the right to produce ``key``: insert a pending row, or take over one whose claim expired."""
        assert self._sessionmaker is not None
        now = utcnow()
        until = now + timedelta(seconds=self.claim_seconds)
        try:
            async with transaction(self._sessionmaker) as session:
                session.add(
                    CacheEntry(
                        key=key,
                        user_id=user_id,
                        kind=kind.value,
                        state=EntryState.PENDING.value,
                        object_key=object_key,
                        claimed_until=until,
                        created_at=now,
                        last_used_at=now,
                    )
                )
            return True
        except IntegrityError:
            pass
        async with transaction(self._sessionmaker) as session:
            taken = await session.execute(
                update(CacheEntry)
                .where(
                    col(CacheEntry.key) == key,
                    col(CacheEntry.state) == EntryState.PENDING.value,
                    col(CacheEntry.claimed_until) < now,
                )
                .values(claimed_until=until)
            )
        return bool(getattr(taken, "rowcount", 0))

    async def _renew(self, key: str) -> None:
        assert self._sessionmaker is not None
        while True:
            await asyncio.sleep(self.claim_seconds / 3)
            with contextlib.suppress(SQLAlchemyError):
                async with transaction(self._sessionmaker) as session:
                    await session.execute(
                        update(CacheEntry)
                        .where(col(CacheEntry.key) == key, col(CacheEntry.state) == EntryState.PENDING.value)
                        .values(claimed_until=utcnow() + timedelta(seconds=self.claim_seconds))
                    )

    async def _release(self, key: str) -> None:
        assert self._sessionmaker is not None
        async with transaction(self._sessionmaker) as session:
            await session.execute(
                delete(CacheEntry).where(col(CacheEntry.key) == key, col(CacheEntry.state) == EntryState.PENDING.value)
            )

    async def total_bytes(self, user_id: str | None = None) -> int:
        """Bytes held by ready entries, of one user or of everyone."""
        assert self._sessionmaker is not None
        query = select(func.coalesce(func.sum(col(CacheEntry.size)), 0)).where(
            col(CacheEntry.state) == EntryState.READY.value
        )
        if user_id is not None:
            query = query.where(col(CacheEntry.user_id) == user_id)
        async with self._sessionmaker() as session:
            return int((await session.execute(query)).scalar_one())

    async def evict(self) -> int:
        """Delete least-recently-used ready entries (row, then object) until both bounds hold; returns how many.

        An entry used since it was read here keeps its place (the delete matches ``last_used_at``). A hit racing
        with the deletion of its object finds it gone and produces the artifact again, so nothing breaks.
        """
        if self._sessionmaker is None:
            return 0
        ready = col(CacheEntry.state) == EntryState.READY.value
        async with self._sessionmaker() as session:
            # Two aggregates first: within both bounds (the usual case), nothing is listed.
            per_user_total = (
                select(func.sum(col(CacheEntry.size)).label("bytes")).where(ready).group_by(col(CacheEntry.user_id))
            ).subquery()
            largest_user = (
                await session.execute(select(func.coalesce(func.max(per_user_total.c.bytes), 0)))
            ).scalar_one()
            if int(largest_user) <= self.max_bytes_per_user and await self.total_bytes() <= self.max_bytes:
                return 0
            rows = (
                await session.execute(
                    select(
                        col(CacheEntry.key),
                        col(CacheEntry.user_id),
                        col(CacheEntry.kind),
                        col(CacheEntry.size),
                        col(CacheEntry.object_key),
                        col(CacheEntry.meta),
                        col(CacheEntry.last_used_at),
                    )
                    .where(col(CacheEntry.state) == EntryState.READY.value)
                    .order_by(col(CacheEntry.last_used_at).desc(), col(CacheEntry.key))
                )
            ).all()
        total = 0
        per_user: dict[str, int] = {}
        doomed = []
        for row in rows:
            # Newest first: once the running sums pass a bound, everything older goes (least recently used).
            per_user[row.user_id] = per_user.get(row.user_id, 0) + row.size
            if per_user[row.user_id] > self.max_bytes_per_user:
                doomed.append(row)
                continue
            total += row.size
            if total > self.max_bytes:
                doomed.append(row)
        evicted = 0
        for row in doomed:
            async with transaction(self._sessionmaker) as session:
                result = await session.execute(
                    delete(CacheEntry).where(
                        col(CacheEntry.key) == row.key,
                        col(CacheEntry.state) == EntryState.READY.value,
                        col(CacheEntry.last_used_at) == row.last_used_at,
                    )
                )
            if getattr(result, "rowcount", 0):
                await self._store.delete(row.object_key)
                for companion_suffix in (row.meta or {}).get(COMPANIONS, []):
                    await self._store.delete(companion_key(row.object_key, companion_suffix))
                CACHE_EVICTIONS.labels(row.kind).inc()
                evicted += 1
        return evicted
