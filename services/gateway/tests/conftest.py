"""Fixtures shared by the gateway's unit and integration tests."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import update
from sqlmodel import col

from mathreel_gateway.app import create_app
from mathreel_gateway.jobs.repository import open_job_lookup
from mathreel_gateway.ratelimit import WINDOW_SECONDS, MemoryRateLimiter, RateLimiter, RedisRateLimiter
from mathreel_gateway.resources import GatewayResources
from mathreel_gateway.security import build_verifier
from mathreel_orchestrator.migrate import upgrade
from mathreel_shared import keys
from mathreel_shared.auth import DevSigningKey
from mathreel_shared.bus import Bus, MemoryBus
from mathreel_shared.db import Job, create_engine, create_read_engine, create_sessionmaker, utcnow
from mathreel_shared.outbox import OutboxRelay
from mathreel_shared.settings import Mode, Settings
from mathreel_shared.storage import LocalStore, ObjectStore
from tests.support.endpoints import S3_SECRET_ACCESS_KEY

VIDEO_BYTES = bytes(range(256)) * 40  # 10 240 bytes with a recognisable pattern, so ranges can be checked exactly
THUMBNAIL_BYTES = b"\xff\xd8\xff\xe0" + b"jpeg" * 16 + b"\xff\xd9"
VTT_TEXT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello\n"
SRT_TEXT = "1\n00:00:00,000 --> 00:00:02,000\nHello\n"


def make_signing_key() -> DevSigningKey:
    return DevSigningKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest.fixture(scope="session")
def signing_key() -> DevSigningKey:
    return make_signing_key()


@pytest.fixture(scope="session")
async def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once with the orchestrator's Alembic migrations; tests copy it."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    await upgrade(f"sqlite+aiosqlite:///{path}")
    return path


def standalone_settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "mode": Mode.STANDALONE,
        "environment": "test",
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        "media_dir": tmp_path / "media",
        "dev_signing_key_path": tmp_path / "dev-key.pem",
        "jwks_url": None,
        "public_base_url": "http://testserver",
        "rate_limit_per_minute": 1000,
        "cors_origins": ["http://localhost:3000"],
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class Gateway:
    """A running gateway app with its resources and an HTTP client, plus helpers to stage job states."""

    settings: Settings
    resources: GatewayResources
    app: FastAPI
    client: httpx.AsyncClient
    signing_key: DevSigningKey
    # What ``complete_job`` stores, for tests to compare against.
    video_bytes: bytes = VIDEO_BYTES
    vtt_text: str = VTT_TEXT
    srt_text: str = SRT_TEXT

    def token(self, user_id: str = "user_alice", **kwargs: Any) -> str:
        return self.signing_key.mint(user_id, issuer=self.settings.jwt_issuer, **kwargs)

    def auth(self, user_id: str = "user_alice") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(user_id)}"}

    async def create_job(self, user_id: str = "user_alice", **configuration: Any) -> UUID:
        body = {"configuration": {"topic": "Pythagorean Theorem", "context": "Explain it.", **configuration}}
        response = await self.client.post("/api/v1/videos/generate", json=body, headers=self.auth(user_id))
        assert response.status_code == 201, response.text
        return UUID(response.json()["job_id"])

    async def set_job(self, job_id: UUID, **values: Any) -> None:
        async with self.resources.sessionmaker() as session, session.begin():
            await session.execute(update(Job).where(col(Job.id) == job_id).values(updated_at=utcnow(), **values))

    async def complete_job(self, job_id: UUID, user_id: str = "user_alice", *, captions: bool = True) -> None:
        """Store media for the job and mark it completed, as the orchestrator would after rendering."""
        store = self.resources.store
        await store.put_bytes(keys.video_key(user_id, job_id), VIDEO_BYTES, "video/mp4")
        await store.put_bytes(keys.thumbnail_key(user_id, job_id), THUMBNAIL_BYTES, "image/jpeg")
        values: dict[str, Any] = {}
        if captions:
            await store.put_bytes(keys.captions_key(user_id, job_id, "vtt"), VTT_TEXT.encode(), "text/vtt")
            await store.put_bytes(keys.captions_key(user_id, job_id, "srt"), SRT_TEXT.encode(), "application/x-subrip")
            values |= {
                "captions_key": keys.captions_key(user_id, job_id, "vtt"),
                "srt_key": keys.captions_key(user_id, job_id, "srt"),
            }
        await self.set_job(
            job_id,
            status="completed",
            stage="completed",
            percentage=100.0,
            title="The Pythagorean Theorem",
            video_key=keys.video_key(user_id, job_id),
            thumbnail_key=keys.thumbnail_key(user_id, job_id),
            duration_seconds=31.5,
            width=1280,
            height=720,
            fps=30.0,
            file_size=len(VIDEO_BYTES),
            video_format="mp4",
            details={"sources": [{"title": "Euclid, Elements I.47", "url": None}], "author": "offline-planner"},
            completed_at=utcnow() + timedelta(seconds=1),
            **values,
        )


@contextlib.asynccontextmanager
async def start_gateway(
    settings: Settings,
    signing_key: DevSigningKey,
    *,
    rate_limiter: RateLimiter | None = None,
    bus: Bus | None = None,
    store: ObjectStore | None = None,
) -> AsyncIterator[Gateway]:
    """Build resources around ``settings`` (schema already in place), start the app and yield a client for it."""
    engine = create_engine(settings.database_url, pool_size=settings.database_pool_size)
    sessionmaker = create_sessionmaker(engine)
    read_engine = create_read_engine(settings.database_url, pool_size=settings.database_pool_size)
    bus = bus or MemoryBus()
    store = store or LocalStore(settings)
    await store.start()
    resources = GatewayResources(
        engine=engine,
        sessionmaker=sessionmaker,
        bus=bus,
        store=store,
        rate_limiter=rate_limiter or MemoryRateLimiter(settings.rate_limit_per_minute),
        verifier=build_verifier(settings, None if settings.jwks_url else signing_key),
        # Not started: tests publish with relay_once() when they want to see messages leave the outbox.
        relay=OutboxRelay(sessionmaker, bus),
        dev_key=None if settings.jwks_url else signing_key,
        jobs=await open_job_lookup(settings.database_url, sessionmaker, pool_size=settings.database_pool_size),
        read_sessionmaker=create_sessionmaker(read_engine) if read_engine is not None else None,
    )
    app = create_app(settings, resources=resources)
    try:
        async with (
            LifespanManager(app) as manager,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver") as client,
        ):
            yield Gateway(settings, resources, app, client, signing_key)
    finally:
        await resources.jobs.close()
        await engine.dispose()
        if read_engine is not None:
            await read_engine.dispose()


@pytest.fixture
async def sqlite_url(tmp_path: Path, migrated_sqlite_template: Path) -> str:
    path = tmp_path / "gateway.db"
    shutil.copyfile(migrated_sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def gateway(tmp_path: Path, sqlite_url: str, signing_key: DevSigningKey) -> AsyncIterator[Gateway]:
    """A standalone-style gateway: SQLite in a temp folder, in-process bus, local store, development key."""
    settings = standalone_settings(tmp_path, database_url=sqlite_url)
    async with start_gateway(settings, signing_key) as gateway:
        yield gateway


GatewayFactory = Callable[..., contextlib.AbstractAsyncContextManager[Gateway]]


@pytest.fixture
def make_gateway(tmp_path: Path, sqlite_url: str, signing_key: DevSigningKey) -> GatewayFactory:
    """Build a standalone-style gateway with some settings overridden or some resources replaced:
    ``async with make_gateway(rate_limit_per_minute=4, rate_limiter=..., bus=..., store=...) as gateway``."""

    def make(
        *,
        rate_limiter: RateLimiter | None = None,
        bus: Bus | None = None,
        store: ObjectStore | None = None,
        **overrides: Any,
    ) -> contextlib.AbstractAsyncContextManager[Gateway]:
        settings = standalone_settings(tmp_path, database_url=sqlite_url, **overrides)
        return start_gateway(settings, signing_key, rate_limiter=rate_limiter, bus=bus, store=store)

    return make


# --- integration: real PostgreSQL, Redis and an HTTP JWKS (servers and session resources from the root conftest) ---
@pytest.fixture(scope="session")
async def pg_url(pg_database_url: str) -> str:
    """The session's PostgreSQL database, migrated with the orchestrator's Alembic migrations."""
    await upgrade(pg_database_url)
    return pg_database_url


@pytest.fixture
def distributed_gateway(tmp_path: Path, pg_url: str, redis_url: str, redis_key_prefix: str) -> GatewayFactory:
    """``async with distributed_gateway(jwks_server, rate_limit_per_minute=..., bus=...) as gateway``: a gateway on
    PostgreSQL with a Redis rate limiter (keys under this session's prefix, a window of ``window_seconds``, a minute
    unless given) that trusts ``jwks_server``'s JWKS.
    Gateways built in one test share the database and the rate-limit counters, as replicas do."""

    @contextlib.asynccontextmanager
    async def make(
        jwks_server: Any, *, bus: Bus | None = None, window_seconds: int = WINDOW_SECONDS, **overrides: Any
    ) -> AsyncIterator[Gateway]:
        settings = standalone_settings(
            tmp_path,
            mode=Mode.DISTRIBUTED,
            database_url=pg_url,
            redis_url=redis_url,
            jwks_url=jwks_server.url,
            s3_secret_access_key=SecretStr(S3_SECRET_ACCESS_KEY),
            **overrides,
        )
        limiter = RedisRateLimiter.from_url(
            redis_url, settings.rate_limit_per_minute, key_prefix=redis_key_prefix, window_seconds=window_seconds
        )
        try:
            async with start_gateway(settings, jwks_server.key, rate_limiter=limiter, bus=bus) as gateway:
                yield gateway
        finally:
            await limiter.close()

    return make
