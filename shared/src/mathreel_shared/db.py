"""Database models and sessions (SQLModel on SQLAlchemy's asyncio engine).

PostgreSQL (asyncpg) in distributed mode, SQLite (aiosqlite) in standalone mode; the schema is created by the
orchestrator's Alembic migrations in both. Only the gateway (creating and cancelling jobs) and the orchestrator
(everything else) write to ``job``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID, uuid4

from sqlalchemy import JSON, BigInteger, Column, DateTime, Dialect, Index, Integer, String, Text, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from mathreel_shared.domain import JobStatus, Stage
from mathreel_shared.telemetry import instrument_engine


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every dialect (SQLite stores none, so they are restored on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: use UTC-aware ones")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


E = TypeVar("E", bound=StrEnum)


class StrEnumColumn(TypeDecorator[E]):
    """A ``StrEnum`` stored as its plain string value in a ``VARCHAR`` (no database enum type, no migration when a
    member is added); read back as the enum member, so the model's attribute is typed and ``.value`` is never
    needed."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[E], length: int) -> None:
        super().__init__(length)
        self._enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self._enum(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> E | None:
        return None if value is None else self._enum(value)


def _ts(nullable: bool = False, **kwargs: Any) -> Any:
    return Field(sa_column=Column(UtcDateTime(), nullable=nullable, **kwargs))


class JobBase(SQLModel):
    user_id: str = Field(sa_column=Column(String(128), nullable=False))
    topic: str = Field(sa_column=Column(Text, nullable=False))
    context: str = Field(sa_column=Column(Text, nullable=False))
    quality: str = Field(sa_column=Column(String(16), nullable=False))
    use_rag: bool = False
    use_context_learning: bool = False
    priority: str = Field(default="normal", sa_column=Column(String(16), nullable=False))


class Job(JobBase, table=True):
    """One video generation job: its request, its progress and, once done, where its media lives."""

    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_user_created", "user_id", "created_at"),
        Index("ix_job_user_status", "user_id", "status"),
        Index("ix_job_quality_completed", "quality", "completed_at"),
        Index("ix_job_revision_of", "revision_of"),
    )

    id: UUID = Field(default_factory=uuid4, primary_key=True)
    status: JobStatus = Field(default=JobStatus.QUEUED, sa_column=Column(StrEnumColumn(JobStatus, 16), nullable=False))
    stage: Stage = Field(default=Stage.INITIALIZING, sa_column=Column(StrEnumColumn(Stage, 32), nullable=False))
    percentage: float = 0.0
    title: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    scene_count: int | None = None
    storyboard_key: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    video_key: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    thumbnail_key: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    captions_key: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    srt_key: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    duration_seconds: float | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    file_size: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    video_format: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    error_code: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    error_message: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    error_stage: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    estimated_completion_at: datetime | None = _ts(nullable=True)
    created_at: datetime = _ts(default=utcnow)
    updated_at: datetime = _ts(default=utcnow)
    started_at: datetime | None = _ts(nullable=True)
    stage_started_at: datetime | None = _ts(nullable=True)
    completed_at: datetime | None = _ts(nullable=True)
    # How many job events (``job_event``) were recorded: the ``seq`` of the latest, incremented atomically.
    event_seq: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0", default=0))
    # The job whose storyboard this one revises (``POST /videos/jobs/{id}/revise``); null for other jobs.
    revision_of: UUID | None = Field(default=None, nullable=True)


class JobEvent(SQLModel, table=True):
    """One change of a job's status body, numbered per job (``seq``, from 1): what SSE clients resume from."""

    __tablename__ = "job_event"
    __table_args__ = (Index("ix_job_event_created", "created_at"),)

    job_id: UUID = Field(primary_key=True, foreign_key="job.id", ondelete="CASCADE")
    seq: int = Field(primary_key=True)
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts(default=utcnow)


class SceneResult(SQLModel, table=True):
    """One scene's result of one stage. The primary key makes a redelivered result a no-op (fan-in)."""

    __tablename__ = "scene_result"

    job_id: UUID = Field(primary_key=True, foreign_key="job.id", ondelete="CASCADE")
    stage: str = Field(sa_column=Column(String(32), primary_key=True))
    scene_index: int = Field(primary_key=True)
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts(default=utcnow)


class StageRun(SQLModel, table=True):
    """When a job entered and left a stage: the measurements behind ``estimated_completion_time``."""

    __tablename__ = "stage_run"
    __table_args__ = (Index("ix_stage_run_quality_stage", "quality", "stage", "finished_at"),)

    job_id: UUID = Field(primary_key=True, foreign_key="job.id", ondelete="CASCADE")
    stage: str = Field(sa_column=Column(String(32), primary_key=True))
    quality: str = Field(sa_column=Column(String(16), nullable=False))
    started_at: datetime = _ts()
    finished_at: datetime | None = _ts(nullable=True)
    # What the workers measured for the stage, summed over its scenes; null where no worker reported a figure.
    cpu_seconds: float | None = None
    bytes_stored: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    cache_hits: int | None = None
    cache_misses: int | None = None


