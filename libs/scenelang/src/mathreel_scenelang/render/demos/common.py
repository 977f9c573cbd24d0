"""Helpers the demonstration modules share: labels, coordinates and redrawing a group as a value changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from manim import MathTex, Mobject, Text, UpdateFromAlphaFunc, VMobject
from manim.animation.animation import Animation

from mathreel_scenelang.latex import check_latex
from mathreel_scenelang.render import style
from mathreel_scenelang.render.demos.geometry import XY

Point = np.ndarray[Any, np.dtype[np.float64]]
ToScene = Callable[[float, float], Point]


def math_label(src: str, color: str, font_size: float = style.LABEL_SIZE) -> MathTex:
    return MathTex(check_latex(src), font_size=font_size, color=color)


def text_or_math(src: str, color: str, font_size: float) -> VMobject:
    """Plain text unless it is wholly ``$...$``, which is set as a formula (as table cells are)."""
    if len(src) > 2 and src.startswith("$") and src.endswith("$"):
        return MathTex(check_latex(src[1:-1]), font_size=font_size * 1.35, color=color)
    return Text(src, font=style.FONT, font_size=font_size, color=color)


def to_scene(axes: Any) -> ToScene:
    """The map from the axes' (or plane's) coordinates to the scene, read at call time: it follows the axes when
    the layout moves or scales them."""

    def convert(x: float, y: float) -> Point:
        point: Point = np.asarray(axes.c2p(x, y), dtype=np.float64)
        return point

    return convert


def set_parts(container: Mobject, parts: Sequence[VMobject]) -> None:
    """Make ``parts`` the container's only submobjects (the container stays the object on screen).

    The parts it drops are emptied too: while an animation plays, Manim draws the family its mobject had when the
    animation started, so a dropped part left intact would stay on screen as a ghost. ``parts`` must therefore be
    new mobjects (copies of any template), never ones shown elsewhere.
    """
    keep = {id(m) for part in parts for m in part.get_family()}
    for old in container.get_family()[1:]:
        if id(old) not in keep:
            old.points = np.zeros((0, 3))
    container.submobjects = []
    container.add(*parts)


def redraw(container: Mobject, draw: Callable[[float], Sequence[VMobject]], **kwargs: Any) -> Animation:
    """An animation that rebuilds ``container`` from ``draw(alpha)`` on every frame, alpha running 0 → 1 linearly
    (``draw`` eases as it needs). It puts the container on screen if it is not yet, and leaves no updater behind:
    after the beat the drawing is frozen in its final state, ready to be indicated, moved or removed."""

    def update(mob: Mobject, alpha: float) -> None:
        set_parts(container, draw(alpha))

    return UpdateFromAlphaFunc(container, update, introducer=True, rate_func=lambda t: t, **kwargs)


def centroid(points: Sequence[XY]) -> XY:
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
