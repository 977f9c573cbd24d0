"""The arithmetic of graphs and figures, in plain coordinates: no Manim, so each rule is unit-tested directly."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

Range = tuple[float, float]


def tick_values(rng: tuple[float, float, float]) -> list[float]:
    """The numbered ticks of an axis over ``(low, high, step)``: at most about eight, zero left out."""
    lo, hi, step = rng
    if step <= 0 or hi <= lo:
        return []
    count = int((hi - lo) / step) + 1
    stride = max(1, math.ceil(count / 8))  # at most about eight numbers per axis stay legible
    values = [lo + i * step for i in range(0, count, stride)]
    return [round(v, 6) for v in values if abs(v) > 1e-9]


def decimals(rng: tuple[float, float, float]) -> int:
    """As many decimals as the range and step need, at most three: ticks every 0.05 are labelled 1.55, 1.6, 1.65
    (not 1.6 three times), whole-number ticks 1, 2, 3 rather than 1.0, 2.0, 3.0."""
    for places in range(4):
        if all(abs(float(v) * 10**places - round(float(v) * 10**places)) < 1e-6 for v in rng):
            return places
    return 3


def curve_runs(
    f: Callable[[float], float], x0: float, x1: float, y_range: Range, samples: int = 240
) -> list[list[tuple[float, float]]]:
    """Runs of points of y=f(x) on ``[x0, x1]`` inside ``y_range``: undefined values and values off the axes break
    the curve; runs of fewer than two points are dropped."""
    y_lo, y_hi = y_range
    runs: list[list[tuple[float, float]]] = [[]]
    for x in np.linspace(x0, x1, samples):
        y = f(float(x))
        if math.isfinite(y) and y_lo <= y <= y_hi:
            runs[-1].append((x, y))
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if len(r) >= 2]


def clipped_height(f: Callable[[float], float], y_range: Range, base: float) -> Callable[[float], float]:
    """The graph at ``x`` clipped to the axes' ``y_range`` (``base`` where it is undefined)."""
    y_lo, y_hi = y_range

    def height(x: float) -> float:
        y = f(x)
        return min(max(y, y_lo), y_hi) if math.isfinite(y) else base

    return height


def area_base(y_range: Range) -> float:
    """Where shading under a graph starts: y = 0, or the axes' nearest edge when 0 is off them."""
    return min(max(0.0, y_range[0]), y_range[1])


def riemann_corners(
    height: Callable[[float], float], x_range: Range, count: int, base: float
) -> list[list[tuple[float, float]]]:
    """``count`` rectangles of equal width over ``x_range``, each as high as ``height`` at its midpoint (corners in
    graph coordinates, counter-clockwise from the bottom left)."""
    width = (x_range[1] - x_range[0]) / count
    rectangles = []
    for k in range(count):
        left = x_range[0] + k * width
        top = height(left + width / 2)
        rectangles.append([(left, base), (left + width, base), (left + width, top), (left, top)])
    return rectangles


def derivative(f: Callable[[float], float], x: float, h: float = 1e-4) -> tuple[float, float]:
    """``f(x)`` and its slope there by a central difference."""
    return f(x), (f(x + h) - f(x - h)) / (2 * h)


def clip_line(x_range: Range, y_range: Range, x0: float, y0: float, slope: float) -> list[tuple[float, float]]:
    """The ends of the line through (x0, y0) with ``slope``, at most 35 % of the x span to each side and cut to the
    axes' box, so a tangent never leaves the graph."""
    xl, xh = x_range
    yl, yh = y_range
    span = (xh - xl) * 0.35
    lo, hi = max(xl, x0 - span), min(xh, x0 + span)
    if slope != 0:
        t1, t2 = sorted(((yl - y0) / slope + x0, (yh - y0) / slope + x0))
        lo, hi = max(lo, t1), min(hi, t2)
    return [(lo, y0 + slope * (lo - x0)), (hi, y0 + slope * (hi - x0))]


def outward(p: Sequence[float], center: Sequence[float]) -> np.ndarray:  # type: ignore[type-arg]
    """The unit vector from ``center`` toward ``p`` (diagonally up-right when they coincide), as a 3D vector."""
    d = np.array([p[0] - center[0], p[1] - center[1], 0.0])
    n = float(np.linalg.norm(d))
    return d / n if n > 1e-9 else np.array([0.7071, 0.7071, 0.0])


def angle_sweep(ua: np.ndarray, ub: np.ndarray) -> tuple[float, float]:  # type: ignore[type-arg]
    """Start angle of unit ray ``ua`` and the signed sweep to unit ray ``ub`` (the smaller of the two angles)."""
    start = math.atan2(ua[1], ua[0])
    sweep = math.atan2(ua[0] * ub[1] - ua[1] * ub[0], float(np.dot(ua, ub)))
    return start, sweep


def bisector(ua: np.ndarray, ub: np.ndarray) -> np.ndarray:  # type: ignore[type-arg]
    """The unit bisector of unit rays ``ua`` and ``ub``; perpendicular to ``ua`` when they point apart."""
    both = ua + ub
    norm = float(np.linalg.norm(both))
    return both / norm if norm > 1e-9 else np.array([-ua[1], ua[0], 0.0])


def exit_point(
    center: np.ndarray,
    half_size: tuple[float, float],
    toward: np.ndarray,
    gap: float = 0.12,  # type: ignore[type-arg]
) -> np.ndarray:  # type: ignore[type-arg]
    """Where the segment from a box's ``center`` toward ``toward`` leaves the box grown by ``gap`` (``toward``
    itself when that is nearer)."""
    d = toward - center
    if np.linalg.norm(d) < 1e-9:
        return center
    tx = (half_size[0] + gap) / abs(d[0]) if abs(d[0]) > 1e-9 else math.inf
    ty = (half_size[1] + gap) / abs(d[1]) if abs(d[1]) > 1e-9 else math.inf
    result: np.ndarray = center + d * min(tx, ty, 1.0)  # type: ignore[type-arg]
    return result
