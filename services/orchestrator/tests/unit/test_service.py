"""The orchestrator's job lifecycle on a real (SQLite) database, message by message."""

from __future__ import annotations

from uuid import uuid4

import pytest

from mathreel_orchestrator.service import Orchestrator
from mathreel_shared.bus import Delivery
from mathreel_shared.domain import Quality, Stage, stage_percentage
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
)

USER = "user_test"


async def test_full_lifecycle_fans_out_and_in_once(sessionmaker, jobs) -> None:
    orchestrator = Orchestrator(sessionmaker)
    job = await jobs.new()
    config = JobConfiguration(topic=job.topic, context=job.context, quality=Quality.LOW)

    await orchestrator.handle(JobRequested(**jobs.envelope(job), configuration=config), Delivery())
    sent = await jobs.drain_outbox()
    assert [m.type for m in sent] == ["stage.script.requested"]
    state = await jobs.get(job.id)
    assert (state.status, state.stage) == ("processing", "generating_script")
    assert state.estimated_completion_at is not None

    await orchestrator.handle(
        ScriptCompleted(**jobs.envelope(job), storyboard_key="k/storyboard.json", scene_count=2, title="Pythagoras"),
        Delivery(),
    )
    sent = await jobs.drain_outbox()
    assert sorted((m.type, m.scene_index) for m in sent) == [("stage.tts.requested", 0), ("stage.tts.requested", 1)]

    first = TtsCompleted(**jobs.envelope(job), scene_index=0, audio_key="a0", timing=jobs.timing(0))
    await orchestrator.handle(first, Delivery())
    await orchestrator.handle(first, Delivery())  # the same message redelivered
    await orchestrator.handle(  # a duplicate result with a new message id
        TtsCompleted(**jobs.envelope(job), scene_index=0, audio_key="a0", timing=jobs.timing(0)), Delivery()
    )
    # Scene 0's visuals are asked for once, as soon as its narration is measured.
    assert [(m.type, m.scene_index) for m in await jobs.drain_outbox()] == [("stage.visuals.requested", 0)]
    await orchestrator.handle(
        TtsCompleted(**jobs.envelope(job), scene_index=1, audio_key="a1", timing=jobs.timing(1)), Delivery()
    )
    sent = await jobs.drain_outbox()
    assert [(m.type, m.scene_index) for m in sent] == [("stage.visuals.requested", 1)]
    assert (await jobs.get(job.id)).stage == "generating_visuals"
    assert orchestrator.duplicates == 1

    for index in (1, 0):
        await orchestrator.handle(
            VisualsCompleted(**jobs.envelope(job), scene_index=index, clip_key=f"c{index}", duration=2.0), Delivery()
        )
    sent = await jobs.drain_outbox()
    assert [m.type for m in sent] == ["stage.render.requested"]
    render = sent[0]
    assert render.clip_keys == ["c0", "c1"]
    assert render.audio_keys == ["a0", "a1"]

    await orchestrator.handle(StageProgress(**jobs.envelope(job), stage=Stage.UPLOADING, fraction=0.0), Delivery())
    assert (await jobs.get(job.id)).stage == "uploading"
    metadata = VideoMetadata(
        duration=4.0, width=854, height=480, fps=15, file_size=1000, video_codec="h264", audio_codec="aac"
    )
    await orchestrator.handle(
        RenderCompleted(**jobs.envelope(job), video_key="v", thumbnail_key="t", metadata=metadata), Delivery()
    )
    done = await jobs.get(job.id)
    assert (done.status, done.stage, done.percentage) == ("completed", "completed", 100.0)
    assert (done.width, done.height, done.duration_seconds) == (854, 480, 4.0)


async def test_progress_never_goes_backwards(sessionmaker, jobs) -> None:
    orchestrator = Orchestrator(sessionmaker)
    job = await jobs.new()
    config = JobConfiguration(topic=job.topic, context=job.context)
    await orchestrator.handle(JobRequested(**jobs.envelope(job), configuration=config), Delivery())
    progress = StageProgress(**jobs.envelope(job), stage=Stage.GENERATING_SCRIPT, fraction=0.9)
    await orchestrator.handle(progress, Delivery())
    high = (await jobs.get(job.id)).percentage
    progress = StageProgress(**jobs.envelope(job), stage=Stage.GENERATING_SCRIPT, fraction=0.1)
    await orchestrator.handle(progress, Delivery())
    assert (await jobs.get(job.id)).percentage == high
    assert high > 2.0


