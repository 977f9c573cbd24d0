"""The status routes' job lookup on asyncpg's pool, against real PostgreSQL: the same job as the ORM reads, refusals
for other users, and a read that survives its pooled connection being killed."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from mathreel_gateway.errors import JobNotFound
from mathreel_gateway.jobs.repository import AsyncpgJobLookup, SessionJobLookup, open_job_lookup
from mathreel_orchestrator.migrate import upgrade
from mathreel_shared.db import Job, create_engine, create_sessionmaker, utcnow

pytestmark = pytest.mark.integration


def _columns(job: Job) -> dict[str, Any]:
    return {column.name: getattr(job, column.name) for column in Job.__table__.columns}  # type: ignore[attr-defined]


async def _stored_job(pg_database_url: str, user_id: str) -> Job:
    await upgrade(pg_database_url)
    engine = create_engine(pg_database_url, pool_size=1)
    try:
        job = Job(
            id=uuid.uuid4(),
            user_id=user_id,
            topic="Pythagorean theorem",
            context="a^2 + b^2 = c^2",
            quality="medium",
            priority="high",
            status="completed",
            stage="completed",
            percentage=100.0,
            title="The Pythagorean Theorem",
            duration_seconds=31.5,
            width=1280,
            height=720,
            fps=30.0,
            file_size=123_456,
            video_format="mp4",
            details={"sources": [{"title": "Euclid, Elements I.47", "url": None}], "author": "offline-planner"},
            estimated_completion_at=utcnow() + timedelta(seconds=30),
            completed_at=utcnow(),
        )
        async with create_sessionmaker(engine)() as session, session.begin():
            session.add(job)
        return job
    finally:
        await engine.dispose()


async def test_reads_the_same_job_as_the_orm_and_refuses_other_users(pg_database_url: str) -> None:
    job = await _stored_job(pg_database_url, "user_lookup_owner")
    engine = create_engine(pg_database_url, pool_size=1)
    lookup = await open_job_lookup(pg_database_url, create_sessionmaker(engine), pool_size=2)
    try:
        assert isinstance(lookup, AsyncpgJobLookup)
        through_orm = await SessionJobLookup(create_sessionmaker(engine)).job_for_user(job.id, job.user_id)
        through_asyncpg = await lookup.job_for_user(job.id, job.user_id)

        assert _columns(through_asyncpg) == _columns(through_orm)
        assert through_asyncpg.model_dump() == through_orm.model_dump()
        # A Job with every column the ORM reads, built by Pydantic's public model_construct: the lookup's jobs are
        # only read, never added to a session, so they need no ORM state (building one took mapper internals).
        assert type(through_asyncpg) is Job
        assert through_asyncpg.details["author"] == "offline-planner"  # JSON decoded, as SQLAlchemy does
        assert through_asyncpg.completed_at is not None
        assert through_asyncpg.completed_at.tzinfo is not None

        with pytest.raises(JobNotFound):
            await lookup.job_for_user(job.id, "user_someone_else")
        with pytest.raises(JobNotFound):
            await lookup.job_for_user(uuid.uuid4(), job.user_id)
    finally:
        await lookup.close()
        await engine.dispose()


async def test_a_killed_pooled_connection_is_replaced_by_the_read_itself(pg_database_url: str) -> None:
    job = await _stored_job(pg_database_url, "user_lookup_restart")
    lookup = await AsyncpgJobLookup.open(pg_database_url, pool_size=1)
    admin = await asyncpg.connect(pg_database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        assert (await lookup.job_for_user(job.id, job.user_id)).id == job.id
        first_pid = await lookup._pool.fetchval("SELECT pg_backend_pid()")

        # The pooled connection dies under the pool, as it does when PostgreSQL restarts.
        await admin.execute("SELECT pg_terminate_backend($1)", first_pid)
        assert (await lookup.job_for_user(job.id, job.user_id)).id == job.id
        assert await lookup._pool.fetchval("SELECT pg_backend_pid()") != first_pid

        # Without the second attempt, that first use of a dead connection is an error the caller would see.
        await admin.execute("SELECT pg_terminate_backend($1)", await lookup._pool.fetchval("SELECT pg_backend_pid()"))
        with pytest.raises((asyncpg.exceptions.ConnectionDoesNotExistError, asyncpg.exceptions.InternalClientError)):
            await lookup._pool.fetchval("SELECT 1")
    finally:
        await admin.close()
        await lookup.close()


async def test_sqlite_reads_through_sessions(tmp_path: Path) -> None:
    engine_url = f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}"
    engine = create_engine(engine_url)
    try:
        assert isinstance(await open_job_lookup(engine_url, create_sessionmaker(engine), pool_size=1), SessionJobLookup)
    finally:
        await engine.dispose()


async def test_lookups_of_one_loop_turn_are_read_in_one_statement(pg_database_url: str) -> None:
    mine = await _stored_job(pg_database_url, "user_batch_mine")
    theirs = await _stored_job(pg_database_url, "user_batch_theirs")
    lookup = await AsyncpgJobLookup.open(pg_database_url, pool_size=2)
    statements: list[list[uuid.UUID]] = []
    fetch = lookup._fetch

    async def counting(ids: list[uuid.UUID]) -> list[asyncpg.Record]:
        statements.append(ids)
        return await fetch(ids)

    lookup._fetch = counting  # type: ignore[method-assign]
    try:
        results = await asyncio.gather(
            lookup.job_for_user(mine.id, mine.user_id),
            lookup.job_for_user(theirs.id, theirs.user_id),
            lookup.job_for_user(theirs.id, mine.user_id),  # someone else's job
            lookup.job_for_user(uuid.uuid4(), mine.user_id),  # no such job
            lookup.job_for_user(mine.id, mine.user_id),
            return_exceptions=True,
        )
        assert [result.id if isinstance(result, Job) else type(result) for result in results] == [
            mine.id,
            theirs.id,
            JobNotFound,
            JobNotFound,
            mine.id,
        ]
        assert len(statements) == 1
        assert len(statements[0]) == 3  # each id once
    finally:
        await lookup.close()
