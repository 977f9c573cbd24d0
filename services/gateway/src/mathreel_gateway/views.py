"""Turning stored jobs into the response bodies of the contract."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mathreel_gateway.jobs import as_utc
from mathreel_gateway.schemas import (
    Dimensions,
    JobCreated,
    JobError,
    JobStatusResponse,
    Progress,
    VideoMetadata,
    VideoUrlMetadata,
)
from mathreel_shared.db import Job
from mathreel_shared.domain import JobStatus, Priority, Quality, Stage


def _stage(value: str | None) -> Stage | None:
    try:
        return Stage(value) if value else None
    except ValueError:
        return None


def progress_of(job: Job) -> Progress:
    return Progress(percentage=round(float(job.percentage), 1), current_stage=_stage(job.stage) or Stage.INITIALIZING)


def job_created(job: Job) -> JobCreated:
    return JobCreated(
        job_id=job.id,
        status=JobStatus(job.status),
        progress=progress_of(job),
        estimated_completion_time=as_utc(job.estimated_completion_at) if job.estimated_completion_at else None,
        created_at=as_utc(job.created_at),
    )


def job_status(job: Job) -> JobStatusResponse:
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
    )


def _dimensions(job: Job) -> Dimensions | None:
    if job.width is None or job.height is None:
        return None
    return Dimensions(width=job.width, height=job.height)


def video_url_metadata(job: Job) -> VideoUrlMetadata:
    return VideoUrlMetadata(
        duration=job.duration_seconds,
        quality=Quality(job.quality),
        format=job.video_format or "mp4",
        file_size=job.file_size,
        created_at=as_utc(job.completed_at or job.created_at),
        title=job.title,
        dimensions=_dimensions(job),
    )


def _optional_str(details: dict[str, Any], key: str) -> str | None:
    value = details.get(key)
    return value if isinstance(value, str) else None


def video_metadata(job: Job) -> VideoMetadata:
    details = job.details or {}
    sources = details.get("sources")
    return VideoMetadata(
        title=job.title or job.topic,
        duration=job.duration_seconds,
        quality=Quality(job.quality),
        format=job.video_format or "mp4",
        file_size=job.file_size,
        created_at=as_utc(job.completed_at or job.created_at),
        dimensions=_dimensions(job),
        fps=job.fps,
        sources=[s for s in sources if isinstance(s, dict)] if isinstance(sources, list) else [],
        author=_optional_str(details, "author"),
        model=_optional_str(details, "model"),
    )
