"""Domain vocabulary of the public contract: statuses, stages, qualities, priorities.

The string values are binding: the frontend integration guide names them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class JobStatus(StrEnum):
    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL_STATUSES

    @property
    def is_active(self) -> bool:
        return self in ACTIVE_STATUSES


TERMINAL_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})
ACTIVE_STATUSES = frozenset({JobStatus.QUEUED, JobStatus.PROCESSING})


class Stage(StrEnum):
    INITIALIZING = "initializing"
    GENERATING_SCRIPT = "generating_script"
    GENERATING_AUDIO = "generating_audio"
    GENERATING_VISUALS = "generating_visuals"
    RENDERING = "rendering"
    UPLOADING = "uploading"
    COMPLETED = "completed"


# Each stage owns a slice of the progress bar: (start %, end %). Visuals dominate the wall time.
STAGE_PROGRESS: dict[Stage, tuple[float, float]] = {
    Stage.INITIALIZING: (0.0, 2.0),
    Stage.GENERATING_SCRIPT: (2.0, 10.0),
    Stage.GENERATING_AUDIO: (10.0, 25.0),
    Stage.GENERATING_VISUALS: (25.0, 85.0),
    Stage.RENDERING: (85.0, 95.0),
    Stage.UPLOADING: (95.0, 100.0),
    Stage.COMPLETED: (100.0, 100.0),
}

STAGE_ORDER: tuple[Stage, ...] = tuple(STAGE_PROGRESS)


def stage_percentage(stage: Stage, fraction: float) -> float:
    """Overall percentage for ``fraction`` (0..1) of the way through ``stage``."""
    start, end = STAGE_PROGRESS[stage]
    fraction = min(max(fraction, 0.0), 1.0)
    return round(start + (end - start) * fraction, 1)


class Quality(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True)
class QualityPreset:
    width: int
    height: int
    fps: int
    manim_flag: str
    # x264 preset: the fastest that still looks clean on flat, synthetic frames.
    x264_preset: str
    crf: int


QUALITY_PRESETS: dict[Quality, QualityPreset] = {
    Quality.LOW: QualityPreset(854, 480, 15, "l", "veryfast", 26),
    Quality.MEDIUM: QualityPreset(1280, 720, 30, "m", "veryfast", 23),
    Quality.HIGH: QualityPreset(1920, 1080, 60, "h", "veryfast", 21),
}


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"

    @property
    def broker_priority(self) -> int:
        """AMQP message priority (queues are declared with ``x-max-priority`` = 9)."""
        return {Priority.LOW: 1, Priority.NORMAL: 5, Priority.HIGH: 9}[self]


MAX_BROKER_PRIORITY = 9

_USER_ID = re.compile(r"^[A-Za-z0-9_\-|.@:]{1,128}$")


def validate_user_id(user_id: str) -> str:
    """Raise ``ValueError`` unless ``user_id`` is safe to embed in a storage key."""
    if not _USER_ID.fullmatch(user_id) or user_id in {".", ".."} or ".." in user_id:
        raise ValueError("user id has characters that are not allowed")
    return user_id
