"""Request and response bodies of the public API. Field names and values are those of the integration guide."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from mathreel_shared.domain import JobStatus, Priority, Quality, Stage

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
