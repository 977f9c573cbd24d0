"""Equations: a formula, its morph into another formula with parts highlighted, and a column of working written
under it line by line with the relation symbols aligned."""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

from manim import (
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    MathTex,
    Mobject,
    ReplacementTransform,
    SurroundingRectangle,
    Text,
    TransformMatchingTex,
    VGroup,
    VMobject,
    Write,
)
from manim.animation.animation import Animation

from mathreel_scenelang import storyboard as sb
from mathreel_scenelang.actions.equations import ShowEquation, TransformEquation, WriteStep, relation_span
from mathreel_scenelang.base import CreatingAction
from mathreel_scenelang.latex import check_latex
from mathreel_scenelang.layout import PLACEMENT_GAP, SOLID_KINDS, Box, Layout
from mathreel_scenelang.render import style
from mathreel_scenelang.render.highlight import highlight_spans, isolated_parts
from mathreel_scenelang.render.objects import Built, box_of, glyph_px, stretch_of

if TYPE_CHECKING:
    from mathreel_scenelang.render.scene import StoryboardScene

# An equation's entry keeps its LaTeX, colour and size (the factor its font size was set at, above
# ``style.EQUATION_SIZE``); once a step is written under it, also the index of each line's relation symbol among the
# line's parts (the line is then row[0] of each row of the column).
LATEX, COLOR, RELATIONS, SIZE, SPACING = "latex", "color", "relations", "size", "spacing"

# How far a column of working, or a formula alone in the centre, is set above the normal equation size to use the
# frame; and the strip kept free at the bottom of the frame under a column (where captions are shown).
MAX_COLUMN_SIZE = 1.5
# How far the gap between lines of working may widen when the column is as wide as the frame but not as tall.
MAX_SPACING = 2.0
MAX_FORMULA_SIZE = 1.6
CAPTION_ROOM = 0.6


def build_equation(scene: StoryboardScene, action: ShowEquation) -> Built:
    color = scene.color_of(action)
    size, spacing = equation_size(scene, action, color)
    mob = MathTex(check_latex(action.latex), font_size=style.EQUATION_SIZE * size, color=color)
    return Built(
        lambda: [Write(mob)],
        mob,
        [(scene.text_item(action.id, mob, action.region), mob)],
        extra={LATEX: action.latex, COLOR: color, SIZE: size, SPACING: spacing},
    )


def column_steps(stretch: list[sb.Action], action: ShowEquation) -> list[WriteStep]:
    """The steps that will be written under ``action`` before a transform or remove ends its column."""
    steps: list[WriteStep] = []
    for other in stretch[next(i for i, a in enumerate(stretch) if a is action) + 1 :]:
        if isinstance(other, WriteStep) and other.target == action.id:
            steps.append(other)
        elif (isinstance(other, TransformEquation) and other.target == action.id) or (
            isinstance(other, sb.Remove) and action.id in other.targets
        ):
            break
    return steps


def _neighbours(scene: StoryboardScene, stretch: list[sb.Action], action: ShowEquation) -> list[Box] | None:
    """The boxes of the regions the stretch's other objects are placed in, or None when one of them has no region
    (a figure, or a text the layout places where it finds room): then there is no telling where they go."""
    boxes = []
    for other in stretch:
        if other is action or not isinstance(other, CreatingAction):
            continue
        spec = scene.registry.spec_of(other)
        if spec.placement == "attached":
            if scene.registry.references(other) and action.id in scene.registry.references(other):
                return None  # a brace on the formula needs room of its own
            continue
        if getattr(other, "axes", None) is not None:
            continue  # drawn on a graph, which has a region of its own
        region = other.region if other.region is not None else "top" if other.op == "title" else None
        if spec.placement != "region" or region is None:
            return None
        boxes.append(scene.layout.region_box(region))
    return boxes


