"""Pure arithmetic behind the moving demonstrations: clipping lines to a graph's box, easing a morph through its
stages, a linear map part-way done, nice axis steps, and where the parts of Venn and tree diagrams go.

No Manim here, so every number is unit-tested directly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

XY = tuple[float, float]
Matrix2 = tuple[tuple[float, float], tuple[float, float]]

# A morph holds each stage this share of its time before moving on, so every expression is seen with its label.
MORPH_HOLD = 0.3


def clip_line(
    x_range: XY, y_range: XY, x0: float, y0: float, slope: float, span: float | None = None
) -> tuple[XY, XY] | None:
    """The part of the line through (x0, y0) with ``slope`` inside the box ``x_range`` × ``y_range``, at most
    ``span`` either side of x0 (None: the whole box), or None when the line misses the box."""
    lo, hi = x_range
    if span is not None:
        lo, hi = max(lo, x0 - span), min(hi, x0 + span)
    if slope != 0:
        t1, t2 = sorted(((y_range[0] - y0) / slope + x0, (y_range[1] - y0) / slope + x0))
        lo, hi = max(lo, t1), min(hi, t2)
    elif not y_range[0] <= y0 <= y_range[1]:
        return None
    if hi - lo <= 1e-9:
        return None
    return (lo, y0 + slope * (lo - x0)), (hi, y0 + slope * (hi - x0))


def clip_segment(p: XY, q: XY, x_range: XY, y_range: XY) -> tuple[XY, XY] | None:
    """The part of segment pq inside the box (Liang-Barsky), or None when it lies outside."""
    dx, dy = q[0] - p[0], q[1] - p[1]
    t0, t1 = 0.0, 1.0
    for step, dist in (
        (-dx, p[0] - x_range[0]),
        (dx, x_range[1] - p[0]),
        (-dy, p[1] - y_range[0]),
        (dy, y_range[1] - p[1]),
    ):
        if abs(step) < 1e-12:
            if dist < 0:
                return None
            continue
        t = dist / step
        if step < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
    if t1 - t0 <= 1e-9:
        return None
    return (p[0] + t0 * dx, p[1] + t0 * dy), (p[0] + t1 * dx, p[1] + t1 * dy)


def slope_at(f: Callable[[float], float], x: float, h: float = 1e-4) -> float:
    """The derivative of ``f`` at ``x`` by a central difference (nan where f is undefined nearby)."""
    try:
        value = (f(x + h) - f(x - h)) / (2 * h)
    except (ValueError, ZeroDivisionError, OverflowError):
        return math.nan
    return float(value)


Rect = tuple[float, float, float, float]  # x0, y0, x1, y1


def emptiest_spot(samples: Sequence[XY], area: Rect, size: XY, taken: Sequence[Rect] = (), steps: int = 8) -> XY:
    """The centre of a ``size`` box inside ``area`` that covers the fewest ``samples`` (points of curves and axis
    lines) and meets none of the ``taken`` boxes (labels already placed), preferring the top rows and then the
    left: where a live value or a label reads best."""
    x0, y0, x1, y1 = area
    w, h = min(size[0], x1 - x0), min(size[1], y1 - y0)
    pad_w, pad_h = w / 2 * 1.15, h / 2 * 1.3
    best: tuple[int, float, float] | None = None
    for row in range(steps):
        cy = y1 - h / 2 - (y1 - y0 - h) * row / (steps - 1)
        for col in range(steps):
            cx = x0 + w / 2 + (x1 - x0 - w) * col / (steps - 1)
            count = sum(abs(px - cx) <= pad_w and abs(py - cy) <= pad_h for px, py in samples)
            count += 10_000 * sum(
                cx - pad_w < t[2] and t[0] < cx + pad_w and cy - pad_h < t[3] and t[1] < cy + pad_h for t in taken
            )
            if best is None or count < best[0]:  # ties keep the earlier spot: higher, then further left
                best = (count, cx, cy)
    assert best is not None
    return best[1], best[2]


def spot_box(center: XY, size: XY) -> Rect:
    return (center[0] - size[0] / 2, center[1] - size[1] / 2, center[0] + size[0] / 2, center[1] + size[1] / 2)


def clearest(boxes: Sequence[Rect], obstacles: Sequence[XY], clear: float = 0.1) -> int:
    """Index of the label box (x0, y0, x1, y1), in order of preference, to use among ``boxes``: the first as far as
    ``clear`` from every obstacle point (curves, axis lines, other shapes), else the one farthest from them."""
    if not obstacles:
        return 0
    scores: list[tuple[float, int]] = []
    for x0, y0, x1, y1 in boxes:
        d = min(math.hypot(max(x0 - px, 0.0, px - x1), max(y0 - py, 0.0, py - y1)) for px, py in obstacles)
        if d >= clear:
            return len(scores)
        inside = sum(x0 <= px <= x1 and y0 <= py <= y1 for px, py in obstacles)
        scores.append((d, -inside))  # when every box touches something, the one covering least
    return max(range(len(scores)), key=lambda i: scores[i])


def ease(t: float) -> float:
    """Smooth start and stop (the smoothstep curve) for a parameter in [0, 1]."""
    t = min(max(t, 0.0), 1.0)
    return t * t * (3 - 2 * t)


def held(alpha: float, hold: float = 0.1) -> float:
    """``alpha`` with a still start: nothing moves for the first ``hold`` of the time, then it eases to 1."""
    return ease((alpha - hold) / (1 - hold)) if alpha > hold else 0.0


def morph_stage(alpha: float, stages: int) -> tuple[int, float]:
    """Where a morph through ``stages`` expressions is at ``alpha`` in [0, 1]: (index k, t) meaning the curve is
    (1 - t)·f_k + t·f_(k+1); each step holds still for ``MORPH_HOLD`` of its time, then eases over."""
    steps = stages - 1
    if steps <= 0 or alpha >= 1:
        return max(steps - 1, 0), 1.0 if steps > 0 else 0.0
    position = max(alpha, 0.0) * steps
    k = min(int(position), steps - 1)
    local = position - k
    return k, ease((local - MORPH_HOLD) / (1 - MORPH_HOLD)) if local > MORPH_HOLD else 0.0


def matrix_at(matrix: Matrix2, alpha: float) -> Matrix2:
    """The linear map a fraction ``alpha`` of the way from the identity to ``matrix`` (as ApplyMatrix moves it)."""
    (a, b), (c, d) = matrix
    return ((1 + alpha * (a - 1), alpha * b), (alpha * c, 1 + alpha * (d - 1)))


def apply(matrix: Matrix2, p: XY) -> XY:
    (a, b), (c, d) = matrix
    return (a * p[0] + b * p[1], c * p[0] + d * p[1])


def nice_step(top: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about ``ticks`` ticks up to ``top``."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * power >= raw:
            return float(m * power)
    return float(10 * power)


def chart_top(values: Sequence[float], y_max: float | None) -> tuple[float, float]:
    """(top of the value axis, tick step) for bars of ``values``: ``y_max`` when given, else the next tick above the
    largest value."""
    top = y_max if y_max is not None else max([*values, 0.0]) or 1.0
    step = nice_step(top)
    if y_max is None:
        top = math.ceil(top / step - 1e-9) * step
    return top, step


def format_value(value: float) -> str:
    """A bar's or a slope's value as a reader writes it: 3, 0.25, -1.5 (at most three decimals)."""
    if abs(value - round(value)) < 1e-9:
        return str(round(value))
    return f"{value:.3f}".rstrip("0").rstrip(".")


def decimals_for(values: Sequence[float]) -> int:
    """Enough decimals (0 to 3) to write every one of ``values`` exactly."""
    for places in range(4):
        if all(abs(v * 10**places - round(v * 10**places)) < 1e-6 for v in values):
            return places
    return 3


# --- Venn diagrams: circles of radius 1 in diagram units -------------------------------------------------------------
VENN_CENTERS: dict[int, list[XY]] = {
    2: [(-0.6, 0.0), (0.6, 0.0)],
    3: [(-0.6, 0.35), (0.6, 0.35), (0.0, -0.65)],
}
VENN_REGION_SPOTS: dict[int, dict[str, XY]] = {
    2: {"A": (-1.05, 0.0), "B": (1.05, 0.0), "AB": (0.0, 0.0)},
    3: {
        "A": (-1.0, 0.6),
        "B": (1.0, 0.6),
        "C": (0.0, -1.15),
        "AB": (0.0, 0.75),
        "AC": (-0.62, -0.38),
        "BC": (0.62, -0.38),
        "ABC": (0.0, 0.0),
    },
}


def venn_region_spot(sets: int, region: str) -> XY:
    """Where the text of ``region`` (``"A"``, ``"AB"``, ...) goes in a diagram of ``sets`` circles; the spot lies in
    exactly the circles the region names."""
    return VENN_REGION_SPOTS[sets][region]


def in_circles(sets: int, p: XY) -> str:
    """The region (as letters) point ``p`` lies in; ``"outside"`` when it is in no circle."""
    letters = "".join(
        name for name, (cx, cy) in zip("ABC", VENN_CENTERS[sets], strict=False) if math.hypot(p[0] - cx, p[1] - cy) < 1
    )
    return letters or "outside"


# --- trees, left to right ------------------------------------------------------------------------------------------
Path = tuple[int, ...]


def tree_positions(child_counts: dict[Path, int]) -> dict[Path, XY]:
    """(depth, row) of every node of a tree given as ``path → number of children`` (the root is ``()``, its second
    child ``(1,)``): leaves take rows 0, 1, 2 ... from the top in order, a parent sits at the middle of its
    children's rows."""
    positions: dict[Path, XY] = {}
    next_row = 0

    def visit(path: Path) -> float:
        nonlocal next_row
        count = child_counts.get(path, 0)
        if count == 0:
            row = float(next_row)
            next_row += 1
        else:
            rows = [visit((*path, i)) for i in range(count)]
            row = (rows[0] + rows[-1]) / 2
        positions[path] = (float(len(path)), row)
        return row

    visit(())
    return positions
