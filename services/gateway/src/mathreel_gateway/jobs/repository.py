"""Every read and write of the job table the gateway makes, and foremost the lookup of one job for its owner, the
read every ``/jobs/{job_id}/…`` route starts with.

Status polls are most of the gateway's traffic, and through an ORM session this one-row read cost a third of a
millisecond of CPU, more than the rest of the request together. On PostgreSQL it therefore runs on asyncpg's own pool:
the lookups of one event-loop turn are read together (``mathreel_gateway.batching``) by one ORM query, ``JOBS_BY_ID``,
compiled once for asyncpg, prepared once per connection and executed in one round trip (autocommit, no pre-ping, and
no reset query when the connection goes back to the pool: one SELECT leaves no session state behind). Ownership is
checked on each row, and a row becomes a ``Job`` through ``Job.model_construct``. A connection that died with the
server is found by the read itself, which then runs once more on a new connection. SQLite (standalone mode, tests)
reads through a session, one lookup at a time, with the same statement as every other read of one job.

Batches wait for a connection in arrival order. asyncpg's pool queue lets a newcomer take a connection that was just
handed to a waiter, which then queues again at the back: under a burst of polls a few requests waited a second while
the median waited ten milliseconds. A fair semaphore as wide as the pool admits batches first come, first served,
so the pool itself never has anyone waiting.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, Protocol
from uuid import UUID

import asyncpg
from sqlalchemy import ARRAY, Uuid, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from mathreel_gateway.batching import Batched
from mathreel_gateway.errors import JobNotFound
from mathreel_shared.db import Job, UserAccount, read, utcnow
from mathreel_shared.domain import ACTIVE_STATUSES, JobStatus, Stage

# The errors of a pooled connection that is gone (a server restart, a failover, an idle connection cut by a proxy).
# The pool discards such a connection, so trying once more takes a new one. A statement sent after the server's
# "terminating connection" notice but before its end of stream fails with an InternalClientError.
_DEAD_CONNECTION = (
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    ConnectionError,
)


ACTIVE = [status.value for status in ACTIVE_STATUSES]

# Built once: every status poll runs it, and building the statement costs as much as sending it.
_JOB_FOR_USER = select(Job).where(col(Job.id) == bindparam("job_id"), col(Job.user_id) == bindparam("user_id"))


async def get_job_for_user(session: AsyncSession, job_id: UUID, user_id: str, *, refresh: bool = False) -> Job:
    """The job, if it exists and belongs to ``user_id``; ``JobNotFound`` otherwise, so ids of others never leak.

    ``refresh`` re-reads a job the session already holds (after an UPDATE statement in the same transaction).
    """
    statement = _JOB_FOR_USER.execution_options(populate_existing=True) if refresh else _JOB_FOR_USER
    job = (await session.execute(statement, {"job_id": job_id, "user_id": user_id})).scalar_one_or_none()
    if job is None:
        raise JobNotFound()
    return job


async def lock_user(session: AsyncSession, user_id: str) -> None:
    """Take the per-user admission lock inside the current transaction.

    PostgreSQL: make sure the user's row exists, then lock it with SELECT ... FOR UPDATE; concurrent admissions of the
    same user queue on that row until this transaction ends. SQLite: the upsert is the transaction's first statement
    and a write, so it takes the database write lock up front (what BEGIN IMMEDIATE would do) and holds it to commit.
    """
    bind = session.get_bind()
    insert = sqlite_insert if bind.dialect.name == "sqlite" else pg_insert
    await session.execute(
        insert(UserAccount)
        .values(user_id=user_id, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["user_id"])
    )
    if bind.dialect.name != "sqlite":
        await session.execute(
            select(col(UserAccount.user_id)).where(col(UserAccount.user_id) == user_id).with_for_update()
        )


async def count_active_jobs(session: AsyncSession, user_id: str) -> int:
    query = select(func.count()).select_from(Job).where(col(Job.user_id) == user_id, col(Job.status).in_(ACTIVE))
    return int((await session.execute(query)).scalar_one())


async def list_jobs(
    session: AsyncSession, *, user_id: str, status: JobStatus | None, limit: int, offset: int
) -> tuple[list[Job], int]:
    """A page of the user's jobs, newest first, and how many match in total."""
    conditions = [col(Job.user_id) == user_id]
    if status is not None:
        conditions.append(col(Job.status) == status.value)
    total = int((await session.execute(select(func.count()).select_from(Job).where(*conditions))).scalar_one())
    rows = (
        await session.execute(
            select(Job)
            .where(*conditions)
            .order_by(col(Job.created_at).desc(), col(Job.id).desc())
            .limit(limit)
            .offset(offset)
        )
    ).scalars()
    return list(rows), total


