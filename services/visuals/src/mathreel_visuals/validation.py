"""Checks that need no rendering, run in the parent before a subprocess is spent on a scene that cannot work."""

from __future__ import annotations

from mathreel_scenelang import storyboard as sb
from mathreel_scenelang.expressions import ExpressionError, compile_expression
from mathreel_scenelang.fields import latex_sources
from mathreel_scenelang.latex import UnsafeLatexError, check_latex
from mathreel_shared.timing import SceneTiming
from mathreel_visuals.errors import VisualsError


def validate_scene(scene: sb.Scene, timing: SceneTiming) -> None:
    """Raise :class:`VisualsError` for a scene that would fail to render for reasons in its own content."""
    if len(timing.beats) != len(scene.beats):
        raise VisualsError(
            "timing_mismatch", f"scene '{scene.id}' has {len(scene.beats)} beats but timing has {len(timing.beats)}"
        )
    for src in latex_sources(scene):
        try:
            check_latex(src)
        except UnsafeLatexError as exc:
            raise VisualsError("latex_rejected", f"{exc} in {src!r}") from exc
    for beat in scene.beats:
        for a in beat.actions:
            if isinstance(a, sb.ShowAngle) and a.vertex in (a.a, a.b):
                raise VisualsError("invalid_scene", f"angle '{a.id}': a ray from the vertex to itself has no direction")
            if isinstance(a, sb.ShowArrow) and a.start is not None and a.start == a.end:
                raise VisualsError("invalid_scene", f"arrow '{a.id}' starts where it ends")
            expressions = [a.expression] if isinstance(a, sb.PlotFunction) else getattr(a, "expressions", [])
            for expression in expressions:
                try:
                    compile_expression(expression)
                except ExpressionError as exc:
                    raise VisualsError("invalid_expression", str(exc)) from exc
