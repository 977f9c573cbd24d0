"""Checks that need no rendering, run in the parent before a subprocess is spent on a scene that cannot work."""

from __future__ import annotations

from collections.abc import Iterator

from mathreel_shared import storyboard as sb
from mathreel_visuals.errors import VisualsError
from mathreel_visuals.expressions import ExpressionError, compile_expression
from mathreel_visuals.safe_latex import UnsafeLatexError, check_latex


def latex_sources(scene: sb.Scene) -> Iterator[str]:
    """Every string of the scene that will be set by LaTeX: formulas, labels, matrix entries, ``$...$`` cells."""
    for beat in scene.beats:
        for a in beat.actions:
            if isinstance(a, sb.ShowEquation):
                yield a.latex
            elif isinstance(a, sb.TransformEquation):
                yield a.latex
                yield from a.highlight
            elif isinstance(a, sb.ShowMatrix):
                yield from (c for row in a.rows for c in row if c.strip())
            elif isinstance(a, sb.ShowTable):
                cells = [*a.header, *(c for row in a.rows for c in row)]
                yield from (c[1:-1] for c in cells if len(c) > 2 and c.startswith("$") and c.endswith("$"))
            elif isinstance(a, sb.ShowAxes):
                yield a.x_label
                yield a.y_label
            elif isinstance(a, sb.ShowPolygon):
                yield from (label for label in a.labels if label)
            label = getattr(a, "label", None)
            if isinstance(label, str) and label:
                yield label


def validate_scene(scene: sb.Scene, timing: sb.SceneTiming) -> None:
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
            if isinstance(a, sb.PlotFunction):
                try:
                    compile_expression(a.expression)
                except ExpressionError as exc:
                    raise VisualsError("invalid_expression", str(exc)) from exc
