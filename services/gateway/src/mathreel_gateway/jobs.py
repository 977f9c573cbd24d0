"""Reading and changing jobs on behalf of a user: admission, cancellation, lookups and listing.

The gateway writes the job table only to create and to cancel jobs; the orchestrator owns every other transition.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from mathreel_gateway.errors import ActiveJobLimitReached, Conflict, JobNotFound
from mathreel_gateway.resources import GatewayResources
from mathreel_gateway.schemas import GenerateVideoRequest
from mathreel_shared.db import Job, UserAccount, is_sqlite, utcnow
from mathreel_shared.domain import ACTIVE_STATUSES, JobStatus, Priority, Stage
from mathreel_shared.eta import estimate_completion, stage_medians
from mathreel_shared.messages import JobCancelled, JobConfiguration, JobRequested
from mathreel_shared.outbox import enqueue

_ACTIVE = [status.value for status in ACTIVE_STATUSES]


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def _lock_user(session: AsyncSession, user_id: str) -> None:
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
    query = select(func.count()).select_from(Job).where(col(Job.user_id) == user_id, col(Job.status).in_(_ACTIVE))
    return int((await session.execute(query)).scalar_one())


async def admit_job(
    resources: GatewayResources, *, user_id: str, request: GenerateVideoRequest, max_active_jobs: int
) -> Job:
    """Create a job and its ``JobRequested`` message in one transaction, unless the user has too many active jobs.

    Raises ``ActiveJobLimitReached`` when ``max_active_jobs`` jobs of the user are already queued or processing.
    """
    configuration = request.configuration
    # Read the measurements before taking the lock, so the lock is held only for the count and the insert.
    async with resources.sessionmaker() as session:
        medians = await stage_medians(session, configuration.quality)
    async with contextlib.AsyncExitStack() as stack:
        if is_sqlite(resources.engine):
            # SQLite has no row locks; in one process a per-user lock keeps admissions from queueing on the file lock.
            await stack.enter_async_context(resources.admission_locks.for_user(user_id))
        async with resources.sessionmaker() as session, session.begin():
            await _lock_user(session, user_id)
            if await count_active_jobs(session, user_id) >= max_active_jobs:
                raise ActiveJobLimitReached(max_active_jobs)
            now = utcnow()
            job = Job(
                user_id=user_id,
                topic=configuration.topic,
                context=configuration.context,
                quality=configuration.quality.value,
                use_rag=configuration.use_rag,
                use_context_learning=configuration.use_context_learning,
                priority=request.priority.value,
                status=JobStatus.QUEUED,
                stage=Stage.INITIALIZING,
                percentage=0.0,
                estimated_completion_at=estimate_completion(medians, Stage.INITIALIZING, None, now),
                created_at=now,
                updated_at=now,
            )
            session.add(job)
            enqueue(
                session,
                JobRequested(
                    job_id=job.id,
                    user_id=user_id,
                    priority=request.priority,
                    configuration=JobConfiguration(**configuration.model_dump()),
                ),
            )
    resources.relay.notify()
    return job


async def cancel_job(resources: GatewayResources, *, job_id: UUID, user_id: str) -> Job:
    """Cancel a queued or processing job and broadcast ``JobCancelled``; a cancelled job is returned as it is.

    Raises ``JobNotFound`` for unknown jobs and jobs of others, ``Conflict`` for completed or failed jobs.
    """
    async with resources.sessionmaker() as session, session.begin():
        # A conditional UPDATE, so a job that the orchestrator completes at the same moment is never un-completed.
        result = cast(
            "CursorResult[Any]",
            await session.execute(
                update(Job)
                .where(col(Job.id) == job_id, col(Job.user_id) == user_id, col(Job.status).in_(_ACTIVE))
                .values(status=JobStatus.CANCELLED.value, updated_at=utcnow(), estimated_completion_at=None)
            ),
        )
        changed = result.rowcount == 1
        job = (
            await session.execute(
                select(Job)
                .where(col(Job.id) == job_id, col(Job.user_id) == user_id)
                .execution_options(populate_existing=True)
            )
        ).scalar_one_or_none()
        if job is None:
            raise JobNotFound()
        if changed:
            enqueue(session, JobCancelled(job_id=job.id, user_id=user_id, priority=Priority.HIGH))
        elif job.status != JobStatus.CANCELLED.value:
            raise Conflict(
                f"Job cannot be cancelled. Current status: {job.status}",
                status=job.status,
                progress=float(job.percentage),
                current_stage=job.stage,
            )
    if changed:
        resources.relay.notify()
    return job


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


def require_completed(job: Job) -> None:
    """Raise the contract's 409 unless the job is completed."""
    status = JobStatus(job.status)
    if status is JobStatus.COMPLETED:
        return
    if status is JobStatus.FAILED:
        detail = "Job failed and has no video. Current status: failed"
    elif status is JobStatus.CANCELLED:
        detail = "Job was cancelled and has no video. Current status: cancelled"
    else:
        detail = f"Job is not completed yet. Current status: {status.value}"
    raise Conflict(detail, status=status.value, progress=float(job.percentage), current_stage=job.stage)
