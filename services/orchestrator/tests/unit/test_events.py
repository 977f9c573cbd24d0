"""Job events recorded by the orchestrator: one per change of status, stage or percentage, numbered per job, stored
and queued in the transaction of the change; queue positions refreshed when a job leaves the queue."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from mathreel_orchestrator.service import Orchestrator
from mathreel_shared.bus import Delivery
from mathreel_shared.db import JobEvent, utcnow
from mathreel_shared.domain import Quality, Stage
from mathreel_shared.events import prune_job_events
from mathreel_shared.messages import JobConfiguration, JobRequested, JobStatusChanged, StageFailed, StageProgress
from mathreel_shared.status import job_status


async def test_changes_become_numbered_events_and_the_queue_moves_up(sessionmaker, jobs) -> None:
    orchestrator = Orchestrator(sessionmaker)
    first, second, third = [await jobs.new() for _ in range(3)]
    config = JobConfiguration(topic=first.topic, context=first.context, quality=Quality.LOW)

    await orchestrator.handle(JobRequested(**jobs.envelope(first), configuration=config), Delivery())
    events = [e for e in await jobs.drain_outbox(events=True) if isinstance(e, JobStatusChanged)]
    by_job = {e.job_id: e for e in events}
    assert len(events) == 3
    started = by_job[first.id]
    assert started.seq == 1
    assert started.status == job_status(await jobs.get(first.id)).model_dump(mode="json")
    assert started.status["progress"]["current_stage"] == "generating_script"
    assert "queue_position" not in started.status
    # The user's other queued jobs moved up: 1 is next.
    assert by_job[second.id].status["queue_position"] == 1
    assert by_job[third.id].status["queue_position"] == 2

    # A progress report that moves the bar is an event; one that does not (the same percentage again) is not.
    progress = StageProgress(**jobs.envelope(first), stage=Stage.GENERATING_SCRIPT, fraction=0.5)
    await orchestrator.handle(progress, Delivery())
    again = StageProgress(**jobs.envelope(first), stage=Stage.GENERATING_SCRIPT, fraction=0.5)
    await orchestrator.handle(again, Delivery())
    later = await jobs.drain_outbox(events=True)
    assert [(e.job_id, e.seq) for e in later if isinstance(e, JobStatusChanged)] == [(first.id, 2)]

    # What was published is what is stored, for resuming.
    async with sessionmaker() as session:
        stored = (
            await session.execute(select(JobEvent).where(col(JobEvent.job_id) == first.id).order_by(col(JobEvent.seq)))
        ).scalars()
        assert [(row.seq, row.body["progress"]["percentage"]) for row in stored] == [(1, 2.0), (2, 6.0)]
    assert (await jobs.get(first.id)).event_seq == 2


async def test_events_of_finished_jobs_are_pruned_after_the_retention(sessionmaker, jobs) -> None:
    orchestrator = Orchestrator(sessionmaker)
    running, failing = await jobs.new(), await jobs.new()
    config = JobConfiguration(topic=running.topic, context=running.context, quality=Quality.LOW)
    for job in (running, failing):
        await orchestrator.handle(JobRequested(**jobs.envelope(job), configuration=config), Delivery())
    failed = StageFailed(**jobs.envelope(failing), stage=Stage.GENERATING_SCRIPT, code="llm_error", message="no")
    await orchestrator.handle(failed, Delivery())
    async with sessionmaker() as session, session.begin():
        await prune_job_events(session, utcnow() + timedelta(seconds=1))
    async with sessionmaker() as session:
        left = (await session.execute(select(col(JobEvent.job_id)))).scalars().all()
    # The finished job's events are gone; the running job's stay, to resume from.
    assert set(left) == {running.id}
