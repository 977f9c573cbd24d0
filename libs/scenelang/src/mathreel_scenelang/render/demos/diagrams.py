"""Venn diagrams and trees drawn left to right: their labels, region texts and edge texts are plain text.

Where each part goes is computed in :mod:`.geometry` (region spots that lie in exactly the circles they name, leaves
in rows and parents between their children); here it is scaled to the room the layout gives and drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Circle,
    Create,
    Dot,
    FadeIn,
    LaggedStart,
    Line,
    Rectangle,
    Text,
    VGroup,
    VMobject,
)
from manim.animation.animation import Animation

from mathreel_scenelang import storyboard as sb
from mathreel_scenelang.render import style
from mathreel_scenelang.render.demos.geometry import VENN_CENTERS, Path, tree_positions, venn_region_spot

_SET_COLORS = ("blue", "pink", "green")
_LABEL_SIZE = 34
_REGION_SIZE = 30
_NODE_SIZE = 30
_EDGE_SIZE = 24


def _text(text: str, size: float, color: str = style.TEXT_COLOR) -> Text:
    return Text(text, font=style.FONT, font_size=size, color=color)


def venn(a: sb.ShowVenn, width: float, height: float) -> tuple[VGroup, Callable[[], list[Animation]]]:
    """Circles of two or three sets as large as ``width`` × ``height`` allows, their names outside them, the texts
    of ``regions`` inside; a box around them (the universe) when the ``outside`` region has a text."""
    sets = len(a.labels)
    span_w, span_h = (2.2 + 0.2, 2.0 + 1.0) if sets == 2 else (2.2 + 0.2, 3.0 + 0.9)
    r = max(0.6, min(1.6, (width - 0.6) / span_w, (height - 0.4) / span_h))
    circles, names = [], []
    for i, ((cx, cy), name) in enumerate(zip(VENN_CENTERS[sets], a.labels, strict=False)):
        color = style.PALETTE[_SET_COLORS[i]]
        center = np.array([cx * r, cy * r, 0.0])
        circles.append(Circle(radius=r, color=color, stroke_width=3).set_fill(color, opacity=0.18).move_to(center))
        label = _text(name, _LABEL_SIZE, color)
        if sets == 3 and i == 2:
            names.append(label.next_to(circles[-1], DOWN, buff=0.12))
        else:
            side = LEFT if cx < 0 else RIGHT
            names.append(
                label.next_to(circles[-1].point_at_angle(np.pi * (0.75 if cx < 0 else 0.25)), UP + side, buff=0.05)
            )
    texts = [
        _text(text, _REGION_SIZE).move_to(np.array([*venn_region_spot(sets, key), 0.0]) * r)
        for key, text in a.regions.items()
        if key != "outside" and text and key in _region_keys(sets)
    ]
    parts: list[VMobject] = [*circles, *names, *texts]
    if a.regions.get("outside"):
        inner = VGroup(*parts)
        universe = Rectangle(
            width=inner.width + 1.0, height=inner.height + 0.9, color=style.MUTED_COLOR, stroke_width=2
        ).move_to(inner)
        outside = _text(a.regions["outside"], _REGION_SIZE).next_to(
            universe.get_corner(DOWN + RIGHT), UP + LEFT, buff=0.12
        )
        parts = [universe, *parts, outside]
        texts.append(outside)
    mob = VGroup(*parts)

    def appear() -> list[Animation]:
        return [
            LaggedStart(*(Create(c) for c in mob if isinstance(c, Circle | Rectangle)), lag_ratio=0.3),
            *(FadeIn(n) for n in names),
            LaggedStart(*(FadeIn(t, scale=0.8) for t in texts), lag_ratio=0.2),
        ]

    return mob, appear


def _region_keys(sets: int) -> set[str]:
    return {"A", "B", "AB"} if sets == 2 else {"A", "B", "C", "AB", "AC", "BC", "ABC"}


def tree(a: sb.ShowTree, width: float, height: float) -> tuple[VGroup, Callable[[], list[Animation]]]:
    """The tree from ``a.root`` rightwards, one column per level, leaves one row each, grown to fill ``width`` ×
    ``height`` (the layout shrinks it if it must); an edge's text sits by its outer half, above an edge that
    rises and below one that falls, so the texts of sibling edges never meet."""
    nodes: dict[Path, sb.TreeBranch] = {}
    counts: dict[Path, int] = {(): len(a.branches)}

    def walk(path: Path, branches: Sequence[sb.TreeBranch]) -> None:
        for i, branch in enumerate(branches):
            child = (*path, i)
            nodes[child] = branch
            counts[child] = len(branch.children)
            walk(child, branch.children)

    walk((), a.branches)
    positions = tree_positions(counts)
    leaves = sum(1 for p in positions if counts.get(p, 0) == 0)
    crowded = leaves > 8
    node_size, edge_size = (_NODE_SIZE - 6, _EDGE_SIZE - 4) if crowded else (_NODE_SIZE, _EDGE_SIZE)
    column, row = 2.4, max(0.42, min(0.8, (height - 0.4) / leaves))
    where = {p: np.array([x * column, -y * row, 0.0]) for p, (x, y) in positions.items()}
    marks: dict[Path, VMobject] = {
        (): _text(a.root, node_size).move_to(where[()])
        if a.root
        else Dot(where[()], radius=0.08, color=style.TEXT_COLOR)
    }
    for path, branch in nodes.items():
        marks[path] = _text(branch.label, node_size).move_to(where[path])
    levels: list[list[VMobject]] = [[marks[()]]]
    for path, branch in nodes.items():
        parent = marks[path[:-1]]
        mark = marks[path]
        start, end = parent.get_right() + RIGHT * 0.12, mark.get_left() + LEFT * 0.12
        edge = Line(start, end, color=style.MUTED_COLOR, stroke_width=2.5)
        items: list[VMobject] = [edge, mark]
        if branch.edge:
            label = _text(branch.edge, edge_size, style.PALETTE["yellow"])
            rises = end[1] >= start[1] - 1e-9
            spot = start + (end - start) * 0.55
            label.next_to(spot, UP if rises else DOWN, buff=0.08)
            items.append(label)
        while len(levels) <= len(path):
            levels.append([])
        levels[len(path)].extend(items)
    mob = VGroup(*(m for level in levels for m in level))
    grow = min(1.6, (width - 0.4) / mob.width, (height - 0.3) / mob.height)
    if grow > 1:
        mob.scale(grow)

    def appear() -> list[Animation]:
        fades = [AnimationGroup(*(FadeIn(m, shift=0.15 * RIGHT) for m in level)) for level in levels]
        return [LaggedStart(*fades, lag_ratio=0.6)]

    return mob, appear