class OutboxMessage(SQLModel, table=True):
    """A message committed with the state change that caused it; the relay publishes it, then stamps it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_unpublished", "published_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    routing_key: str = Field(sa_column=Column(String(64), nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    headers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, default=dict))
    priority: int = 0
    created_at: datetime = _ts(default=utcnow)
    published_at: datetime | None = _ts(nullable=True)


class ProcessedMessage(SQLModel, table=True):
    """Inbox: ids of messages the orchestrator already applied, so a redelivery changes nothing."""

    __tablename__ = "processed_message"

    message_id: UUID = Field(primary_key=True)
    processed_at: datetime = _ts(default=utcnow)


class UserAccount(SQLModel, table=True):
    """One row per user, locked while admitting a job, so the active-jobs limit holds under concurrency."""

    __tablename__ = "user_account"

    user_id: str = Field(sa_column=Column(String(128), primary_key=True))
    created_at: datetime = _ts(default=utcnow)


class IdempotencyKey(SQLModel, table=True):
    """An ``Idempotency-Key`` a user sent with ``POST /videos/generate``: the request's fingerprint and, once the job
    exists, the response to replay. The primary key makes concurrent requests with one key create one job; keys of
    different users never meet."""

    __tablename__ = "idempotency_key"

    user_id: str = Field(sa_column=Column(String(128), primary_key=True))
    key: str = Field(sa_column=Column(String(255), primary_key=True))
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    job_id: UUID | None = None
    response_body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _ts(default=utcnow)


def create_engine(database_url: str, *, pool_size: int = 10) -> AsyncEngine:
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, connect_args={"timeout": 30})

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        instrument_engine(engine)
        return engine
    engine = create_async_engine(database_url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    instrument_engine(engine)
    return engine


def create_read_engine(database_url: str, *, pool_size: int = 10) -> AsyncEngine | None:
    """A PostgreSQL engine for reads of one statement each (the gateway's GETs); None on SQLite.

    Autocommit, so a read is one round trip instead of BEGIN, SELECT and ROLLBACK; and no pre-ping, which would be
    one more. A connection that died with the server is found by the statement itself: ``read`` retries once, after
    SQLAlchemy has invalidated the pool. Its own pool, so the writers' pool keeps its pre-ping and transactions.
    """
    if database_url.startswith("sqlite"):
        return None
    engine = create_async_engine(
        database_url, pool_size=pool_size, max_overflow=pool_size, isolation_level="AUTOCOMMIT"
    )
    instrument_engine(engine)
    return engine


T = TypeVar("T")


async def read(sessionmaker: async_sessionmaker[AsyncSession], query: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run the read ``query`` in a session of its own, once more if its pooled connection had died.

    A connection left over from before a database restart fails on first use; SQLAlchemy then invalidates every
    pooled connection of that age, so the second attempt gets a new one. Only for reads: they are safe to repeat.
    """
    try:
        async with sessionmaker() as session:
            return await query(session)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    async with sessionmaker() as session:
        return await query(session)


# PostgreSQL's answers when two transactions wait on each other's rows (deadlock_detected) or their serializable
# snapshots conflict (serialization_failure): one of them was rolled back whole, and running it again is correct.
_CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})


def is_transaction_conflict(exc: BaseException) -> bool:
    """A transaction PostgreSQL rolled back because of another one (a deadlock, a serialisation failure)."""
    return isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in _CONFLICT_SQLSTATES


async def retry_on_conflict(work: Callable[[], Awaitable[T]], *, attempts: int = 4) -> T:
    """Run ``work``, one whole transaction of its own, again when PostgreSQL rolled it back for a conflict.

    Two writers that lock the same rows in different orders (the gateway cancelling a job while the orchestrator
    starts another of the same user: each then renumbers the other's queue position) can deadlock; PostgreSQL breaks
    the deadlock by rolling one back, which must not become a 500 for a request the next attempt completes.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except DBAPIError as exc:
            if attempt == attempts or not is_transaction_conflict(exc):
                raise
            # A short random pause, so that the two writers do not meet again in the same step.
            await asyncio.sleep(random.uniform(0.0, 0.05 * attempt))
    raise AssertionError("unreachable")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose work commits once at the end, or rolls back on error."""
    async with sessionmaker() as session, session.begin():
        yield session


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"
