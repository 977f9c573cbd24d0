"""The per-job resource report: the workers' figures summed once per scene into the stage records, and the
``resources`` object written when the job completes; and the given storyboard of a revision reaching the script."""

from __future__ import annotations

from uuid import uuid4

from prometheus_client import REGISTRY

from mathreel_orchestrator.service import Orchestrator
from mathreel_shared.bus import Delivery
from mathreel_shared.db import StageRun
from mathreel_shared.domain import Quality, Stage
from mathreel_shared.messages import (
    JobConfiguration,
    JobRequested,
    RenderCompleted,
    ScriptCompleted,
    ScriptRequested,
    StageProgress,
    TtsCompleted,
    VideoMetadata,
    VisualsCompleted,
)


def _metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_the_report_sums_each_scene_once_and_lands_in_the_status_details(sessionmaker, jobs) -> None:
    orchestrator = Orchestrator(sessionmaker)
    job = await jobs.new()
    env = jobs.envelope(job)
    cpu_before = _metric("mathreel_stage_cpu_seconds_total", stage="generating_visuals")
    hits_before = _metric("mathreel_stage_cache_results_total", stage="generating_visuals", cache="hit")
    config = JobConfiguration(topic=job.topic, context=job.context, quality=Quality.LOW)
    await orchestrator.handle(JobRequested(**env, configuration=config), Delivery())
    script = ScriptCompleted(
        **env, storyboard_key="k", scene_count=2, title="T", cpu_seconds=0.5, bytes_stored=1000, cache=None
    )
    await orchestrator.handle(script, Delivery())
    for index in (0, 1):
        await orchestrator.handle(
            TtsCompleted(
                **env,
                scene_index=index,
                audio_key=f"a{index}",
                timing=jobs.timing(index),
                cpu_seconds=1.0,
                bytes_stored=200,
                cache="miss",
            ),
            Delivery(),
        )
    first = VisualsCompleted(
        **env, scene_index=0, clip_key="c0", duration=2.0, cpu_seconds=3.0, bytes_stored=5000, cache="hit"
    )
    await orchestrator.handle(first, Delivery())
    # A duplicate result under a new message id: counted once, like the scene it reports.
    await orchestrator.handle(first.model_copy(update={"message_id": uuid4()}), Delivery())
    await orchestrator.handle(
        VisualsCompleted(
            **env, scene_index=1, clip_key="c1", duration=2.0, cpu_seconds=4.0, bytes_stored=6000, cache="miss"
        ),
        Delivery(),
    )
    await orchestrator.handle(StageProgress(**env, stage=Stage.UPLOADING, fraction=0.0), Delivery())
    metadata = VideoMetadata(
        duration=4.0, width=854, height=480, fps=15, file_size=1000, video_codec="h264", audio_codec="aac"
    )
    await orchestrator.handle(
        RenderCompleted(**env, video_key="v", thumbnail_key="t", metadata=metadata, cpu_seconds=2.5, bytes_stored=9000),
        Delivery(),
    )

    async with sessionmaker() as session:
        visuals = await session.get(StageRun, (job.id, "generating_visuals"))
        assert visuals is not None
        assert (visuals.cpu_seconds, visuals.bytes_stored, visuals.cache_hits, visuals.cache_misses) == (
            7.0,
            11000,
            1,
            1,
        )
    report = (await jobs.get(job.id)).details["resources"]
    stages = report["stages"]
    assert list(stages) == [
        "initializing",
        "generating_script",
        "generating_audio",
        "generating_visuals",
        "rendering",
        "uploading",
    ]
    assert stages["generating_script"]["cpu_seconds"] == 0.5
    assert stages["generating_audio"] == {**stages["generating_audio"], "cpu_seconds": 2.0, "cache_misses": 2}
    assert stages["rendering"]["cpu_seconds"] == 2.5
    assert stages["uploading"]["cpu_seconds"] is None
    assert all(stage["wall_seconds"] is not None and stage["wall_seconds"] >= 0 for stage in stages.values())
    assert (report["cpu_seconds"], report["bytes_stored"]) == (12.0, 1000 + 400 + 11000 + 9000)
    assert (report["cache_hits"], report["cache_misses"]) == (1, 3)
    assert report["wall_seconds"] >= sum(stage["wall_seconds"] for stage in stages.values()) - 0.01
    assert _metric("mathreel_stage_cpu_seconds_total", stage="generating_visuals") == cpu_before + 7.0
    assert _metric("mathreel_stage_cache_results_total", stage="generating_visuals", cache="hit") == hits_before + 1


async def test_a_revision_s_script_stage_is_sent_the_given_storyboard(sessionmaker, jobs) -> None:
    orchestrator = Orchestrator(sessionmaker)
    job = await jobs.new()
    async with sessionmaker() as session, session.begin():
        stored = await session.get(type(job), job.id)
        assert stored is not None
        stored.details = {"given_storyboard_key": "users/u/jobs/x/storyboard.given.json"}
    config = JobConfiguration(topic=job.topic, context=job.context)
    await orchestrator.handle(JobRequested(**jobs.envelope(job), configuration=config), Delivery())
    sent = await jobs.drain_outbox()
    assert len(sent) == 1
    assert isinstance(sent[0], ScriptRequested)
    assert sent[0].given_storyboard_key == "users/u/jobs/x/storyboard.given.json"
