"""Mathreel visuals: one storyboard scene and its narration timing → a silent, laid-out, timed MP4 clip."""

from mathreel_visuals.errors import VisualsError
from mathreel_visuals.render import RenderedClip, render_scene

__all__ = ["RenderedClip", "VisualsError", "render_scene"]
