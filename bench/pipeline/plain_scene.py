"""The baseline's scene file: one storyboard scene as a plain Manim scene, for the ``manim`` CLI.

    MATHREEL_BENCH_SPEC=spec.json python -m manim render -qm bench/pipeline/plain_scene.py StoryboardPlain

The scene code is the one the visuals workers run (``StoryboardScene``, with Manim's configuration set from the
scene's ``RenderSpec`` as a render does); what is left out is everything around it: the worker, the bus, the
store, the fork server. Each ``manim`` process imports Manim and renders one scene, as Manim users do.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from mathreel_scenelang.render.config import configure
from mathreel_scenelang.render.scene import StoryboardScene
from mathreel_scenelang.render.spec import RenderSpec

SPEC = RenderSpec.model_validate_json(Path(os.environ["MATHREEL_BENCH_SPEC"]).read_text(encoding="utf-8"))


class StoryboardPlain(StoryboardScene):
    def __init__(self, **kwargs: Any) -> None:
        # The size, frame rate, encoder and TeX template of the scene's quality, as the CLI's -q flag and our
        # renders set them.
        configure(SPEC)
        super().__init__(SPEC, **kwargs)
