"""Pipeline benchmark: a cold job end to end against plain Manim rendering the same scenes alone, in one run.

    uv run python bench/pipeline/run.py [--quality medium] [--rounds 1] [--topic "Pythagorean theorem"]

Prepared off the clock: the storyboard (the offline planner is deterministic, so the job plans the same one; the
run checks it) and each scene's narration timing (Piper, as the tts worker speaks it), from which each scene's
``RenderSpec`` is written.

Plain Manim: ``python -m manim render -q<flag>`` on ``bench/pipeline/plain_scene.py`` once per scene — the same
scene code the visuals workers run, configured from the same spec — with as many processes at once as the one
visuals worker renders scenes (``settings.visuals_concurrency``), each with its own media folder. Every process
imports Manim, as a Manim user's run does. Nothing else: no speech, no joining, no worker.

Job: the gateway, the orchestrator and one worker per service as separate processes
(``tests.e2e.stack.DistributedStack``) on this run's PostgreSQL database, broker namespace, Redis prefix and
bucket. The stack is started once and serves one untimed job on another topic first, as a running deployment
has served jobs before (the script worker's planner child fills its lazy tables on its first job, the visuals
worker's warm renderer has imported Manim); before each timed job the shared TeX cache is emptied, so the job is
cold: no formula typeset, no clip rendered before. Timed from the POST to the first poll that sees the job
completed (polls every 0.1 s).

Prints both wall times, the ratio job/plain Manim (target ≤ 1.1), both CPU times (plain Manim: the ``manim``
processes; the job: every process of the stack and its descendants, the render children of the warm renderer
included; a machine shared with other work moves wall times far more than CPU times), and where the job's time
went, from the
``stage_run`` rows and each scene's result time (``scene_result.created_at``): the script, the first scene's
narration (before any visuals can start), the visuals (first narration → last clip; the other narrations are
spoken meanwhile), and what follows the last clip (joining, muxing, thumbnail, captions, upload, hand-offs).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from uuid import UUID

import av
import httpx
import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from bench.gateway.infra import BenchServices, bench_services, process_env  # noqa: E402
from bench.manim_cli import manim_env, run_manim  # noqa: E402
from mathreel_render import assemble_video  # noqa: E402
from mathreel_scenelang.render.spec import RenderSpec  # noqa: E402
from mathreel_scenelang.storyboard import Storyboard  # noqa: E402
from mathreel_script.planner import plan_storyboard  # noqa: E402
from mathreel_shared.db import Job, SceneResult, StageRun, create_engine  # noqa: E402
from mathreel_shared.domain import QUALITY_PRESETS, Quality  # noqa: E402
from mathreel_shared.keys import storyboard_key  # noqa: E402
from mathreel_shared.messages import JobConfiguration  # noqa: E402
from mathreel_shared.settings import Settings  # noqa: E402
from mathreel_shared.storage import S3Store  # noqa: E402
from mathreel_shared.timing import SceneTiming  # noqa: E402
from mathreel_tts import create_engine as create_tts_engine  # noqa: E402
from mathreel_tts import speak_scene  # noqa: E402
from tests.e2e import stack as e2e_stack  # noqa: E402

TOPIC = "Pythagorean theorem"
CONTEXT = "In a right triangle, a^2 + b^2 = c^2 where c is the hypotenuse. Show a geometric proof with squares."
USER = "user_bench_pipeline"
POLL_SECONDS = 0.1
JOB_TIMEOUT_SECONDS = 1800.0
# The untimed job that readies the stack: another topic, so that it typesets other formulas.
WARM_UP_TOPIC = "Solving linear equations"
WARM_UP_CONTEXT = "Solve 2x + 3 = 11 step by step."


def say(line: str) -> None:
    """A benchmark reports on stdout."""
    print(line, flush=True)  # noqa: T201


@dataclass
class Prepared:
    storyboard: Storyboard
    timings: list[SceneTiming]
    specs: list[Path]
    speech_seconds: list[float]


@dataclass
class JobRun:
    """The job's wall time and its timeline, in seconds from the job's creation."""

    wall: float
    marks: dict[str, float] = field(default_factory=dict)
    video_seconds: float = 0.0
    cpu: float = 0.0


def prepare(configuration: JobConfiguration, settings: Settings, work: Path) -> Prepared:
    """The storyboard, each scene's narration timing, and a render spec per scene (off the clock)."""
    engine = create_tts_engine(settings.tts_engine, voice=settings.tts_voice, length_scale=settings.tts_length_scale)
    storyboard = plan_storyboard(configuration)
    preset = QUALITY_PRESETS[configuration.quality]
    timings, specs, speech = [], [], []
    for index, scene in enumerate(storyboard.scenes):
        started = time.perf_counter()
        spoken = speak_scene(scene, index, engine)
        speech.append(time.perf_counter() - started)
        timings.append(spoken.timing)
        scene_dir = work / f"scene_{index:03d}"
        scene_dir.mkdir(parents=True)
        (scene_dir / "narration.wav").write_bytes(spoken.wav_bytes)
        spec = RenderSpec(
            scene=scene,
            timing=spoken.timing,
            width=preset.width,
            height=preset.height,
            fps=preset.fps,
            encoder_options={"preset": preset.x264_preset, "crf": str(preset.crf)},
            media_dir=str(scene_dir / "media"),
            report_path=str(scene_dir / "outcome.json"),
        )
        path = scene_dir / "spec.json"
        path.write_text(spec.model_dump_json(), encoding="utf-8")
        specs.append(path)
    return Prepared(storyboard, timings, specs, speech)