def equation_size(scene: StoryboardScene, action: ShowEquation, color: str) -> tuple[float, float]:
    """The factor the formula is set at above the normal size, and the factor the gap between its lines of working
    is widened by: a column of working grows to fill the height from its region down to the objects below it (or
    the caption strip), and when the frame's width stops it first, its lines move apart to fill that height; a
    formula alone in the centre grows to fill the centre; never beyond the frame's width, and (1, 1) whenever the
    scene has objects whose place is not known up front."""
    stretch = stretch_of(scene.spec.scene, action)
    neighbours = _neighbours(scene, stretch, action)
    if neighbours is None:
        return 1.0, 1.0
    layout = scene.layout
    steps = column_steps(stretch, action)
    if not steps:
        if action.region != "center" or any(box.overlaps(layout.region_box("center")) for box in neighbours):
            return 1.0, 1.0
        room = layout.region_box("center")
        mob = MathTex(check_latex(action.latex), font_size=style.EQUATION_SIZE, color=color)
        return max(1.0, min(MAX_FORMULA_SIZE, room.width * 0.9 / mob.width, room.height * 0.8 / mob.height)), 1.0
    if action.region not in (None, "top", "center"):
        return 1.0, 1.0  # a column in a half or a quarter shares the frame with what stands beside it
    safe = layout.safe
    band = layout.region_box(action.region) if action.region is not None else safe
    room = Box(safe.x0, safe.y0 + CAPTION_ROOM, safe.x1, band.y1)
    for box in neighbours:
        if not box.overlaps(room):
            continue
        if box.y1 > band.y0 + 1e-6:
            return 1.0, 1.0  # something beside its first line: the column has no clear run down the frame
        room = Box(room.x0, max(room.y0, box.y1 + PLACEMENT_GAP), room.x1, room.y1)
    height, widths, first_height = natural_column(action, steps, color)
    tallest = min(
        MAX_COLUMN_SIZE,
        room.height / height,
        band.height / first_height,  # the first line still fits its region's band
    )
    # The notes in one column if that fits, else each beside its own line (as build_step places them).
    size = max(1.0, max(min(tallest, room.width * 0.98 / width) for width in widths))
    # What height is left once the column is as large as it may be goes between its lines (with a margin: a column
    # that overshoots would scroll).
    gaps = len(steps) * style.STEP_GAP * size
    spare = room.height * 0.95 - height * size
    spacing = min(MAX_SPACING, 1.0 + max(spare, 0.0) / gaps)
    return size, spacing


def natural_column(
    action: ShowEquation, steps: list[WriteStep], color: str
) -> tuple[float, tuple[float, float], float]:
    """The height of the whole column ``action`` and its ``steps`` make at the normal size, set as
    :func:`build_step` sets it (relations aligned, boxes and notes included), its widths with the notes in one
    column and with each beside its own line, and its first line's height."""
    first, relation = _line(action.latex, [], color, 1.0)
    rows: list[VMobject] = [VGroup(first)]
    relation_x = first[relation].get_center()[0]
    for step in steps:
        line, index = _line(step.latex, step.highlight, color, 1.0)
        line.shift(RIGHT * (relation_x - line[index].get_center()[0]))
        row = VGroup(line)
        if step.box:
            row.add(SurroundingRectangle(line, buff=0.15, corner_radius=0.08))
        if step.note is not None:
            row.add(Text(step.note, font=style.FONT, font_size=style.NOTE_SIZE))
        rows.append(row)
    _stack(rows, 0.0, style.STEP_GAP)
    return box_of(VGroup(*rows)).height, _widths(rows), float(first.height)


def _widths(rows: list[VMobject]) -> tuple[float, float]:
    """The column's width with its notes in one column, and with each note beside its own line."""
    _place_notes(rows, style.NOTE_GAP, math.inf)
    aligned = box_of(VGroup(*rows)).width
    _place_notes(rows, style.NOTE_GAP, 0.0)
    return aligned, box_of(VGroup(*rows)).width


def build_transform(scene: StoryboardScene, action: TransformEquation) -> Built:
    entry = scene.entries[action.target]
    old = entry.mob
    latex = check_latex(action.latex)
    highlights = [check_latex(h) for h in action.highlight]
    color = entry.extra.get(COLOR, old.get_color())
    parts, marked = isolated_parts(latex, highlights)
    size = float(entry.extra.get(SIZE, 1.0))
    try:
        new = MathTex(*parts, font_size=style.EQUATION_SIZE * size, color=color)
        for index in marked:
            new[index].set_color(style.HIGHLIGHT_COLOR)
    except Exception:
        # A highlight that splits the formula where LaTeX cannot be split: show it whole, unhighlighted.
        scene.report["warnings"].append(f"transform of '{action.target}': highlights could not be isolated")
        new = MathTex(latex, font_size=style.EQUATION_SIZE * size, color=color)
    item = scene.layout.items[action.target]
    new.scale(item.scale)
    new.move_to(old.get_center())
    item.box = box_of(new)
    item.glyph_px = glyph_px(new)
    scene.beat.copies.pop(action.target, None)
    scene.mobs[action.target] = new
    scene.beat.fresh.add(action.target)
    entry.mob = new
    entry.extra[LATEX] = action.latex
    entry.extra.pop(RELATIONS, None)  # one formula again, no longer a column

    def animate() -> list[Animation]:
        try:
            anim: Animation = TransformMatchingTex(old, new)
        except Exception:
            anim = ReplacementTransform(old, new)
        return [anim]

    return Built(animate)


