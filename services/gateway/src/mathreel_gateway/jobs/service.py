"""The rules of the job API: admission under the active-jobs limit, cancellation, and what a completed job is.

The gateway writes the job table only to create and to cancel jobs; the orchestrator owns every other transition.
"""

from __future__ import annotations

import contextlib
import re
from itertools import islice
from typing import Any, cast
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy import CursorResult, update
from sqlmodel import col

from mathreel_gateway.errors import ActiveJobLimitReached, Conflict, UnprocessableStoryboard
from mathreel_gateway.jobs import idempotency
from mathreel_gateway.jobs.repository import ACTIVE, count_active_jobs, get_job_for_user, lock_user
from mathreel_gateway.jobs.schemas import GenerateVideoRequest, ReviseVideoRequest, job_created
from mathreel_gateway.resources import GatewayResources
from mathreel_scenelang.checks import path_of, storyboard_problems
from mathreel_scenelang.storyboard import Storyboard
from mathreel_shared.db import Job, is_sqlite, retry_on_conflict, utcnow
from mathreel_shared.domain import JobStatus, Priority, Quality, Stage
from mathreel_shared.eta import estimate_completion, stage_medians
from mathreel_shared.events import record_job_event, refresh_queue_positions
from mathreel_shared.keys import given_storyboard_key
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
    configuration = JobConfiguration(**request.configuration.model_dump())
    return await _admit(
        resources,
        user_id=user_id,
        configuration=configuration,
        priority=request.priority,
        max_active_jobs=max_active_jobs,
        idempotency_key=idempotency_key,
    )


async def admit_revision(
    resources: GatewayResources,
    *,
    user_id: str,
    original: Job,
    request: ReviseVideoRequest,
    max_active_jobs: int,
) -> Job:
    """Create a job that renders ``request.storyboard``, once it passes ``check_storyboard``, instead of ``original``'s.

    The revision keeps the original's topic and context (what the video is about, shown in lists; it plans nothing
    from them), takes the request's quality or else the original's, and records ``revision_of``. The same
    active-jobs limit as ``admit_job`` applies. Raises ``Conflict`` when the original has no storyboard yet.
    """
    if not original.storyboard_key:
        raise _not_ready(original, "Job has no storyboard to revise yet")
    storyboard = check_storyboard(request.storyboard)
    configuration = JobConfiguration(
        topic=original.topic,
        context=original.context,
        quality=request.quality or Quality(original.quality),
        use_rag=original.use_rag,
        use_context_learning=original.use_context_learning,
    )
    return await _admit(
        resources,
        user_id=user_id,
        configuration=configuration,
        priority=request.priority,
        max_active_jobs=max_active_jobs,
        revision_of=original.id,
        storyboard=storyboard,
    )


async def admit_storyboard(
    resources: GatewayResources,
    *,
    user_id: str,
    storyboard: Storyboard,
    quality: Quality,
    priority: Priority = Priority.NORMAL,
    max_active_jobs: int,
) -> Job:
    """Create a job that renders a given storyboard with no original (``mathreel render``); its title is the topic."""
    configuration = JobConfiguration(topic=storyboard.title, context=storyboard.title, quality=quality)
    return await _admit(
        resources,
        user_id=user_id,
        configuration=configuration,
        priority=priority,
        max_active_jobs=max_active_jobs,
        storyboard=storyboard,
    )


def check_storyboard(raw: dict[str, Any]) -> Storyboard:
    """The storyboard, if it passes the checks a model's storyboard passes before its preflight: the schema, the
    LaTeX allowlist and plot expressions. ``UnprocessableStoryboard`` names the path of every problem otherwise."""
    try:
        storyboard = Storyboard.model_validate(raw)
    except ValidationError as exc:
        raise UnprocessableStoryboard(
            [
                {
                    "type": error["type"],
                    "loc": ["body", "storyboard", *error["loc"]],
                    "msg": error["msg"],
                    "path": _storyboard_path(error["loc"]),
                }
                for error in exc.errors(include_url=False, include_input=False)[:MAX_STORYBOARD_PROBLEMS]
            ]
        ) from exc
    problems = list(islice(storyboard_problems(storyboard), MAX_STORYBOARD_PROBLEMS))
    if problems:
        raise UnprocessableStoryboard(
            [
                {
                    "type": "storyboard_check",
                    "loc": ["body", "storyboard", *_loc_of(problem.path)],
                    "msg": problem.message,
                    "path": f"storyboard.{problem.path}",
                }
                for problem in problems
            ]
        )
    return storyboard


