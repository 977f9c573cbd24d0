"""What a webhook says: the Standard Webhooks body ``{"type", "timestamp", "data"}`` of each event.

``job.completed`` carries the body of ``GET /videos/jobs/{id}/video-url`` (URLs signed afresh at each attempt, so a
retry a day later still carries working links; ``thumbnail_url`` made absolute). ``job.failed`` and
``job.cancelled`` carry the job's status body, ``error`` included for a failure.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from mathreel_shared.db import Job
from mathreel_shared.domain import JobStatus, Stage
from mathreel_shared.storage import ObjectStore, content_disposition_name
from mathreel_shared.webhooks import WebhookDelivery, WebhookEvent


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment is not None else None


def _stage(value: str | None) -> str | None:
    try:
        return Stage(value).value if value else None
    except ValueError:
        return None


def status_data(job: Job) -> dict[str, Any]:
    """The job's status body, as ``GET /videos/jobs/{id}/status`` answers it for a finished job (the webhook tests
    compare the two field for field)."""
    status = JobStatus(job.status)
    error = None
    if status is JobStatus.FAILED:
        error = {
            "code": job.error_code or "internal_error",
            "message": job.error_message or "The video could not be generated.",
            "stage": _stage(job.error_stage or job.stage),
        }
    data: dict[str, Any] = {
        "job_id": str(job.id),
        "status": status.value,
        "progress": {
            "percentage": round(float(job.percentage), 1),
            "current_stage": _stage(job.stage) or Stage.INITIALIZING.value,
        },
        "created_at": _iso(job.created_at),
        "updated_at": _iso(job.updated_at),
        "estimated_completion_time": _iso(job.completed_at) if status is JobStatus.COMPLETED else None,
        "title": job.title,
        "quality": job.quality,
        "priority": job.priority,
    }
    if error is not None:
        data["error"] = error  # present only when the job failed, as in the status body
    return data


async def video_url_data(job: Job, store: ObjectStore, *, ttl_seconds: int, public_base_url: str) -> dict[str, Any]:
    """The body of ``GET /videos/jobs/{id}/video-url`` for a completed job (the webhook tests compare the two)."""
    assert job.video_key is not None, "a completed job has a video"
    expires_at = datetime.now(UTC) + timedelta(seconds=ttl_seconds)
    download_name = content_disposition_name(job.title or job.topic)
    dimensions = (
        {"width": job.width, "height": job.height} if job.width is not None and job.height is not None else None
    )
    return {
        "job_id": str(job.id),
        "status": JobStatus.COMPLETED.value,
        "video_url": await store.presigned_url(job.video_key, ttl_seconds),
        "download_url": await store.presigned_url(job.video_key, ttl_seconds, download_name=download_name),
        "thumbnail_url": f"{public_base_url.rstrip('/')}/api/v1/videos/jobs/{job.id}/thumbnail",
        "captions_url": await store.presigned_url(job.captions_key, ttl_seconds) if job.captions_key else None,
        "expires_at": _iso(expires_at),
        "metadata": {
            "duration": job.duration_seconds,
            "quality": job.quality,
            "format": job.video_format or "mp4",
            "file_size": job.file_size,
            "demo": False,
            "created_at": _iso(job.completed_at or job.created_at),
            "title": job.title,
            "dimensions": dimensions,
        },
        "is_demo": False,
    }


async def event_body(
    delivery: WebhookDelivery, job: Job, store: ObjectStore, *, ttl_seconds: int, public_base_url: str
) -> str:
    """The JSON body of one attempt of ``delivery``. ``timestamp`` is when the event happened (the same on every
    attempt); the ``webhook-timestamp`` header is when the attempt was made."""
    if delivery.event is WebhookEvent.JOB_COMPLETED:
        data = await video_url_data(job, store, ttl_seconds=ttl_seconds, public_base_url=public_base_url)
    else:
        data = status_data(job)
    return json.dumps({"type": delivery.event.value, "timestamp": _iso(delivery.created_at), "data": data})
