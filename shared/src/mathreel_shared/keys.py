"""Object-storage key layout. Keys are built from validated ids only, never from free text."""

from __future__ import annotations

from uuid import UUID

from mathreel_shared.domain import validate_user_id


def job_prefix(user_id: str, job_id: UUID) -> str:
    return f"users/{validate_user_id(user_id)}/jobs/{job_id}/"


def storyboard_key(user_id: str, job_id: UUID) -> str:
    return job_prefix(user_id, job_id) + "storyboard.json"


def given_storyboard_key(user_id: str, job_id: UUID) -> str:
    """Where the storyboard a user gave (a revision, ``mathreel render``) waits for the script stage's checks."""
    return job_prefix(user_id, job_id) + "storyboard.given.json"


def scene_audio_key(user_id: str, job_id: UUID, scene_index: int) -> str:
    return job_prefix(user_id, job_id) + f"audio/scene_{scene_index + 1:03d}.wav"


def scene_clip_key(user_id: str, job_id: UUID, scene_index: int) -> str:
    return job_prefix(user_id, job_id) + f"scenes/scene_{scene_index + 1:03d}.mp4"


def video_key(user_id: str, job_id: UUID) -> str:
    return job_prefix(user_id, job_id) + "videos/output.mp4"


def thumbnail_key(user_id: str, job_id: UUID) -> str:
    return job_prefix(user_id, job_id) + "thumbnail.jpg"


def captions_key(user_id: str, job_id: UUID, fmt: str = "vtt") -> str:
    if fmt not in {"vtt", "srt"}:
        raise ValueError("captions format must be vtt or srt")
    return job_prefix(user_id, job_id) + f"captions.{fmt}"
