"""The per-job resource report: the workers' figures summed once per scene into the stage records, and the
``resources`` object written when the job completes; the given storyboard of a revision (and the original's, when
it rendered) reaching the script; the scenes' cache keys reaching the render stage."""

from __future__ import annotations

import json
from uuid import uuid4

from prometheus_client import REGISTRY

from mathreel_orchestrator.service import Orchestrator
from mathreel_shared.bus import Delivery
from mathreel_shared.db import Job, StageRun
from mathreel_shared.domain import JobStatus, Quality, Stage
from mathreel_shared.messages import (
    JobConfiguration,
    JobRequested,
    RenderCompleted,
    RenderRequested,
    ScriptCompleted,
    ScriptRequested,
    StageProgress,
    TtsCompleted,
    VideoMetadata,
    VisualsCompleted,
    parse_message,
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


async def _revision_of(sessionmaker, jobs, original_status: JobStatus, *, same_user: bool = True) -> ScriptRequested:
    """The script request of a revision whose original has ``original_status``."""
    original = await jobs.new()
    job = await jobs.new()
    async with sessionmaker() as session, session.begin():
        first = await session.get(Job, original.id)
        assert first is not None
        first.status = original_status
        first.storyboard_key = f"users/{first.user_id}/jobs/{first.id}/storyboard.json"
        if not same_user:
            first.user_id = "user_someone_else"
        stored = await session.get(Job, job.id)
        assert stored is not None
        stored.details = {"given_storyboard_key": "users/u/jobs/x/storyboard.given.json"}
        stored.revision_of = original.id
    config = JobConfiguration(topic=job.topic, context=job.context)
    await Orchestrator(sessionmaker).handle(JobRequested(**jobs.envelope(job), configuration=config), Delivery())
    (sent,) = await jobs.drain_outbox()
    assert isinstance(sent, ScriptRequested)
    return sent


async def test_a_revision_of_a_completed_job_names_the_storyboard_it_rendered(sessionmaker, jobs) -> None:
    sent = await _revision_of(sessionmaker, jobs, JobStatus.COMPLETED)
    assert sent.original_storyboard_key is not None
    assert sent.original_storyboard_key.endswith("/storyboard.json")
    # An original that did not complete may hold scenes that never rendered: the whole storyboard is checked.
    assert (await _revision_of(sessionmaker, jobs, JobStatus.FAILED)).original_storyboard_key is None
    assert (await _revision_of(sessionmaker, jobs, JobStatus.PROCESSING)).original_storyboard_key is None
    assert (
        await _revision_of(sessionmaker, jobs, JobStatus.COMPLETED, same_user=False)
    ).original_storyboard_key is None


async def _render_request(sessionmaker, jobs, *, keyed: tuple[bool, bool]) -> RenderRequested:
    """Drive a two-scene job to its render request; ``keyed`` says whether narration and clips carry cache keys."""
    orchestrator = Orchestrator(sessionmaker)
    job = await jobs.new()
    env = jobs.envelope(job)
    config = JobConfiguration(topic=job.topic, context=job.context, quality=Quality.LOW)
    await orchestrator.handle(JobRequested(**env, configuration=config), Delivery())
    await orchestrator.handle(ScriptCompleted(**env, storyboard_key="k", scene_count=2, title="T"), Delivery())
    for index in (0, 1):
        key = {"cache_key": f"speech{index}"} if keyed[0] else {}
        tts = TtsCompleted(**env, scene_index=index, audio_key=f"a{index}", timing=jobs.timing(index), **key)
        await orchestrator.handle(tts, Delivery())
    for index in (0, 1):
        # An older visuals worker sends no key for the second scene when ``keyed[1]`` is off.
        key = {"cache_key": f"scene{index}"} if keyed[1] or index == 0 else {}
        clip = VisualsCompleted(**env, scene_index=index, clip_key=f"c{index}", duration=2.0, **key)
        await orchestrator.handle(clip, Delivery())
    (sent,) = [message for message in await jobs.drain_outbox() if isinstance(message, RenderRequested)]
    return sent


async def test_the_render_request_carries_every_scene_s_cache_keys_or_none(sessionmaker, jobs) -> None:
    keyed = await _render_request(sessionmaker, jobs, keyed=(True, True))
    assert (keyed.audio_cache_keys, keyed.clip_cache_keys) == (["speech0", "speech1"], ["scene0", "scene1"])
    partly = await _render_request(sessionmaker, jobs, keyed=(True, False))
    assert (partly.audio_cache_keys, partly.clip_cache_keys) == (["speech0", "speech1"], None)
    unkeyed = await _render_request(sessionmaker, jobs, keyed=(False, True))
    assert unkeyed.audio_cache_keys is None


def test_messages_without_the_cache_keys_still_parse() -> None:
    """What an older producer sends: no ``cache_key``, no ``*_cache_keys``, no ``original_storyboard_key``."""
    job = {"job_id": str(uuid4()), "user_id": "user_test"}
    timing = {"scene_index": 0, "duration": 1.0, "beats": []}
    render = parse_message(
        json.dumps(
            {
                **job,
                "type": "stage.render.requested",
                "storyboard_key": "k",
                "quality": "low",
                "title": "T",
                "clip_keys": ["c"],
                "audio_keys": ["a"],
                "timings": [timing],
            }
        )
    )
    assert isinstance(render, RenderRequested)
    assert (render.audio_cache_keys, render.clip_cache_keys) == (None, None)
    tts = parse_message(
        json.dumps({**job, "type": "stage.tts.completed", "scene_index": 0, "audio_key": "a", "timing": timing})
    )
    assert isinstance(tts, TtsCompleted)
    assert tts.cache_key is None
    script = parse_message(
        json.dumps({**job, "type": "stage.script.requested", "configuration": {"topic": "t", "context": "c"}})
    )
    assert isinstance(script, ScriptRequested)
    assert script.original_storyboard_key is None
