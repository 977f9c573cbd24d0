"""What every chaos test does: submit jobs over HTTP, wait for them with a bound, and audit what they left behind.

The audit is the point of the suite. For each job it checks, from the database and the object store rather than
from what the API says:

- the job ended ``completed`` (or ``failed`` with a reason), and none is still active at the deadline (stuck);
- the orchestrator's outbox holds each stage message once: one row per (type, scene, attempt) of the job, so a
  restart or a redelivery never made it send a stage twice (a watchdog re-drive is attempt 2 and counted apart);
- the job's objects are exactly the expected set (storyboard, one narration and one clip per scene, the video, its
  thumbnail and captions): a redelivered stage overwrote its artifact instead of adding another.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from sqlmodel import select

from mathreel_shared.db import Job, OutboxMessage, create_engine
from mathreel_shared.keys import (
    captions_key,
    job_prefix,
    scene_audio_key,
    scene_clip_key,
    storyboard_key,
    thumbnail_key,
    video_key,
)
from tests.e2e.stack import DistributedStack, Process

# The shortest lesson the offline planner writes: an unknown topic whose one line of notes holds a function to graph
# (title, the graph, summary). A context with no mathematics at all is refused (topic_not_supported).
TOPIC = "Zorbs"
CONTEXT = "A zorb rolls along y = 2x."
TERMINAL = frozenset({"completed", "failed", "cancelled"})
# Messages the orchestrator sends; each must appear once per (job, type, scene, attempt).
STAGE_REQUESTS = frozenset(
    {"stage.script.requested", "stage.tts.requested", "stage.visuals.requested", "stage.render.requested"}
)


def chaos_jobs(default: int) -> int:
    """How many jobs a scaled test runs: ``MATHREEL_CHAOS_JOBS`` (full size: 100), else the CI size."""
    return int(os.environ.get("MATHREEL_CHAOS_JOBS", default))


def job_request(topic: str = TOPIC, context: str = CONTEXT) -> dict[str, Any]:
    return {"configuration": {"topic": topic, "context": context, "quality": "low"}, "priority": "normal"}


@dataclass
class Submitted:
    job_id: str
    user_id: str


@dataclass
class JobClient:
    """Submits jobs for distinct users (each user may have only 3 active jobs) and polls their status."""

    base_url: str
    mint: Callable[[str], str]
    run_id: str
    jobs: list[Submitted] = field(default_factory=list)
    unavailable: Counter[str] = field(default_factory=Counter)

    def _headers(self, user_id: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.mint(user_id)}"}

    async def submit(self, index: int, *, base_url: str | None = None) -> Submitted:
        user_id = f"user_chaos_{self.run_id}_{index}"
        async with httpx.AsyncClient(base_url=base_url or self.base_url, timeout=30) as client:
            response = await client.post("/api/v1/videos/generate", json=job_request(), headers=self._headers(user_id))
        assert response.status_code == 201, response.text
        submitted = Submitted(response.json()["job_id"], user_id)
        self.jobs.append(submitted)
        return submitted

    async def status(self, job: Submitted) -> dict[str, Any]:
        """The job's status. While a fault is being injected the gateway may answer 5xx or not at all for a few
        seconds: those answers are counted in ``unavailable`` (by status code or error) and the poll is repeated, for up
        to a minute. A 429 is waited out for as long as its ``Retry-After`` says."""
        deadline = time.monotonic() + 60
        while True:
            try:
                async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as client:
                    response = await client.get(
                        f"/api/v1/videos/jobs/{job.job_id}/status", headers=self._headers(job.user_id)
                    )
                if response.status_code == 429 and time.monotonic() < deadline:
                    # A poller that keeps to the rate limit, as a frontend does: wait as long as the gateway says.
                    await asyncio.sleep(float(response.headers.get("retry-after", "1")))
                    continue
                if response.status_code < 500:
                    assert response.status_code == 200, response.text
                    body: dict[str, Any] = response.json()
                    return body
                self.unavailable[str(response.status_code)] += 1
            except httpx.TransportError as exc:
                self.unavailable[type(exc).__name__] += 1
            if time.monotonic() > deadline:
                raise AssertionError(f"the gateway did not answer for a minute about job {job.job_id}")
            await asyncio.sleep(1.0)


@dataclass
class Audit:
    """What the database and the object store say about a set of jobs."""

    statuses: dict[str, str]
    errors: dict[str, str]
    duplicate_messages: dict[str, list[tuple[str, int | None, int]]]
    redriven: dict[str, int]
    unexpected_objects: dict[str, list[str]]
    missing_objects: dict[str, list[str]]

    @property
    def completed(self) -> int:
        return sum(1 for status in self.statuses.values() if status == "completed")

    @property
    def stuck(self) -> list[str]:
        return [job for job, status in self.statuses.items() if status not in TERMINAL]

    @property
    def failed_without_reason(self) -> list[str]:
        return [job for job, status in self.statuses.items() if status == "failed" and not self.errors.get(job)]

    def summary(self) -> str:
        counts = Counter(self.statuses.values())
        return (
            f"jobs={len(self.statuses)} {dict(counts)} stuck={len(self.stuck)} "
            f"duplicate_stage_messages={sum(len(v) for v in self.duplicate_messages.values())} "
            f"unexpected_objects={sum(len(v) for v in self.unexpected_objects.values())} "
            f"missing_objects={sum(len(v) for v in self.missing_objects.values())} "
            f"redriven={sum(self.redriven.values())} errors={self.errors}"
        )

    def assert_nothing_lost(self, *, expect_completed: int | None = None) -> None:
        """Every job ended with a reason, none stuck, no stage sent twice, no stray or missing artifact."""
        assert not self.stuck, f"stuck jobs: {self.stuck}\n{self.summary()}"
        assert not self.failed_without_reason, self.summary()
        assert not self.duplicate_messages, f"stage messages sent twice: {self.duplicate_messages}"
        assert not self.unexpected_objects, f"objects beyond the expected set: {self.unexpected_objects}"
        assert not self.missing_objects, f"completed jobs missing artifacts: {self.missing_objects}"
        if expect_completed is not None:
            assert self.completed == expect_completed, self.summary()


def expected_objects(user_id: str, job_id: UUID, scene_count: int) -> set[str]:
    """Every key a completed job leaves in the store, each exactly once."""
    keys = {storyboard_key(user_id, job_id), video_key(user_id, job_id), thumbnail_key(user_id, job_id)}
    keys |= {captions_key(user_id, job_id, "vtt"), captions_key(user_id, job_id, "srt")}
    for index in range(scene_count):
        keys |= {scene_audio_key(user_id, job_id, index), scene_clip_key(user_id, job_id, index)}
    return keys


async def audit_jobs(database_url: str, job_ids: Iterable[str], list_objects: Callable[[str], list[str]]) -> Audit:
    """Read the jobs' rows, their outbox messages and their objects (PostgreSQL or SQLite)."""
    ids = {UUID(job) for job in job_ids}
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as connection:
            jobs = [
                row
                for row in (
                    await connection.execute(
                        select(Job.id, Job.user_id, Job.status, Job.error_code, Job.error_message, Job.scene_count)  # type: ignore[call-overload]
                    )
                ).all()
                if row.id in ids
            ]
            # The outbox keeps published rows for a day, so every message of these jobs is still there.
            outbox = (await connection.execute(select(OutboxMessage.routing_key, OutboxMessage.body))).all()  # type: ignore[call-overload]
    finally:
        await engine.dispose()
    statuses = {str(row.id): row.status for row in jobs}
    for job in ids:
        statuses.setdefault(str(job), "lost")  # accepted by the API yet no row: the worst outcome
    errors = {str(row.id): f"{row.error_code}: {row.error_message}" for row in jobs if row.error_code}

    sent: Counter[tuple[str, str, int | None, int]] = Counter()
    for routing_key, raw in outbox:
        body = json.loads(raw)
        if UUID(body["job_id"]) not in ids:
            continue
        if routing_key in STAGE_REQUESTS or routing_key == "job.requested":
            sent[(body["job_id"], routing_key, body.get("scene_index"), int(body.get("attempt", 1)))] += 1
    duplicates: dict[str, list[tuple[str, int | None, int]]] = {}
    redriven: Counter[str] = Counter()
    for (sent_job, kind, scene, attempt), count in sent.items():
        if count > 1:
            duplicates.setdefault(sent_job, []).append((kind, scene, attempt))
        if attempt > 1 and kind in STAGE_REQUESTS:
            redriven[sent_job] += 1

    unexpected: dict[str, list[str]] = {}
    missing: dict[str, list[str]] = {}
    for row in jobs:
        job_id, user_id = row.id, row.user_id
        keys = list_objects(job_prefix(user_id, job_id))
        if len(keys) != len(set(keys)):
            unexpected[str(job_id)] = [key for key, n in Counter(keys).items() if n > 1]
        allowed = expected_objects(user_id, job_id, row.scene_count or 0)
        extra = sorted(set(keys) - allowed)
        if extra:
            unexpected[str(job_id)] = extra
        if row.status == "completed":
            absent = sorted(allowed - set(keys))
            if absent:
                missing[str(job_id)] = absent
    return Audit(statuses, errors, duplicates, dict(redriven), unexpected, missing)


