"""The app building its own resources from settings (the gateway running on its own)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import select

from mathreel_gateway.app import create_app
from mathreel_shared.auth import DevSigningKey
from mathreel_shared.db import OutboxMessage, create_engine, create_sessionmaker
from mathreel_shared.settings import Mode, Settings


async def test_standalone_settings_build_resources_and_run_the_outbox_relay(
    tmp_path: Path, migrated_sqlite_template: Path
) -> None:
    database = tmp_path / "db.sqlite"
    shutil.copyfile(migrated_sqlite_template, database)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        mode=Mode.STANDALONE,
        environment="test",
        database_url=f"sqlite+aiosqlite:///{database}",
        media_dir=tmp_path / "media",
        dev_signing_key_path=tmp_path / "keys" / "dev.pem",
        jwks_url=None,
    )
    app = create_app(settings)
    async with (
        LifespanManager(app) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver") as client,
    ):
        jwks = (await client.get("/.well-known/jwks.json")).json()
        assert settings.dev_signing_key_path.is_file()
        key = DevSigningKey.load_or_create(settings.dev_signing_key_path)
        assert jwks == key.jwks()
        token = key.mint("user_alice", issuer=settings.jwt_issuer)
        body = {"configuration": {"topic": "Limits", "context": "What a limit is."}}
        created = await client.post("/api/v1/videos/generate", json=body, headers={"Authorization": f"Bearer {token}"})
        assert created.status_code == 201
        assert (await client.get("/ready")).status_code == 200
        assert (settings.media_dir).is_dir()

        # The relay started by the lifespan publishes the committed messages (the job's request and its first
        # event) without being asked.
        engine = create_engine(settings.database_url)
        try:
            for _ in range(50):
                async with create_sessionmaker(engine)() as session:
                    rows = (await session.execute(select(OutboxMessage))).scalars().all()
                if all(row.published_at is not None for row in rows):
                    break
                await asyncio.sleep(0.05)
            assert [row.routing_key for row in rows] == ["job.requested", "job.status"]
            assert all(row.published_at is not None for row in rows)
        finally:
            await engine.dispose()
