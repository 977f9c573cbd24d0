"""Revision benchmark: a lesson, the same lesson again, and a revision of one sentence, against the artifact cache.

    uv run python bench/revision/run.py [--quality medium] [--topic "..."] [--context "..."] [--visuals-concurrency N]

Runs standalone mode in this process (the same service code as distributed mode, on SQLite, the in-process bus and
a local folder, all in a temporary directory), so the cache starts empty. One user submits, one after the other:

1. **original**: the lesson (the offline planner writes about six scenes); everything is spoken and rendered;
2. **identical**: the same request again; the narration and every clip should come from the cache (target
   ≤ 0.05× the original's wall time);
3. **revision**: the original's storyboard (``GET …/storyboard``) with one sentence of one scene changed, sent to
   ``POST …/revise``; only that scene should be spoken and rendered again (target ≤ 0.15×). Without the revise
   endpoint (404 or 405) this step says so and is skipped.

Each job is timed from the POST to the first poll that sees it completed (every 0.25 s). For each, the run prints
the cache outcome per scene from the stage records (``scene_result``), how many scenes' narration the join encoded
(the rest it copied from the cache) and where the time went: each stage's duration from ``stage_run`` and the gaps
between stages (hand-offs: the outbox relay, queues, the fan-in).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import func
from sqlmodel import col, select

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from mathreel_cli.standalone import Standalone, standalone_stack  # noqa: E402
from mathreel_shared.cache import CacheEntry, CacheKind  # noqa: E402
from mathreel_shared.db import Job, SceneResult, StageRun  # noqa: E402
from tests.support.standalone import standalone_settings  # noqa: E402

TOPIC = "Pythagorean theorem"
CONTEXT = "In a right triangle, a^2 + b^2 = c^2 where c is the hypotenuse. Show a geometric proof with squares."
USER = "user_bench_revision"
POLL_SECONDS = 0.25
JOB_TIMEOUT_SECONDS = 3600.0
STAGE_ORDER = ("initializing", "generating_script", "generating_audio", "generating_visuals", "rendering", "uploading")
TARGETS = {"identical": 0.05, "revision": 0.15}


def say(line: str) -> None:
    """A benchmark reports on stdout."""
    print(line, flush=True)  # noqa: T201


class Bench:
    def __init__(self, stack: Standalone, client: httpx.AsyncClient, token: str) -> None:
        self.stack = stack
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    async def timed(self, method: str, path: str, body: dict[str, Any]) -> tuple[UUID | None, float, int]:
        """Submit a job and wait for it: (its id, seconds from the POST to completion, the POST's status)."""
        started = time.monotonic()
        response = await self.client.request(method, path, json=body, headers=self.headers)
        if response.status_code != 201:
            return None, 0.0, response.status_code
        job_id = UUID(response.json()["job_id"])
        async with asyncio.timeout(JOB_TIMEOUT_SECONDS):
            while True:
                status = (await self.client.get(f"/api/v1/videos/jobs/{job_id}/status", headers=self.headers)).json()
                if status["status"] in {"completed", "failed", "cancelled"}:
                    break
                await asyncio.sleep(POLL_SECONDS)
        elapsed = time.monotonic() - started
        if status["status"] != "completed":
            raise SystemExit(f"job {job_id} ended {status['status']}: {status.get('error')}")
        return job_id, elapsed, 201

    async def cache_outcomes(self, job_id: UUID) -> dict[str, list[str | None]]:
        async with self.stack.resources.sessionmaker() as session:
            rows = (
                await session.execute(
                    select(SceneResult).where(col(SceneResult.job_id) == job_id).order_by(col(SceneResult.scene_index))
                )
            ).scalars()
            outcomes: dict[str, list[str | None]] = {"tts": [], "visuals": []}
            for row in rows:
                if row.stage in outcomes:
                    outcomes[row.stage].append(row.result.get("cache"))
            return outcomes

    async def narration_encoded(self, job_id: UUID) -> int:
        """How many scenes' narration the join encoded for this job: the narration pieces that entered the cache
        while it ran (the others were copied from it)."""
        async with self.stack.resources.sessionmaker() as session:
            job = await session.get(Job, job_id)
            assert job is not None
            made = await session.execute(
                select(func.count())
                .select_from(CacheEntry)
                .where(
                    col(CacheEntry.kind) == CacheKind.NARRATION.value,
                    col(CacheEntry.created_at) >= job.created_at,
                    col(CacheEntry.created_at) <= (job.completed_at or job.created_at),
                )
            )
            return int(made.scalar_one())

    async def where_time_went(self, job_id: UUID) -> list[str]:
        async with self.stack.resources.sessionmaker() as session:
            runs = {
                run.stage: run
                for run in (await session.execute(select(StageRun).where(col(StageRun.job_id) == job_id))).scalars()
            }
            job = await session.get(Job, job_id)
        assert job is not None
        lines = []
        previous_end = job.created_at
        for stage in STAGE_ORDER:
            run = runs.get(stage)
            if run is None or run.finished_at is None:
                continue
            gap = (run.started_at - previous_end).total_seconds()
            lines.append(
                f"    {stage:<20} {(run.finished_at - run.started_at).total_seconds():7.2f} s  (gap {gap:.2f} s)"
            )
            previous_end = run.finished_at
        if job.completed_at is not None:
            lines.append(
                f"    {'created → completed':<20} {(job.completed_at - job.created_at).total_seconds():7.2f} s"
            )
        return lines

    async def report(self, name: str, job_id: UUID, seconds: float, original: float | None) -> None:
        outcomes = await self.cache_outcomes(job_id)
        ratio = f", {seconds / original:.3f}× the original" if original else ""
        target = f" (target ≤ {TARGETS[name]}×)" if name in TARGETS else ""
        say(f"{name}: {seconds:.1f} s{ratio}{target}")
        for stage, values in outcomes.items():
            say(f"  {stage:<8} cache per scene: {' '.join(value or '-' for value in values)}")
        say(f"  join     narration encoded for {await self.narration_encoded(job_id)} of {len(outcomes['tts'])} scenes")
        for line in await self.where_time_went(job_id):
            say(line)


def change_one_sentence(storyboard: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The storyboard with the first beat of its second scene (or its only one) saying something else."""
    revised = copy.deepcopy(storyboard)
    index = 1 if len(revised["scenes"]) > 1 else 0
    beat = revised["scenes"][index]["beats"][0]
    beat["narration"] = beat["narration"].rstrip() + " Take a moment to look at it."
    return revised, index


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-revision-") as tmp:
        work = Path(tmp)
        settings = standalone_settings(
            work,
            rate_limit_per_minute=100_000,
            **({"visuals_concurrency": args.visuals_concurrency} if args.visuals_concurrency else {}),
        )
        async with standalone_stack(settings) as stack, LifespanManager(stack.app) as manager:
            key = stack.resources.dev_key
            assert key is not None
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=60) as client:
                bench = Bench(stack, client, key.mint(USER, issuer=settings.jwt_issuer))
                body = {"configuration": {"topic": args.topic, "context": args.context, "quality": args.quality}}
                say(
                    f"quality {args.quality}, topic {args.topic!r}, standalone mode, visuals concurrency "
                    f"{settings.visuals_concurrency}"
                )

                original_id, original, _ = await bench.timed("POST", "/api/v1/videos/generate", body)
                assert original_id is not None
                async with stack.resources.sessionmaker() as session:
                    job = await session.get(Job, original_id)
                say(f"the lesson has {job.scene_count if job else '?'} scenes")
                await bench.report("original", original_id, original, None)

                identical_id, identical, _ = await bench.timed("POST", "/api/v1/videos/generate", body)
                assert identical_id is not None
                await bench.report("identical", identical_id, identical, original)

                got = await client.get(f"/api/v1/videos/jobs/{original_id}/storyboard", headers=bench.headers)
                if got.status_code != 200:
                    say(f"revision: skipped, GET …/storyboard answered {got.status_code} (no revise endpoint here)")
                    return
                revised, scene = change_one_sentence(got.json())
                say(f"revision: scene {scene + 1}'s first sentence changed")
                revision_id, revision, status = await bench.timed(
                    "POST",
                    f"/api/v1/videos/jobs/{original_id}/revise",
                    {"storyboard": revised, "quality": args.quality},
                )
                if revision_id is None:
                    say(f"revision: skipped, POST …/revise answered {status}")
                    return
                await bench.report("revision", revision_id, revision, original)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quality", default="medium", choices=["low", "medium", "high"])
    parser.add_argument("--topic", default=TOPIC)
    parser.add_argument("--context", default=CONTEXT)
    parser.add_argument("--visuals-concurrency", type=int, default=0, help="Manim renders at once (default: CPUs)")
    asyncio.run(main(parser.parse_args()))