def s3_lister(client: Any, bucket: str) -> Callable[[str], list[str]]:
    """List every key under a prefix (all pages) with a boto3 client."""

    def list_objects(prefix: str) -> list[str]:
        keys: list[str] = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return keys

    return list_objects


def folder_lister(root: Path) -> Callable[[str], list[str]]:
    """List every key under a prefix of a ``LocalStore`` folder (standalone mode)."""

    def list_objects(prefix: str) -> list[str]:
        base = root / prefix
        if not base.exists():
            return []
        return [path.relative_to(root).as_posix() for path in base.rglob("*") if path.is_file()]

    return list_objects


async def wait_for_stage(client: JobClient, job: Submitted, stages: set[str], timeout: float) -> dict[str, Any]:
    """Poll until the job is in one of ``stages`` (or finished); returns the last status."""
    deadline = time.monotonic() + timeout
    while True:
        status = await client.status(job)
        if status["progress"]["current_stage"] in stages or status["status"] in TERMINAL:
            return status
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job.job_id} never reached {stages}: {status}")
        await asyncio.sleep(0.5)


async def wait_all_terminal(client: JobClient, jobs: list[Submitted], timeout: float) -> dict[str, str]:
    """Poll every job until all have finished or ``timeout`` passes; returns the last status of each."""
    deadline = time.monotonic() + timeout
    last: dict[str, str] = {}
    pending = list(jobs)
    while pending and time.monotonic() < deadline:
        still: list[Submitted] = []
        for job in pending:
            status = (await client.status(job))["status"]
            last[job.job_id] = status
            if status not in TERMINAL:
                still.append(job)
        pending = still
        if pending:
            await asyncio.sleep(2.0)
    return last


