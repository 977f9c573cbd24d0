"""The job API's request and response bodies, and how a stored job becomes one. Field names and values are those
of the integration guide. The status body (``JobStatusResponse``, ``job_status``) lives in ``mathreel_shared.status``:
the job events carry the same body, and the orchestrator builds them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from mathreel_shared.db import Job
from mathreel_shared.domain import JobStatus, Priority, Quality, Stage
from mathreel_shared.status import JobError, JobStatusResponse, Progress, as_utc, job_status, progress_of

TOPIC_MAX_CHARS = 200
CONTEXT_MAX_CHARS = 5000

# Characters refused in free text: C0 controls (NUL cannot even be stored in PostgreSQL text), DEL and C1 controls,
# and the bidirectional embeddings, overrides and isolates that make a title read differently from what it contains.
# (Lone surrogates, which UTF-8 cannot encode, are already refused by the JSON parser.) Tab, newline and carriage
# return stay allowed in the context; the topic, a one-line title, refuses them too. Emoji and every script pass.
_UNSAFE_TEXT = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_UNSAFE_TOPIC = _UNSAFE_TEXT + r"\t\n\r"
# Safe characters, at least one of them not whitespace. Published in the JSON schema as is, so the schema says
# exactly what is accepted: lengths are checked on the text as sent, surrounding whitespace is trimmed afterwards.
CONTEXT_PATTERN = rf"^[^{_UNSAFE_TEXT}]*[^{_UNSAFE_TEXT}\s][^{_UNSAFE_TEXT}]*$"
TOPIC_PATTERN = rf"^[^{_UNSAFE_TOPIC}]*[^{_UNSAFE_TOPIC}\s][^{_UNSAFE_TOPIC}]*$"


def _checked_and_trimmed(unsafe: str) -> Callable[[str], str]:
    unsafe_character = re.compile(f"[{unsafe}]")

    def check(text: str) -> str:
        found = unsafe_character.search(text)
        if found is not None:
            raise ValueError(f"contains a character that is not allowed: U+{ord(found.group()):04X}")
        if not text.strip():
            raise ValueError("must contain something other than whitespace")
        return text.strip()

    return check


Topic = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TOPIC_MAX_CHARS),
    AfterValidator(_checked_and_trimmed(_UNSAFE_TOPIC)),
    Field(json_schema_extra={"pattern": TOPIC_PATTERN}),
]
Context = Annotated[
    str,
    StringConstraints(min_length=1, max_length=CONTEXT_MAX_CHARS),
    AfterValidator(_checked_and_trimmed(_UNSAFE_TEXT)),
    Field(json_schema_extra={"pattern": CONTEXT_PATTERN}),
]


# --- requests -----------------------------------------------------------------------------------------------------
class VideoConfiguration(BaseModel):
    """What the video should explain and how it should be made."""

    model_config = ConfigDict(extra="forbid")

    topic: Topic = Field(
        description=f"Main topic of the video, 1 to {TOPIC_MAX_CHARS} characters, one line, no control characters "
        "(surrounding whitespace is trimmed).",
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


class ReviseVideoRequest(BaseModel):
    """Body of ``POST /videos/jobs/{job_id}/revise``. Unknown fields are rejected with 422."""

    model_config = ConfigDict(extra="forbid")

    storyboard: dict[str, Any] = Field(
        description="The edited storyboard: the document `GET /videos/jobs/{job_id}/storyboard` returns, in the "
        "scene language of docs/storyboard.md (its JSON Schema: docs/storyboard.schema.json). It is checked as a "
        "model's storyboard is (schema, LaTeX allowlist, plot expressions; 422 naming each field path), then laid "
        "out by the revision's script stage, which fails the job with `storyboard_rejected` if it does not fit.",
    )
    quality: Quality | None = Field(default=None, description="Default: the original job's quality.")
    priority: Priority = Field(default=Priority.NORMAL, description="Queue priority: low, normal or high.")


__all__ = ["JobError", "JobStatusResponse", "Progress", "as_utc", "job_status", "progress_of"]


# --- responses ----------------------------------------------------------------------------------------------------
class JobCreated(BaseModel):
    job_id: UUID
    status: JobStatus
    progress: Progress
    estimated_completion_time: datetime | None
    created_at: datetime


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


class JobNotReadyBody(BaseModel):
    detail: str = Field(examples=["Job is not completed yet. Current status: processing"])
    status: JobStatus
    progress: float
    current_stage: Stage


# --- from stored jobs ------------------------------------------------------------------------------------------
def job_created(job: Job) -> JobCreated:
    return JobCreated(
        job_id=job.id,
        status=JobStatus(job.status),
        progress=progress_of(job),
        estimated_completion_time=as_utc(job.estimated_completion_at) if job.estimated_completion_at else None,
        created_at=as_utc(job.created_at),
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
