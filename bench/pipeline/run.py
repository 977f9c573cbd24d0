"""Pipeline benchmark: one storyboard through the full distributed pipeline against the same work in one process.

    uv run python bench/pipeline/run.py [--quality medium] [--topic "Pythagorean theorem"] [--context "..."]

Direct: ``plan_storyboard`` → ``speak_scene`` per scene (one at a time, like the single tts worker) →
``render_scene`` per scene, ``settings.visuals_concurrency`` at once (like the visuals worker) → ``assemble_video``,
in this process with no broker, database or object store. The Piper voice is loaded before the clock starts, as the
tts worker loads it before its first message.

Distributed: the gateway, the orchestrator and one worker per service as separate processes
(``tests.e2e.stack.DistributedStack``) on this run's PostgreSQL database, broker namespace, Redis prefix and bucket.
The job is submitted over HTTP with a signed token and timed from the POST to the first poll that sees it
completed (polls every 0.25 s). The planner is deterministic, so both render the same storyboard; the run checks
that the storyboard the script worker stored equals the direct one.

Prints both wall times, the ratio (target ≤ 1.2), and where the time went: per stage in the direct run, and per
stage from the ``stage_run`` table for the distributed job, with the gaps between stages (queueing, the
orchestrator's fan-in and the outbox relay).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from bench.gateway.infra import BenchServices, bench_services, process_env  # noqa: E402
from mathreel_render import assemble_video  # noqa: E402
from mathreel_scenelang.storyboard import Storyboard  # noqa: E402
from mathreel_script.planner import plan_storyboard  # noqa: E402
from mathreel_shared.db import Job, StageRun, create_engine  # noqa: E402
from mathreel_shared.domain import Quality  # noqa: E402
from mathreel_shared.keys import storyboard_key  # noqa: E402
from mathreel_shared.messages import JobConfiguration  # noqa: E402
from mathreel_shared.settings import Settings  # noqa: E402
from mathreel_shared.storage import S3Store  # noqa: E402
from mathreel_tts import create_engine as create_tts_engine  # noqa: E402
from mathreel_tts import speak_scene  # noqa: E402
from mathreel_visuals import render_scene  # noqa: E402
from tests.e2e import stack as e2e_stack  # noqa: E402

TOPIC = "Pythagorean theorem"
CONTEXT = "In a right triangle, a^2 + b^2 = c^2 where c is the hypotenuse. Show a geometric proof with squares."
USER = "user_bench_pipeline"
POLL_SECONDS = 0.25
JOB_TIMEOUT_SECONDS = 1800.0
STAGE_ORDER = ("initializing", "generating_script", "generating_audio", "generating_visuals", "rendering", "uploading")


def say(line: str) -> None:
    """A benchmark reports on stdout."""
    print(line)  # noqa: T201


@dataclass
class Timed:
    """A wall time and its parts, in seconds."""

    total: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


async def run_direct(configuration: JobConfiguration, settings: Settings, work: Path) -> tuple[Timed, Storyboard]:
    """The whole job in this process; returns its timings and the storyboard it rendered."""
    engine = await asyncio.to_thread(
        create_tts_engine, settings.tts_engine, voice=settings.tts_voice, length_scale=settings.tts_length_scale
    )
    timed = Timed()
    started = mark = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timed.stages[stage] = now - mark
        mark = now

    storyboard = plan_storyboard(configuration)
    lap("script")
    audio: list[Path] = []
    timings = []
    for index, scene in enumerate(storyboard.scenes):
        spoken = await asyncio.to_thread(speak_scene, scene, index, engine)
        path = work / f"audio_{index:03d}.wav"
        path.write_bytes(spoken.wav_bytes)
        audio.append(path)
        timings.append(spoken.timing)
    lap("tts")
    limit = asyncio.Semaphore(max(1, settings.visuals_concurrency))

    async def render(index: int) -> Path:
        async with limit:
            clip = await render_scene(
                storyboard,
                index,
                timings[index],
                configuration.quality,
                work / f"clip_{index:03d}.mp4",
                work / f"scene_{index:03d}",
            )
            return clip.path

    clips = await asyncio.gather(*(render(index) for index in range(len(storyboard.scenes))))
    lap("visuals")
    assembled = await asyncio.to_thread(
        assemble_video, clips, audio, timings, configuration.quality, work / "out", title=storyboard.title
    )
    lap("render")
    timed.total = time.perf_counter() - started
    timed.notes.append(
        f"{len(storyboard.scenes)} scenes, {assembled.metadata.duration:.1f} s of video, "
        f"{assembled.metadata.width}x{assembled.metadata.height}, stream copy: {assembled.stream_copied}"
    )
    return timed, storyboard


async def run_distributed(
    configuration: JobConfiguration, services: BenchServices, logs: Path
) -> tuple[Timed, Storyboard]:
    """The job through the distributed stack; returns its timings (from ``stage_run``) and the stored storyboard."""
    settings = services.settings
    stack = e2e_stack.DistributedStack(settings, logs)
    # DistributedStack writes each setting into the children's environment with settings_env; dict-valued settings
    # need JSON there (see bench.gateway.infra.process_env).
    e2e_stack.settings_env = process_env
    await asyncio.to_thread(stack.start)
    try:
        headers = {"Authorization": f"Bearer {services.mint(USER)}"}
        async with httpx.AsyncClient(base_url=stack.base_url, headers=headers, timeout=30) as client:
            started = time.perf_counter()
            created = await client.post("/api/v1/videos/generate", json={"configuration": configuration.model_dump()})
            if created.status_code != 201:
                raise RuntimeError(f"submit: {created.status_code} {created.text}")
            job_id = created.json()["job_id"]
            deadline = started + JOB_TIMEOUT_SECONDS
            while True:
                status = (await client.get(f"/api/v1/videos/jobs/{job_id}/status")).json()
                if status["status"] in {"completed", "failed", "cancelled"}:
                    break
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"job still {status} after {JOB_TIMEOUT_SECONDS:.0f} s\n{stack.logs()}")
                await asyncio.sleep(POLL_SECONDS)
            elapsed = time.perf_counter() - started
        if status["status"] != "completed":
            raise RuntimeError(f"the distributed job ended {status}\n{stack.logs()}")
        timed = await stage_breakdown(settings, job_id)
        timed.total = elapsed
        store = S3Store(settings)
        await store.start()
        try:
            stored = Storyboard.model_validate_json(await store.get_bytes(storyboard_key(USER, job_id)))
        finally:
            await store.close()
        return timed, stored
    finally:
        await asyncio.to_thread(stack.stop)


async def stage_breakdown(settings: Settings, job_id: str) -> Timed:
    """Each stage's duration from ``stage_run`` (when the orchestrator entered and left it).

    The orchestrator leaves one stage and enters the next in the same transaction, so there are no gaps between
    stages: each stage's time includes handing its work to the workers (outbox relay, broker, queueing) and
    collecting the results (fan-in), besides the work itself.
    """
    from sqlmodel import col, select

    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            runs = (await connection.execute(select(StageRun).where(col(StageRun.job_id) == job_id))).all()
            job = (await connection.execute(select(Job).where(col(Job.id) == job_id))).one()
    finally:
        await engine.dispose()
    by_stage = {run.stage: run for run in runs}
    timed = Timed()
    for stage in STAGE_ORDER:
        run = by_stage.get(stage)
        if run is not None and run.finished_at is not None:
            timed.stages[stage] = (run.finished_at - run.started_at).total_seconds()
    if job.completed_at is not None:
        timed.stages["created → completed"] = (job.completed_at - job.created_at).total_seconds()
    return timed


def compare_stages(direct: Timed, distributed: Timed) -> list[str]:
    """Per stage: distributed minus direct, in seconds (what the distribution costs, or noise, per stage)."""
    pairs = {
        "script": ("initializing", "generating_script"),
        "tts": ("generating_audio",),
        "visuals": ("generating_visuals",),
        "render": ("rendering", "uploading"),
    }
    lines = []
    for stage, names in pairs.items():
        there = sum(distributed.stages.get(name, 0.0) for name in names)
        here = direct.stages.get(stage, 0.0)
        lines.append(
            f"  {stage:8s} direct {here:6.1f} s   distributed {there:6.1f} s   difference {there - here:+6.1f} s"
        )
    inside = distributed.stages.get("created → completed")
    if inside is not None:
        lines.append(f"  outside the job (HTTP submit, polling interval): {distributed.total - inside:+.1f} s")
    return lines


def comparable(storyboard: Storyboard) -> dict[str, Any]:
    """The storyboard without its sources (the script worker fills them from retrieval, off for this job)."""
    return storyboard.model_dump(mode="json", exclude={"sources"})


def show(name: str, timed: Timed) -> None:
    parts = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in timed.stages.items())
    say(f"{name:12s} {timed.total:7.1f} s   ({parts})")
    for note in timed.notes:
        say(f"{'':12s} {note}")


async def main_async(args: argparse.Namespace) -> int:
    configuration = JobConfiguration(topic=args.topic, context=args.context, quality=Quality(args.quality))
    # Polling every 0.25 s for minutes would pass the default 100 requests/minute.
    with bench_services(rate_limit_per_minute=100_000) as services:
        settings = services.settings
        say(
            f"quality {configuration.quality.value}, topic {configuration.topic!r}; one worker per service, "
            f"visuals_concurrency {settings.visuals_concurrency}; {os.cpu_count()} cores, "
            f"load average {os.getloadavg()[0]:.1f} at start"
        )
        with tempfile.TemporaryDirectory(prefix="direct-", dir=services.work) as direct_dir:
            direct, planned = await run_direct(configuration, settings, Path(direct_dir))
        show("direct", direct)
        logs = services.work / "logs"
        logs.mkdir()
        distributed, stored = await run_distributed(configuration, services, logs)
        show("distributed", distributed)
        same = comparable(planned) == comparable(stored)
        say("\n".join(["per stage:", *compare_stages(direct, distributed)]))
        say(f"same storyboard in both runs: {same}")
        ratio = distributed.total / direct.total
        say(f"ratio distributed/direct {ratio:.2f} (target ≤ 1.2); load average {os.getloadavg()[0]:.1f} at end")
        return 0 if same else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quality", choices=[q.value for q in Quality], default=Quality.MEDIUM.value)
    parser.add_argument("--topic", default=TOPIC)
    parser.add_argument("--context", default=CONTEXT)
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