@dataclass
class Measured:
    wall: float
    cpu: float
    video_seconds: float


async def plain_manim(prepared: Prepared, quality: Quality, workers: int) -> Measured:
    """Wall and CPU seconds of ``manim`` on every scene, ``workers`` processes at once, and the clips' length."""
    gate = asyncio.Semaphore(workers)
    env = manim_env()

    async def one(spec: Path) -> float:
        media = spec.parent / "media"
        shutil.rmtree(media, ignore_errors=True)
        async with gate:
            await run_manim(
                HERE / "plain_scene.py",
                "StoryboardPlain",
                quality,
                media,
                cwd=spec.parent,
                env={**env, "MATHREEL_BENCH_SPEC": str(spec)},
            )
        movies = list(media.rglob("StoryboardPlain.mp4"))
        if len(movies) != 1:
            raise RuntimeError(f"manim on {spec} left {movies}")
        shutil.copyfile(movies[0], spec.parent / "clip.mp4")
        with av.open(str(movies[0])) as container:
            stream = container.streams.video[0]
            frames = sum(1 for _ in container.decode(stream))
            return frames / float(stream.guessed_rate or stream.average_rate or 1)

    started, cpu = time.perf_counter(), children_cpu()
    seconds = await asyncio.gather(*(one(spec) for spec in prepared.specs))
    return Measured(time.perf_counter() - started, children_cpu() - cpu, sum(seconds))


def join_alone(prepared: Prepared, quality: Quality) -> float:
    """Seconds ``assemble_video`` takes on plain Manim's clips and the narration: the render stage's own work,
    without the hand-offs, the downloads and the upload around it."""
    out = prepared.specs[0].parent.parent / "joined"
    shutil.rmtree(out, ignore_errors=True)
    clips = [spec.parent / "clip.mp4" for spec in prepared.specs]
    audio = [spec.parent / "narration.wav" for spec in prepared.specs]
    started = time.perf_counter()
    assemble_video(clips, audio, prepared.timings, quality, out, title=prepared.storyboard.title)
    return time.perf_counter() - started


