"""Measured narration timing: written by tts, read by the orchestrator, visuals, render and captions.

It lives here rather than with the storyboard language (``mathreel_scenelang``) because the messages between stages
carry it, and every service reads those.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class BeatTiming(BaseModel):
    """Measured narration timing of one beat, written by tts and read by visuals, render and captions."""

    model_config = ConfigDict(frozen=True)

    start: float = Field(ge=0, description="Seconds from the start of the scene")
    duration: float = Field(gt=0)
    text: str


class SceneTiming(BaseModel):
    model_config = ConfigDict(frozen=True)

    scene_index: int = Field(ge=0)
    duration: float = Field(gt=0, description="Seconds of narration audio, pauses included")
    beats: list[BeatTiming]