# At most this many problems are listed: enough to fix a storyboard, never a body as large as the one sent.
MAX_STORYBOARD_PROBLEMS = 20
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _storyboard_path(loc: tuple[int | str, ...]) -> str:
    path = path_of(loc)
    return f"storyboard.{path}" if path else "storyboard"


def _loc_of(path: str) -> list[int | str]:
    """``scenes[2].beats[0].latex`` → ``["scenes", 2, "beats", 0, "latex"]`` (FastAPI's ``loc`` form)."""
    return [name if name else int(index) for name, index in _PATH_PART.findall(path)]


async def _admit(
    resources: GatewayResources,
    *,
    user_id: str,
    configuration: JobConfiguration,
    priority: Priority,
    max_active_jobs: int,
    revision_of: UUID | None = None,
    storyboard: Storyboard | None = None,
    idempotency_key: str | None = None,
) -> Job:
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
                priority=priority.value,
                status=JobStatus.QUEUED,
                stage=Stage.INITIALIZING,
                percentage=0.0,
                estimated_completion_at=estimate_completion(medians, Stage.INITIALIZING, None, now),
                created_at=now,
                updated_at=now,
                revision_of=revision_of,
            )
            if storyboard is not None:
                # Stored before the commit: a failed write rolls the job back; a failed commit leaves an object
                # no job names, never a job without its storyboard.
                key = given_storyboard_key(user_id, job.id)
                await resources.store.put_bytes(key, storyboard.model_dump_json().encode(), "application/json")
                job.details = {"given_storyboard_key": key}
            session.add(job)
            enqueue(
                session,
                JobRequested(job_id=job.id, user_id=user_id, priority=priority, configuration=configuration),
            )
            await record_job_event(session, job)
            if idempotency_key is not None:
                body = job_created(job).model_dump_json()
                await idempotency.complete(session, user_id=user_id, key=idempotency_key, job_id=job.id, body=body)
    resources.relay.notify()
    return job


async def cancel_job(resources: GatewayResources, *, job_id: UUID, user_id: str) -> Job:
    """Cancel a queued or processing job and broadcast ``JobCancelled``; a cancelled job is returned as it is.

    Raises ``JobNotFound`` for unknown jobs and jobs of others, ``Conflict`` for completed or failed jobs. The
    transaction runs again when PostgreSQL rolls it back for a deadlock with the orchestrator (``retry_on_conflict``).
    """

    async def attempt() -> tuple[Job, bool]:
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
                # It may have been queued: the user's other queued jobs move up (mathreel_shared.events). This locks
                # their rows after the cancelled one's, the orchestrator starting one of them locks in the other
                # order: the deadlock PostgreSQL may answer with is retried.
                await refresh_queue_positions(session, user_id, left=job.id)
                await enqueue_webhook_deliveries(session, job)
            elif job.status != JobStatus.CANCELLED.value:
                raise _not_ready(job, "Job cannot be cancelled")
        return job, changed

    job, changed = await retry_on_conflict(attempt)
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


def require_storyboard(job: Job) -> str:
    """The key of the job's storyboard; the contract's 409 while the script stage has not written it."""
    if not job.storyboard_key:
        raise _not_ready(job, "Job has no storyboard yet")
    return job.storyboard_key


def _not_ready(job: Job, reason: str) -> Conflict:
    status = JobStatus(job.status)
    return Conflict(
        f"{reason}. Current status: {status.value}",
        status=status.value,
        progress=float(job.percentage),
        current_stage=job.stage,
    )
