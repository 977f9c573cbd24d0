"""The orchestrator: the only writer of job progress. It applies each event to the job in one transaction, together
with the messages that event causes (outbox), and remembers the event's id (inbox) so a redelivery changes nothing.

Lifecycle: initializing → generating_script → generating_audio (one tts message per scene, fan-in) →
generating_visuals (fan-in of one visuals message per scene) → rendering → uploading → completed. There is no idle
stage between narration and visuals: a scene's visuals message goes out as soon as that scene's narration is
measured, so visuals of early scenes render while later scenes are still being spoken; ``current_stage`` stays
``generating_audio`` until every narration is measured. Any stage that fails for good fails the job with its
reason. Events for a finished or cancelled job are acknowledged and ignored.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from mathreel_shared.bus import Delivery, PermanentMessageError
from mathreel_shared.db import Job, ProcessedMessage, SceneResult, StageRun, retry_on_conflict, utcnow
from mathreel_shared.domain import JobStatus, Quality, Stage, stage_percentage
from mathreel_shared.eta import estimate_completion, stage_medians
from mathreel_shared.events import record_job_event, refresh_queue_positions, status_fingerprint
from mathreel_shared.messages import (
    Envelope,
    JobConfiguration,
    JobRequested,
    Message,
    RenderCompleted,
    RenderRequested,
    ScriptCompleted,
    ScriptRequested,
    StageFailed,
    StageProgress,
    TtsCompleted,
    TtsRequested,
    VisualsCompleted,
    VisualsRequested,
)
from mathreel_shared.metrics import observe_delivery, record_job_resources, record_job_status, record_stage_usage
from mathreel_shared.outbox import OutboxRelay, enqueue, enqueued
from mathreel_shared.telemetry import span_from_headers
from mathreel_shared.timing import SceneTiming
from mathreel_shared.webhooks import enqueue_webhook_deliveries

log = logging.getLogger(__name__)

TTS = "tts"
VISUALS = "visuals"


# How many restarts of standalone mode one stage of a job may live through before the job fails.
MAX_RESUMES = 3


class Orchestrator:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], relay: OutboxRelay | None = None) -> None:
        self._sessionmaker = sessionmaker
        self._relay = relay
        # Serialises events of one job inside this process; across processes the job row lock does it.
        self._job_locks: defaultdict[UUID, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.applied = 0
        self.duplicates = 0

    async def handle(self, message: Message, delivery: Delivery) -> None:
        """Bus handler: apply ``message`` exactly once."""
        with span_from_headers(
            f"orchestrator {message.type}",
            delivery.headers,
            job_id=str(message.job_id),
            scene_index=getattr(message, "scene_index", None),
        ):
            observe_delivery("orchestrator", message, delivery)
            async with self._job_locks[message.job_id]:
                try:
                    # A deadlock with the gateway cancelling a job of the same user rolls the whole transaction
                    # back; it runs again here rather than going back through the broker.
                    published = await retry_on_conflict(lambda: self._apply(message))
                finally:
                    if not self._job_locks[message.job_id].locked():
                        self._job_locks.pop(message.job_id, None)
            if published and self._relay is not None:
                self._relay.notify()

    async def _apply(self, message: Message) -> bool:
        async with self._sessionmaker() as session, session.begin():
            if await session.get(ProcessedMessage, message.message_id) is not None:
                self.duplicates += 1
                return False
            session.add(ProcessedMessage(message_id=message.message_id))
            job = await self._lock_job(session, message.job_id)
            if job is None:
                raise PermanentMessageError(f"job {message.job_id} does not exist", fail_job=False)
            if job.status.is_terminal:
                log.info("ignoring %s for %s job %s", message.type, job.status, job.id)
                return False
            before = enqueued(session)
            fingerprint = status_fingerprint(job)
            await self._dispatch(session, job, message)
            job.updated_at = utcnow()
            await self._record_change(session, job, fingerprint)
            self.applied += 1
            # Messages were added to the outbox: the relay is woken once they are committed, not at its next poll.
            return enqueued(session) > before

    @staticmethod
    async def _record_change(session: AsyncSession, job: Job, before: tuple[str, str, float]) -> None:
        """A job event when the status, stage or percentage changed (docs/realtime.md); when the job left the
        queue, new queue positions for the user's other queued jobs."""
        if status_fingerprint(job) == before:
            return
        await record_job_event(session, job)
        if before[0] == JobStatus.QUEUED.value and job.status is not JobStatus.QUEUED:
            await refresh_queue_positions(session, job.user_id, left=job.id)

    async def _lock_job(self, session: AsyncSession, job_id: UUID) -> Job | None:
        query = select(Job).where(col(Job.id) == job_id)
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            query = query.with_for_update()
        return (await session.execute(query)).scalar_one_or_none()

    async def _dispatch(self, session: AsyncSession, job: Job, message: Message) -> None:
        match message:
            case JobRequested():
                await self._on_requested(session, job, message)
            case ScriptCompleted():
                await self._on_script(session, job, message)
            case TtsCompleted() | VisualsCompleted():
                await self._on_scene(session, job, message)
            case RenderCompleted():
                await self._on_rendered(session, job, message)
            case StageProgress():
                await self._on_progress(session, job, message)
            case StageFailed():
                await self._fail(session, job, message.stage, message.code, message.message)
            case _:
                raise PermanentMessageError(f"the orchestrator does not handle {message.type}")

    # --- transitions ------------------------------------------------------------------------------------------
    async def _enter_stage(self, session: AsyncSession, job: Job, stage: Stage) -> None:
        now = utcnow()
        previous = job.stage
        if previous is not stage:
            run = await session.get(StageRun, (job.id, previous))
            if run is not None and run.finished_at is None:
                run.finished_at = now
            elif run is None and job.stage_started_at is not None:
                session.add(
                    StageRun(
                        job_id=job.id,
                        stage=previous,
                        quality=job.quality,
                        started_at=job.stage_started_at,
                        finished_at=now,
                    )
                )
        if stage is not Stage.COMPLETED and await session.get(StageRun, (job.id, stage)) is None:
            session.add(StageRun(job_id=job.id, stage=stage, quality=job.quality, started_at=now))
        job.stage = stage
        job.stage_started_at = now
        self._advance(job, stage_percentage(stage, 0.0))
        await self._refresh_eta(session, job, now)

    @staticmethod
    def _advance(job: Job, percentage: float) -> None:
        """Progress never goes backwards."""
        job.percentage = max(job.percentage, min(percentage, 100.0))

    async def _refresh_eta(self, session: AsyncSession, job: Job, now: datetime) -> None:
        medians = await stage_medians(session, Quality(job.quality))
        job.estimated_completion_at = estimate_completion(medians, job.stage, job.stage_started_at, now)

    @staticmethod
    def _next(job: Job) -> dict[str, Any]:
        """Envelope fields of every message the orchestrator sends about ``job``."""
        return {"job_id": job.id, "user_id": job.user_id, "priority": job.priority}

    async def _on_requested(self, session: AsyncSession, job: Job, message: JobRequested) -> None:
        if job.status is not JobStatus.QUEUED:
            return  # already started: a duplicate publish from the outbox
        job.status = JobStatus.PROCESSING
        record_job_status(JobStatus.PROCESSING)
        job.started_at = utcnow()
        if job.stage_started_at is None:
            job.stage_started_at = job.created_at
        await self._start_stage(session, job, Stage.GENERATING_SCRIPT)

    async def _on_script(self, session: AsyncSession, job: Job, message: ScriptCompleted) -> None:
        if job.stage is not Stage.GENERATING_SCRIPT:
            return
        job.storyboard_key = message.storyboard_key
        job.scene_count = message.scene_count
        job.title = message.title
        provider, _, model = message.author.partition(":")
        job.details = {
            **job.details,
            "author": message.author,
            "provider": provider if model else None,
            "model": model or None,
            "usage": message.usage,
            "sources": message.sources,
        }
        await self._record_usage(session, job, Stage.GENERATING_SCRIPT, message)
        await self._start_stage(session, job, Stage.GENERATING_AUDIO)

    async def _start_stage(self, session: AsyncSession, job: Job, stage: Stage) -> None:
        """Enter ``stage`` and send its messages (one per scene for the fan-out stages)."""
        await self._enter_stage(session, job, stage)
        for message in await self._stage_messages(session, job):
            enqueue(session, message)

    async def _on_scene(self, session: AsyncSession, job: Job, message: TtsCompleted | VisualsCompleted) -> None:
        """Record one scene's result (once per scene, whatever the redeliveries).

        A scene's narration sends that scene's visuals request at once; the last narration moves the job to
        ``generating_visuals`` (whose requests are all out by then), the last clip to ``rendering``. A clip may
        arrive while the job is still in ``generating_audio``: it is recorded and counted when the stage begins.
        """
        tts = isinstance(message, TtsCompleted)
        kind = TTS if tts else VISUALS
        accepted = {Stage.GENERATING_AUDIO} if tts else {Stage.GENERATING_AUDIO, Stage.GENERATING_VISUALS}
        index = message.scene_index
        if job.stage not in accepted or job.scene_count is None or index >= job.scene_count:
            return
        if await session.get(SceneResult, (job.id, kind, index)) is None:
            result = message.model_dump(mode="json")
            session.add(SceneResult(job_id=job.id, stage=kind, scene_index=index, result=result))
            stage = Stage.GENERATING_AUDIO if tts else Stage.GENERATING_VISUALS
            if job.stage is stage:
                # A clip done while narrations are still measured is counted when its stage begins (below).
                await self._record_usage(session, job, stage, message)
            await session.flush()
            if tts:
                enqueue(session, self._visuals_request(job, index, result, attempt=1))
        if tts:
            narrated = await self._scene_results(session, job.id, TTS)
            self._advance(job, stage_percentage(Stage.GENERATING_AUDIO, len(narrated) / job.scene_count))
            if len(narrated) < job.scene_count:
                return
            # Every visuals request is already out: enter the stage without sending them again.
            await self._enter_stage(session, job, Stage.GENERATING_VISUALS)
            for early in (await self._scene_results(session, job.id, VISUALS)).values():
                await self._record_usage(session, job, Stage.GENERATING_VISUALS, VisualsCompleted.model_validate(early))
        if job.stage is not Stage.GENERATING_VISUALS:
            return
        clips = await self._scene_results(session, job.id, VISUALS)
        self._advance(job, stage_percentage(Stage.GENERATING_VISUALS, len(clips) / job.scene_count))
        if len(clips) == job.scene_count:
            await self._start_stage(session, job, Stage.RENDERING)

    def _visuals_request(self, job: Job, index: int, narration: dict[str, Any], *, attempt: int) -> VisualsRequested:
        assert job.storyboard_key is not None
        assert job.scene_count is not None
        return VisualsRequested(
            **self._next(job),
            attempt=attempt,
            storyboard_key=job.storyboard_key,
            scene_index=index,
            scene_count=job.scene_count,
            quality=Quality(job.quality),
            timing=SceneTiming.model_validate(narration["timing"]),
        )

    async def _scene_results(self, session: AsyncSession, job_id: UUID, kind: str) -> dict[int, dict[str, Any]]:
        rows = (
            await session.execute(
                select(SceneResult).where(col(SceneResult.job_id) == job_id, col(SceneResult.stage) == kind)
            )
        ).scalars()
        return {row.scene_index: row.result for row in rows}

    async def _on_progress(self, session: AsyncSession, job: Job, message: StageProgress) -> None:
        current = job.stage
        if message.stage is Stage.UPLOADING and current is Stage.RENDERING:
            await self._enter_stage(session, job, Stage.UPLOADING)
        elif message.stage is not current:
            return
        fraction = message.fraction
        if message.scene_index is not None and job.scene_count:
            kind = TTS if current is Stage.GENERATING_AUDIO else VISUALS
            done = len(await self._scene_results(session, job.id, kind))
            fraction = min((done + message.fraction) / job.scene_count, 1.0)
        self._advance(job, stage_percentage(current, fraction))
        await self._refresh_eta(session, job, utcnow())

    async def _on_rendered(self, session: AsyncSession, job: Job, message: RenderCompleted) -> None:
        if job.stage not in {Stage.RENDERING, Stage.UPLOADING}:
            return
        meta = message.metadata
        job.video_key = message.video_key
        job.thumbnail_key = message.thumbnail_key
        job.captions_key = message.captions_key
        job.srt_key = message.srt_key
        job.duration_seconds = meta.duration
        job.width = meta.width
        job.height = meta.height
        job.fps = meta.fps
        job.file_size = meta.file_size
        job.video_format = meta.format
        job.details = {**job.details, "video_codec": meta.video_codec, "audio_codec": meta.audio_codec}
        # The render worker encodes and uploads in one message: its figures count under rendering.
        await self._record_usage(session, job, Stage.RENDERING, message)
        await self._enter_stage(session, job, Stage.COMPLETED)
        job.status = JobStatus.COMPLETED
        record_job_status(JobStatus.COMPLETED)
        job.percentage = 100.0
        job.completed_at = utcnow()
        job.estimated_completion_at = job.completed_at
        report = await self._resource_report(session, job)
        job.details = {**job.details, "resources": report}
        record_job_resources(job.quality, cpu_seconds=report["cpu_seconds"], wall_seconds=report["wall_seconds"])
        await enqueue_webhook_deliveries(session, job)

    async def _record_usage(
        self,
        session: AsyncSession,
        job: Job,
        stage: Stage,
        message: ScriptCompleted | TtsCompleted | VisualsCompleted | RenderCompleted,
    ) -> None:
        """Add what a worker reported for one result to the stage's record (called once per scene and stage)."""
        record_stage_usage(
            stage.value, cpu_seconds=message.cpu_seconds, bytes_stored=message.bytes_stored, cache=message.cache
        )
        run = await session.get(StageRun, (job.id, stage))
        if run is None:
            return
        if message.cpu_seconds is not None:
            run.cpu_seconds = round((run.cpu_seconds or 0.0) + max(message.cpu_seconds, 0.0), 3)
        if message.bytes_stored is not None:
            run.bytes_stored = (run.bytes_stored or 0) + max(message.bytes_stored, 0)
        if message.cache == "hit":
            run.cache_hits = (run.cache_hits or 0) + 1
        elif message.cache == "miss":
            run.cache_misses = (run.cache_misses or 0) + 1

    async def _resource_report(self, session: AsyncSession, job: Job) -> dict[str, Any]:
        """The ``resources`` object of a completed job's status, from its stage records."""
        await session.flush()
        runs = (await session.execute(select(StageRun).where(col(StageRun.job_id) == job.id))).scalars()
        stages: dict[str, dict[str, Any]] = {}
        for run in sorted(runs, key=lambda run: run.started_at):
            finished = run.finished_at
            stages[str(run.stage)] = {
                "wall_seconds": round((finished - run.started_at).total_seconds(), 3) if finished else None,
                "cpu_seconds": run.cpu_seconds,
                "bytes_stored": run.bytes_stored,
                "cache_hits": run.cache_hits,
                "cache_misses": run.cache_misses,
            }
        end = job.completed_at or utcnow()
        return {
            "wall_seconds": round((end - job.created_at).total_seconds(), 3),
            "cpu_seconds": round(sum(stage["cpu_seconds"] or 0.0 for stage in stages.values()), 3),
            "bytes_stored": sum(stage["bytes_stored"] or 0 for stage in stages.values()),
            "cache_hits": sum(stage["cache_hits"] or 0 for stage in stages.values()),
            "cache_misses": sum(stage["cache_misses"] or 0 for stage in stages.values()),
            "stages": stages,
        }

    async def _fail(self, session: AsyncSession, job: Job, stage: Stage, code: str, reason: str) -> None:
        now = utcnow()
        run = await session.get(StageRun, (job.id, job.stage))
        if run is not None and run.finished_at is None:
            # A failed run is not a measurement of how long the stage takes: drop it from the estimates.
            await session.delete(run)
        job.status = JobStatus.FAILED
        record_job_status(JobStatus.FAILED)
        job.error_code = code
        job.error_message = reason
        job.error_stage = stage
        job.completed_at = now
        job.estimated_completion_at = None
        log.warning("job %s failed at %s: %s (%s)", job.id, stage, reason, code)
        await enqueue_webhook_deliveries(session, job)

    # --- watchdog support ------------------------------------------------------------------------------------
    async def active_jobs(self) -> list[tuple[UUID, Stage, str, datetime]]:
        async with self._sessionmaker() as session:
            rows = (
                await session.execute(
                    select(col(Job.id), col(Job.stage), col(Job.quality), col(Job.updated_at)).where(
                        col(Job.status).in_([JobStatus.QUEUED, JobStatus.PROCESSING])
                    )
                )
            ).all()
        return [(job_id, stage, quality, updated_at) for job_id, stage, quality, updated_at in rows]

    async def medians(self, quality: Quality) -> dict[Stage, float]:
        async with self._sessionmaker() as session:
            return await stage_medians(session, quality)

    async def handle_silence(self, job_id: UUID, stage: Stage, now: datetime) -> str | None:
        """Re-drive ``stage`` of a silent job once (its missing messages again); fail the job the second time."""
        async with self._job_locks[job_id]:
            async with self._sessionmaker() as session, session.begin():
                job = await self._lock_job(session, job_id)
                if job is None or job.status.is_terminal or job.stage is not stage:
                    return None  # it moved on while we looked
                redriven: dict[str, Any] = dict(job.details.get("watchdog", {}))
                fingerprint = status_fingerprint(job)
                if redriven.get(stage):
                    await self._fail(
                        session,
                        job,
                        stage,
                        "stage_timeout",
                        f"the {stage} stage made no progress, even after it was started again",
                    )
                    action = "failed"
                else:
                    for message in await self._stage_messages(session, job, attempt=2):
                        enqueue(session, message)
                    job.details = {**job.details, "watchdog": {**redriven, stage: now.isoformat()}}
                    action = "redriven"
                    log.warning("job %s: %s went silent; re-driving it once", job.id, stage)
                job.updated_at = now
                await self._record_change(session, job, fingerprint)
            self._job_locks.pop(job_id, None)
        if self._relay is not None:
            self._relay.notify()
        return action

    async def resume_after_restart(self, *, max_resumes: int = MAX_RESUMES) -> dict[UUID, str]:
        """Send again the pending messages of every job in flight: standalone mode's in-process bus lost them when
        the process stopped, and waiting for the watchdog would leave each job silent for minutes. A stage resumed
        ``max_resumes`` times (a job that takes the process down with it) fails instead. Per job: "resumed"/"failed".
        """
        actions: dict[UUID, str] = {}
        for job_id, stage, _quality, _updated_at in await self.active_jobs():
            async with self._job_locks[job_id]:
                async with self._sessionmaker() as session, session.begin():
                    job = await self._lock_job(session, job_id)
                    if job is None or JobStatus(job.status).is_terminal or job.stage != stage.value:
                        continue
                    resumes: dict[str, int] = dict(job.details.get("resumed", {}))
                    fingerprint = status_fingerprint(job)
                    if resumes.get(stage.value, 0) >= max_resumes:
                        reason = f"the {stage.value} stage was interrupted by {max_resumes} restarts"
                        await self._fail(session, job, stage, "stage_timeout", reason)
                        actions[job_id] = "failed"
                    else:
                        for message in await self._stage_messages(session, job):
                            enqueue(session, message)
                        resumes[stage.value] = resumes.get(stage.value, 0) + 1
                        job.details = {**job.details, "resumed": resumes}
                        actions[job_id] = "resumed"
                    job.updated_at = utcnow()
                    await self._record_change(session, job, fingerprint)
                self._job_locks.pop(job_id, None)
        if actions and self._relay is not None:
            self._relay.notify()
        return actions

    async def _stage_messages(self, session: AsyncSession, job: Job, *, attempt: int = 1) -> list[Envelope]:
        """The messages of ``job``'s current stage that have no result yet.

        In ``generating_audio`` those are the narrations not measured yet and the visuals of the scenes whose
        narration is (their requests went out with the narration's result), so a re-drive misses neither.
        """
        base = {**self._next(job), "attempt": attempt}
        stage = job.stage
        if stage is Stage.INITIALIZING:
            return [JobRequested(**base, configuration=job_configuration(job))]
        if stage is Stage.GENERATING_SCRIPT:
            given = job.details.get("given_storyboard_key")
            return [
                ScriptRequested(
                    **base,
                    configuration=job_configuration(job),
                    given_storyboard_key=given if isinstance(given, str) else None,
                    original_storyboard_key=await self._rendered_original(session, job) if given else None,
                )
            ]
        assert job.storyboard_key is not None
        assert job.scene_count is not None
        tts = await self._scene_results(session, job.id, TTS)
        visuals = await self._scene_results(session, job.id, VISUALS)
        if stage in {Stage.GENERATING_AUDIO, Stage.GENERATING_VISUALS}:
            speak: list[Envelope] = [
                TtsRequested(**base, storyboard_key=job.storyboard_key, scene_index=i, scene_count=job.scene_count)
                for i in range(job.scene_count)
                if i not in tts
            ]
            draw: list[Envelope] = [
                self._visuals_request(job, i, tts[i], attempt=attempt)
                for i in range(job.scene_count)
                if i in tts and i not in visuals
            ]
            return speak + draw
        order = range(job.scene_count)
        return [
            RenderRequested(
                **base,
                storyboard_key=job.storyboard_key,
                quality=Quality(job.quality),
                title=job.title or job.topic,
                clip_keys=[visuals[i]["clip_key"] for i in order],
                audio_keys=[tts[i]["audio_key"] for i in order],
                timings=[SceneTiming.model_validate(tts[i]["timing"]) for i in order],
                audio_cache_keys=_every_cache_key(tts[i] for i in order),
                clip_cache_keys=_every_cache_key(visuals[i] for i in order),
            )
        ]

    @staticmethod
    async def _rendered_original(session: AsyncSession, job: Job) -> str | None:
        """The storyboard of the completed job ``job`` revises (the same user's), whose scenes were all rendered."""
        if job.revision_of is None:
            return None
        original = await session.get(Job, job.revision_of)
        if original is None or original.user_id != job.user_id or original.status is not JobStatus.COMPLETED:
            return None
        return original.storyboard_key


def _every_cache_key(results: Iterable[dict[str, Any]]) -> list[str] | None:
    """Each scene result's artifact-cache key, in order; None unless every one has a key."""
    keys = [result.get("cache_key") for result in results]
    return [str(key) for key in keys] if all(isinstance(key, str) for key in keys) else None


def job_configuration(job: Job) -> JobConfiguration:
    return JobConfiguration(
        topic=job.topic,
        context=job.context,
        quality=Quality(job.quality),
        use_rag=job.use_rag,
        use_context_learning=job.use_context_learning,
    )
