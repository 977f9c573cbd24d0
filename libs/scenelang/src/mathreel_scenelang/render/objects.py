"""What a builder hands back and the small Manim helpers every family of builders uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from manim import DOWN, MathTex, Mobject, NumberLine, SingleStringMathTex, Text, VGroup, VMobject
from manim.animation.animation import Animation

from mathreel_scenelang import storyboard as sb
from mathreel_scenelang.latex import check_latex
from mathreel_scenelang.layout import TEX_CAP_PER_POINT, TEXT_CAP_PER_POINT, Box, LayoutItem, cap_height_px
from mathreel_scenelang.render import style

Point = np.ndarray[Any, np.dtype[np.float64]]
Animate = Callable[[], list[Animation]]


@dataclass
class Step:
    """One animation step of a beat, built after layout so it animates to the final positions."""

    op: str
    build: Animate
    run_time: float


@dataclass
class Built:
    """What a builder made of one action.

    ``mob`` is the new object (registered under the action's id, standing in the layout as ``items``, each with the
    mobject measured for it, or None for a virtual item); ``extra`` is kept with it for later actions. ``animate``
    builds the animations that show the change, after layout has settled; None when there is nothing to animate.
    """

    animate: Animate | None
    mob: Mobject | None = None
    items: list[tuple[LayoutItem, Mobject | None]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Entry:
    """An object on screen: its mobject and the layout items that stand for it."""

    op: str
    mob: Mobject
    layout_ids: list[str]
    extra: dict[str, Any] = field(default_factory=dict)


def glyph_px(mob: Mobject) -> float | None:
    """Smallest cap height at 480p among the texts and formulas inside ``mob``, or None if it has none."""
    sizes: list[float] = []
    for part in mob.get_family():
        if isinstance(part, Text) and part.initial_height > 0 and part.height > 0:
            sizes.append(cap_height_px(part.font_size, TEXT_CAP_PER_POINT))
        elif isinstance(part, SingleStringMathTex) and part.initial_height > 0 and part.height > 0:
            sizes.append(cap_height_px(part.font_size, TEX_CAP_PER_POINT))
    return float(min(sizes)) if sizes else None


def box_of(mob: Mobject) -> Box:
    if not mob.has_points() and not mob.get_family()[1:]:
        center = mob.get_center()
        return Box(float(center[0]), float(center[1]), float(center[0]), float(center[1]))
    return Box(float(mob.get_left()[0]), float(mob.get_bottom()[1]), float(mob.get_right()[0]), float(mob.get_top()[1]))


def box_points(mob: Mobject, steps: int = 4) -> list[tuple[float, float]]:
    """A grid of points over the bounding box of ``mob``, edges included: how a label placer that keeps clear of
    points (``render.demos.geometry.clearest``) keeps clear of a whole label."""
    box = box_of(mob)
    xs = np.linspace(box.x0, box.x1, steps + 1)
    ys = np.linspace(box.y0, box.y1, steps + 1)
    return [(float(x), float(y)) for x in xs for y in ys]


def centered_lines(text: Text) -> VMobject:
    """A wrapped title set line by line, each line centred under the one above (Pango aligns them left)."""
    lines = text.original_text.split("\n")
    if len(lines) < 2:
        return text
    rows = [Text(line, font=text.font, font_size=text.font_size, color=text.color) for line in lines]
    return VGroup(*rows).arrange(DOWN, buff=0.18 * text.font_size / style.TITLE_SIZE)


def add_tick_labels(axis: NumberLine, values: Sequence[float], decimals: int) -> None:
    """Number the ticks with Pango text rather than LaTeX: an axis has a dozen numbers and each LaTeX run costs
    about half a second, while the numbers need nothing LaTeX does better."""
    labels = VGroup()
    for value in values:
        shown = f"{value:.{decimals}f}".replace("-", "\u2212")
        label = Text(shown, font=style.FONT, font_size=style.TICK_SIZE, color=style.MUTED_COLOR)
        label.next_to(axis.number_to_point(value), axis.label_direction, buff=axis.line_to_number_buff)
        labels.add(label)
    axis.add(labels)


def math_label(src: str, color: str, font_size: float = style.LABEL_SIZE) -> MathTex:
    return MathTex(check_latex(src), font_size=font_size, color=color)


def unique(mobs: list[Mobject]) -> list[Mobject]:
    """``mobs`` without repeats (by identity), in order."""
    out: list[Mobject] = []
    for mob in mobs:
        if not any(mob is other for other in out):
            out.append(mob)
    return out


def stretch_of(scene: sb.Scene, action: sb.Action) -> list[sb.Action]:
    """The actions of the stretch of ``scene`` (between ``clear``s) that holds ``action``, in order."""
    stretches: list[list[sb.Action]] = [[]]
    found = 0
    for beat in scene.beats:
        for other in beat.actions:
            if isinstance(other, sb.ClearScreen):
                stretches.append([])
                continue
            stretches[-1].append(other)
            if other is action:
                found = len(stretches) - 1
    return stretches[found]
