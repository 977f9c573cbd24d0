"""The orchestrator's tests run on a real SQLite database, migrated with the same Alembic scripts as production."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from mathreel_orchestrator.migrate import upgrade
from mathreel_shared.db import Job, OutboxMessage, create_engine, create_sessionmaker
from mathreel_shared.messages import Message, parse_message
from mathreel_shared.timing import BeatTiming, SceneTiming

USER = "user_test"


@pytest.fixture
async def sessionmaker(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    url = f"sqlite+aiosqlite:///{tmp_path}/orchestrator.db"
    await upgrade(url)
    engine = create_engine(url)
    yield create_sessionmaker(engine)
    await engine.dispose()


class Jobs:
    """Jobs in the test database, and the messages the orchestrator left in its outbox."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def new(self, quality: str = "low") -> Job:
        job = Job(user_id=USER, topic="Pythagorean theorem", context="right triangles", quality=quality)
        async with self._sessionmaker() as session, session.begin():
            session.add(job)
        return job

    async def get(self, job_id: UUID) -> Job:
        async with self._sessionmaker() as session:
            job = await session.get(Job, job_id)
            assert job is not None
            return job

    async def drain_outbox(self, *, events: bool = False) -> list[Message]:
        """The messages not yet published, removed from the outbox: the work messages, or with ``events`` only the
        job events (``job.status``)."""
        async with self._sessionmaker() as session, session.begin():
            rows = (
                (await session.execute(select(OutboxMessage).where(col(OutboxMessage.published_at).is_(None))))
                .scalars()
                .all()
            )
            for row in rows:
                await session.delete(row)
        messages = [parse_message(row.body) for row in rows]
        return [message for message in messages if (message.type == "job.status") == events]

    @staticmethod
    def timing(index: int) -> SceneTiming:
        return SceneTiming(scene_index=index, duration=2.0, beats=[BeatTiming(start=0.2, duration=1.5, text="Hi.")])

    @staticmethod
    def envelope(job: Job) -> dict[str, Any]:
        return {"job_id": job.id, "user_id": USER}


@pytest.fixture
def jobs(sessionmaker: async_sessionmaker[AsyncSession]) -> Jobs:
    return Jobs(sessionmaker)
