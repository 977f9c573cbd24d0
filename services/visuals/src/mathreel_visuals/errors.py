"""The one exception the visuals library raises: the scene language's :class:`SceneError`, under the name the
visuals worker and its callers know."""

from __future__ import annotations

from mathreel_scenelang.errors import SceneError as VisualsError

__all__ = ["VisualsError"]