class JobLookup(Protocol):
    async def job_for_user(self, job_id: UUID, user_id: str) -> Job:
        """The job, if it exists and belongs to ``user_id``; ``JobNotFound`` otherwise."""
        ...

    async def close(self) -> None: ...


class SessionJobLookup:
    """Through an SQLAlchemy session (SQLite, and wherever no asyncpg pool is wanted)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def job_for_user(self, job_id: UUID, user_id: str) -> Job:
        return await read(self._sessionmaker, lambda session: get_job_for_user(session, job_id, user_id))

    async def close(self) -> None:
        return None


# The jobs among ``ids``: the lookups of one turn of the event loop, read in one statement.
JOBS_BY_ID = select(Job).where(col(Job.id) == any_(bindparam("ids", type_=ARRAY(Uuid()))))


class AsyncpgJobLookup:
    """On an asyncpg pool of its own (PostgreSQL), the lookups of one event-loop turn in one statement."""

    _SQL = str(JOBS_BY_ID.compile(dialect=PGDialect_asyncpg()))  # type: ignore[no-untyped-call]

    def __init__(self, pool: asyncpg.Pool, size: int) -> None:
        self._pool = pool
        self._turns = asyncio.Semaphore(size)
        self._batched_read = Batched(self._read_all)

    @classmethod
    async def open(cls, database_url: str, *, pool_size: int) -> AsyncpgJobLookup:
        """A lookup on a pool of at most ``pool_size`` connections to the database of an SQLAlchemy URL.

        Connections are opened when first needed, so the gateway starts (and says it is not ready) while the
        database is down, as it does with its SQLAlchemy engine.
        """
        url = make_url(database_url).set(drivername="postgresql")
        pool = await asyncpg.create_pool(
            url.render_as_string(hide_password=False),
            min_size=0,
            max_size=pool_size,
            init=_decode_json,
            reset=_leave_session_as_is,
        )
        return cls(pool, pool_size)

    async def job_for_user(self, job_id: UUID, user_id: str) -> Job:
        job = await self._batched_read((job_id, user_id))
        if job is None:
            raise JobNotFound()
        return job

    async def _read_all(self, lookups: list[tuple[UUID, str]]) -> list[Job | None]:
        """Each lookup's job, or None where it does not exist or belongs to someone else."""
        ids = list({job_id for job_id, _ in lookups})
        async with self._turns:
            try:
                rows = await self._fetch(ids)
            except _DEAD_CONNECTION:
                rows = await self._fetch(ids)
        jobs = {row["id"]: row for row in rows}
        found: list[Job | None] = []
        for job_id, user_id in lookups:
            row = jobs.get(job_id)
            found.append(_job_of(row) if row is not None and row["user_id"] == user_id else None)
        return found

    async def _fetch(self, ids: list[UUID]) -> list[asyncpg.Record]:
        async with self._pool.acquire() as connection:
            try:
                rows: list[asyncpg.Record] = await connection.fetch(self._SQL, ids)
                return rows
            except _DEAD_CONNECTION:
                # Closed now, not when its end of stream arrives: the pool must not hand it out again.
                connection.terminate()
                raise

    async def close(self) -> None:
        await self._pool.close()


_STATUSES = {status.value: status for status in JobStatus}
_STAGES = {stage.value: stage for stage in Stage}


def _job_of(row: asyncpg.Record) -> Job:
    """The ``Job`` of a row of its table, unvalidated (the row is ours): ``model_construct``, Pydantic's public way.
    ``Job(**row)`` would take ~190 µs a row, more than the rest of a status poll; this takes ~20 µs. The enum
    columns are converted here, as the ORM's column type converts them (a dict lookup, not an enum call)."""
    fields = dict(row.items())
    fields.update(status=_STATUSES[row["status"]], stage=_STAGES[row["stage"]])
    return Job.model_construct(**fields)


async def _leave_session_as_is(_connection: asyncpg.Connection[Any]) -> None:
    """The pool's reset: nothing to undo after one SELECT in autocommit (the default sends four statements)."""


async def _decode_json(connection: asyncpg.Connection[Any]) -> None:
    """JSON columns as Python values, as SQLAlchemy reads them (asyncpg hands back the text)."""
    await connection.set_type_codec("json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def open_job_lookup(
    database_url: str, sessionmaker: async_sessionmaker[AsyncSession], *, pool_size: int
) -> JobLookup:
    """asyncpg's pool on PostgreSQL, ``sessionmaker``'s sessions otherwise."""
    if make_url(database_url).get_backend_name() == "postgresql":
        return await AsyncpgJobLookup.open(database_url, pool_size=pool_size)
    return SessionJobLookup(sessionmaker)
