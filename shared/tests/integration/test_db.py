"""Reads on the gateway's read engine (autocommit, no pre-ping) against real PostgreSQL, across a lost connection."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from mathreel_shared.db import create_engine, create_read_engine, create_sessionmaker, read

pytestmark = pytest.mark.integration


async def _backend_pid(session: AsyncSession) -> int:
    return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _in_transaction(session: AsyncSession) -> bool:
    """Whether the session's statements share one transaction (``now()`` is the transaction's start time)."""
    first = (await session.execute(text("SELECT now()"))).scalar_one()
    await session.execute(text("SELECT pg_sleep(0.01)"))
    second = (await session.execute(text("SELECT now()"))).scalar_one()
    return bool(first == second)


async def test_reads_run_without_a_transaction_and_survive_a_killed_connection(pg_database_url: str) -> None:
    read_engine = create_read_engine(pg_database_url, pool_size=1)
    assert read_engine is not None
    admin = create_engine(pg_database_url, pool_size=1)
    reads = create_sessionmaker(read_engine)
    try:
        assert await read(reads, _in_transaction) is False
        assert await read(create_sessionmaker(admin), _in_transaction) is True  # the writers' engine, for contrast
        first_pid = await read(reads, _backend_pid)

        # The pooled connection dies under the engine, as it does when PostgreSQL restarts.
        async with admin.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid})

        # The next read finds the dead connection, and answers from a new one.
        second_pid = await read(reads, _backend_pid)
        assert second_pid != first_pid

        # Without the retry, that first use of a dead connection is an error the caller would see.
        async with admin.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": second_pid})
        with pytest.raises(DBAPIError) as raised:
            async with reads() as session:
                await _backend_pid(session)
        assert raised.value.connection_invalidated
    finally:
        await read_engine.dispose()
        await admin.dispose()


def test_sqlite_has_no_separate_read_engine() -> None:
    assert create_read_engine("sqlite+aiosqlite:///unused.db") is None
