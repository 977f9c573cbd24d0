"""Job events: each change of a job's status, stage or percentage (and queue position while queued), recorded in the
transaction of the change and published after it commits.

``record_job_event`` numbers the event (``job.event_seq``, incremented by an atomic UPDATE, so the numbers of one
job are gap-free and monotone whoever writes), stores its body in ``job_event`` (what an SSE client resumes from with
``Last-Event-ID``) and adds a ``JobStatusChanged`` to the outbox (what every gateway replica relays to the user's
live connections). A rolled-back change records nothing and publishes nothing.

Queue positions. A queued job's position is 1 + the queued jobs ahead of it (higher priority first, then older first,
the order the orchestrator's priority queue takes them in). It is computed when the job's own event is recorded; when
a job leaves the queue (it starts or is cancelled), the positions of the same user's other queued jobs are recomputed
and published (``refresh_queue_positions``): at most ``max_active_jobs_per_user`` - 1 events, instead of one for
every queued job in the system. Other users' jobs learn their new position with their next event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from mathreel_shared.db import Job, JobEvent, utcnow
from mathreel_shared.domain import TERMINAL_STATUSES, JobStatus, Priority
from mathreel_shared.messages import JobStatusChanged
from mathreel_shared.outbox import enqueue
from mathreel_shared.status import event_body

# The order the orchestrator's queue serves priorities in (broker priority), as a SQL expression on ``job.priority``.
_PRIORITY_RANK = case(
    {priority.value: priority.broker_priority for priority in Priority}, value=col(Job.priority), else_=0
)


def status_fingerprint(job: Job) -> tuple[str, str, float]:
    """What a job event is about: a change of any of these is an event (the ETA alone is not)."""
    return (JobStatus(job.status).value, str(job.stage), round(float(job.percentage), 1))


async def queue_position(session: AsyncSession, job: Job) -> int | None:
    """1 + the queued jobs the orchestrator takes before ``job``; None unless ``job`` is queued."""
    if JobStatus(job.status) is not JobStatus.QUEUED:
        return None
    rank = Priority(job.priority).broker_priority
    ahead = (
        select(func.count())
        .select_from(Job)
        .where(
            col(Job.status) == JobStatus.QUEUED.value,
            col(Job.id) != job.id,
            or_(
                _PRIORITY_RANK > rank,
                and_(
                    _PRIORITY_RANK == rank,
                    or_(
                        col(Job.created_at) < job.created_at,
                        and_(col(Job.created_at) == job.created_at, col(Job.id) < job.id),
                    ),
                ),
            ),
        )
    )
    return int((await session.execute(ahead)).scalar_one()) + 1


async def record_job_event(session: AsyncSession, job: Job) -> JobStatusChanged:
    """Record ``job``'s current status body as its next event and queue it for publication after the commit."""
    seq = int(
        (
            await session.execute(
                update(Job)
                .where(col(Job.id) == job.id)
                .values(event_seq=col(Job.event_seq) + 1)
                .returning(col(Job.event_seq)),
                execution_options={"synchronize_session": False},
            )
        ).scalar_one()
    )
    body = event_body(job, await queue_position(session, job))
    session.add(JobEvent(job_id=job.id, seq=seq, body=body, created_at=utcnow()))
    event = JobStatusChanged(job_id=job.id, user_id=job.user_id, priority=Priority(job.priority), seq=seq, status=body)
    enqueue(session, event, headers={"user_id": job.user_id})
    return event


async def refresh_queue_positions(session: AsyncSession, user_id: str, *, left: UUID) -> int:
    """After job ``left`` left the queue: an event with the new position for each other queued job of the user."""
    queued = (
        (
            await session.execute(
                select(Job).where(
                    col(Job.user_id) == user_id, col(Job.status) == JobStatus.QUEUED.value, col(Job.id) != left
                )
            )
        )
        .scalars()
        .all()
    )
    for job in queued:
        await record_job_event(session, job)
    return len(queued)


async def events_after(session: AsyncSession, job_id: UUID, after: int, *, limit: int = 1000) -> Sequence[JobEvent]:
    """The stored events of ``job_id`` numbered above ``after``, oldest first."""
    query = (
        select(JobEvent)
        .where(col(JobEvent.job_id) == job_id, col(JobEvent.seq) > after)
        .order_by(col(JobEvent.seq))
        .limit(limit)
    )
    return (await session.execute(query)).scalars().all()


async def prune_job_events(session: AsyncSession, before: datetime) -> None:
    """Drop the events of finished jobs recorded before ``before``: a finished job's stream is one event long."""
    finished = select(col(Job.id)).where(col(Job.status).in_([status.value for status in TERMINAL_STATUSES]))
    await session.execute(delete(JobEvent).where(col(JobEvent.created_at) < before, col(JobEvent.job_id).in_(finished)))