async def test_failure_records_reason_and_later_events_are_ignored(sessionmaker, jobs) -> None:
    orchestrator = Orchestrator(sessionmaker)
    job = await jobs.new()
    config = JobConfiguration(topic=job.topic, context=job.context)
    await orchestrator.handle(JobRequested(**jobs.envelope(job), configuration=config), Delivery())
    await jobs.drain_outbox()
    await orchestrator.handle(
        StageFailed(
            **jobs.envelope(job), stage=Stage.GENERATING_SCRIPT, code="latex_rejected", message="\\input is not allowed"
        ),
        Delivery(),
    )
    await orchestrator.handle(
        ScriptCompleted(**jobs.envelope(job), storyboard_key="k", scene_count=4, title="late"), Delivery()
    )
    failed = await jobs.get(job.id)
    assert failed.status == "failed"
    assert (failed.error_code, failed.error_stage) == ("latex_rejected", "generating_script")
    assert failed.error_message == "\\input is not allowed"
    assert await jobs.drain_outbox() == []


async def test_unknown_job_is_dead_lettered(sessionmaker, jobs) -> None:
    from mathreel_shared.bus import PermanentMessageError

    orchestrator = Orchestrator(sessionmaker)
    config = JobConfiguration(topic="t", context="c")
    with pytest.raises(PermanentMessageError):
        await orchestrator.handle(JobRequested(job_id=uuid4(), user_id=USER, configuration=config), Delivery())


async def test_a_scenes_visuals_start_with_its_narration_not_after_the_fan_in(sessionmaker, jobs) -> None:
    orchestrator = Orchestrator(sessionmaker)
    job = await jobs.new()
    config = JobConfiguration(topic=job.topic, context=job.context, quality=Quality.LOW)
    await orchestrator.handle(JobRequested(**jobs.envelope(job), configuration=config), Delivery())
    await orchestrator.handle(
        ScriptCompleted(**jobs.envelope(job), storyboard_key="k/storyboard.json", scene_count=3, title="t"),
        Delivery(),
    )
    await jobs.drain_outbox()
    percentages = []

    await orchestrator.handle(
        TtsCompleted(**jobs.envelope(job), scene_index=2, audio_key="a2", timing=jobs.timing(2)), Delivery()
    )
    sent = await jobs.drain_outbox()
    assert [(m.type, m.scene_index, m.attempt) for m in sent] == [("stage.visuals.requested", 2, 1)]
    assert sent[0].timing == jobs.timing(2)
    state = await jobs.get(job.id)
    assert state.stage == "generating_audio"
    percentages.append(state.percentage)

    # Scene 2's clip is done before scene 0 is even spoken: recorded, and the job stays in generating_audio.
    await orchestrator.handle(
        VisualsCompleted(**jobs.envelope(job), scene_index=2, clip_key="c2", duration=2.0), Delivery()
    )
    await orchestrator.handle(
        StageProgress(**jobs.envelope(job), stage=Stage.GENERATING_VISUALS, fraction=0.5, scene_index=0),
        Delivery(),
    )
    state = await jobs.get(job.id)
    assert state.stage == "generating_audio"
    percentages.append(state.percentage)
    assert await jobs.drain_outbox() == []

    for index in (0, 1):
        await orchestrator.handle(
            TtsCompleted(**jobs.envelope(job), scene_index=index, audio_key=f"a{index}", timing=jobs.timing(index)),
            Delivery(),
        )
        sent = await jobs.drain_outbox()
        assert [(m.type, m.scene_index) for m in sent] == [("stage.visuals.requested", index)]
        percentages.append((await jobs.get(job.id)).percentage)
    state = await jobs.get(job.id)
    assert state.stage == "generating_visuals"
    # One clip of three was already in when the stage began.
    assert state.percentage == pytest.approx(stage_percentage(Stage.GENERATING_VISUALS, 1 / 3))

    await orchestrator.handle(
        VisualsCompleted(**jobs.envelope(job), scene_index=0, clip_key="c0", duration=2.0), Delivery()
    )
    percentages.append((await jobs.get(job.id)).percentage)
    assert await jobs.drain_outbox() == []
    await orchestrator.handle(
        VisualsCompleted(**jobs.envelope(job), scene_index=1, clip_key="c1", duration=2.0), Delivery()
    )
    sent = await jobs.drain_outbox()
    assert [m.type for m in sent] == ["stage.render.requested"]
    assert sent[0].clip_keys == ["c0", "c1", "c2"]
    assert sent[0].audio_keys == ["a0", "a1", "a2"]
    state = await jobs.get(job.id)
    assert state.stage == "rendering"
    percentages.append(state.percentage)
    # Never backwards; the early clip counts only once the visuals stage begins.
    assert percentages == sorted(percentages)
    assert percentages[1] == percentages[0] < percentages[2]