def children_cpu() -> float:
    """CPU seconds of this process's finished children (and theirs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tree_cpu(pids: list[int]) -> float:
    """CPU seconds of the processes ``pids`` and all their descendants, finished ones (reaped) included.

    A render's child is reaped by the fork server, so its time shows in the server's children times, not in the
    visuals worker's; summing over the live tree counts each process once. PostgreSQL, RabbitMQ and the object
    store are not in the tree.
    """
    total = 0.0
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            root = psutil.Process(pid)
            for process in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.NoSuchProcess):
                    times = process.cpu_times()
                    total += times.user + times.system + times.children_user + times.children_system
    return total


class JobStack:
    """The distributed stack of one run, and a client that submits a job and waits for it."""

    def __init__(self, services: BenchServices, logs: Path) -> None:
        self.services = services
        self.stack = e2e_stack.DistributedStack(services.settings, logs)

    async def __aenter__(self) -> JobStack:
        # DistributedStack writes each setting into the children's environment with settings_env; dict-valued
        # settings need JSON there (see bench.gateway.infra.process_env).
        e2e_stack.settings_env = process_env
        await asyncio.to_thread(self.stack.start)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await asyncio.to_thread(self.stack.stop)

    async def run(self, configuration: JobConfiguration) -> tuple[UUID, float]:
        """Submit ``configuration`` and wait until it completes: (job id, seconds from the POST to completed)."""
        headers = {"Authorization": f"Bearer {self.services.mint(USER)}"}
        async with httpx.AsyncClient(base_url=self.stack.base_url, headers=headers, timeout=30) as client:
            started = time.perf_counter()
            created = await client.post("/api/v1/videos/generate", json={"configuration": configuration.model_dump()})
            if created.status_code != 201:
                raise RuntimeError(f"submit: {created.status_code} {created.text}")
            job_id = UUID(created.json()["job_id"])
            deadline = started + JOB_TIMEOUT_SECONDS
            while True:
                status = (await client.get(f"/api/v1/videos/jobs/{job_id}/status")).json()
                if status["status"] in {"completed", "failed", "cancelled"}:
                    break
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"job still {status} after {JOB_TIMEOUT_SECONDS:.0f} s\n{self.stack.logs()}")
                await asyncio.sleep(POLL_SECONDS)
            elapsed = time.perf_counter() - started
        if status["status"] != "completed":
            raise RuntimeError(f"the job ended {status}\n{self.stack.logs()}")
        return job_id, elapsed

    async def cold_job(self, configuration: JobConfiguration) -> tuple[JobRun, Storyboard]:
        """One job with nothing cached: its wall time, timeline and stored storyboard."""
        settings = self.services.settings
        # No formula typeset by an earlier job (the workers are idle; a render makes the folder again).
        shutil.rmtree(settings.work_dir / "tex-cache", ignore_errors=True)
        pids = [process.popen.pid for process in self.stack.processes.values()]
        cpu = tree_cpu(pids)
        job_id, elapsed = await self.run(configuration)
        cpu = tree_cpu(pids) - cpu
        run = await timeline(settings, job_id)
        run.wall, run.cpu = elapsed, cpu
        store = S3Store(settings)
        await store.start()
        try:
            stored = Storyboard.model_validate_json(await store.get_bytes(storyboard_key(USER, job_id)))
        finally:
            await store.close()
        return run, stored


async def timeline(settings: Settings, job_id: UUID) -> JobRun:
    """Marks of the job's life, in seconds after its creation, from ``stage_run`` and ``scene_result``."""
    from sqlmodel import col, select

    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            runs = (await connection.execute(select(StageRun).where(col(StageRun.job_id) == job_id))).all()
            scenes = (await connection.execute(select(SceneResult).where(col(SceneResult.job_id) == job_id))).all()
            job = (await connection.execute(select(Job).where(col(Job.id) == job_id))).one()
    finally:
        await engine.dispose()

    def since(moment: datetime) -> float:
        return float((moment - job.created_at).total_seconds())

    ended = {run.stage: run.finished_at for run in runs if run.finished_at is not None}
    spoken = sorted(since(row.created_at) for row in scenes if row.stage == "tts")
    drawn = sorted(since(row.created_at) for row in scenes if row.stage == "visuals")
    run = JobRun(wall=0.0, video_seconds=float(job.duration_seconds or 0.0))
    run.marks = {
        "script done": since(ended["generating_script"]),
        "first narration": spoken[0],
        "first clip": drawn[0],
        "last narration": spoken[-1],
        "last clip": drawn[-1],
        "rendering done": since(ended["rendering"]),
        "completed": since(job.completed_at),
    }
    return run


