"""The watchdog on a real (SQLite) database: a silent stage is re-driven once, then its job fails."""

from __future__ import annotations

from datetime import timedelta

from mathreel_orchestrator.service import Orchestrator
from mathreel_orchestrator.watchdog import Watchdog
from mathreel_shared.bus import Delivery, MemoryBus
from mathreel_shared.messages import JobConfiguration, JobRequested, ScriptCompleted, TtsCompleted


async def test_watchdog_redrives_a_silent_stage_once_then_fails_the_job(sessionmaker, jobs) -> None:
    orchestrator = Orchestrator(sessionmaker)
    job = await jobs.new()
    config = JobConfiguration(topic=job.topic, context=job.context)
    await orchestrator.handle(JobRequested(**jobs.envelope(job), configuration=config), Delivery())
    await orchestrator.handle(
        ScriptCompleted(**jobs.envelope(job), storyboard_key="k", scene_count=3, title="t"), Delivery()
    )
    await orchestrator.handle(
        TtsCompleted(**jobs.envelope(job), scene_index=1, audio_key="a1", timing=jobs.timing(1)), Delivery()
    )
    await jobs.drain_outbox()
    watchdog = Watchdog(orchestrator, MemoryBus(), min_silence=60, interval=1)

    start = (await jobs.get(job.id)).updated_at
    assert await watchdog.sweep(now=start + timedelta(seconds=30)) == {}

    assert await watchdog.sweep(now=start + timedelta(seconds=120)) == {job.id: "redriven"}
    resent = await jobs.drain_outbox()
    # Only the scenes without audio are asked for again, as a second attempt, and the visuals of the scene whose
    # narration is measured but whose clip is missing (its request went out with the narration).
    assert sorted((m.type, m.scene_index, m.attempt) for m in resent) == [
        ("stage.tts.requested", 0, 2),
        ("stage.tts.requested", 2, 2),
        ("stage.visuals.requested", 1, 2),
    ]
    assert await watchdog.sweep(now=start + timedelta(seconds=150)) == {}

    assert await watchdog.sweep(now=start + timedelta(seconds=400)) == {job.id: "failed"}
    failed = await jobs.get(job.id)
    assert (failed.status, failed.error_code, failed.error_stage) == ("failed", "stage_timeout", "generating_audio")
    assert await jobs.drain_outbox() == []
