"""The job model's enum columns (plain strings in the table, enum members on the model), and which database errors
a transaction is run again for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import SQLModel, col, select

from mathreel_shared.db import Job, create_engine, create_sessionmaker, retry_on_conflict
from mathreel_shared.domain import JobStatus, Stage


@pytest.fixture
async def sessionmaker(tmp_path: Path) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/db.db")
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def test_status_and_stage_are_stored_as_their_values_and_read_as_enums(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    job = Job(user_id="user_db", topic="t", context="c", quality="low", stage=Stage.GENERATING_AUDIO)
    async with sessionmaker() as session, session.begin():
        session.add(job)
    async with sessionmaker() as session:
        stored = (await session.execute(text("SELECT status, stage FROM job"))).one()
        loaded = await session.get(Job, job.id)
    assert tuple(stored) == ("queued", "generating_audio")
    assert loaded is not None
    assert type(loaded.status) is JobStatus
    assert type(loaded.stage) is Stage
    assert (loaded.status, loaded.stage) == (JobStatus.QUEUED, Stage.GENERATING_AUDIO)


async def test_a_plain_string_is_accepted_and_queried_as_its_member(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session, session.begin():
        session.add(Job(user_id="user_db", topic="t", context="c", quality="low", status="processing"))  # type: ignore[arg-type]
    async with sessionmaker() as session:
        found = (await session.execute(select(Job).where(col(Job.status) == JobStatus.PROCESSING))).scalar_one()
    assert found.status is JobStatus.PROCESSING


async def test_a_value_outside_the_enum_is_refused(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async def add_unknown_status() -> None:
        async with sessionmaker() as session, session.begin():
            session.add(Job(user_id="user_db", topic="t", context="c", quality="low", status="paused"))  # type: ignore[arg-type]

    with pytest.raises(Exception, match="'paused' is not a valid JobStatus"):
        await add_unknown_status()


class _Orig(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _db_error(sqlstate: str) -> DBAPIError:
    return DBAPIError("UPDATE job ...", None, _Orig(sqlstate))


async def test_a_transaction_rolled_back_for_a_deadlock_runs_again_and_other_errors_do_not() -> None:
    calls: list[int] = []

    async def deadlocks_once() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise _db_error("40P01")
        return "done"

    assert await retry_on_conflict(deadlocks_once) == "done"
    assert len(calls) == 2

    async def violates_a_constraint() -> str:
        calls.append(1)
        raise _db_error("23505")

    calls.clear()
    with pytest.raises(DBAPIError):
        await retry_on_conflict(violates_a_constraint)
    assert len(calls) == 1

    async def always_conflicts() -> str:
        calls.append(1)
        raise _db_error("40001")

    calls.clear()
    with pytest.raises(DBAPIError):
        await retry_on_conflict(always_conflicts, attempts=3)
    assert len(calls) == 3
