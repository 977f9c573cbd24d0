"""Request and response bodies of the public API. Field names and values are those of the integration guide."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mathreel_shared.domain import JobStatus, Priority, Quality, Stage

TOPIC_MAX_CHARS = 200
CONTEXT_MAX_CHARS = 5000

Topic = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TOPIC_MAX_CHARS)]
Context = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=CONTEXT_MAX_CHARS)]


# --- requests -----------------------------------------------------------------------------------------------------
class VideoConfiguration(BaseModel):
    """What the video should explain and how it should be made."""

    model_config = ConfigDict(extra="forbid")

    topic: Topic = Field(
        description=f"Main topic of the video, 1 to {TOPIC_MAX_CHARS} characters (surrounding whitespace is trimmed).",
        examples=["Pythagorean Theorem"],
    )
    context: Context = Field(
        description=f"Detailed context and instructions, 1 to {CONTEXT_MAX_CHARS} characters.",
        examples=["Explain the Pythagorean theorem with visual examples and mathematical proof"],
    )
    quality: Quality = Field(
        default=Quality.MEDIUM,
        description="low: 854x480 at 15 fps, medium: 1280x720 at 30 fps, high: 1920x1080 at 60 fps.",
    )
    use_rag: bool = Field(default=False, description="Ground the script in retrieved reference material.")
    use_context_learning: bool = Field(default=False, description="Guide the script with worked example videos.")


class GenerateVideoRequest(BaseModel):
    """Body of ``POST /videos/generate``. Unknown fields are rejected with 422."""

    model_config = ConfigDict(extra="forbid")

    configuration: VideoConfiguration
    priority: Priority = Field(default=Priority.NORMAL, description="Queue priority: low, normal or high.")


# --- responses ----------------------------------------------------------------------------------------------------
class Progress(BaseModel):
    percentage: float = Field(ge=0, le=100, description="Overall progress, 0 to 100.")
    current_stage: Stage


class JobCreated(BaseModel):
    job_id: UUID
    status: JobStatus
    progress: Progress
    estimated_completion_time: datetime | None
    created_at: datetime


class JobError(BaseModel):
    code: str
    message: str
    stage: Stage | None


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


class JobList(BaseModel):
    items: list[JobStatusResponse]
    total: int = Field(description="Number of jobs matching the filter, over all pages.")
    limit: int
    offset: int


class Dimensions(BaseModel):
    width: int
    height: int


class VideoUrlMetadata(BaseModel):
    duration: float | None = Field(description="Seconds, measured from the rendered file.")
    quality: Quality
    format: str
    file_size: int | None = Field(description="Bytes.")
    demo: Literal[False] = False
    created_at: datetime
    title: str | None
    dimensions: Dimensions | None


class VideoUrlResponse(BaseModel):
    job_id: UUID
    status: JobStatus
    video_url: str = Field(description="Presigned URL to play the video; made fresh on every call.")
    download_url: str = Field(description="Presigned URL that downloads the video as an attachment.")
    thumbnail_url: str
    captions_url: str | None = Field(default=None, description="Presigned URL of the WebVTT captions, when present.")
    expires_at: datetime = Field(description="When the presigned URLs stop working.")
    metadata: VideoUrlMetadata
    is_demo: Literal[False] = False


class VideoMetadata(BaseModel):
    title: str | None
    duration: float | None = Field(description="Seconds, measured from the rendered file.")
    quality: Quality
    format: str
    file_size: int | None
    created_at: datetime
    dimensions: Dimensions | None
    fps: float | None
    sources: list[dict[str, Any]] = Field(default_factory=list, description="References the script drew on.")
    author: str | None = Field(default=None, description="What wrote the script (a model or the offline planner).")
    model: str | None = None


class MetadataResponse(BaseModel):
    job_id: UUID
    metadata: VideoMetadata


class HealthResponse(BaseModel):
    app_name: str
    version: str
    environment: str
    status: Literal["healthy"] = "healthy"


class ReadinessResponse(BaseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, str] = Field(description="`ok` or the reason, for database, broker, storage, cache and auth.")


# --- error bodies (documentation of the responses the routes can give) ---------------------------------------------
class ErrorBody(BaseModel):
    detail: str


class JobNotReadyBody(BaseModel):
    detail: str = Field(examples=["Job is not completed yet. Current status: processing"])
    status: JobStatus
    progress: float
    current_stage: Stage


class LimitBody(BaseModel):
    detail: str
    limit: Literal["rate", "active_jobs"]
    retry_after: int | None = None
    max_active_jobs: int | None = None
