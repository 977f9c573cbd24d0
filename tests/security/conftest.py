"""Fixtures for the hostile-input suite: the real gateway app on real PostgreSQL, Redis, RabbitMQ, S3 and a JWKS
served over HTTP.

``open_gateway(settings)`` runs ``create_app(settings)`` exactly as ``mathreel-gateway`` does (its lifespan opens
every resource), and hands back an ``httpx.AsyncClient`` on it. ``stage_completed_job`` writes a finished job and its
media the way the orchestrator would, so media routes have something to serve.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from pydantic import SecretStr

from mathreel_gateway.app import create_app
from mathreel_orchestrator.migrate import upgrade
from mathreel_shared import keys
from mathreel_shared.db import Job, create_engine, create_sessionmaker, utcnow
from mathreel_shared.settings import Mode, Settings
from mathreel_shared.storage import create_store

VIDEO_BYTES = bytes(range(256)) * 16
THUMBNAIL_BYTES = b"\xff\xd8\xff\xe0" + b"jpeg" * 16 + b"\xff\xd9"
VTT_TEXT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nHello\n"
SRT_TEXT = "1\n00:00:00,000 --> 00:00:02,000\nHello\n"

ALLOWED_ORIGIN = "https://app.mathreel.example"


def new_user() -> str:
    """A user id no other test uses, so rate limits and active-job counts never collide."""
    return f"user_{uuid.uuid4().hex[:12]}"


@dataclass
class RunningGateway:
    app: FastAPI
    client: httpx.AsyncClient
    settings: Settings


@pytest.fixture(scope="session")
async def migrated_database_url(pg_database_url: str) -> str:
    """The session's PostgreSQL database with the orchestrator's migrations applied."""
    await upgrade(pg_database_url)
    return pg_database_url


@pytest.fixture
def gateway_settings(distributed_settings: Settings, migrated_database_url: str) -> Settings:
    """Distributed settings with a CORS allowlist and limits high enough that a suite never trips them by accident."""
    return distributed_settings.model_copy(
        update={
            "database_url": migrated_database_url,
            "cors_origins": [ALLOWED_ORIGIN],
            "rate_limit_per_minute": 100_000,
            "max_active_jobs_per_user": 3,
        }
    )


@pytest.fixture
def standalone_media_settings(gateway_settings: Settings, tmp_path: Path) -> Settings:
    """Standalone mode (local media folder served through signed ``/api/v1/media/{token}`` links) on the same
    PostgreSQL and JWKS: the mode in which the gateway itself is the presigned-URL issuer and checker."""
    return gateway_settings.model_copy(
        update={
            "mode": Mode.STANDALONE,
            "media_dir": tmp_path / "media",
            "media_signing_secret": SecretStr("test-media-signing-secret-0123456789"),
        }
    )


@contextlib.asynccontextmanager
async def open_gateway(settings: Settings) -> AsyncIterator[RunningGateway]:
    """Start the real app (its own lifespan opens and closes its resources) and yield a client for it."""
    app = create_app(settings)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver") as client,
    ):
        yield RunningGateway(app, client, settings)


GatewayOpener = Callable[[Settings], contextlib.AbstractAsyncContextManager[RunningGateway]]


@pytest.fixture
def gateway_opener() -> GatewayOpener:
    return open_gateway


@pytest.fixture
async def gateway(gateway_settings: Settings) -> AsyncIterator[RunningGateway]:
    """The real gateway in distributed mode."""
    async with open_gateway(gateway_settings) as running:
        yield running


async def stage_completed_job(settings: Settings, user_id: str) -> UUID:
    """Insert a completed job of ``user_id`` and upload its media, as the orchestrator does after rendering."""
    job_id = uuid.uuid4()
    store = create_store(settings)
    await store.start()
    try:
        await store.put_bytes(keys.video_key(user_id, job_id), VIDEO_BYTES, "video/mp4")
        await store.put_bytes(keys.thumbnail_key(user_id, job_id), THUMBNAIL_BYTES, "image/jpeg")
        await store.put_bytes(keys.captions_key(user_id, job_id, "vtt"), VTT_TEXT.encode(), "text/vtt")
        await store.put_bytes(keys.captions_key(user_id, job_id, "srt"), SRT_TEXT.encode(), "application/x-subrip")
    finally:
        await store.close()
    engine = create_engine(settings.database_url, pool_size=2)
    try:
        now = utcnow()
        values: dict[str, Any] = {
            "id": job_id,
            "user_id": user_id,
            "topic": "Pythagorean Theorem",
            "context": "Explain it.",
            "quality": "low",
            "priority": "normal",
            "status": "completed",
            "stage": "completed",
            "percentage": 100.0,
            "title": "The Pythagorean Theorem",
            "video_key": keys.video_key(user_id, job_id),
            "thumbnail_key": keys.thumbnail_key(user_id, job_id),
            "captions_key": keys.captions_key(user_id, job_id, "vtt"),
            "srt_key": keys.captions_key(user_id, job_id, "srt"),
            "duration_seconds": 2.0,
            "width": 854,
            "height": 480,
            "fps": 15.0,
            "file_size": len(VIDEO_BYTES),
            "video_format": "mp4",
            "created_at": now,
            "updated_at": now,
            "completed_at": now + timedelta(seconds=1),
        }
        async with create_sessionmaker(engine)() as session, session.begin():
            session.add(Job(**values))
    finally:
        await engine.dispose()
    return job_id
