"""The figure model: a scene's geometry is one drawing on one coordinate plane.

Every geometry object of a stretch of a scene between ``clear``s (points, segments, polygons, circles, angles and
their labels, arrows given by points, braces on any of them) shares one plane, and one plane→frame transform maps
it into the frame. The transform is fixed up front, from *every* coordinate the stretch will use — including where
``move`` will shift, rotate or scale its geometry — so shapes drawn in different beats line up and a shape slid
into place lands exactly where the plane says. ``move``'s ``shift`` on a geometry object is in plane units.

The figure goes to the first region a geometry action of the stretch names; without one, to the largest part of the
safe area that the stretch's named text regions leave free, so titles and formulas are laid out around it.

Pure arithmetic on boxes: no Manim here, so the model is unit-tested directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mathreel_scenelang import storyboard as sb
from mathreel_scenelang.base import CreatingAction, Region
from mathreel_scenelang.layout import PLACEMENT_GAP, Box, Layout
from mathreel_scenelang.registry import ACTIONS, Registry

PlanePoint = tuple[float, float]

# Room around the drawing for vertex and side labels, in frame units.
FIGURE_MARGIN = 0.45
# The drawing is never blown up beyond this many frame units per plane unit... nor shrunk below the smallest.
_MAX_SCALE = 3.0
_MIN_SPAN = 1.0


@dataclass
class FigurePlan:
    """Everything one stretch of a scene draws on its plane, gathered before the first frame."""

    points: list[PlanePoint] = field(default_factory=list)
    region: Region | None = None
    text_regions: list[Region] = field(default_factory=list)

    def bounds(self) -> tuple[float, float, float, float]:
        """(min x, min y, max x, max y) of every plane coordinate, padded to at least ``_MIN_SPAN`` across."""
        xs = [p[0] for p in self.points] or [0.0]
        ys = [p[1] for p in self.points] or [0.0]
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        half_w, half_h = max(x1 - x0, _MIN_SPAN) / 2, max(y1 - y0, _MIN_SPAN) / 2
        return cx - half_w, cy - half_h, cx + half_w, cy + half_h

    def target_box(self, layout: Layout) -> Box:
        """Where the figure should go: its named region, or the free part of the safe area."""
        if self.region is not None:
            return region_room(layout, self.region, self.text_regions)
        return free_area(layout, self.text_regions)

    def fit(self, layout: Layout) -> tuple[float, PlanePoint, Box]:
        """(frame units per plane unit, plane point at the figure's centre, the figure's box) for ``layout``."""
        x0, y0, x1, y1 = self.bounds()
        target = self.target_box(layout)
        room_w = max(target.width - 2 * FIGURE_MARGIN, 0.5)
        room_h = max(target.height - 2 * FIGURE_MARGIN, 0.5)
        scale = min(room_w / (x1 - x0), room_h / (y1 - y0), _MAX_SCALE)
        w, h = (x1 - x0) * scale + 2 * FIGURE_MARGIN, (y1 - y0) * scale + 2 * FIGURE_MARGIN
        cx, cy = target.center
        return scale, ((x0 + x1) / 2, (y0 + y1) / 2), Box.around(cx, cy, w, h)


_SIDES: frozenset[Region] = frozenset({"left", "right"})


def region_room(layout: Layout, region: Region, taken: list[Region]) -> Box:
    """The room a figure, graph or plane placed in ``region`` may fill.

    A side region (``left``, ``right``) is the middle band of its half of the frame, because a title or formula
    usually sits in the band above or below; where the scene puts nothing there (none of the ``taken`` regions
    overlaps it), the figure has the whole height of its half, so it is drawn as large as the frame allows instead
    of leaving the top or bottom of its side empty. The ``center`` grows the same way up, down and to the sides,
    as far as the scene's other regions leave free: a graph alone below a formula in ``top`` reaches down to the
    bottom edge and across the frame. Every other region is its box as it is.
    """
    box = layout.region_box(region)
    if region == "center":
        return _grown(layout, box, region, taken)
    if region not in _SIDES:
        return box
    safe = layout.safe
    column = Box(box.x0, safe.y0, box.x1, safe.y1)
    for other in dict.fromkeys(taken):
        r = layout.region_box(other)
        if other == region or not column.overlaps(r):
            continue
        # Cut the column above or below what is there (regions meet edge to edge), keeping at least its own band.
        below = Box(column.x0, column.y0, column.x1, min(column.y1, r.y0))
        above = Box(column.x0, max(column.y0, r.y1), column.x1, column.y1)
        fitting = [c for c in (below, above) if c.contains(box)]
        if not fitting:
            return box
        column = max(fitting, key=lambda c: c.height)
    return column


def _grown(layout: Layout, box: Box, region: Region, taken: list[Region]) -> Box:
    """The largest box of the safe area that holds ``box`` and none of the ``taken`` regions (other than
    ``region`` itself), cutting the safe area beside each of them in turn; ``box`` itself when one of them sits
    inside it."""
    room = layout.safe
    for other in dict.fromkeys(taken):
        r = layout.region_box(other)
        if other == region or not room.overlaps(r):
            continue
        cuts = [
            Box(room.x0, room.y0, room.x1, min(room.y1, r.y0)),  # below it
            Box(room.x0, max(room.y0, r.y1), room.x1, room.y1),  # above it
            Box(room.x0, room.y0, min(room.x1, r.x0), room.y1),  # left of it
            Box(max(room.x0, r.x1), room.y0, room.x1, room.y1),  # right of it
        ]
        fitting = [c for c in cuts if c.contains(box)]
        if not fitting:
            return box
        room = max(fitting, key=lambda c: c.width * c.height)
    return room


def free_area(layout: Layout, taken: list[Region]) -> Box:
    """The largest box of the safe area beside every one of the ``taken`` regions (greedy, one region at a time)."""
    area = layout.safe
    gap = PLACEMENT_GAP
    for region in dict.fromkeys(taken):
        r = layout.region_box(region)
        if not area.overlaps(r):
            continue
        candidates = [
            Box(area.x0, area.y0, area.x1, min(area.y1, r.y0 - gap)),  # below it
            Box(area.x0, max(area.y0, r.y1 + gap), area.x1, area.y1),  # above it
            Box(area.x0, area.y0, min(area.x1, r.x0 - gap), area.y1),  # left of it
            Box(max(area.x0, r.x1 + gap), area.y0, area.x1, area.y1),  # right of it
        ]
        usable = [c for c in candidates if c.width > 1.0 and c.height > 1.0]
        if usable:
            # The figure is usually wider than tall; judge by the biggest 4:3 drawing each box holds.
            area = max(usable, key=lambda c: min(c.width, c.height * 4 / 3))
    return area


def plan_figures(scene: sb.Scene, registry: Registry = ACTIONS) -> list[FigurePlan]:
    """One :class:`FigurePlan` per stretch of ``scene`` between ``clear`` actions (at least one)."""
    plans = [FigurePlan()]
    shapes: dict[str, list[PlanePoint]] = {}
    for beat in scene.beats:
        for action in beat.actions:
            plan = plans[-1]
            if isinstance(action, sb.ClearScreen):
                plans.append(FigurePlan())
                shapes.clear()
                continue
            if getattr(action, "axes", None) is not None and registry.spec_of(action).placement in (
                "plane",
                "connector",
            ):
                continue  # drawn in the coordinates of a graph, not on the figure's plane
            points = geometry_points(action)
            if points and isinstance(action, CreatingAction):
                plan.points += points
                shapes[action.id] = points
                if plan.region is None and action.region is not None:
                    plan.region = action.region
            elif isinstance(action, sb.Move) and action.target in shapes:
                moved = moved_points(shapes[action.target], action)
                shapes[action.target] = moved
                plan.points += moved
            elif registry.spec_of(action).placement == "region":
                region = getattr(action, "region", None)
                if region is None and action.op == "title":
                    region = "top"
                if region is not None:
                    plan.text_regions.append(region)
    return plans


def geometry_points(action: sb.Action) -> list[PlanePoint]:
    """The plane coordinates a geometry action draws on (empty for every other action)."""
    if isinstance(action, sb.ShowPoint):
        return [action.at]
    if isinstance(action, sb.ShowSegment):
        return [action.start, action.end]
    if isinstance(action, sb.ShowPolygon):
        return list(action.vertices)
    if isinstance(action, sb.ShowCircle):
        (x, y), r = action.center, action.radius
        return [(x - r, y - r), (x + r, y + r)]
    if isinstance(action, sb.ShowAngle):
        return [action.vertex]
    if isinstance(action, sb.ShowArrow):
        return [p for p in (action.start, action.end) if p is not None]
    return []


def moved_points(points: list[PlanePoint], move: sb.Move) -> list[PlanePoint]:
    """Where ``move`` takes a shape's plane points: scaled and rotated about its box centre, then shifted."""
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    s = move.scale or 1.0
    turn = math.radians(move.rotate_degrees or 0.0)
    cos, sin = math.cos(turn), math.sin(turn)
    dx, dy = move.shift or (0.0, 0.0)
    out = []
    for x, y in points:
        ux, uy = (x - cx) * s, (y - cy) * s
        out.append((cx + ux * cos - uy * sin + dx, cy + ux * sin + uy * cos + dy))
    return out