class ChaosStack(DistributedStack):
    """The distributed stack with the operations of a chaos test: kill a process, start its replacement."""

    def kill(self, label: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes[label]
        process.signal(sig)
        process.popen.wait(timeout=60)

    def restart(self, label: str, *, extra_env: dict[str, str] | None = None) -> Process:
        """Start a fresh process in ``label``'s place (the old one must have exited) and wait until it is ready."""
        old = self.processes[label]
        if old.alive():
            raise RuntimeError(f"{label} is still running")
        name, _, replica = label.partition("-")
        env = {**os.environ, **_env(self), **(extra_env or {})}
        process = self.start_service(name, int(replica or 0), env)
        wait_ready(process)
        return process

    def start_gateway(
        self, label: str, port: int, *, extra_env: dict[str, str] | None = None, wait: bool = True
    ) -> Process:
        """Start another gateway replica (or restart one) on ``port`` and (unless ``wait`` is false) wait until it
        is ready."""
        env = {
            **os.environ,
            **_env(self),
            "MATHREEL_PORT": str(port),
            "MATHREEL_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            **(extra_env or {}),
        }
        process = self._spawn(
            label, [sys.executable, "-m", "mathreel_gateway.main"], env, f"http://127.0.0.1:{port}/ready"
        )
        if wait:
            wait_ready(process)
        return process

    def stop(self) -> None:
        super().stop()
        for process in self.processes.values():
            if process.alive():
                process.popen.kill()


def _env(stack: DistributedStack) -> dict[str, str]:
    from tests.e2e.stack import settings_env

    return settings_env(stack.settings)


def wait_ready(process: Process, timeout: float = 180.0) -> None:
    """Wait for one process's readiness endpoint."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            raise RuntimeError(f"{process.name} exited during start-up:\n{process.log_tail()}")
        if process.ready():
            return
        time.sleep(0.3)
    raise RuntimeError(f"{process.name} not ready after {timeout:.0f} s:\n{process.log_tail()}")


def exit_code(process: Process, timeout: float) -> int | None:
    try:
        return process.popen.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
