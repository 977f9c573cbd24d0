"""``morph_plot``: a graph that changes through a family of expressions over the beat, with its labels taking turns.

The curve at any moment is the pointwise blend (1 - t)·f_k + t·f_(k+1) of two neighbouring expressions, sampled at
the same x values, so it passes exactly through each expression in turn (holding on each for a moment) and is
broken, like ``plot``, where a value is undefined or leaves the axes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from manim import VGroup, VMobject
from manim.animation.animation import Animation

from mathreel_scenelang import storyboard as sb
from mathreel_scenelang.expressions import compile_expression
from mathreel_scenelang.render import style
from mathreel_scenelang.render.demos.common import math_label, redraw, set_parts, to_scene
from mathreel_scenelang.render.demos.geometry import Rect, ease, emptiest_spot, morph_stage, spot_box

_SAMPLES = 240
_REVEAL = 0.2  # share of the step spent drawing the first curve before it starts to change
_CROSSFADE = 0.3  # share of a change during which the old and new labels fade into each other


@dataclass
class MorphDrawing:
    mob: VGroup
    draw: Callable[[float], list[VMobject]]
    last: Callable[[float], float]

    def play(self) -> Animation:
        return redraw(self.mob, self.draw)


def morph_drawing(a: sb.MorphPlot, axes: Any, color: str, taken: list[Rect]) -> MorphDrawing:
    """The drawing of ``a`` on ``axes`` for a redraw step (alpha 0 → 1), set at its last expression; its labels go
    where no label in ``taken`` is (and are added to them)."""
    c2p = to_scene(axes)
    functions = [compile_expression(e) for e in a.expressions]
    x0, x1 = a.x_range if a.x_range else (float(axes.x_range[0]), float(axes.x_range[1]))
    y_lo, y_hi = float(axes.y_range[0]), float(axes.y_range[1])
    xs = np.linspace(x0, x1, _SAMPLES)
    values = np.array([[f(float(x)) for x in xs] for f in functions], dtype=np.float64)
    labels = [math_label(text, color, style.LABEL_SIZE * 0.9) for text in a.labels]
    label_spot = _label_spot(axes, xs, values, labels, taken)

    def curves(ys: np.ndarray[Any, np.dtype[np.float64]], upto: int) -> list[VMobject]:
        out: list[VMobject] = []
        run: list[Any] = []
        for x, y in zip(xs[:upto], ys[:upto], strict=True):
            if math.isfinite(y) and y_lo <= y <= y_hi:
                run.append(c2p(float(x), float(y)))
                continue
            if len(run) >= 2:
                out.append(VMobject(color=color, stroke_width=style.STROKE_WIDTH).set_points_as_corners(run))
            run = []
        if len(run) >= 2:
            out.append(VMobject(color=color, stroke_width=style.STROKE_WIDTH).set_points_as_corners(run))
        return out

    def label_parts(k: int, t: float, reveal: float = 1.0) -> list[VMobject]:
        if not labels:
            return []
        spot = label_spot()
        fade = min(max((t - 0.5) / _CROSSFADE + 0.5, 0.0), 1.0)
        shown = [(labels[k], (1 - fade) * reveal)]
        if k + 1 < len(labels):
            shown.append((labels[k + 1], fade * reveal))
        return [lab.copy().move_to(spot).set_opacity(o) for lab, o in shown if o > 0.01]

    def draw(alpha: float) -> list[VMobject]:
        if alpha < _REVEAL:
            p = ease(alpha / _REVEAL)
            return [*curves(values[0], max(2, round(p * _SAMPLES))), *label_parts(0, 0.0, p)]
        k, t = morph_stage((alpha - _REVEAL) / (1 - _REVEAL), len(functions))
        return [*curves((1 - t) * values[k] + t * values[k + 1], _SAMPLES), *label_parts(k, t)]

    mob = VGroup()
    set_parts(mob, draw(1.0))
    return MorphDrawing(mob, draw, functions[-1])


def _label_spot(
    axes: Any,
    xs: np.ndarray[Any, np.dtype[np.float64]],
    values: np.ndarray[Any, np.dtype[np.float64]],
    labels: list[Any],
    taken: list[Rect],
) -> Callable[[], Any]:
    """One place for every label: the spot of the axes' box clear of all the curves and the axis lines."""
    (x_lo, x_hi), (y_lo, y_hi) = (float(v) for v in axes.x_range[:2]), (float(v) for v in axes.y_range[:2])
    samples = [
        (float(x), float(y))
        for row in values
        for x, y in zip(xs, row, strict=True)
        if math.isfinite(y) and y_lo <= y <= y_hi
    ]
    base_x, base_y = min(max(0.0, x_lo), x_hi), min(max(0.0, y_lo), y_hi)
    samples += [(base_x, float(v)) for v in np.linspace(y_lo, y_hi, 60)]
    samples += [(float(v), base_y) for v in np.linspace(x_lo, x_hi, 60)]
    width = max((lab.width for lab in labels), default=0.0) + 0.3
    height = max((lab.height for lab in labels), default=0.0) + 0.2
    size = (width / axes.x_axis.unit_size, height / axes.y_axis.unit_size)
    spot = emptiest_spot(samples, (x_lo, y_lo, x_hi, y_hi), size, taken)
    if labels:
        taken.append(spot_box(spot, size))
    c2p = to_scene(axes)
    return lambda: c2p(*spot)
