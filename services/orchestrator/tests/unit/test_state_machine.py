"""The orchestrator's job lifecycle on a real (SQLite) database, message by message."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import pytest
from sqlmodel import col, select

from mathreel_orchestrator.migrate import upgrade
from mathreel_orchestrator.service import Orchestrator
from mathreel_shared.bus import Delivery
from mathreel_shared.db import Job, OutboxMessage, create_engine, create_sessionmaker
from mathreel_shared.domain import Quality, Stage
from mathreel_shared.messages import (
    JobConfiguration,
    JobRequested,
    RenderCompleted,
    ScriptCompleted,
    StageFailed,
    StageProgress,
    TtsCompleted,
    VideoMetadata,
    VisualsCompleted,
    parse_message,
)
from mathreel_shared.timing import BeatTiming, SceneTiming

USER = "user_test"


@pytest.fixture
async def sessionmaker(tmp_path: Path):
    url = f"sqlite+aiosqlite:///{tmp_path}/orchestrator.db"
    await upgrade(url)
    engine = create_engine(url)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def _new_job(sessionmaker, quality: str = "low") -> Job:
    job = Job(user_id=USER, topic="Pythagorean theorem", context="right triangles", quality=quality)
    async with sessionmaker() as session, session.begin():
        session.add(job)
    return job


async def _job(sessionmaker, job_id) -> Job:
    async with sessionmaker() as session:
        job = await session.get(Job, job_id)
        assert job is not None
        return job


async def _drain_outbox(sessionmaker) -> list:
    async with sessionmaker() as session, session.begin():
        rows = (
            (await session.execute(select(OutboxMessage).where(col(OutboxMessage.published_at).is_(None))))
            .scalars()
            .all()
        )
        for row in rows:
            await session.delete(row)
    return [parse_message(row.body) for row in rows]


def _timing(index: int) -> SceneTiming:
    return SceneTiming(scene_index=index, duration=2.0, beats=[BeatTiming(start=0.2, duration=1.5, text="Hi.")])


def _envelope(job: Job) -> dict:
    return {"job_id": job.id, "user_id": USER}


async def test_full_lifecycle_fans_out_and_in_once(sessionmaker) -> None:
    orchestrator = Orchestrator(sessionmaker)
    job = await _new_job(sessionmaker)
    config = JobConfiguration(topic=job.topic, context=job.context, quality=Quality.LOW)

    await orchestrator.handle(JobRequested(**_envelope(job), configuration=config), Delivery())
    sent = await _drain_outbox(sessionmaker)
    assert [m.type for m in sent] == ["stage.script.requested"]
    state = await _job(sessionmaker, job.id)
    assert (state.status, state.stage) == ("processing", "generating_script")
    assert state.estimated_completion_at is not None

    await orchestrator.handle(
        ScriptCompleted(**_envelope(job), storyboard_key="k/storyboard.json", scene_count=2, title="Pythagoras"),
        Delivery(),
    )
    sent = await _drain_outbox(sessionmaker)
    assert sorted((m.type, m.scene_index) for m in sent) == [("stage.tts.requested", 0), ("stage.tts.requested", 1)]

    first = TtsCompleted(**_envelope(job), scene_index=0, audio_key="a0", timing=_timing(0))
    await orchestrator.handle(first, Delivery())
    await orchestrator.handle(first, Delivery())  # the same message redelivered
    await orchestrator.handle(  # a duplicate result with a new message id
        TtsCompleted(**_envelope(job), scene_index=0, audio_key="a0", timing=_timing(0)), Delivery()
    )
    assert await _drain_outbox(sessionmaker) == []
    await orchestrator.handle(
        TtsCompleted(**_envelope(job), scene_index=1, audio_key="a1", timing=_timing(1)), Delivery()
    )
    sent = await _drain_outbox(sessionmaker)
    assert sorted((m.type, m.scene_index) for m in sent) == [
        ("stage.visuals.requested", 0),
        ("stage.visuals.requested", 1),
    ]
    assert orchestrator.duplicates == 1

    for index in (1, 0):
        await orchestrator.handle(
            VisualsCompleted(**_envelope(job), scene_index=index, clip_key=f"c{index}", duration=2.0), Delivery()
        )
    sent = await _drain_outbox(sessionmaker)
    assert [m.type for m in sent] == ["stage.render.requested"]
    render = sent[0]
    assert render.clip_keys == ["c0", "c1"]
    assert render.audio_keys == ["a0", "a1"]

    await orchestrator.handle(StageProgress(**_envelope(job), stage=Stage.UPLOADING, fraction=0.0), Delivery())
    assert (await _job(sessionmaker, job.id)).stage == "uploading"
    metadata = VideoMetadata(
        duration=4.0, width=854, height=480, fps=15, file_size=1000, video_codec="h264", audio_codec="aac"
    )
    await orchestrator.handle(
        RenderCompleted(**_envelope(job), video_key="v", thumbnail_key="t", metadata=metadata), Delivery()
    )
    done = await _job(sessionmaker, job.id)
    assert (done.status, done.stage, done.percentage) == ("completed", "completed", 100.0)
    assert (done.width, done.height, done.duration_seconds) == (854, 480, 4.0)


async def test_progress_never_goes_backwards(sessionmaker) -> None:
    orchestrator = Orchestrator(sessionmaker)
    job = await _new_job(sessionmaker)
    config = JobConfiguration(topic=job.topic, context=job.context)
    await orchestrator.handle(JobRequested(**_envelope(job), configuration=config), Delivery())
    await orchestrator.handle(StageProgress(**_envelope(job), stage=Stage.GENERATING_SCRIPT, fraction=0.9), Delivery())
    high = (await _job(sessionmaker, job.id)).percentage
    await orchestrator.handle(StageProgress(**_envelope(job), stage=Stage.GENERATING_SCRIPT, fraction=0.1), Delivery())
    assert (await _job(sessionmaker, job.id)).percentage == high
    assert high > 2.0


async def test_failure_records_reason_and_later_events_are_ignored(sessionmaker) -> None:
    orchestrator = Orchestrator(sessionmaker)
    job = await _new_job(sessionmaker)
    config = JobConfiguration(topic=job.topic, context=job.context)
    await orchestrator.handle(JobRequested(**_envelope(job), configuration=config), Delivery())
    await _drain_outbox(sessionmaker)
    await orchestrator.handle(
        StageFailed(
            **_envelope(job), stage=Stage.GENERATING_SCRIPT, code="latex_rejected", message="\\input is not allowed"
        ),
        Delivery(),
    )
    await orchestrator.handle(
        ScriptCompleted(**_envelope(job), storyboard_key="k", scene_count=4, title="late"), Delivery()
    )
    failed = await _job(sessionmaker, job.id)
    assert failed.status == "failed"
    assert (failed.error_code, failed.error_stage) == ("latex_rejected", "generating_script")
    assert failed.error_message == "\\input is not allowed"
    assert await _drain_outbox(sessionmaker) == []


async def test_unknown_job_is_dead_lettered(sessionmaker) -> None:
    from mathreel_shared.bus import PermanentMessageError

    orchestrator = Orchestrator(sessionmaker)
    config = JobConfiguration(topic="t", context="c")
    with pytest.raises(PermanentMessageError):
        await orchestrator.handle(JobRequested(job_id=uuid4(), user_id=USER, configuration=config), Delivery())


async def test_watchdog_redrives_a_silent_stage_once_then_fails_the_job(sessionmaker) -> None:
    from datetime import timedelta

    from mathreel_orchestrator.service import Watchdog
    from mathreel_shared.bus import MemoryBus

    orchestrator = Orchestrator(sessionmaker)
    job = await _new_job(sessionmaker)
    config = JobConfiguration(topic=job.topic, context=job.context)
    await orchestrator.handle(JobRequested(**_envelope(job), configuration=config), Delivery())
    await orchestrator.handle(
        ScriptCompleted(**_envelope(job), storyboard_key="k", scene_count=3, title="t"), Delivery()
    )
    await orchestrator.handle(
        TtsCompleted(**_envelope(job), scene_index=1, audio_key="a1", timing=_timing(1)), Delivery()
    )
    await _drain_outbox(sessionmaker)
    watchdog = Watchdog(orchestrator, MemoryBus(), min_silence=60, interval=1)

    start = (await _job(sessionmaker, job.id)).updated_at
    assert await watchdog.sweep(now=start + timedelta(seconds=30)) == {}

    assert await watchdog.sweep(now=start + timedelta(seconds=120)) == {job.id: "redriven"}
    resent = await _drain_outbox(sessionmaker)
    # Only the scenes without audio are asked for again, as a second attempt.
    assert sorted((m.type, m.scene_index, m.attempt) for m in resent) == [
        ("stage.tts.requested", 0, 2),
        ("stage.tts.requested", 2, 2),
    ]
    assert await watchdog.sweep(now=start + timedelta(seconds=150)) == {}

    assert await watchdog.sweep(now=start + timedelta(seconds=400)) == {job.id: "failed"}
    failed = await _job(sessionmaker, job.id)
    assert (failed.status, failed.error_code, failed.error_stage) == ("failed", "stage_timeout", "generating_audio")
    assert await _drain_outbox(sessionmaker) == []
