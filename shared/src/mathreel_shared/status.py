"""The status body of a job: what ``GET /api/v1/videos/jobs/{id}/status`` answers and every job event carries.

One function builds it (``job_status``) for the gateway's routes and for the events the gateway and the orchestrator
record, so a client following the events and a client polling see the same JSON. Field names and values are those
of the integration guide.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field, ValidationError

from mathreel_shared.db import Job
from mathreel_shared.domain import JobStatus, Priority, Quality, Stage


class Progress(BaseModel):
    percentage: float = Field(ge=0, le=100, description="Overall progress, 0 to 100.")
    current_stage: Stage


class JobError(BaseModel):
    code: str
    message: str
    stage: Stage | None


class StageResources(BaseModel):
    """What one stage of a finished job cost. A figure no worker reported is null."""

    wall_seconds: float | None = Field(description="From entering the stage to leaving it.")
    cpu_seconds: float | None = Field(
        description="CPU time of the workers (and their Manim/FFmpeg subprocesses), summed over the stage's scenes."
    )
    bytes_stored: int | None = Field(description="Bytes of artifacts the stage wrote to object storage.")
    cache_hits: int | None = Field(
        description="Artifacts that came from the cache: a scene's narration or clip, or the final video (rendering)."
    )
    cache_misses: int | None = Field(description="Artifacts that had to be made (per scene, or the final video).")


class ResourceReport(BaseModel):
    """What a completed job cost, in all and per stage (``initializing`` is the wait in the queue)."""

    wall_seconds: float = Field(description="From submission to completion.")
    cpu_seconds: float = Field(description="Sum of the stages' CPU seconds.")
    bytes_stored: int = Field(description="Sum of the stages' stored bytes.")
    cache_hits: int
    cache_misses: int
    stages: dict[str, StageResources] = Field(description="Per stage, keyed by the `current_stage` values.")


class JobStatusResponse(BaseModel):
    """The state of one job. ``error`` is present only when the job failed."""

    job_id: UUID
    status: JobStatus
    progress: Progress
    created_at: datetime
    updated_at: datetime
    estimated_completion_time: datetime | None = Field(
        description="When the job is expected to finish; its completion time once completed; null once failed or "
        "cancelled."
    )
    error: JobError | None = Field(
        default=None, exclude_if=lambda error: error is None, description="Why the job failed; only when it failed."
    )
    title: str | None = None
    quality: Quality
    priority: Priority
    revision_of: UUID | None = Field(
        default=None,
        exclude_if=lambda original: original is None,
        description="The job this one revises (made with `POST /videos/jobs/{job_id}/revise`); only on revisions.",
    )
    resources: ResourceReport | None = Field(
        default=None,
        exclude_if=lambda report: report is None,
        description="What the job cost (CPU and wall seconds per stage, cache hits, bytes stored); only once "
        "completed.",
    )


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _stage(value: str | None) -> Stage | None:
    try:
        return Stage(value) if value else None
    except ValueError:
        return None


def progress_of(job: Job) -> Progress:
    return Progress(percentage=round(float(job.percentage), 1), current_stage=_stage(job.stage) or Stage.INITIALIZING)


def job_status(job: Job) -> JobStatusResponse:
    """The status body of ``job``, as ``/status`` answers it."""
    status = JobStatus(job.status)
    eta: datetime | None
    if status is JobStatus.COMPLETED:
        eta = job.completed_at or job.updated_at
    elif status.is_active:
        eta = job.estimated_completion_at
    else:
        eta = None
    error = None
    if status is JobStatus.FAILED:
        error = JobError(
            code=job.error_code or "internal_error",
            message=job.error_message or "The video could not be generated.",
            stage=_stage(job.error_stage or job.stage),
        )
    return JobStatusResponse(
        job_id=job.id,
        status=status,
        progress=progress_of(job),
        created_at=as_utc(job.created_at),
        updated_at=as_utc(job.updated_at),
        estimated_completion_time=as_utc(eta) if eta else None,
        error=error,
        title=job.title,
        quality=Quality(job.quality),
        priority=Priority(job.priority),
        revision_of=job.revision_of,
        resources=_resources(job) if status is JobStatus.COMPLETED else None,
    )


def _resources(job: Job) -> ResourceReport | None:
    """The report the orchestrator wrote into the job's details when it completed (none for older jobs)."""
    report = (job.details or {}).get("resources")
    if not isinstance(report, dict):
        return None
    try:
        return ResourceReport.model_validate(report)
    except ValidationError:
        return None


def event_body(job: Job, queue_position: int | None = None) -> dict[str, Any]:
    """The JSON of a job event: the status body plus ``queue_position`` (1 = next) while the job is queued."""
    body = job_status(job).model_dump(mode="json")
    if queue_position is not None and JobStatus(job.status) is JobStatus.QUEUED:
        body["queue_position"] = queue_position
    return body
