"""The Manim scene that plays one storyboard scene, beat by beat, in step with its narration.

Each beat goes through the same pipeline: build the mobjects its actions create or change (off screen), let the
layout engine place them and fix what collides, check the result on the real mobjects' bounding boxes, and only
then animate, starting on the beat's first frame. Imported only inside the render subprocess.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arc,
    Arrow,
    Axes,
    Brace,
    Circle,
    Circumscribe,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromCenter,
    Indicate,
    LaggedStart,
    Line,
    MathTex,
    Matrix,
    Mobject,
    MobjectTable,
    NumberLine,
    Polygon,
    ReplacementTransform,
    Scene,
    SingleStringMathTex,
    Text,
    Transform,
    TransformMatchingTex,
    VGroup,
    VMobject,
    Write,
)
from manim.animation.animation import Animation

from mathreel_shared import storyboard as sb
from mathreel_visuals import style
from mathreel_visuals.demos import charts, diagrams, morph, onaxes, plane, sweep
from mathreel_visuals.demos.common import set_parts, to_scene
from mathreel_visuals.expressions import compile_expression
from mathreel_visuals.figure import GEOMETRY_OPS, free_area, geometry_points, moved_points, plan_figures
from mathreel_visuals.highlight import isolated_parts
from mathreel_visuals.layout import (
    TEX_CAP_PER_POINT,
    TEXT_CAP_PER_POINT,
    Box,
    Fix,
    Kind,
    Layout,
    LayoutItem,
    LayoutUnfixable,
    Region,
    cap_height_px,
    check_boxes,
    describe,
)
from mathreel_visuals.safe_latex import check_latex
from mathreel_visuals.spec import RenderSpec
from mathreel_visuals.timing import DEFAULT_RUN_TIMES, animation_share, plan_slots, plan_steps, total_frames

Point = np.ndarray[Any, np.dtype[np.float64]]
_LABEL_GAP = 0.3
_MAX_AXES = (9.0, 5.6)  # beyond this an axes box only spreads its ticks apart


@dataclass
class Step:
    """One animation step of a beat, built after layout so it animates to the final positions."""

    op: str
    build: Callable[[], list[Animation]]

    @property
    def run_time(self) -> float:
        return DEFAULT_RUN_TIMES.get(self.op, 1.0)


@dataclass
class Plane:
    """Maps storyboard geometry coordinates into the scene; follows its layout item when that moves."""

    item_id: str
    math_center: tuple[float, float]
    base_scale: float
    layout: Layout

    @property
    def scale(self) -> float:
        return self.base_scale * self.layout.items[self.item_id].scale

    def to_scene(self, p: tuple[float, float]) -> Point:
        cx, cy = self.layout.items[self.item_id].box.center
        return np.array(
            [cx + (p[0] - self.math_center[0]) * self.scale, cy + (p[1] - self.math_center[1]) * self.scale, 0.0]
        )


@dataclass
class Entry:
    """An object on screen: its mobject and the layout items that stand for it."""

    op: str
    mob: Mobject
    layout_ids: list[str]
    extra: dict[str, Any] = field(default_factory=dict)


def references(action: sb.Action) -> list[str]:
    """The ids of objects an action refers to (its target, axes, graph, arrow ends or removal targets)."""
    refs = [getattr(action, name, None) for name in ("target", "axes", "graph", "from_id", "to_id", "number_line")]
    if isinstance(action, sb.Remove):
        refs.extend(action.targets)
    return [r for r in refs if isinstance(r, str)]


def color_of(name: str | None, op: str) -> str:
    return style.PALETTE[name] if name else style.DEFAULT_COLORS.get(op, style.TEXT_COLOR)


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
        c = mob.get_center()
        return Box(float(c[0]), float(c[1]), float(c[0]), float(c[1]))
    return Box(float(mob.get_left()[0]), float(mob.get_bottom()[1]), float(mob.get_right()[0]), float(mob.get_top()[1]))


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


def cell(src: str, font_size: float) -> VMobject:
    """A table cell: plain text unless it is wholly ``$...$``, which is set as a formula."""
    if len(src) > 2 and src.startswith("$") and src.endswith("$"):
        return MathTex(check_latex(src[1:-1]), font_size=font_size * 1.35, color=style.TEXT_COLOR)
    return Text(src or " ", font=style.FONT, font_size=font_size, color=style.TEXT_COLOR)


class StoryboardScene(Scene):  # type: ignore[misc]
    """Plays ``spec.scene`` so that beat i starts on the frame of ``spec.timing.beats[i].start``."""

    def __init__(self, spec: RenderSpec, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.fps = spec.fps
        # A scene's title is shown as its heading, so a viewer sees where one part of the lesson ends and the next
        # begins; the title card itself needs none.
        self.heading = spec.scene.title if spec.scene.title and spec.scene.kind != "title" else None
        header = style.HEADING_HEIGHT if self.heading else 0.0
        self.layout = Layout(frame_width=8.0 * spec.width / spec.height, header=header)
        self.entries: dict[str, Entry] = {}
        self.mobs: dict[str, Mobject] = {}  # layout id → mobject (final state of the beat while preparing)
        self.functions: dict[str, tuple[Callable[[float], float], str]] = {}
        self.plane: Plane | None = None
        self.segment = 0
        self.report: dict[str, Any] = {"beats": [], "warnings": []}
        self._figures = plan_figures(spec.scene)
        self.current_beat = 0  # the beat being prepared: where a failure is reported

    # --- timing ---------------------------------------------------------------------------------------------
    def frames_done(self) -> int:
        return round(self.renderer.time * self.fps)

    def wait_until_frame(self, frame: int) -> None:
        missing = frame - self.frames_done()
        if missing > 0:
            self.wait((missing + 0.5) / self.fps)

    def play_frames(self, animations: Sequence[Animation], frames: int) -> None:
        run_time = 1 / self.fps if frames <= 1 else (frames - 0.5) / self.fps
        self.play(*animations, run_time=run_time)

    def apply_instantly(self, animations: Sequence[Animation]) -> None:
        """Jump to the animations' end states without writing frames, as Manim does for skipped animations."""
        for anim in animations:
            anim._setup_scene(self)
            anim.begin()
            anim.finish()
            anim.clean_up_from_scene(self)

    def show_heading(self) -> None:
        """The scene's title at the top left, in the strip the layout keeps for it, from the first frame."""
        if self.heading is None:
            return
        box = self.layout.header_box
        heading = Text(self.heading, font=style.FONT, font_size=style.HEADING_SIZE, color=style.MUTED_COLOR)
        if heading.width > box.width:
            heading.scale_to_fit_width(box.width)
        heading.move_to((box.x0 + heading.width / 2, (box.y0 + box.y1) / 2, 0.0))
        self.add(heading)

    def construct(self) -> None:
        timing, scene = self.spec.timing, self.spec.scene
        slots = plan_slots(timing, self.fps)
        total = total_frames(timing, self.fps)
        self.show_heading()
        for slot, beat in zip(slots, scene.beats, strict=True):
            steps, beat_report = self.prepare_beat(slot.index, beat)
            self.wait_until_frame(slot.start_frame)
            beat_report["planned_start"] = round(timing.beats[slot.index].start, 4)
            beat_report["actual_start"] = round(self.frames_done() / self.fps, 4)
            beat_report["drift"] = round(beat_report["actual_start"] - beat_report["planned_start"], 4)
            available = slot.end_frame - self.frames_done()
            ops = [s.op for s in steps]
            plan = plan_steps(available, [s.run_time for s in steps], self.fps, animation_share(ops))
            beat_report["steps"] = [s.op for s in steps]
            beat_report["step_mode"] = plan.mode
            if plan.mode == "instant":
                self.apply_instantly([a for s in steps for a in s.build()])
            elif plan.mode == "together":
                anims = [a for s in steps for a in s.build()]
                if anims:
                    self.play_frames(anims, plan.frames[0])
            else:
                for step, frames in zip(steps, plan.frames, strict=True):
                    anims = step.build()
                    if anims:
                        self.play_frames(anims, frames)
                    else:
                        self.wait_until_frame(self.frames_done() + frames)
            self.gather_parts()
            beat_report["animation_end"] = round(self.frames_done() / self.fps, 4)
            self.report["beats"].append(beat_report)
        self.wait_until_frame(total)
        self.report["frames"] = self.frames_done()
        self.report["duration"] = round(self.frames_done() / self.fps, 4)
        self.report["planned_duration"] = timing.duration

    def preflight(self) -> None:
        """Build, lay out and check every beat as ``construct`` does, each beat's animations applied instantly: the
        render's checks and fixes without its frames (``mathreel_visuals.preflight``)."""
        for index, beat in enumerate(self.spec.scene.beats):
            steps, beat_report = self.prepare_beat(index, beat)
            self.apply_instantly([a for s in steps for a in s.build()])
            self.gather_parts()
            self.report["beats"].append(beat_report)

    # --- the per-beat pipeline ----------------------------------------------------------------------------------
    def prepare_beat(self, index: int, beat: sb.Beat) -> tuple[list[Step], dict[str, Any]]:
        """Build every object of the beat, lay them out, prove the layout, and return the animation steps."""
        self.current_beat = index
        self.fresh: set[str] = set()  # layout ids whose mobject is not on screen yet (new or replacing one)
        # layout id → (its on-screen mobject, a copy holding its end-of-beat state)
        self.copies: dict[str, tuple[Mobject, Mobject]] = {}
        self.claimed: set[str] = set()  # copies animated by a move step rather than by the make-room step
        self.on_screen_before = dict(self.mobs)
        self.fixes: list[Fix] = []
        self.pending_place: list[str] = []
        self.removed: set[str] = set()  # layout ids faded by remove/clear steps, not by the layout
        created: list[str] = []
        steps: list[Step] = []
        referenced = {ref for a in beat.actions for ref in references(a)}
        for action in beat.actions:
            count = len(created)
            steps.extend(self.build_action(action, created))
            before = self.layout.snapshot()  # new objects stand where they were built, until settled
            protected = {
                lid for oid in [*created, *referenced] if oid in self.entries for lid in self.entries[oid].layout_ids
            }
            new_ids = [lid for oid in created[count:] for lid in self.entries[oid].layout_ids]
            self.fixes.extend(self.layout.settle([*new_ids, *self.pending_place], protected))
            self.pending_place.clear()
            self.follow_layout(before)
        make_room = self.make_room_step()
        if make_room is not None:
            steps.insert(0, make_room)
        measured = self.measured_items()
        issues = check_boxes(measured, self.layout.safe, self.layout.root)
        if issues:
            raise LayoutUnfixable("; ".join(i.detail for i in issues))
        report = {
            "beat": index,
            "checks": {"objects": len(measured), "rules": ["in_safe_area", "no_overlap", "readable"], "passed": True},
            "fixes": [{"action": f.action, "id": f.id, "detail": f.detail} for f in self.fixes],
            "objects": describe(measured),
        }
        for lid, (mob, _) in self.copies.items():
            if lid in self.mobs:
                self.mobs[lid] = mob  # the on-screen mobject ends the beat in the copy's state
        return steps, report

    def pending_mob(self, lid: str) -> Mobject:
        """The mobject holding ``lid``'s end-of-beat state; an on-screen one is copied the first time it changes."""
        if lid in self.fresh:
            return self.mobs[lid]
        if lid in self.copies:
            return self.copies[lid][1]
        mob = self.mobs[lid]
        copy = mob.copy()
        self.copies[lid] = (mob, copy)
        self.mobs[lid] = copy
        return copy

    def follow_layout(self, before: dict[str, tuple[float, Box]]) -> None:
        """Give every mobject the scale and position the layout chose for it since ``before``."""
        for lid, item in self.layout.items.items():
            if lid not in before or lid not in self.mobs:
                continue
            old_scale, old_box = before[lid]
            factor = item.scale / old_scale
            if math.isclose(factor, 1.0, rel_tol=1e-9) and item.box.center == old_box.center:
                continue
            mob = self.pending_mob(lid)
            mob.scale(factor)
            mob.move_to(np.array([*item.box.center, 0.0]))
        for lid in [lid for lid in self.mobs if lid not in self.layout.items]:
            del self.mobs[lid]  # faded by the layout or removed
        for oid in [o for o, e in self.entries.items() if not any(i in self.layout.items for i in e.layout_ids)]:
            del self.entries[oid]

    def make_room_step(self) -> Step | None:
        """Animate objects already on screen that the layout moved, and fade the ones it let go."""
        moves = [(m, c) for lid, (m, c) in self.copies.items() if lid not in self.claimed and lid in self.layout.items]
        faded = [
            m for lid, m in self.on_screen_before.items() if lid not in self.layout.items and lid not in self.removed
        ]
        if not moves and not faded:
            return None
        return Step("make_room", lambda: [*(Transform(m, c) for m, c in moves), *(FadeOut(m) for m in faded)])

    def measured_items(self) -> list[LayoutItem]:
        """The layout items with boxes and glyph sizes measured again from the mobjects themselves."""
        out = []
        for lid, item in self.layout.items.items():
            mob = self.mobs.get(lid)
            if mob is None:  # virtual items (a figure's frame) have no mobject of their own
                out.append(item)
                continue
            out.append(
                LayoutItem(
                    id=item.id,
                    kind=item.kind,
                    box=box_of(mob),
                    glyph_px=glyph_px(mob),
                    anchor=item.anchor,
                    ignores=item.ignores,
                    order=item.order,
                )
            )
        return out

    def is_shown(self, mob: Mobject) -> bool:
        family = mob.get_family()
        return any(top is mob or mob in top.get_family() or top in family for top in self.mobjects)

    def gather_parts(self) -> None:
        """Put each object back on screen as one mobject.

        Creation animations often add an object's parts one by one (a title's lines, a list's rows); later steps
        (fade, move, recolour) act on the whole object, which only works if the scene holds the whole.
        """
        for entry in self.entries.values():
            mob = entry.mob
            if any(top is mob for top in self.mobjects):
                continue
            family = mob.get_family()[1:]
            parts = [top for top in self.mobjects if any(top is f for f in family)]
            if parts:
                self.remove(*parts)
                self.add(mob)

    # --- registering objects ---------------------------------------------------------------------------------
    def register(self, oid: str, op: str, mob: Mobject, items: list[tuple[LayoutItem, Mobject | None]]) -> Entry:
        entry = Entry(op, mob, [it.id for it, _ in items])
        for item, part in items:
            self.layout.add(item)
            if part is not None:
                self.mobs[item.id] = part
                self.fresh.add(item.id)
        self.entries[oid] = entry
        return entry

    def text_item(self, oid: str, mob: Mobject, region: Region | None, kind: Kind = Kind.TEXT) -> LayoutItem:
        return LayoutItem(id=oid, kind=kind, box=box_of(mob), glyph_px=glyph_px(mob), region=region)

    def max_width(self, region: Region | None) -> float:
        if region is None:
            return self.layout.safe.width * 0.9
        return self.layout.region_box(region).width

    def wrapped_text(self, oid: str, text: str, font_size: float, color: str, max_width: float) -> Text:
        """A Text no wider than ``max_width``, re-wrapped onto more lines when it would be (the reflow fix)."""
        mob = Text(text, font=style.FONT, font_size=font_size, color=color)
        if mob.width <= max_width:
            return mob
        longest = max(len(line) for line in text.splitlines() or [text])
        chars = max(10, int(longest * max_width / mob.width))
        for _ in range(5):
            wrapped = "\n".join(textwrap.fill(line, chars) for line in text.splitlines())
            mob = Text(wrapped, font=style.FONT, font_size=font_size, color=color)
            if mob.width <= max_width or chars <= 10:
                break
            chars = max(10, int(chars * 0.85))
        if "\n" not in text:
            mob, chars = self._balanced(text, font_size, color, mob, chars)
        self.fixes.append(Fix("reflow", oid, f"re-wrapped at {chars} characters to fit {max_width:.1f} units"))
        return mob

    @staticmethod
    def _balanced(text: str, font_size: float, color: str, wrapped: Text, chars: int) -> tuple[Text, int]:
        """The same number of lines as ``wrapped`` (which fits), with their lengths evened out: no lone last word."""
        lines = len(textwrap.wrap(text, chars))
        for even in range(math.ceil(len(text) / lines), chars):
            if len(textwrap.wrap(text, even)) == lines:
                return Text(textwrap.fill(text, even), font=style.FONT, font_size=font_size, color=color), even
        return wrapped, chars

    # --- actions ---------------------------------------------------------------------------------------------
    def build_action(self, action: sb.Action, created: list[str]) -> list[Step]:
        handler = getattr(self, f"do_{action.op}")
        steps: list[Step] = handler(action, created)
        return steps

    def do_title(self, a: sb.ShowTitle, created: list[str]) -> list[Step]:
        color = color_of(a.color, "title")
        # A title spans the frame unless it is put in a half or a quarter: the centre region's margins are for
        # bodies of text, and would break a short title onto two lines.
        full = a.region is None or a.region in ("center", "top", "bottom")
        width = self.layout.safe.width * 0.9 if full else self.max_width(a.region)
        title = centered_lines(self.wrapped_text(a.id, a.text, style.TITLE_SIZE, color, width))
        parts: list[VMobject] = [title]
        if a.subtitle:
            subtitle = self.wrapped_text(a.id, a.subtitle, style.SUBTITLE_SIZE, style.MUTED_COLOR, width)
            parts.append(centered_lines(subtitle))
        mob = VGroup(*parts).arrange(DOWN, buff=0.32)
        self.register(a.id, "title", mob, [(self.text_item(a.id, mob, a.region or "top"), mob)])
        created.append(a.id)
        return [Step("title", lambda: [Write(title), *(FadeIn(p, shift=0.1 * UP) for p in parts[1:])])]

    def do_text(self, a: sb.ShowText, created: list[str]) -> list[Step]:
        mob = self.wrapped_text(a.id, a.text, style.TEXT_SIZE, color_of(a.color, "text"), self.max_width(a.region))
        self.register(a.id, "text", mob, [(self.text_item(a.id, mob, a.region), mob)])
        created.append(a.id)
        return [Step("text", lambda: [FadeIn(mob, shift=0.15 * UP)])]

    def do_bullets(self, a: sb.ShowBullets, created: list[str]) -> list[Step]:
        color = color_of(a.color, "bullets")
        width = self.max_width(a.region) - 0.5
        rows = []
        for item in a.items:
            dot = Text("•", font=style.FONT, font_size=style.BULLET_SIZE, color=style.ACCENT_COLOR)
            body = self.wrapped_text(a.id, item, style.BULLET_SIZE, color, width)
            row = VGroup(dot, body).arrange(RIGHT, buff=0.22, aligned_edge=UP)
            rows.append(row)
        mob = VGroup(*rows).arrange(DOWN, buff=0.28, aligned_edge=LEFT)
        self.register(a.id, "bullets", mob, [(self.text_item(a.id, mob, a.region), mob)])
        created.append(a.id)
        return [Step("bullets", lambda: [LaggedStart(*(FadeIn(r, shift=0.15 * RIGHT) for r in rows), lag_ratio=0.4)])]

    def do_equation(self, a: sb.ShowEquation, created: list[str]) -> list[Step]:
        mob = MathTex(check_latex(a.latex), font_size=style.EQUATION_SIZE, color=color_of(a.color, "equation"))
        self.register(a.id, "equation", mob, [(self.text_item(a.id, mob, a.region), mob)])
        created.append(a.id)
        return [Step("equation", lambda: [Write(mob)])]

    def do_transform(self, a: sb.TransformEquation, _: list[str]) -> list[Step]:
        entry = self.entries[a.target]
        old = entry.mob
        latex = check_latex(a.latex)
        highlights = [check_latex(h) for h in a.highlight]
        color = old.get_color()
        parts, marked = isolated_parts(latex, highlights)
        try:
            new = MathTex(*parts, font_size=style.EQUATION_SIZE, color=color)
            for index in marked:
                new[index].set_color(style.HIGHLIGHT_COLOR)
        except Exception:
            # A highlight that splits the formula where LaTeX cannot be split: show it whole, unhighlighted.
            self.report["warnings"].append(f"transform of '{a.target}': highlights could not be isolated")
            new = MathTex(latex, font_size=style.EQUATION_SIZE, color=color)
        scale = self.layout.items[a.target].scale
        new.scale(scale)
        new.move_to(old.get_center())
        item = self.layout.items[a.target]
        item.box = box_of(new)
        item.glyph_px = glyph_px(new)
        self.copies.pop(a.target, None)
        self.mobs[a.target] = new
        self.fresh.add(a.target)
        entry.mob = new

        def build() -> list[Animation]:
            try:
                anim: Animation = TransformMatchingTex(old, new)
            except Exception:
                anim = ReplacementTransform(old, new)
            return [anim]

        return [Step("transform", build)]

    # --- geometry --------------------------------------------------------------------------------------------
    def ensure_plane(self, created: list[str]) -> Plane:
        """The plane of the current stretch of the scene, fitted up front to every coordinate it will use."""
        if self.plane is not None and self.plane.item_id in self.layout.items:
            return self.plane
        plan = self._figures[min(self.segment, len(self._figures) - 1)]
        base, math_center, box = plan.fit(self.layout)
        item_id = f"_figure{self.segment}"
        item = LayoutItem(
            id=item_id,
            kind=Kind.BLOCK,
            box=box,
            region=plan.region,
            area=None if plan.region is not None else plan.target_box(self.layout),
        )
        self.layout.add(item)
        self.entries[item_id] = Entry("figure", VGroup(), [item_id])
        created.append(item_id)
        self.plane = Plane(item_id, math_center, base, self.layout)
        return self.plane

    def on_axes(self, a: onaxes.OnAxes, axes_id: str, created: list[str]) -> list[Step]:
        """A point, segment, polygon or arrow in the coordinates of axes or a plane: a member of that graph."""
        axes, items = self._axes_of(axes_id), self.layout.items
        curves = [f for gid, (f, ax) in self.functions.items() if ax == axes_id and gid in self.entries]
        on_axes = [o for o, item in items.items() if item.anchor == axes_id]
        drawn = [e.extra["shape"] for o in on_axes if (e := self.entries.get(o)) is not None and "shape" in e.extra]
        avoid = onaxes.obstacles(axes, curves, drawn)
        shape = onaxes.shape_on_axes(a, to_scene(axes), color_of(a.color, a.op), avoid)
        item = LayoutItem(a.id, Kind.MEMBER, box_of(shape.mob), glyph_px(shape.mob), anchor=axes_id, movable=False)
        self.register(a.id, a.op, shape.mob, [(item, shape.mob)]).extra["shape"] = shape
        created.append(a.id)
        return [Step(a.op, shape.appear)]

    def _member(self, a: sb._Creates, op: str, mob: Mobject, created: list[str], plane: Plane) -> None:
        item = LayoutItem(
            id=a.id, kind=Kind.MEMBER, box=box_of(mob), glyph_px=glyph_px(mob), anchor=plane.item_id, movable=False
        )
        entry = self.register(a.id, op, mob, [(item, mob)])
        entry.extra["plane_points"] = geometry_points(a)  # type: ignore[arg-type]
        created.append(a.id)

    def _outward(self, plane: Plane, p: tuple[float, float], center: tuple[float, float]) -> Point:
        d = np.array([p[0] - center[0], p[1] - center[1], 0.0])
        n = float(np.linalg.norm(d))
        return d / n if n > 1e-9 else np.array([0.7071, 0.7071, 0.0])

    def do_point(self, a: sb.ShowPoint, created: list[str]) -> list[Step]:
        if a.axes is not None:
            return self.on_axes(a, a.axes, created)
        plane = self.ensure_plane(created)
        color = color_of(a.color, "point")
        pos = plane.to_scene(a.at)
        dot = Dot(pos, radius=0.08, color=color)
        parts: list[VMobject] = [dot]
        if a.label:
            # Outward from the figure, tilted up: below-right is where radii and axes usually run.
            direction = self._outward(plane, a.at, plane.math_center) + 0.8 * UP
            direction = direction / np.linalg.norm(direction)
            parts.append(math_label(a.label, color).next_to(dot, direction, buff=0.12))
        mob = VGroup(*parts)
        self._member(a, "point", mob, created, plane)
        return [Step("point", lambda: [GrowFromCenter(mob)])]

    def do_segment(self, a: sb.ShowSegment, created: list[str]) -> list[Step]:
        if a.axes is not None:
            return self.on_axes(a, a.axes, created)
        plane = self.ensure_plane(created)
        color = color_of(a.color, "segment")
        kind = DashedLine if a.dashed else Line
        line = kind(plane.to_scene(a.start), plane.to_scene(a.end), color=color, stroke_width=style.STROKE_WIDTH)
        parts: list[VMobject] = [line]
        if a.label:
            direction = line.copy().rotate(math.pi / 2).get_unit_vector()
            parts.append(math_label(a.label, color).move_to(line.get_center() + direction * _LABEL_GAP * 1.2))
        mob = VGroup(*parts)
        self._member(a, "segment", mob, created, plane)
        return [Step("segment", lambda: [Create(line), *(FadeIn(p) for p in parts[1:])])]

    def do_polygon(self, a: sb.ShowPolygon, created: list[str]) -> list[Step]:
        if a.axes is not None:
            return self.on_axes(a, a.axes, created)
        plane = self.ensure_plane(created)
        color = color_of(a.color, "polygon")
        corners = [plane.to_scene(v) for v in a.vertices]
        shape = Polygon(*corners, color=color, stroke_width=style.STROKE_WIDTH, fill_opacity=a.fill_opacity)
        centroid = (sum(v[0] for v in a.vertices) / len(a.vertices), sum(v[1] for v in a.vertices) / len(a.vertices))
        labels = []
        for vertex, corner, text in zip(a.vertices, corners, a.labels, strict=False):
            if text:
                direction = self._outward(plane, vertex, centroid)
                labels.append(math_label(text, style.TEXT_COLOR).move_to(corner + direction * _LABEL_GAP * 1.1))
        mob = VGroup(shape, *labels)
        self._member(a, "polygon", mob, created, plane)
        return [Step("polygon", lambda: [Create(shape), *(FadeIn(lab) for lab in labels)])]

    def do_circle(self, a: sb.ShowCircle, created: list[str]) -> list[Step]:
        plane = self.ensure_plane(created)
        color = color_of(a.color, "circle")
        center = plane.to_scene(a.center)
        circle = Circle(radius=a.radius * plane.scale, color=color, stroke_width=style.STROKE_WIDTH)
        circle.set_fill(color, opacity=a.fill_opacity).move_to(center)
        parts: list[VMobject] = [circle]
        if a.show_radius:
            edge = plane.to_scene((a.center[0] + a.radius, a.center[1]))
            radius = Line(center, edge, color=style.TEXT_COLOR, stroke_width=3)
            parts += [radius, Dot(center, radius=0.06, color=style.TEXT_COLOR)]
            parts.append(math_label("r", style.TEXT_COLOR).next_to(radius, UP, buff=0.1))
        mob = VGroup(*parts)
        self._member(a, "circle", mob, created, plane)
        return [Step("circle", lambda: [Create(circle), *(FadeIn(p) for p in parts[1:])])]

    def do_angle(self, a: sb.ShowAngle, created: list[str]) -> list[Step]:
        plane = self.ensure_plane(created)
        color = color_of(a.color, "angle")
        v = plane.to_scene(a.vertex)
        ua = plane.to_scene(a.a) - v
        ub = plane.to_scene(a.b) - v
        if np.linalg.norm(ua) < 1e-9 or np.linalg.norm(ub) < 1e-9:
            raise ValueError("angle: a ray has zero length")
        ua, ub = ua / np.linalg.norm(ua), ub / np.linalg.norm(ub)
        start = math.atan2(ua[1], ua[0])
        sweep = math.atan2(ua[0] * ub[1] - ua[1] * ub[0], float(np.dot(ua, ub)))  # signed, smaller angle
        mark: VMobject
        if a.right:
            r = 0.32
            mark = VMobject(color=color, stroke_width=3)
            mark.set_points_as_corners([v + r * ua, v + r * (ua + ub), v + r * ub])
        else:
            r = 0.5
            mark = Arc(radius=r, start_angle=start, angle=sweep, arc_center=v, color=color, stroke_width=3)
        parts: list[VMobject] = [mark]
        if a.label:
            bisector = ua + ub
            norm = float(np.linalg.norm(bisector))
            bisector = bisector / norm if norm > 1e-9 else np.array([-ua[1], ua[0], 0.0])
            parts.append(math_label(a.label, color, style.LABEL_SIZE).move_to(v + bisector * (r + 0.36)))
        mob = VGroup(*parts)
        self._member(a, "angle", mob, created, plane)
        return [Step("angle", lambda: [Create(mark), *(FadeIn(p) for p in parts[1:])])]

    # --- graphs ------------------------------------------------------------------------------------------------
    def do_axes(self, a: sb.ShowAxes, created: list[str]) -> list[Step]:
        color = color_of(a.color, "axes")
        area: Box | None = None
        if a.region is not None:
            rb = self.layout.region_box(a.region)
            x_len, y_len = rb.width - 0.8, rb.height - 0.7
        else:
            # Like a figure: as large as the part of the frame the scene's named texts leave free.
            plan = self._figures[min(self.segment, len(self._figures) - 1)]
            area = free_area(self.layout, plan.text_regions)
            x_len, y_len = min(area.width - 1.0, _MAX_AXES[0]), min(area.height - 0.9, _MAX_AXES[1])
        x_len, y_len = max(x_len, 2.0), max(y_len, 1.5)
        axes = Axes(
            x_range=list(a.x_range),
            y_range=list(a.y_range),
            x_length=x_len,
            y_length=y_len,
            tips=False,
            axis_config={"color": color, "stroke_width": 2.5, "include_ticks": True, "font_size": 28},
        )
        for axis, rng in ((axes.x_axis, a.x_range), (axes.y_axis, a.y_range)):
            add_tick_labels(axis, self._tick_values(rng), _decimals(rng))
        labels = axes.get_axis_labels(math_label(a.x_label, style.TEXT_COLOR), math_label(a.y_label, style.TEXT_COLOR))
        mob = VGroup(axes, labels)
        item = self.text_item(a.id, mob, a.region, Kind.BLOCK)
        item.area = area
        entry = self.register(a.id, "axes", mob, [(item, mob)])
        entry.extra["axes"] = axes
        created.append(a.id)
        return [Step("axes", lambda: [Create(axes), FadeIn(labels)])]

    @staticmethod
    def _tick_values(rng: tuple[float, float, float]) -> list[float]:
        lo, hi, step = rng
        if step <= 0 or hi <= lo:
            return []
        count = int((hi - lo) / step) + 1
        stride = max(1, math.ceil(count / 8))  # at most about eight numbers per axis stay legible
        values = [lo + i * step for i in range(0, count, stride)]
        return [round(v, 6) for v in values if abs(v) > 1e-9]

    def _axes_of(self, oid: str) -> Axes:
        axes: Axes = self.entries[oid].extra["axes"]
        return axes

    def _curve_points(
        self, axes: Axes, f: Callable[[float], float], x0: float, x1: float, samples: int = 240
    ) -> list[list[Point]]:
        """Runs of on-screen points of y=f(x): undefined values and values off the axes break the curve."""
        y_lo, y_hi = axes.y_range[0], axes.y_range[1]
        runs: list[list[Point]] = [[]]
        for x in np.linspace(x0, x1, samples):
            y = f(float(x))
            if math.isfinite(y) and y_lo <= y <= y_hi:
                runs[-1].append(axes.c2p(x, y))
            elif runs[-1]:
                runs.append([])
        return [r for r in runs if len(r) >= 2]

    def do_plot(self, a: sb.PlotFunction, created: list[str]) -> list[Step]:
        axes = self._axes_of(a.axes)
        f = compile_expression(a.expression)
        x0, x1 = a.x_range if a.x_range else (axes.x_range[0], axes.x_range[1])
        color = color_of(a.color, "plot")
        curves = []
        for run in self._curve_points(axes, f, x0, x1):
            curve = VMobject(color=color, stroke_width=style.STROKE_WIDTH)
            curve.set_points_as_corners(run)
            curves.append(curve)
        graph = VGroup(*curves)
        parts: list[VMobject] = [graph]
        if a.label and curves:
            end = curves[-1].get_end()
            label = math_label(a.label, color, style.LABEL_SIZE * 0.9)
            label.next_to(end, UP + LEFT if end[0] > axes.get_center()[0] else UP + RIGHT, buff=0.1)
            parts.append(label)
        if not curves:
            self.report["warnings"].append(f"plot '{a.id}': {a.expression!r} is not visible on these axes")
        mob = VGroup(*parts)
        item = LayoutItem(
            id=a.id, kind=Kind.MEMBER, box=box_of(mob), glyph_px=glyph_px(mob), anchor=a.axes, movable=False
        )
        self.register(a.id, "plot", mob, [(item, mob)])
        self.functions[a.id] = (f, a.axes)
        created.append(a.id)
        return [Step("plot", lambda: [Create(graph), *(FadeIn(p) for p in parts[1:])])]

    def do_area(self, a: sb.ShadeArea, created: list[str]) -> list[Step]:
        f, axes_id = self.functions[a.graph]
        axes = self._axes_of(axes_id)
        y_lo, y_hi = axes.y_range[0], axes.y_range[1]
        base = min(max(0.0, y_lo), y_hi)

        def height(x: float) -> float:
            """The graph at ``x``, clipped to the axes (the base where it is undefined)."""
            y = f(x)
            return min(max(y, y_lo), y_hi) if math.isfinite(y) else base

        color = color_of(a.color, "area")
        region: VMobject
        if a.rectangles:
            region = self._riemann_rectangles(axes, height, a.x_range, a.rectangles, base, color)
            slices = list(region.submobjects)
            step = Step("area", lambda: [LaggedStart(*(FadeIn(r, shift=0.1 * UP) for r in slices), lag_ratio=0.15)])
        else:
            xs = np.linspace(a.x_range[0], a.x_range[1], 160)
            outline = [*(axes.c2p(x, height(float(x))) for x in xs), axes.c2p(xs[-1], base), axes.c2p(xs[0], base)]
            region = Polygon(*outline, stroke_width=0, fill_color=color, fill_opacity=0.35)
            step = Step("area", lambda: [FadeIn(region)])
        item = LayoutItem(id=a.id, kind=Kind.MEMBER, box=box_of(region), anchor=axes_id, movable=False)
        self.register(a.id, "area", region, [(item, region)])
        created.append(a.id)
        return [step]

    @staticmethod
    def _riemann_rectangles(
        axes: Axes, height: Callable[[float], float], x_range: tuple[float, float], count: int, base: float, color: str
    ) -> VGroup:
        """``count`` rectangles of equal width over ``x_range``, each as high as ``height`` at its midpoint, outlined
        so neighbours stay distinct."""
        width = (x_range[1] - x_range[0]) / count
        rectangles = VGroup()
        for k in range(count):
            left = x_range[0] + k * width
            top = height(left + width / 2)
            corners = [(left, base), (left + width, base), (left + width, top), (left, top)]
            rectangles.add(
                Polygon(
                    *(axes.c2p(x, y) for x, y in corners),
                    stroke_width=1.5,
                    stroke_color=color,
                    fill_color=color,
                    fill_opacity=0.45,
                )
            )
        return rectangles

    def do_tangent(self, a: sb.ShowTangent, created: list[str]) -> list[Step]:
        f, axes_id = self.functions[a.graph]
        axes = self._axes_of(axes_id)
        h = 1e-4
        y0, slope = f(a.x), (f(a.x + h) - f(a.x - h)) / (2 * h)
        color = color_of(a.color, "tangent")
        mob: Mobject
        if not (math.isfinite(y0) and math.isfinite(slope)):
            self.report["warnings"].append(f"tangent '{a.id}': the graph has no tangent at x={a.x}")
            mob = VGroup()
        else:
            ends = self._clip_line(axes, a.x, y0, slope)
            mob = VGroup(
                Line(axes.c2p(*ends[0]), axes.c2p(*ends[1]), color=color, stroke_width=3),
                Dot(axes.c2p(a.x, y0), radius=0.07, color=color),
            )
        item = LayoutItem(id=a.id, kind=Kind.MEMBER, box=box_of(mob), anchor=axes_id, movable=False)
        self.register(a.id, "tangent", mob, [(item, mob)])
        created.append(a.id)
        return [Step("tangent", lambda: [Create(mob)] if mob.submobjects else [])]

    @staticmethod
    def _clip_line(axes: Axes, x0: float, y0: float, slope: float) -> list[tuple[float, float]]:
        """The tangent line's ends, cut to the axes' box so it never leaves the graph."""
        xl, xh = axes.x_range[0], axes.x_range[1]
        yl, yh = axes.y_range[0], axes.y_range[1]
        span = (xh - xl) * 0.35
        lo, hi = max(xl, x0 - span), min(xh, x0 + span)
        if slope != 0:
            t1, t2 = sorted(((yl - y0) / slope + x0, (yh - y0) / slope + x0))
            lo, hi = max(lo, t1), min(hi, t2)
        return [(lo, y0 + slope * (lo - x0)), (hi, y0 + slope * (hi - x0))]

    def do_number_line(self, a: sb.ShowNumberLine, created: list[str]) -> list[Step]:
        color = color_of(a.color, "number_line")
        length = self.max_width(a.region) * 0.85 if a.region else self.layout.safe.width * 0.75
        line = NumberLine(x_range=list(a.x_range), length=length, color=color, include_numbers=False, stroke_width=2.5)
        add_tick_labels(
            line,
            [*self._tick_values(a.x_range), 0.0] if a.x_range[0] <= 0 <= a.x_range[1] else self._tick_values(a.x_range),
            _decimals(a.x_range),
        )
        marks = VGroup(*(Dot(line.n2p(m), radius=0.09, color=style.ACCENT_COLOR) for m in a.marks))
        mob = VGroup(line, marks)
        entry = self.register(a.id, "number_line", mob, [(self.text_item(a.id, mob, a.region, Kind.BLOCK), mob)])
        entry.extra["line"] = line
        created.append(a.id)
        return [
            Step(
                "number_line", lambda: [Create(line), *([LaggedStart(*map(GrowFromCenter, marks))] if a.marks else [])]
            )
        ]

    # --- demonstrations that move -------------------------------------------------------------------------------
    def member(self, oid: str, op: str, mob: Mobject, anchor: str, created: list[str]) -> Entry:
        """Register ``mob`` as a part of the graph (or line, plane) ``anchor``: it moves and goes with it."""
        item = LayoutItem(oid, Kind.MEMBER, box_of(mob), glyph_px(mob), anchor=anchor, movable=False)
        created.append(oid)
        return self.register(oid, op, mob, [(item, mob)])

    def end_state(self, oid: str, part: Callable[[Mobject], Mobject], parts: list[VMobject]) -> None:
        """Redraw ``part`` of object ``oid``'s end-of-beat copy as ``parts``, so the layout places and checks it where
        the beat leaves it; the object's own redraw step animates it there (no make-room move)."""
        copy = self.pending_mob(oid)
        set_parts(part(copy), parts)
        self.layout.items[oid].box = box_of(copy)
        self.claimed.add(oid)

    def do_sweep(self, a: sb.Sweep, created: list[str]) -> list[Step]:
        f, axes_id = self.functions[a.graph]
        taken = self.entries[axes_id].extra.setdefault("label_spots", [])  # live values and labels on these axes
        drawing = sweep.sweep_drawing(a, self._axes_of(axes_id), f, color_of(a.color, "sweep"), taken)
        self.member(a.id, "sweep", drawing.mob, axes_id, created).extra["sweep"] = drawing
        return [Step("sweep", lambda: [drawing.slide(a.start, a.end)])]

    def do_sweep_to(self, a: sb.SweepTo, _: list[str]) -> list[Step]:
        drawing: sweep.SweepDrawing = self.entries[a.target].extra["sweep"]
        start, drawing.x = drawing.x, a.end
        self.end_state(a.target, lambda mob: mob, drawing.draw(a.end))
        return [Step("sweep_to", lambda: [drawing.slide(start, a.end)])]

    def do_morph_plot(self, a: sb.MorphPlot, created: list[str]) -> list[Step]:
        taken = self.entries[a.axes].extra.setdefault("label_spots", [])
        drawing = morph.morph_drawing(a, self._axes_of(a.axes), color_of(a.color, "morph_plot"), taken)
        self.member(a.id, "morph_plot", drawing.mob, a.axes, created).extra["morph"] = drawing
        self.functions[a.id] = (drawing.last, a.axes)  # a sweep, area or tangent can follow the final graph
        return [Step("morph_plot", lambda: [drawing.play()])]

    def block_room(self, region: Region | None) -> tuple[float, float, Box | None]:
        """(width, height) a block may fill, and the free area it prefers when it names no region (as axes do)."""
        if region is not None:
            box = self.layout.region_box(region)
            return box.width, box.height, None
        plan = self._figures[min(self.segment, len(self._figures) - 1)]
        area = free_area(self.layout, plan.text_regions)
        return min(area.width, _MAX_AXES[0] + 1.0), min(area.height, _MAX_AXES[1] + 0.9), area

    def block(self, a: sb._Creates, mob: Mobject, area: Box | None, created: list[str]) -> Entry:
        item = self.text_item(a.id, mob, a.region, Kind.BLOCK)
        item.area = area
        created.append(a.id)
        return self.register(a.id, a.op, mob, [(item, mob)])  # type: ignore[attr-defined]

    def do_bar_chart(self, a: sb.BarChart, created: list[str]) -> list[Step]:
        width, height, area = self.block_room(a.region)
        beats = self.spec.scene.beats
        later = [v for b in beats for x in b.actions if isinstance(x, sb.BarsTo) and x.target == a.id for v in x.values]
        chart = charts.bar_chart(a, later, width, height, color_of(a.color, "bar_chart"))
        self.block(a, chart.mob, area, created).extra["chart"] = chart
        return [Step("bar_chart", lambda: charts.chart_appears(chart))]

    def do_bars_to(self, a: sb.BarsTo, _: list[str]) -> list[Step]:
        chart: charts.Chart = self.entries[a.target].extra["chart"]
        values = [*a.values[: len(chart.values)], *chart.values[len(a.values) :]]
        return [Step("bars_to", lambda: [chart.change(values)])]

    def do_interval(self, a: sb.ShowInterval, created: list[str]) -> list[Step]:
        line = self.entries[a.number_line].extra["line"]
        mob, appear = charts.interval(a, line, color_of(a.color, "interval"))
        self.member(a.id, "interval", mob, a.number_line, created)
        return [Step("interval", appear)]

    def do_dots(self, a: sb.ShowDots, created: list[str]) -> list[Step]:
        width, height, area = self.block_room(a.region)
        mob = charts.dot_array(a, color_of(a.color, "dots"), style.PALETTE[a.highlight_color], width, height * 0.8)
        self.block(a, mob, area, created)
        return [Step("dots", lambda: charts.dots_appear(mob))]

    def do_plane(self, a: sb.ShowPlane, created: list[str]) -> list[Step]:
        width, height, area = self.block_room(a.region)
        drawing = plane.plane_drawing(a, width, height, color_of(a.color, "plane"))
        entry = self.block(a, VGroup(drawing.plane, drawing.grid), area, created)
        entry.extra.update(axes=drawing.plane, plane=drawing)  # shapes with axes = this plane use its coordinates
        return [Step("plane", lambda: plane.plane_appears(drawing))]

    def do_apply_matrix(self, a: sb.ApplyMatrix, _: list[str]) -> list[Step]:
        drawing: plane.PlaneDrawing = self.entries[a.target].extra["plane"]
        items = self.layout.items
        on_plane = [(o, e.extra["shape"]) for o, e in self.entries.items() if "shape" in e.extra and o in items]
        moved = []
        for oid, shape in [(o, shape) for o, shape in on_plane if items[o].anchor == a.target]:
            moved.append((shape, plane.carry(shape, a.matrix)))
            self.end_state(oid, lambda mob: mob, shape.draw(shape.points))
        anims = drawing.act(a.matrix, moved)
        self.end_state(a.target, lambda mob: mob[1], drawing.draw(drawing.matrix))
        return [Step("apply_matrix", lambda: anims)]

    def do_venn(self, a: sb.ShowVenn, created: list[str]) -> list[Step]:
        width, height, area = self.block_room(a.region)
        mob, appear = diagrams.venn(a, width, height)
        self.block(a, mob, area, created)
        return [Step("venn", appear)]

    def do_tree(self, a: sb.ShowTree, created: list[str]) -> list[Step]:
        width, height, area = self.block_room(a.region)
        mob, appear = diagrams.tree(a, width, height)
        self.block(a, mob, area, created)
        return [Step("tree", appear)]

    # --- tables ----------------------------------------------------------------------------------------------
    def do_matrix(self, a: sb.ShowMatrix, created: list[str]) -> list[Step]:
        color = color_of(a.color, "matrix")
        rows = [[check_latex(c) if c.strip() else r"\," for c in row] for row in a.rows]
        mob = Matrix(rows, element_to_mobject=lambda s: MathTex(s, font_size=style.MATRIX_SIZE, color=color))
        mob.get_brackets().set_color(color)
        self.register(a.id, "matrix", mob, [(self.text_item(a.id, mob, a.region), mob)])
        created.append(a.id)
        return [Step("matrix", lambda: [Create(mob.get_brackets()), FadeIn(mob.get_entries())])]

    def do_table(self, a: sb.ShowTable, created: list[str]) -> list[Step]:
        header = [cell(h, style.TABLE_SIZE).set_color(color_of(a.color, "table")) for h in a.header]
        body = [[cell(c, style.TABLE_SIZE) for c in row] for row in a.rows]
        mob = MobjectTable(
            body,
            col_labels=header,
            include_outer_lines=True,
            v_buff=0.3,
            h_buff=0.6,
            line_config={"stroke_width": 1.5, "color": style.MUTED_COLOR},
        )
        self.register(a.id, "table", mob, [(self.text_item(a.id, mob, a.region), mob)])
        created.append(a.id)
        return [Step("table", lambda: [FadeIn(mob)])]

    # --- annotations -------------------------------------------------------------------------------------------
    def _edge_point(self, oid: str, toward: Point) -> Point:
        """Where the segment from the object's centre toward ``toward`` leaves its box, plus a small gap."""
        box = box_of(self.mobs.get(oid) or self.entries[oid].mob)
        c = np.array([*box.center, 0.0])
        d = toward - c
        if np.linalg.norm(d) < 1e-9:
            return c
        tx = (box.width / 2 + 0.12) / abs(d[0]) if abs(d[0]) > 1e-9 else math.inf
        ty = (box.height / 2 + 0.12) / abs(d[1]) if abs(d[1]) > 1e-9 else math.inf
        t = min(tx, ty, 1.0)
        result: Point = c + d * t
        return result

    def _arrow_end(self, oid: str, toward: Point) -> Point:
        """Texts and blocks are pointed at from outside their box; a figure's part (a side, a point) at its middle."""
        if self.entries[oid].op in GEOMETRY_OPS:
            c: Point = (self.mobs.get(oid) or self.entries[oid].mob).get_center()
            d = toward - c
            n = float(np.linalg.norm(d))
            return c + d / n * 0.12 if n > 1e-9 else c
        return self._edge_point(oid, toward)

    def do_arrow(self, a: sb.ShowArrow, created: list[str]) -> list[Step]:
        if a.axes is not None and a.start is not None and a.end is not None:
            return self.on_axes(a, a.axes, created)
        color = color_of(a.color, "arrow")
        plane = self.ensure_plane(created) if (a.start is not None or a.end is not None) else None

        def center_of(oid: str) -> Point:
            c: Point = (self.mobs.get(oid) or self.entries[oid].mob).get_center()
            return c

        far_start = plane.to_scene(a.start) if a.start is not None and plane else center_of(a.from_id or "")
        far_end = plane.to_scene(a.end) if a.end is not None and plane else center_of(a.to_id or "")
        start = self._arrow_end(a.from_id, far_end) if a.from_id else far_start
        end = self._arrow_end(a.to_id, far_start) if a.to_id else far_end
        arrow = Arrow(start, end, buff=0, color=color, stroke_width=4, max_tip_length_to_length_ratio=0.2)
        ends = [lid for oid in (a.from_id, a.to_id) if oid for lid in self.entries[oid].layout_ids]
        # The arrow may touch what it connects, and the groups those belong to (a segment's whole figure).
        ignores = frozenset({*ends, *(self.layout.root(lid) for lid in ends)})
        for lid in ignores:  # what an arrow points at must stay where the arrow points
            self.layout.items[lid].movable = False
        # An arrow drawn between two plane points is part of the figure and moves with it.
        on_plane = plane.item_id if plane is not None and a.from_id is None and a.to_id is None else None
        items: list[tuple[LayoutItem, Mobject | None]] = [
            (
                LayoutItem(
                    id=a.id, kind=Kind.MEMBER, box=box_of(arrow), movable=False, ignores=ignores, anchor=on_plane
                ),
                arrow,
            )
        ]
        parts: list[VMobject] = [arrow]
        if a.label:
            normal = np.array([-(end - start)[1], (end - start)[0], 0.0])
            normal = normal / (np.linalg.norm(normal) or 1.0)
            if normal[1] < 0:
                normal = -normal
            label = math_label(a.label, color, style.LABEL_SIZE * 0.9).move_to((start + end) / 2 + normal * 0.35)
            parts.append(label)
            label_item = LayoutItem(
                id=f"{a.id}.label",
                kind=Kind.ANNOTATION,
                box=box_of(label),
                glyph_px=glyph_px(label),
                anchor=a.id,
                movable=False,
                ignores=ignores,
            )
            items.append((label_item, label))
        mob = VGroup(*parts)
        self.register(a.id, "arrow", mob, items)
        created.append(a.id)
        return [Step("arrow", lambda: [GrowArrow(arrow), *(FadeIn(p) for p in parts[1:])])]

    def do_brace(self, a: sb.ShowBrace, created: list[str]) -> list[Step]:
        target = self.mobs.get(a.target) or self.entries[a.target].mob
        direction = {"down": DOWN, "up": UP, "left": LEFT, "right": RIGHT}[a.direction]
        color = color_of(a.color, "brace")
        brace = Brace(target, direction=direction, color=color, buff=0.12)
        parts: list[VMobject] = [brace]
        if a.label:
            label = math_label(a.label, style.TEXT_COLOR, style.LABEL_SIZE)
            label.next_to(brace, direction, buff=0.12)
            parts.append(label)
        mob = VGroup(*parts)
        root = self.entries[a.target].layout_ids[0]
        item = LayoutItem(
            id=a.id, kind=Kind.ANNOTATION, box=box_of(mob), glyph_px=glyph_px(mob), anchor=root, movable=False
        )
        self.register(a.id, "brace", mob, [(item, mob)])
        created.append(a.id)
        return [Step("brace", lambda: [GrowFromCenter(brace), *(FadeIn(p) for p in parts[1:])])]

    # --- emphasis and change -------------------------------------------------------------------------------------
    def do_indicate(self, a: sb.Indicate, _: list[str]) -> list[Step]:
        return [
            Step(
                "indicate",
                lambda: (
                    [Indicate(self.entries[a.target].mob, color=style.HIGHLIGHT_COLOR)]
                    if a.target in self.entries
                    else []
                ),
            )
        ]

    def do_circumscribe(self, a: sb.Circumscribe, _: list[str]) -> list[Step]:
        return [
            Step(
                "circumscribe",
                lambda: (
                    [Circumscribe(self.entries[a.target].mob, color=style.HIGHLIGHT_COLOR)]
                    if a.target in self.entries
                    else []
                ),
            )
        ]

    def do_color(self, a: sb.Recolor, _: list[str]) -> list[Step]:
        return [
            Step(
                "color",
                lambda: (
                    [self.entries[a.target].mob.animate.set_color(style.PALETTE[a.color]).build()]
                    if a.target in self.entries
                    else []
                ),
            )
        ]

    def do_move(self, a: sb.Move, _: list[str]) -> list[Step]:
        entry = self.entries[a.target]
        lids = entry.layout_ids
        root = self.layout.root(lids[0])
        # Moving a root carries what is anchored to it (a plot with its axes); moving a member moves it alone.
        group = self.layout.group(root) if root == lids[0] else list(lids)
        shift = np.array([*(a.shift or (0.0, 0.0)), 0.0])
        points = entry.extra.get("plane_points")
        if points and self.plane is not None and self.plane.item_id == root:
            # A shape of the figure moves on the figure's plane: the pivot is its centre there and the shift is
            # in plane units, exactly as the figure was fitted to (see ``figure``).
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            pivot = self.plane.to_scene(((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2))
            shift = shift * self.plane.scale
            entry.extra["plane_points"] = moved_points(points, a)
        else:
            boxes = [self.layout.items[lid].box for lid in group if lid in self.layout.items]
            whole = boxes[0]
            for b in boxes[1:]:
                whole = whole.union(b)
            pivot = np.array([*whole.center, 0.0])
        touched = []
        for lid in group:
            if lid not in self.mobs:
                continue
            target = self.pending_mob(lid)
            if a.scale is not None:
                target.scale(a.scale, about_point=pivot)
            if a.rotate_degrees is not None:
                target.rotate(math.radians(a.rotate_degrees), about_point=pivot)
            if a.shift is not None:
                target.shift(shift)
            item = self.layout.items[lid]
            item.box = box_of(target)
            item.glyph_px = glyph_px(target)
            item.scale *= a.scale or 1.0
            touched.append(lid)
        if a.region is not None and root == lids[0] and self.layout.items[root].movable:
            self.layout.items[root].region = a.region
            self.pending_place.append(root)
        self.claimed.update(lid for lid in touched if lid in self.copies)
        pairs = [self.copies[lid] for lid in touched if lid in self.copies]
        fresh = [lid for lid in touched if lid not in self.copies]
        if fresh:
            self.report["warnings"].append(f"move of '{a.target}' in the beat that creates it shows the end state")
        if not pairs:
            return []
        return [Step("move", lambda: [Transform(m, t) for m, t in pairs])]

    def do_remove(self, a: sb.Remove, _: list[str]) -> list[Step]:
        candidates: list[Mobject] = []
        for oid in a.targets:
            if oid not in self.entries:
                continue
            for lid in self.entries[oid].layout_ids:
                for gone in self.layout.remove(lid):
                    self.removed.add(gone)
                    for mob in (self.on_screen_before.get(gone), self.mobs.get(gone)):
                        if mob is not None:
                            candidates.append(mob)
                    if gone in self.copies:
                        candidates.append(self.copies[gone][0])
        # A figure whose every part is gone stops reserving its space.
        for fid in [i for i in self.layout.items if i.startswith("_figure") and len(self.layout.group(i)) == 1]:
            self.layout.remove(fid)
            self.entries.pop(fid, None)
        # Decided at play time: what is on screen then may be the original, a copy or a replacement.
        return [Step("remove", lambda: [FadeOut(m) for m in _unique(candidates) if self.is_shown(m)])]

    def do_clear(self, _: sb.ClearScreen, __: list[str]) -> list[Step]:
        self.removed.update(self.layout.items)
        self.layout.items.clear()
        self.mobs.clear()
        self.entries.clear()
        self.copies.clear()
        self.plane = None
        self.segment += 1
        return [Step("clear", lambda: [FadeOut(m) for m in list(self.mobjects)])]


def _decimals(rng: tuple[float, float, float]) -> int:
    """As many decimals as the range and step need, at most three: ticks every 0.05 are labelled 1.55, 1.6, 1.65
    (not 1.6 three times), whole-number ticks 1, 2, 3 rather than 1.0, 2.0, 3.0."""
    for decimals in range(4):
        if all(abs(float(v) * 10**decimals - round(float(v) * 10**decimals)) < 1e-6 for v in rng):
            return decimals
    return 3


def _unique(mobs: list[Mobject]) -> list[Mobject]:
    out: list[Mobject] = []
    for m in mobs:
        if not any(m is o for o in out):
            out.append(m)
    return out
