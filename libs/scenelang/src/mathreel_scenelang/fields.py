"""Every string of a scene that LaTeX will set, with where it is: what the script service's validation, the visuals
worker's validation and the preflight check against the allowlist."""

from __future__ import annotations

from collections.abc import Iterator

from mathreel_scenelang import storyboard as sb


def action_latex_fields(action: sb.ActionModel) -> Iterator[tuple[str, str]]:
    """Every string of ``action`` that will be set by LaTeX (formulas, labels, matrix entries, ``$...$`` cells), with
    its path in the action (``latex``, ``rows[1][0]``, ``label``)."""
    if isinstance(action, sb.ShowEquation):
        yield "latex", action.latex
    elif isinstance(action, sb.TransformEquation | sb.WriteStep):
        yield "latex", action.latex
        yield from ((f"highlight[{h}]", src) for h, src in enumerate(action.highlight))
    elif isinstance(action, sb.ShowMatrix):
        for r, row in enumerate(action.rows):
            yield from ((f"rows[{r}][{c}]", src) for c, src in enumerate(row) if src.strip())
    elif isinstance(action, sb.ShowTable):
        cells = [("header", c, src) for c, src in enumerate(action.header)]
        cells += [(f"rows[{r}]", c, src) for r, row in enumerate(action.rows) for c, src in enumerate(row)]
        for where, c, src in cells:
            if len(src) > 2 and src.startswith("$") and src.endswith("$"):
                yield f"{where}[{c}]", src[1:-1]
    elif isinstance(action, sb.ShowAxes):
        yield "x_label", action.x_label
        yield "y_label", action.y_label
    elif isinstance(action, sb.ShowPolygon | sb.MorphPlot):
        yield from ((f"labels[{n}]", label) for n, label in enumerate(action.labels) if label)
    label = getattr(action, "label", None)
    if isinstance(label, str) and label:
        yield "label", label


def latex_fields(scene: sb.Scene) -> Iterator[tuple[str, str]]:
    """Every string of the scene that will be set by LaTeX, with its path in the scene
    (``beats[1].actions[0].latex``)."""
    for b, beat in enumerate(scene.beats):
        for i, action in enumerate(beat.actions):
            yield from ((f"beats[{b}].actions[{i}].{path}", src) for path, src in action_latex_fields(action))


def latex_sources(scene: sb.Scene) -> Iterator[str]:
    """Every string of the scene that will be set by LaTeX."""
    return (src for _, src in latex_fields(scene))
