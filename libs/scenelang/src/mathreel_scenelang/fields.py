"""Every string of a scene that LaTeX will set, with where it is: what the validation and the preflight check."""

from __future__ import annotations

from collections.abc import Iterator

from mathreel_scenelang import storyboard as sb


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
            elif isinstance(a, sb.ShowPolygon):
                yield from ((f"{at}.labels[{n}]", label) for n, label in enumerate(a.labels) if label)
            label = getattr(a, "label", None)
            if isinstance(label, str) and label:
                yield f"{at}.label", label


def latex_sources(scene: sb.Scene) -> Iterator[str]:
    """Every string of the scene that will be set by LaTeX."""
    return (src for _, src in latex_fields(scene))