def line_parts(latex: str, highlights: list[str]) -> tuple[list[str], int, list[int]]:
    """A line of working cut into parts for ``MathTex``: its relation symbol a part of its own (to align on), each
    highlighted term a part (to colour), and each top-level term a part (so that a term carried down from the line
    above glides into place rather than being written again). Returns the parts, the relation's index and the
    highlighted indices."""
    relation = relation_span(latex)
    if relation is None:
        raise ValueError(f"'{latex}' has no relation symbol to align on")
    marked = [s for s in highlight_spans(latex, highlights) if s[1] <= relation[0] or s[0] >= relation[1]]
    cuts = {0, len(latex), *relation, *(edge for span in marked for edge in span)}
    cuts |= {c for c in _term_starts(latex) if not any(start < c < end for start, end in marked)}
    edges = sorted(cuts)
    parts: list[str] = []
    relation_index = -1
    marked_indices: list[int] = []
    for start, end in itertools.pairwise(edges):
        if not latex[start:end].strip():
            continue
        if (start, end) == relation:
            relation_index = len(parts)
        elif (start, end) in marked:
            marked_indices.append(len(parts))
        parts.append(latex[start:end])
    return parts, relation_index, marked_indices


def _term_starts(latex: str) -> list[int]:
    """Where each ``+`` or ``-`` that joins two terms outside any bracket stands."""
    found: list[int] = []
    depth = 0
    for index, char in enumerate(latex):
        if char in "{([":
            depth += 1
        elif char in "})]":
            depth -= 1
        elif depth == 0 and char in "+-" and index > 0 and latex[index - 1] != "\\":
            before = latex[:index].rstrip()
            if before and (before[-1].isalnum() or before[-1] in ")}]."):
                found.append(index)
    return found


def _line(latex: str, highlights: list[str], color: str, scale: float) -> tuple[MathTex, int]:
    parts, relation, marked = line_parts(check_latex(latex), [check_latex(h) for h in highlights])
    line = MathTex(*parts, font_size=style.EQUATION_SIZE, color=color)
    for index in marked:
        line[index].set_color(style.HIGHLIGHT_COLOR)
    line.scale(scale)
    return line, relation


def _stack(rows: list[VMobject], top: float, gap: float) -> None:
    """Set the rows one under the other, the first with its top at ``top``; x is left alone."""
    y = top
    for row in rows:
        row.shift(UP * (y - row.get_top()[1]))
        y = row.get_bottom()[1] - gap


def _place_notes(rows: list[VMobject], gap: float, width: float) -> None:
    """The notes in one column right of the widest line, each level with its own line; each beside its own line
    instead when that column would make the working wider than ``width``."""
    notes = [(r[0], part) for r in rows for part in r.submobjects[1:] if isinstance(part, Text)]
    if not notes:
        return
    left = min(r[0].get_left()[0] for r in rows)
    column_x = max(r[0].get_right()[0] for r in rows) + gap
    aligned = column_x + max(note.width for _, note in notes) - left <= width
    for line, note in notes:
        x = column_x if aligned else line.get_right()[0] + gap
        note.move_to((x + note.width / 2, float(line.get_center()[1]), 0.0))


