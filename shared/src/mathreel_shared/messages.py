"""Every message that crosses the bus, in one module.

Each message is a frozen pydantic model with a ``type`` literal and a ``version``. They form one discriminated union,
parsed by ``message_adapter``. Adding a field is not breaking (consumers ignore unknown fields); a breaking change
adds a new version and consumers accept both until producers move over. Messages carry ids and storage keys, never
media bytes. Trace context rides in the message headers, not in the body.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from mathreel_shared.domain import Priority, Quality, Stage
from mathreel_shared.timing import SceneTiming


def utcnow() -> datetime:
    return datetime.now(UTC)


class JobConfiguration(BaseModel):
    """What the user asked for (the ``configuration`` object of the public API)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    topic: str
    context: str
    quality: Quality = Quality.MEDIUM
    use_rag: bool = False
    use_context_learning: bool = False


class Envelope(BaseModel):
    """Fields every message has."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    version: int = 1
    message_id: UUID = Field(default_factory=uuid4)
    job_id: UUID
    user_id: str
    occurred_at: datetime = Field(default_factory=utcnow)
    attempt: int = Field(default=1, ge=1)
    priority: Priority = Priority.NORMAL

    def job_fields(self) -> dict[str, Any]:
        """The envelope fields a message about the same job carries over (job, user, priority)."""
        return {"job_id": self.job_id, "user_id": self.user_id, "priority": self.priority}


# --- commands -----------------------------------------------------------------------------------------------------
class JobRequested(Envelope):
    """Gateway → orchestrator, through the outbox, when a job is accepted."""

    type: Literal["job.requested"] = "job.requested"
    configuration: JobConfiguration


class ScriptRequested(Envelope):
    """Orchestrator → script: write the storyboard for this job, or check and store the one it was given."""

    type: Literal["stage.script.requested"] = "stage.script.requested"
    configuration: JobConfiguration
    # A storyboard the user gave (a revision, ``mathreel render``): checked and stored instead of planning one.
    given_storyboard_key: str | None = None
    # For a revision of a completed job: that job's storyboard. The given storyboard's scenes that equal one of its
    # (rendered, so laid out and typeset) are not preflighted again; without it every scene is.
    original_storyboard_key: str | None = None


class TtsRequested(Envelope):
    """Orchestrator → tts, one per scene: speak the narration of ``scene_index`` of the storyboard."""

    type: Literal["stage.tts.requested"] = "stage.tts.requested"
    storyboard_key: str
    scene_index: int = Field(ge=0)
    scene_count: int = Field(ge=1)


class VisualsRequested(Envelope):
    """Orchestrator → visuals, one per scene: animate ``scene_index`` to fit its measured narration timing."""

    type: Literal["stage.visuals.requested"] = "stage.visuals.requested"
    storyboard_key: str
    scene_index: int = Field(ge=0)
    scene_count: int = Field(ge=1)
    quality: Quality
    timing: SceneTiming


class RenderRequested(Envelope):
    """Orchestrator → render, once all scenes have audio and clips: assemble, encode, thumbnail, upload."""

    type: Literal["stage.render.requested"] = "stage.render.requested"
    storyboard_key: str
    quality: Quality
    title: str
    clip_keys: list[str]
    audio_keys: list[str]
    timings: list[SceneTiming]
    # The artifact cache's keys of each scene's narration and clip, in scene order, when every scene has one: with
    # them the final video is cached too (docs/cache.md). Absent (older producers, a scene made without a key): the
    # video is assembled and nothing is cached.
    audio_cache_keys: list[str] | None = None
    clip_cache_keys: list[str] | None = None


# --- events -------------------------------------------------------------------------------------------------------
class ScriptCompleted(Envelope):
    """Script → orchestrator: the storyboard is stored at ``storyboard_key``."""

    type: Literal["stage.script.completed"] = "stage.script.completed"
    storyboard_key: str
    scene_count: int = Field(ge=1)
    title: str
    author: str = "offline-planner"
    usage: dict[str, int] = Field(default_factory=dict)
    sources: list[dict[str, str | None]] = Field(default_factory=list)
    # What the worker spent on this message (the resource report): CPU seconds of the worker process and its
    # subprocesses, bytes written to object storage, and whether the result came from the artifact cache.
    cpu_seconds: float | None = None
    bytes_stored: int | None = None
    cache: Literal["hit", "miss"] | None = None


class TtsCompleted(Envelope):
    """Tts → orchestrator: narration of one scene is stored at ``audio_key``; ``timing`` was measured."""

    type: Literal["stage.tts.completed"] = "stage.tts.completed"
    scene_index: int = Field(ge=0)
    audio_key: str
    timing: SceneTiming
    # What the worker spent on this message (the resource report): CPU seconds of the worker process and its
    # subprocesses, bytes written to object storage, and whether the result came from the artifact cache.
    cpu_seconds: float | None = None
    bytes_stored: int | None = None
    cache: Literal["hit", "miss"] | None = None
    # The narration's content address in the artifact cache (what the render stage keys the final video by).
    cache_key: str | None = None


class VisualsCompleted(Envelope):
    """Visuals → orchestrator: the silent clip of one scene is stored at ``clip_key``."""

    type: Literal["stage.visuals.completed"] = "stage.visuals.completed"
    scene_index: int = Field(ge=0)
    clip_key: str
    duration: float = Field(gt=0)
    # What the worker spent on this message (the resource report): CPU seconds of the worker process and its
    # subprocesses, bytes written to object storage, and whether the result came from the artifact cache.
    cpu_seconds: float | None = None
    bytes_stored: int | None = None
    cache: Literal["hit", "miss"] | None = None
    # The clip's content address in the artifact cache (what the render stage keys the final video by).
    cache_key: str | None = None


class VideoMetadata(BaseModel):
    model_config = ConfigDict(frozen=True)

    duration: float
    width: int
    height: int
    fps: float
    file_size: int
    format: str = "mp4"
    video_codec: str
    audio_codec: str


class RenderCompleted(Envelope):
    """Render → orchestrator: the final video, thumbnail and captions are uploaded."""

    type: Literal["stage.render.completed"] = "stage.render.completed"
    video_key: str
    thumbnail_key: str
    captions_key: str | None = None
    srt_key: str | None = None
    metadata: VideoMetadata
    # What the worker spent on this message (the resource report): CPU seconds of the worker process and its
    # subprocesses, bytes written to object storage, and whether the result came from the artifact cache.
    cpu_seconds: float | None = None
    bytes_stored: int | None = None
    cache: Literal["hit", "miss"] | None = None


class StageProgress(Envelope):
    """Any worker → orchestrator: ``fraction`` (0..1) of ``stage`` is done (for one scene when ``scene_index``)."""

    type: Literal["job.progress"] = "job.progress"
    stage: Stage
    fraction: float = Field(ge=0, le=1)
    scene_index: int | None = None


class StageFailed(Envelope):
    """Any worker → orchestrator: the stage failed. ``retryable`` errors may be retried; others fail the job."""

    type: Literal["stage.failed"] = "stage.failed"
    stage: Stage
    code: str
    message: str
    retryable: bool = False
    scene_index: int | None = None


class JobCancelled(Envelope):
    """Gateway → every worker (broadcast): drop pending work of this job, stop running work at a checkpoint."""

    type: Literal["job.cancelled"] = "job.cancelled"


class JobStatusChanged(Envelope):
    """Gateway or orchestrator → every gateway replica, through the outbox once the change has committed: the job's
    status body (``status``: what ``/status`` answers, plus ``queue_position`` while queued) after its ``seq``-th
    change. Published on the ``<ns>.events`` topic exchange with the routing key ``job.status.<user_id>``; each
    gateway relays it to the user's SSE and WebSocket clients. The same event is stored in ``job_event``."""

    type: Literal["job.status"] = "job.status"
    seq: int = Field(ge=1)
    status: dict[str, Any]


class WebhookDeliver(Envelope):
    """Orchestrator or gateway (through the outbox, with the job's terminal transition), then the webhooks worker
    itself (retries, through delay queues) → webhooks worker: make attempt ``attempt`` of delivery ``delivery_id``."""

    type: Literal["webhook.deliver"] = "webhook.deliver"
    delivery_id: UUID


Message = Annotated[
    JobRequested
    | ScriptRequested
    | TtsRequested
    | VisualsRequested
    | RenderRequested
    | ScriptCompleted
    | TtsCompleted
    | VisualsCompleted
    | RenderCompleted
    | StageProgress
    | StageFailed
    | JobCancelled
    | JobStatusChanged
    | WebhookDeliver,
    Field(discriminator="type"),
]

message_adapter: TypeAdapter[Message] = TypeAdapter(Message)


def parse_message(body: bytes | str) -> Message:
    """Parse a message body; raises ``pydantic.ValidationError`` for anything that is not a known message."""
    return message_adapter.validate_json(body)


def dump_message(message: Envelope) -> bytes:
    return message.model_dump_json().encode()
