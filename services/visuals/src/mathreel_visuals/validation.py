"""Checks that need no rendering, run in the parent before a subprocess is spent on a scene that cannot work."""

from __future__ import annotations

from collections.abc import Iterator

from mathreel_shared import storyboard as sb
from mathreel_visuals.errors import VisualsError
from mathreel_visuals.expressions import ExpressionError, compile_expression
from mathreel_visuals.safe_latex import UnsafeLatexError, check_latex


def latex_fields(scene: sb.Scene) -> Iterator[tuple[str, str]]:
    """Every string of the scene that will be set by LaTeX (formulas, labels, matrix entries, ``$...$`` cells), with
    its path in the scene (``beats[1].actions[0].latex``)."""
    for b, beat in enumerate(scene.beats):
        for i, a in enumerate(beat.actions):
            at = f"beats[{b}].actions[{i}]"
            if isinstance(a, sb.ShowEquation):
                yield f"{at}.latex", a.latex
            elif isinstance(a, sb.TransformEquation):
                yield f"{at}.latex", a.latex
                yield from ((f"{at}.highlight[{h}]", src) for h, src in enumerate(a.highlight))
            elif isinstance(a, sb.ShowMatrix):
                for r, row in enumerate(a.rows):
                    yield from ((f"{at}.rows[{r}][{c}]", src) for c, src in enumerate(row) if src.strip())
            elif isinstance(a, sb.ShowTable):
                cells = [("header", c, src) for c, src in enumerate(a.header)]
                cells += [(f"rows[{r}]", c, src) for r, row in enumerate(a.rows) for c, src in enumerate(row)]
                for where, c, src in cells:
                    if len(src) > 2 and src.startswith("$") and src.endswith("$"):
                        yield f"{at}.{where}[{c}]", src[1:-1]
            elif isinstance(a, sb.ShowAxes):
                yield f"{at}.x_label", a.x_label
                yield f"{at}.y_label", a.y_label
            elif isinstance(a, sb.ShowPolygon | sb.MorphPlot):
                yield from ((f"{at}.labels[{n}]", label) for n, label in enumerate(a.labels) if label)
            label = getattr(a, "label", None)
            if isinstance(label, str) and label:
                yield f"{at}.label", label


def latex_sources(scene: sb.Scene) -> Iterator[str]:
    """Every string of the scene that will be set by LaTeX."""
    return (src for _, src in latex_fields(scene))


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
            expressions = [a.expression] if isinstance(a, sb.PlotFunction) else getattr(a, "expressions", [])
            for expression in expressions:
                try:
                    compile_expression(expression)
                except ExpressionError as exc:
                    raise VisualsError("invalid_expression", str(exc)) from exc
