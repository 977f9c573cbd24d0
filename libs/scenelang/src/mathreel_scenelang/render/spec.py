"""What the parent process hands the render subprocess, and what the subprocess hands back (both as JSON files)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mathreel_scenelang.storyboard import Scene
from mathreel_shared.timing import SceneTiming


class RenderSpec(BaseModel):
    """One scene to render, with its timing and the exact output format."""

    model_config = ConfigDict(frozen=True)

    scene: Scene
    timing: SceneTiming
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    fps: int = Field(gt=0)
    # libx264 options for Manim's segment writer (preset, crf): the clip is stream-copied into the final video, so
    # this is the video's only encode and decides both its speed and its quality.
    encoder_options: dict[str, str] = Field(default_factory=dict)
    media_dir: str
    report_path: str
    # Where LaTeX output is kept; shared between renders, it is a cache keyed by a hash of each formula's source.
    tex_dir: str | None = None


class RenderOutcome(BaseModel):
    """Written by the subprocess before it exits: the layout/timing report, or the error that stopped it."""

    ok: bool
    error_code: str | None = None
    error_message: str | None = None
    retryable: bool = False
    report: dict[str, Any] = Field(default_factory=dict)
