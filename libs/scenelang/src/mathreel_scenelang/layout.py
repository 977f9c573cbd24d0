"""Layout: where each object goes, and proof that the frame is clean before a beat is drawn.

The engine knows nothing about Manim: it works on named bounding boxes in scene units (the frame is 8 units high,
centred at 0). The scene builder measures its mobjects, hands the boxes to :class:`Layout`, lets it place and fix
them, applies the resulting scale and position to the mobjects, and then runs :func:`check` once more on the boxes
measured from the real mobjects.

Rules the checker enforces:

* every object lies inside the safe area (the frame less a margin),
* no two *solid* objects (texts, formulas, figures, axes, labelled annotations) overlap, unless they belong to one
  group (a brace and the formula it marks, a plot and its axes),
* every text is readable at 480p: its capital letters are at least ``MIN_GLYPH_PX`` pixels high.

Fixes, in the order they are tried: shrink (down to the readable minimum), move to the nearest free spot (preferring
the object's region, stacking below what is already there), move an older object out of the way, fade the oldest
object out. When none works the engine raises :class:`LayoutUnfixable` with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

import numpy as np

from mathreel_scenelang.base import Region

FRAME_HEIGHT = 8.0
SAFE_MARGIN_X = 0.4
SAFE_MARGIN_Y = 0.3
# Cap height of a capital letter at 480p, in pixels: below this, text blurs into the background.
MIN_GLYPH_PX = 10.0
READABILITY_PIXEL_HEIGHT = 480
# Gap kept between objects placed next to each other, in scene units (about 9 px at 480p).
PLACEMENT_GAP = 0.15
_SEARCH_STEP = 0.1
_TOLERANCE = 1e-3
_MAX_FIX_ROUNDS = 60
# Graphics without text may shrink this far; below it they stop being legible as drawings.
_MIN_GRAPHIC_SCALE = 0.3

# Cap height per Manim font-size point, measured on DejaVu Sans (Pango) and Computer Modern (LaTeX).
TEXT_CAP_PER_POINT = 0.4859 / 48
TEX_CAP_PER_POINT = 0.3402 / 48


def cap_height_px(font_size: float, cap_per_point: float) -> float:
    """Height in pixels at 480p of a capital letter set at ``font_size``."""
    return font_size * cap_per_point * READABILITY_PIXEL_HEIGHT / FRAME_HEIGHT


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in scene units."""

    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def around(cls, cx: float, cy: float, width: float, height: float) -> Box:
        return cls(cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def center(self) -> tuple[float, float]:
        return ((self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2)

    def shifted(self, dx: float, dy: float) -> Box:
        return Box(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)

    def scaled(self, factor: float, about: tuple[float, float]) -> Box:
        ax, ay = about
        return Box(
            ax + (self.x0 - ax) * factor,
            ay + (self.y0 - ay) * factor,
            ax + (self.x1 - ax) * factor,
            ay + (self.y1 - ay) * factor,
        )

    def inset(self, dx: float, dy: float) -> Box:
        return Box(self.x0 + dx, self.y0 + dy, self.x1 - dx, self.y1 - dy)

    def contains(self, other: Box, tolerance: float = _TOLERANCE) -> bool:
        return (
            other.x0 >= self.x0 - tolerance
            and other.y0 >= self.y0 - tolerance
            and other.x1 <= self.x1 + tolerance
            and other.y1 <= self.y1 + tolerance
        )

    def overlaps(self, other: Box, tolerance: float = _TOLERANCE) -> bool:
        """True when the two boxes share an area, not merely an edge."""
        dx = min(self.x1, other.x1) - max(self.x0, other.x0)
        dy = min(self.y1, other.y1) - max(self.y0, other.y0)
        return dx > tolerance and dy > tolerance

    def union(self, other: Box) -> Box:
        return Box(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))

    def rounded(self) -> list[float]:
        return [round(float(v), 3) for v in (self.x0, self.y0, self.x1, self.y1)]


class Kind(StrEnum):
    TEXT = "text"  # titles, text, bullets, formulas, tables, matrices
    BLOCK = "block"  # figures, axes, number lines
    ANNOTATION = "annotation"  # braces and labelled arrows: drawn on top of others, but their labels are text
    MEMBER = "member"  # parts of a block (a plot on axes, a point of a figure): only kept inside the frame


SOLID_KINDS = frozenset({Kind.TEXT, Kind.BLOCK, Kind.ANNOTATION})


@dataclass
class LayoutItem:
    """One object on screen as the layout sees it.

    ``anchor`` names the object this one moves with (a brace with its formula); ``ignores`` names objects it may
    legitimately touch (an arrow's ends). ``glyph_px`` is the smallest cap height of its text at 480p, or None.
    ``area`` is a preferred box that is not a named region (a figure goes where the scene's texts leave room).
    """

    id: str
    kind: Kind
    box: Box
    glyph_px: float | None = None
    region: Region | None = None
    anchor: str | None = None
    movable: bool = True
    area: Box | None = None
    evictable: bool = True
    ignores: frozenset[str] = frozenset()
    scale: float = 1.0
    order: int = 0


@dataclass(frozen=True)
class Issue:
    check: Literal["in_safe_area", "no_overlap", "readable"]
    ids: tuple[str, ...]
    detail: str


@dataclass(frozen=True)
class Fix:
    action: Literal["place", "shrink", "grow", "move", "fade", "reflow"]
    id: str
    detail: str


class LayoutUnfixable(Exception):
    """The objects cannot be laid out readably without overlap; the message says why."""


@dataclass
class Layout:
    """The objects on screen and the rules for placing more."""

    frame_width: float
    frame_height: float = FRAME_HEIGHT
    # A strip at the top kept for the scene's heading: nothing else is placed in it.
    header: float = 0.0
    items: dict[str, LayoutItem] = field(default_factory=dict)
    _counter: int = 0

    @property
    def frame(self) -> Box:
        return Box.around(0.0, 0.0, self.frame_width, self.frame_height)

    @property
    def safe(self) -> Box:
        inner = self.frame.inset(SAFE_MARGIN_X, SAFE_MARGIN_Y)
        return Box(inner.x0, inner.y0, inner.x1, inner.y1 - self.header)

    @property
    def header_box(self) -> Box:
        """Where the scene's heading goes: the strip above the safe area, inside the frame's side margins."""
        inner = self.frame.inset(SAFE_MARGIN_X, SAFE_MARGIN_Y)
        return Box(inner.x0, inner.y1 - self.header, inner.x1, inner.y1)

    def region_box(self, region: Region) -> Box:
        """The part of the safe area a region names: bands at top and bottom, halves and quarters between."""
        s = self.safe
        band = s.height * 0.17
        mid_top, mid_bottom = s.y1 - band, s.y0 + band
        gap = PLACEMENT_GAP / 2
        boxes: dict[Region, Box] = {
            "top": Box(s.x0, mid_top, s.x1, s.y1),
            "bottom": Box(s.x0, s.y0, s.x1, mid_bottom),
            "center": Box(s.x0 + s.width * 0.15, mid_bottom, s.x1 - s.width * 0.15, mid_top),
            "left": Box(s.x0, mid_bottom, -gap, mid_top),
            "right": Box(gap, mid_bottom, s.x1, mid_top),
            "top_left": Box(s.x0, gap, -gap, s.y1),
            "top_right": Box(gap, gap, s.x1, s.y1),
            "bottom_left": Box(s.x0, s.y0, -gap, -gap),
            "bottom_right": Box(gap, s.y0, s.x1, -gap),
        }
        return boxes[region]

    # --- bookkeeping ----------------------------------------------------------------------------------------
    def add(self, item: LayoutItem) -> LayoutItem:
        self._counter += 1
        item.order = self._counter
        self.items[item.id] = item
        return item

    def remove(self, item_id: str) -> list[str]:
        """Remove an object and everything anchored to it; return the ids removed."""
        if item_id not in self.items:
            return []
        gone = [i for i in self.items if self._anchored_under(i, item_id)]
        for i in gone:
            del self.items[i]
        return gone

    def root(self, item_id: str) -> str:
        seen = {item_id}
        current = item_id
        while (anchor := self.items[current].anchor) is not None and anchor in self.items:
            if anchor in seen:
                break
            seen.add(anchor)
            current = anchor
        return current

    def group(self, root_id: str) -> list[str]:
        return [i for i in self.items if self.root(i) == root_id]

    def group_box(self, root_id: str) -> Box:
        boxes = [self.items[i].box for i in self.group(root_id)]
        out = boxes[0]
        for b in boxes[1:]:
            out = out.union(b)
        return out

    def min_scale(self, root_id: str) -> float:
        """The smallest factor the group can be scaled by and stay readable (may exceed 1 if already too small)."""
        needs = [
            MIN_GLYPH_PX / item.glyph_px
            for i in self.group(root_id)
            if (item := self.items[i]).glyph_px is not None and item.glyph_px > 0
        ]
        return max(needs) if needs else _MIN_GRAPHIC_SCALE

    def transform(self, root_id: str, factor: float, center: tuple[float, float]) -> None:
        """Scale a group about its centre by ``factor`` and move that centre to ``center``."""
        about = self.group_box(root_id).center
        dx, dy = center[0] - about[0], center[1] - about[1]
        for i in self.group(root_id):
            item = self.items[i]
            item.box = item.box.scaled(factor, about).shifted(dx, dy)
            item.scale *= factor
            if item.glyph_px is not None:
                item.glyph_px *= factor

    def snapshot(self) -> dict[str, tuple[float, Box]]:
        return {i: (item.scale, item.box) for i, item in self.items.items()}

    def _anchored_under(self, item_id: str, top: str) -> bool:
        current: str | None = item_id
        while current is not None and current in self.items:
            if current == top:
                return True
            current = self.items[current].anchor
        return False

    # --- checking -------------------------------------------------------------------------------------------
    def check(self) -> list[Issue]:
        """All rule violations among the objects now on screen."""
        return check_boxes(list(self.items.values()), self.safe, self.root)

    # --- placing and fixing ---------------------------------------------------------------------------------
    def settle(self, new_ids: Iterable[str], protected: Iterable[str] = ()) -> list[Fix]:
        """Place the new movable objects, then fix every issue; return the fixes applied.

        ``protected`` objects are needed later in the beat and are never faded to make room.
        """
        keep = set(protected)
        fixes: list[Fix] = []
        for item_id in new_ids:
            if item_id in self.items and self.items[item_id].movable and self.root(item_id) == item_id:
                fixes.extend(self.place(item_id, keep | {item_id}))
        for _ in range(_MAX_FIX_ROUNDS):
            issues = self.check()
            if not issues:
                return fixes
            fixes.extend(self._fix(issues[0], keep))
        raise LayoutUnfixable(f"layout did not settle; still: {self.check()[0].detail}")

    def place(self, root_id: str, protected: set[str]) -> list[Fix]:
        """Find the best free spot for a group, shrinking and then fading older objects if there is none."""
        fixes: list[Fix] = []
        while True:
            spot = self._find_spot(root_id)
            if spot is not None:
                factor, cx, cy = spot
                self.transform(root_id, factor, (cx, cy))
                detail = f"at ({cx:.2f}, {cy:.2f})"
                if not math.isclose(factor, 1.0, rel_tol=1e-3):
                    detail += f", scaled ×{factor:.2f}"
                    if factor < 1:
                        fixes.append(Fix("shrink", root_id, f"×{factor:.2f} to fit"))
                fixes.append(Fix("place", root_id, detail))
                return fixes
            victim = self._eviction_candidate(root_id, protected)
            if victim is None:
                raise LayoutUnfixable(
                    f"no room for '{root_id}': it does not fit readably beside the objects that must stay"
                )
            for gone in self.remove(victim):
                fixes.append(Fix("fade", gone, f"faded to make room for '{root_id}'"))

    def _fix(self, issue: Issue, protected: set[str]) -> list[Fix]:
        if issue.check == "readable":
            root = self.root(issue.ids[0])
            item = self.items[issue.ids[0]]
            assert item.glyph_px is not None
            factor = MIN_GLYPH_PX / item.glyph_px * 1.001
            self.transform(root, factor, self.group_box(root).center)
            return [Fix("grow", root, f"×{factor:.2f} to stay readable at 480p")]
        if issue.check == "in_safe_area":
            return self._pull_inside(self.root(issue.ids[0]), protected)
        a, b = (self.root(i) for i in issue.ids)
        return self._separate(a, b, protected)

    def _pull_inside(self, root: str, protected: set[str]) -> list[Fix]:
        if not self.items[root].movable:
            raise LayoutUnfixable(f"'{root}' is outside the frame and cannot be moved")
        box, safe = self.group_box(root), self.safe
        fixes: list[Fix] = []
        factor = min(1.0, safe.width / box.width if box.width else 1.0, safe.height / box.height if box.height else 1.0)
        if factor < 1.0:
            factor *= 0.98
            if factor < self.min_scale(root):
                raise LayoutUnfixable(f"'{root}' is larger than the frame even at the smallest readable size")
            self.transform(root, factor, box.center)
            fixes.append(Fix("shrink", root, f"×{factor:.2f} to fit the frame"))
            box = self.group_box(root)
        dx = max(safe.x0 - box.x0, 0.0) + min(safe.x1 - box.x1, 0.0)
        dy = max(safe.y0 - box.y0, 0.0) + min(safe.y1 - box.y1, 0.0)
        cx, cy = box.center
        self.transform(root, 1.0, (cx + dx, cy + dy))
        fixes.append(Fix("move", root, f"shifted by ({dx:.2f}, {dy:.2f}) into the safe area"))
        # Pulling inside may have created an overlap; the next round of settle() handles it.
        return fixes

    def _separate(self, a: str, b: str, protected: set[str]) -> list[Fix]:
        newer, older = (a, b) if self.items[a].order >= self.items[b].order else (b, a)
        for mover in (newer, older):
            if not self.items[mover].movable:
                continue
            spot = self._find_spot(mover)
            if spot is not None:
                factor, cx, cy = spot
                self.transform(mover, factor, (cx, cy))
                other = older if mover == newer else newer
                return [Fix("move", mover, f"moved to ({cx:.2f}, {cy:.2f}) away from '{other}'")]
        for victim in (older, newer):
            item = self.items[victim]
            if item.evictable and victim not in protected:
                return [
                    Fix("fade", gone, f"faded: overlapped '{newer if victim == older else older}'")
                    for gone in self.remove(victim)
                ]
        raise LayoutUnfixable(f"'{a}' and '{b}' overlap and neither can be moved or faded")

    def _eviction_candidate(self, root_id: str, protected: set[str]) -> str | None:
        group = set(self.group(root_id))
        candidates = [
            item
            for i, item in self.items.items()
            if i not in group
            and item.anchor is None
            and item.evictable
            and item.kind in SOLID_KINDS
            and not (set(self.group(i)) & protected)
        ]
        if not candidates:
            return None
        return min(candidates, key=lambda item: item.order).id

    def _find_spot(self, root_id: str) -> tuple[float, float, float] | None:
        """Best (scale, centre x, centre y) for a group where it overlaps no other solid object, or None."""
        group = set(self.group(root_id))
        box, safe = self.group_box(root_id), self.safe
        ignored = set().union(*(self.items[i].ignores for i in group))
        obstacles = [
            item.box
            for i, item in self.items.items()
            if i not in group and item.kind in SOLID_KINDS and i not in ignored and not (item.ignores & group)
        ]
        region = self.items[root_id].region
        area = self.items[root_id].area
        # The room the object was sized for (a figure's region grown into free space), else its region's box.
        region_box = area if area is not None else self.region_box(region) if region is not None else None
        for factor in self._candidate_scales(root_id, box, region_box):
            w, h = box.width * factor, box.height * factor
            if w > safe.width + _TOLERANCE or h > safe.height + _TOLERANCE:
                continue
            cx, cy = self._grid(w, h, region_box)
            free = np.ones(cx.shape, dtype=bool)
            gap = PLACEMENT_GAP
            for ob in obstacles:
                free &= ~(
                    (cx - w / 2 < ob.x1 + gap)
                    & (cx + w / 2 > ob.x0 - gap)
                    & (cy - h / 2 < ob.y1 + gap)
                    & (cy + h / 2 > ob.y0 - gap)
                )
            if not free.any():
                continue
            score = self._score(cx, cy, w, h, region, region_box)
            score[~free] = np.inf
            best = int(np.argmin(score))
            return factor, float(cx.flat[best]), float(cy.flat[best])
        return None

    def _candidate_scales(self, root_id: str, box: Box, region_box: Box | None) -> list[float]:
        lowest = self.min_scale(root_id)
        start = 1.0
        if region_box is not None and box.width > 0 and box.height > 0:
            start = min(1.0, region_box.width / box.width, region_box.height / box.height)
        start = max(start, lowest)
        scales = [start]
        while scales[-1] * 0.9 >= lowest:
            scales.append(scales[-1] * 0.9)
        if scales[-1] > lowest:
            scales.append(lowest)
        return scales

    def _grid(
        self, w: float, h: float, region_box: Box | None
    ) -> tuple[np.ndarray[tuple[int, int], np.dtype[np.float64]], np.ndarray[tuple[int, int], np.dtype[np.float64]]]:
        safe = self.safe
        xs = np.arange(safe.x0 + w / 2, safe.x1 - w / 2 + 1e-9, _SEARCH_STEP)
        ys = np.arange(safe.y1 - h / 2, safe.y0 + h / 2 - 1e-9, -_SEARCH_STEP)
        if xs.size == 0:
            xs = np.array([safe.center[0]])
        if ys.size == 0:
            ys = np.array([safe.center[1]])
        # Exact anchors too, so an object alone in its region lands exactly centred or top-aligned.
        anchors_x = [0.0, safe.x0 + w / 2, safe.x1 - w / 2]
        anchors_y = [safe.y1 - h / 2, safe.y0 + h / 2, 0.0]
        if region_box is not None:
            anchors_x.append(region_box.center[0])
            anchors_y += [region_box.center[1], region_box.y1 - h / 2, region_box.y0 + h / 2]
        xs = np.unique(np.clip(np.concatenate([xs, anchors_x]), safe.x0 + w / 2, max(safe.x1 - w / 2, safe.x0 + w / 2)))
        ys = np.unique(np.clip(np.concatenate([ys, anchors_y]), safe.y0 + h / 2, max(safe.y1 - h / 2, safe.y0 + h / 2)))
        gx, gy = np.meshgrid(xs, ys)
        return gx, gy

    def _score(
        self,
        cx: np.ndarray[tuple[int, int], np.dtype[np.float64]],
        cy: np.ndarray[tuple[int, int], np.dtype[np.float64]],
        w: float,
        h: float,
        region: Region | None,
        region_box: Box | None,
    ) -> np.ndarray[tuple[int, int], np.dtype[np.float64]]:
        if region_box is None:
            # No region: reading order, as high as possible and horizontally centred.
            return (self.safe.y1 - (cy + h / 2)) + 0.4 * np.abs(cx)
        r = region_box
        outside = (
            np.maximum(r.x0 - (cx - w / 2), 0)
            + np.maximum((cx + w / 2) - r.x1, 0)
            + np.maximum(r.y0 - (cy - h / 2), 0)
            + np.maximum((cy + h / 2) - r.y1, 0)
        )
        ax, ay = r.center
        name = region or ""
        if h <= r.height:
            if name.startswith("top"):
                ay = r.y1 - h / 2
            elif name.startswith("bottom"):
                ay = r.y0 + h / 2
        # Stack in reading order: a spot below what is already there beats one above it (except in bottom regions,
        # which fill upwards from the edge).
        dy = cy - ay
        if not name.startswith("bottom"):
            dy = np.where(dy > 0, dy * 1.6, dy)
        distance: np.ndarray[tuple[int, int], np.dtype[np.float64]] = np.hypot(cx - ax, dy)
        return 4.0 * outside + distance


def check_boxes(items: list[LayoutItem], safe: Box, root_of: Callable[[str], str] | None = None) -> list[Issue]:
    """The three layout rules over ``items``; ``root_of`` maps an id to its group root (identity if omitted)."""
    root = root_of if root_of is not None else (lambda i: i)
    issues: list[Issue] = []
    for item in items:
        if not safe.contains(item.box):
            issues.append(Issue("in_safe_area", (item.id,), f"'{item.id}' {item.box.rounded()} leaves the safe area"))
    for item in items:
        if item.glyph_px is not None and item.glyph_px < MIN_GLYPH_PX - _TOLERANCE:
            issues.append(
                Issue(
                    "readable", (item.id,), f"'{item.id}' glyphs {item.glyph_px:.1f}px < {MIN_GLYPH_PX:.0f}px at 480p"
                )
            )
    solid = [item for item in items if item.kind in SOLID_KINDS]
    for index, a in enumerate(solid):
        for b in solid[index + 1 :]:
            if root(a.id) == root(b.id) or b.id in a.ignores or a.id in b.ignores:
                continue
            if a.box.overlaps(b.box):
                issues.append(Issue("no_overlap", (a.id, b.id), f"'{a.id}' overlaps '{b.id}'"))
    return issues


def describe(items: Iterable[LayoutItem]) -> list[dict[str, object]]:
    """A JSON-friendly picture of the layout for the report."""
    return [
        {
            "id": item.id,
            "kind": str(item.kind),
            "box": item.box.rounded(),
            **({"glyph_px": round(item.glyph_px, 1)} if item.glyph_px is not None else {}),
        }
        for item in items
    ]