def _room(layout: Layout, target: str, column: VGroup) -> float:
    """The height a column may take: the safe area between the nearest objects above and below it (those in its
    way across; an object beside it, level with its first line, is left to the layout to keep clear)."""
    box = box_of(column)
    first_bottom = column[0].get_bottom()[1]
    group = set(layout.group(layout.root(target)))
    top, bottom = layout.safe.y1, layout.safe.y0
    for item_id, item in layout.items.items():
        if item_id in group or item.kind not in SOLID_KINDS or item.box.x0 >= box.x1 or item.box.x1 <= box.x0:
            continue
        if item.box.y0 >= box.y1 - PLACEMENT_GAP:
            top = min(top, item.box.y0 - PLACEMENT_GAP)
        elif item.box.y1 <= first_bottom:
            bottom = max(bottom, item.box.y1 + PLACEMENT_GAP)
    return top - bottom


def build_step(scene: StoryboardScene, action: WriteStep) -> Built:
    entry = scene.entries[action.target]
    item = scene.layout.items[action.target]
    scale = item.scale * float(entry.extra.get(SIZE, 1.0))
    color = entry.extra.get(COLOR, style.TEXT_COLOR)
    current = scene.mob_of(action.target)  # where the column stands at this point of the beat
    on_screen = entry.mob
    if RELATIONS in entry.extra:
        relations: list[int] = list(entry.extra[RELATIONS])
        rows: list[VMobject] = [row.copy() for row in current.submobjects if isinstance(row, VMobject)]
        old_rows: list[Mobject] = list(on_screen.submobjects)
    else:
        # The equation becomes the first line of a column: set again with its relation symbol apart.
        first, relation = _line(entry.extra[LATEX], [], color, scale)
        first.move_to(current.get_center())
        relations, rows, old_rows = [relation], [VGroup(first)], [on_screen]
    relation_x = rows[0][0][relations[0]].get_center()[0]
    top = rows[0].get_top()[1]
    if action.dim:
        for row in rows:
            row.set_opacity(style.DIMMED_OPACITY)

    line, relation = _line(action.latex, action.highlight, color, scale)
    line.shift(RIGHT * (relation_x - line[relation].get_center()[0]))
    row = VGroup(line)
    frame: SurroundingRectangle | None = None
    if action.box:
        frame = SurroundingRectangle(line, color=style.HIGHLIGHT_COLOR, buff=0.15 * scale, corner_radius=0.08)
        row.add(frame)
    note: Text | None = None
    if action.note is not None:
        note = Text(action.note, font=style.FONT, font_size=style.NOTE_SIZE, color=style.NOTE_COLOR).scale(scale)
        row.add(note)
    rows.append(row)
    relations.append(relation)

    gap = style.STEP_GAP * scale * float(entry.extra.get(SPACING, 1.0))
    _stack(rows, top, gap)
    _place_notes(rows, style.NOTE_GAP * scale, scene.layout.safe.width)

    # Scroll: when the column is taller than the room it has, the oldest lines go and the rest move up.
    dropped = 0
    while len(rows) - dropped > 2 and box_of(VGroup(*rows[dropped:])).height > _room(
        scene.layout, action.target, VGroup(*rows[dropped:])
    ):
        dropped += 1
    kept = rows[dropped:]
    _stack(kept, top, gap)
    column = VGroup(*kept)
    entry.extra[RELATIONS] = relations[dropped:]
    entry.extra[LATEX] = action.latex

    item.box = box_of(column)
    item.glyph_px = glyph_px(column)
    # A column is placed as a whole wherever it fits, never squeezed back into its first line's region band.
    item.region = None
    item.area = None
    scene.beat.copies.pop(action.target, None)
    scene.mobs[action.target] = column
    scene.beat.fresh.add(action.target)
    entry.mob = column
    old_kept = old_rows[dropped:] if dropped < len(old_rows) else []
    new_kept = kept[: len(old_kept)]

    def animate() -> list[Animation]:
        anims: list[Animation] = [FadeOut(r, shift=UP * 0.5) for r in old_rows[:dropped]]
        anims += [ReplacementTransform(old, new) for old, new in zip(old_kept, new_kept, strict=True)]
        # Copy-down: the line above, undimmed, slides down into the new line; the terms the two share glide.
        source = kept[-2][0].copy().set_opacity(1.0)
        try:
            anims.append(TransformMatchingTex(source, line))
        except Exception:
            anims.append(Write(line))
        if frame is not None:
            anims.append(Create(frame))
        if note is not None:
            anims.append(FadeIn(note, shift=LEFT * 0.3))
        return anims

    return Built(animate)
