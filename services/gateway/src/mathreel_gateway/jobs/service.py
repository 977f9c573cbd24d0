"""The rules of the job API: admission under the active-jobs limit, cancellation, and what a completed job is.

The gateway writes the job table only to create and to cancel jobs; the orchestrator owns every other transition.
"""

from __future__ import annotations

import contextlib
from typing import Any, cast
from uuid import UUID

from sqlalchemy import CursorResult, update
from sqlmodel import col

from mathreel_gateway.errors import ActiveJobLimitReached, Conflict
from mathreel_gateway.jobs import idempotency
from mathreel_gateway.jobs.repository import ACTIVE, count_active_jobs, get_job_for_user, lock_user
from mathreel_gateway.jobs.schemas import GenerateVideoRequest, job_created
from mathreel_gateway.resources import GatewayResources
from mathreel_shared.db import Job, is_sqlite, utcnow
from mathreel_shared.domain import JobStatus, Priority, Stage
from mathreel_shared.eta import estimate_completion, stage_medians
from mathreel_shared.events import record_job_event, refresh_queue_positions
from mathreel_shared.messages import JobCancelled, JobConfiguration, JobRequested
from mathreel_shared.outbox import enqueue
from mathreel_shared.webhooks import enqueue_webhook_deliveries


async def admit_job(
    resources: GatewayResources,
    *,
    user_id: str,
    request: GenerateVideoRequest,
    max_active_jobs: int,
    idempotency_key: str | None = None,
) -> Job:
    """Create a job and its ``JobRequested`` message in one transaction, unless the user has too many active jobs.
    With ``idempotency_key`` (claimed by ``idempotency.claim``) the key's job and response are stored in it too.

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
            await lock_user(session, user_id)
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
            await record_job_event(session, job)
            if idempotency_key is not None:
                body = job_created(job).model_dump_json()
                await idempotency.complete(session, user_id=user_id, key=idempotency_key, job_id=job.id, body=body)
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
                .where(col(Job.id) == job_id, col(Job.user_id) == user_id, col(Job.status).in_(ACTIVE))
                .values(status=JobStatus.CANCELLED.value, updated_at=utcnow(), estimated_completion_at=None)
            ),
        )
        changed = result.rowcount == 1
        job = await get_job_for_user(session, job_id, user_id, refresh=True)
        if changed:
            enqueue(session, JobCancelled(job_id=job.id, user_id=user_id, priority=Priority.HIGH))
            await record_job_event(session, job)
            # It may have been queued: the user's other queued jobs move up (mathreel_shared.events).
            await refresh_queue_positions(session, user_id, left=job.id)
            await enqueue_webhook_deliveries(session, job)
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