def breakdown(run: JobRun, plain: float) -> list[str]:
    marks = run.marks
    parts = [
        ("submit → script stored", marks["script done"]),
        ("first scene's narration (nothing to draw yet)", marks["first narration"] - marks["script done"]),
        ("visuals: first narration → last clip", marks["last clip"] - marks["first narration"]),
        ("last clip → video joined, muxed, thumbnail, captions", marks["rendering done"] - marks["last clip"]),
        ("upload → completed", marks["completed"] - marks["rendering done"]),
        ("outside the job (HTTP, poll interval)", run.wall - marks["completed"]),
    ]
    lines = [f"  {name:52s} {seconds:6.1f} s" for name, seconds in parts]
    lines.append(
        f"  (narration of all scenes ended at {marks['last narration']:.1f} s, inside the visuals; "
        f"the visuals span is {marks['last clip'] - marks['first narration'] - plain:+.1f} s against plain Manim)"
    )
    return lines


async def main_async(args: argparse.Namespace) -> int:
    configuration = JobConfiguration(topic=args.topic, context=args.context, quality=Quality(args.quality))
    # Polling every 0.1 s for minutes would pass the default 100 requests/minute.
    with bench_services(rate_limit_per_minute=100_000) as services:
        settings = services.settings
        workers = max(1, settings.visuals_concurrency)
        say(
            f"quality {configuration.quality.value}, topic {configuration.topic!r}; one worker per service, "
            f"visuals_concurrency {workers} (plain Manim: {workers} processes at once); {os.cpu_count()} cores, "
            f"load average {os.getloadavg()[0]:.1f} at start"
        )
        prep_dir = Path(tempfile.mkdtemp(prefix="plain-", dir=services.work))
        prepared = await asyncio.to_thread(prepare, configuration, settings, prep_dir)
        say(
            f"{len(prepared.timings)} scenes, {sum(t.duration for t in prepared.timings):.1f} s of narration; "
            f"speaking them took {sum(prepared.speech_seconds):.1f} s "
            f"({', '.join(f'{s:.1f}' for s in prepared.speech_seconds)})"
        )
        ratios: list[float] = []
        same = True
        logs = services.work / "logs"
        logs.mkdir()
        async with JobStack(services, logs) as stack:
            warm_up = configuration.model_copy(update={"topic": WARM_UP_TOPIC, "context": WARM_UP_CONTEXT})
            _, seconds = await stack.run(warm_up)
            say(f"warm-up job ({WARM_UP_TOPIC!r}, untimed): {seconds:.1f} s")
            for round_number in range(1, args.rounds + 1):
                plain = await plain_manim(prepared, configuration.quality, workers)
                job, stored = await stack.cold_job(configuration)
                same = same and stored.model_dump(exclude={"sources"}) == prepared.storyboard.model_dump(
                    exclude={"sources"}
                )
                ratio = job.wall / plain.wall
                ratios.append(ratio)
                say(
                    f"round {round_number}: plain Manim {plain.wall:6.1f} s ({plain.video_seconds:.1f} s of clips)   "
                    f"job {job.wall:6.1f} s ({job.video_seconds:.1f} s of video)   ratio {ratio:.2f}   "
                    f"load average {os.getloadavg()[0]:.1f}"
                )
                say(
                    f"  CPU: plain Manim {plain.cpu:.1f} s, job {job.cpu:.1f} s "
                    f"(every stack process and its children), ratio {job.cpu / plain.cpu:.2f}"
                )
                say("\n".join(["  where the job's time went:", *breakdown(job, plain.wall)]))
                joined = await asyncio.to_thread(join_alone, prepared, configuration.quality)
                say(f"  assemble_video alone on plain Manim's clips, in this process: {joined:.1f} s")
        say(f"same storyboard in the job as prepared: {same}")
        say(
            f"ratio job/plain Manim: {', '.join(f'{r:.2f}' for r in ratios)} (target ≤ 1.1); "
            f"load average {os.getloadavg()[0]:.1f} at end"
        )
        return 0 if same else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quality", choices=[q.value for q in Quality], default=Quality.MEDIUM.value)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--topic", default=TOPIC)
    parser.add_argument("--context", default=CONTEXT)
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
