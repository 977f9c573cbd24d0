"""The Manim scene that plays one storyboard scene, beat by beat, in step with its narration.

Each beat goes through the same pipeline: build the mobjects its actions create or change (off screen), let the
layout engine place them and fix what collides, check the result on the real mobjects' bounding boxes, and only
then animate, starting on the beat's first frame. Each action is built by its registry entry's builder
(``mathreel_scenelang.render.builders``), which returns what it built; :meth:`StoryboardScene.build_action` is the one
place that registers it. Imported only where Manim runs (the render subprocess, the preflight).
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from manim import FadeOut, Mobject, Scene, Text, Transform, VGroup, VMobject
from manim.animation.animation import Animation

from mathreel_scenelang import storyboard as sb
from mathreel_scenelang.base import CreatingAction, Region
from mathreel_scenelang.figure import FigurePlan, plan_figures
from mathreel_scenelang.layout import Box, Fix, Kind, Layout, LayoutItem, LayoutUnfixable, check_boxes, describe
from mathreel_scenelang.registry import ACTIONS, ActionSpec, Registry
from mathreel_scenelang.render import style
from mathreel_scenelang.render.demos.common import set_parts
from mathreel_scenelang.render.objects import Built, Entry, Point, Step, box_of, glyph_px
from mathreel_scenelang.render.spec import RenderSpec
from mathreel_scenelang.render.timing import MAKE_ROOM_RUN_TIME, animation_share, plan_slots, plan_steps, total_frames

Builder = Callable[["StoryboardScene", Any], Built]


def resolve_builder(spec: ActionSpec) -> Builder:
    """The function ``spec`` names (``"package.module:function"``), or ``spec.builder`` itself when it is one."""
    if not isinstance(spec.builder, str):
        return spec.builder
    module_name, _, attr = spec.builder.partition(":")
    found: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        found = getattr(found, part, None)
    if not callable(found):
        raise ImportError(f"action '{spec.op}': its builder {spec.builder} does not exist")
    builder: Builder = found
    return builder


def resolve_builders(registry: Registry) -> dict[str, Builder]:
    return {spec.op: resolve_builder(spec) for spec in registry}


# Resolved at import: a registered action without a builder fails here, before any scene is played.
BUILDERS = resolve_builders(ACTIONS)


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
class BeatState:
    """What the scene keeps while it prepares one beat."""

    index: int
    # layout id → mobject on screen when the beat began
    on_screen_before: dict[str, Mobject] = field(default_factory=dict)
    # layout ids whose mobject is not on screen yet (new or replacing one)
    fresh: set[str] = field(default_factory=set)
    # layout id → (its on-screen mobject, a copy holding its end-of-beat state)
    copies: dict[str, tuple[Mobject, Mobject]] = field(default_factory=dict)
    # copies animated by a move step rather than by the make-room step
    claimed: set[str] = field(default_factory=set)
    fixes: list[Fix] = field(default_factory=list)
    # layout ids to place again (moved to a new region) when the current action settles
    pending_place: list[str] = field(default_factory=list)
    # layout ids faded by remove/clear steps, not by the layout
    removed: set[str] = field(default_factory=set)
    # object ids created in this beat, in order (a figure's frame included)
    created: list[str] = field(default_factory=list)


class StoryboardScene(Scene):  # type: ignore[misc]
    """Plays ``spec.scene`` so that beat i starts on the frame of ``spec.timing.beats[i].start``."""

    def __init__(self, spec: RenderSpec, registry: Registry = ACTIONS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.registry = registry
        self.builders = BUILDERS if registry is ACTIONS else resolve_builders(registry)
        self.fps = spec.fps
        # A scene's title is shown as its heading, so a viewer sees where one part of the lesson ends and the next
        # begins; the title card itself needs none.
        self.heading = spec.scene.title if spec.scene.title and spec.scene.kind != "title" else None
        header = style.HEADING_HEIGHT if self.heading else 0.0
        self.layout = Layout(frame_width=8.0 * spec.width / spec.height, header=header)
        self.entries: dict[str, Entry] = {}
        self.mobs: dict[str, Mobject] = {}  # layout id → mobject (final state of the beat while preparing)
        self.functions: dict[str, tuple[Callable[[float], float], str]] = {}
        # The labels of the curves on each axes, so that a second curve's label is not set on the first's.
        self.curve_labels: dict[str, list[Mobject]] = {}
        self.plane: Plane | None = None
        self.segment = 0
        self.report: dict[str, Any] = {"beats": [], "warnings": []}
        self.figures = plan_figures(spec.scene, registry)
        self.beat = BeatState(index=0)

    @property
    def current_beat(self) -> int:
        """The beat being prepared: where a failure is reported."""
        return self.beat.index

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
        """Jump to the animations' end states without writing frames, as Manim does for skipped animations.

        As ``play`` does, an animated mobject not yet on screen is added first: a second step written under an
        equation in the same beat transforms the rows of the first step's column, whose parts (not the rows
        themselves) are what the first step put on screen."""
        for anim in animations:
            self.add_mobjects_from_animations([anim])
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
            share = animation_share([s.op for s in steps])
            plan = plan_steps(available, [s.run_time for s in steps], self.fps, share)
            beat_report["steps"] = [s.op for s in steps]
            beat_report["step_mode"] = plan.mode
            if plan.mode == "instant":
                self.apply_instantly([anim for s in steps for anim in s.build()])
            elif plan.mode == "together":
                animations = [anim for s in steps for anim in s.build()]
                if animations:
                    self.play_frames(animations, plan.frames[0])
            else:
                for step, frames in zip(steps, plan.frames, strict=True):
                    animations = step.build()
                    if animations:
                        self.play_frames(animations, frames)
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
        render's checks and fixes without its frames (``mathreel_scenelang.render.preflight``)."""
        for index, beat in enumerate(self.spec.scene.beats):
            steps, beat_report = self.prepare_beat(index, beat)
            self.apply_instantly([anim for s in steps for anim in s.build()])
            self.gather_parts()
            self.report["beats"].append(beat_report)

    # --- the per-beat pipeline ----------------------------------------------------------------------------------
    def prepare_beat(self, index: int, beat: sb.Beat) -> tuple[list[Step], dict[str, Any]]:
        """Build every object of the beat, lay them out, prove the layout, and return the animation steps."""
        self.beat = BeatState(index=index, on_screen_before=dict(self.mobs))
        created = self.beat.created
        steps: list[Step] = []
        referenced = {ref for action in beat.actions for ref in self.registry.references(action)}
        for action in beat.actions:
            count = len(created)
            steps.extend(self.build_action(action))
            before = self.layout.snapshot()  # new objects stand where they were built, until settled
            protected = {
                layout_id
                for object_id in [*created, *referenced]
                if object_id in self.entries
                for layout_id in self.entries[object_id].layout_ids
            }
            new_ids = [layout_id for object_id in created[count:] for layout_id in self.entries[object_id].layout_ids]
            self.beat.fixes.extend(self.layout.settle([*new_ids, *self.beat.pending_place], protected))
            self.beat.pending_place.clear()
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
            "checks": {
                "objects": len(measured),
                "rules": ["in_safe_area", "no_overlap", "readable"],
                # Reached only when check_boxes found nothing: a failing check raises above.
                "passed": not issues,
            },
            "fixes": [{"action": f.action, "id": f.id, "detail": f.detail} for f in self.beat.fixes],
            "objects": describe(measured),
        }
        for layout_id, (mob, _) in self.beat.copies.items():
            if layout_id in self.mobs:
                self.mobs[layout_id] = mob  # the on-screen mobject ends the beat in the copy's state
        return steps, report

    def build_action(self, action: sb.ActionModel) -> list[Step]:
        """Build ``action`` with its registry entry's builder and register what it created: the one place where
        objects join the scene."""
        spec = self.registry.spec_of(action)
        built = self.builders[spec.op](self, action)
        if built.mob is not None:
            assert isinstance(action, CreatingAction)
            entry = self.register(action.id, spec.op, built.mob, built.items)
            entry.extra.update(built.extra)
            self.beat.created.append(action.id)
        return [] if built.animate is None else [Step(spec.op, built.animate, spec.run_time)]

    def pending_mob(self, layout_id: str) -> Mobject:
        """The mobject holding ``layout_id``'s end-of-beat state; an on-screen one is copied the first time it
        changes."""
        if layout_id in self.beat.fresh:
            return self.mobs[layout_id]
        if layout_id in self.beat.copies:
            return self.beat.copies[layout_id][1]
        mob = self.mobs[layout_id]
        copy = mob.copy()
        self.beat.copies[layout_id] = (mob, copy)
        self.mobs[layout_id] = copy
        return copy

    def end_state(self, layout_id: str, part: Callable[[Mobject], Mobject], parts: Sequence[VMobject]) -> None:
        """Redraw ``part`` of ``layout_id``'s end-of-beat copy as ``parts``, so the layout places and checks it where
        the beat leaves it; the object's own step animates it there (not the make-room step)."""
        copy = self.pending_mob(layout_id)
        set_parts(part(copy), parts)
        self.layout.items[layout_id].box = box_of(copy)
        self.beat.claimed.add(layout_id)

    def follow_layout(self, before: dict[str, tuple[float, Box]]) -> None:
        """Give every mobject the scale and position the layout chose for it since ``before``."""
        for layout_id, item in self.layout.items.items():
            if layout_id not in before or layout_id not in self.mobs:
                continue
            old_scale, old_box = before[layout_id]
            factor = item.scale / old_scale
            if math.isclose(factor, 1.0, rel_tol=1e-9) and item.box.center == old_box.center:
                continue
            mob = self.pending_mob(layout_id)
            mob.scale(factor)
            mob.move_to(np.array([*item.box.center, 0.0]))
        for layout_id in [layout_id for layout_id in self.mobs if layout_id not in self.layout.items]:
            del self.mobs[layout_id]  # faded by the layout or removed
        gone = [
            object_id
            for object_id, entry in self.entries.items()
            if not any(layout_id in self.layout.items for layout_id in entry.layout_ids)
        ]
        for object_id in gone:
            del self.entries[object_id]

    def make_room_step(self) -> Step | None:
        """Animate objects already on screen that the layout moved, and fade the ones it let go."""
        beat = self.beat
        moves = [
            (mob, copy)
            for layout_id, (mob, copy) in beat.copies.items()
            if layout_id not in beat.claimed and layout_id in self.layout.items
        ]
        faded = [
            mob
            for layout_id, mob in beat.on_screen_before.items()
            if layout_id not in self.layout.items and layout_id not in beat.removed
        ]
        if not moves and not faded:
            return None
        return Step(
            "make_room",
            lambda: [*(Transform(mob, copy) for mob, copy in moves), *(FadeOut(mob) for mob in faded)],
            MAKE_ROOM_RUN_TIME,
        )

    def measured_items(self) -> list[LayoutItem]:
        """The layout items with boxes and glyph sizes measured again from the mobjects themselves."""
        out = []
        for layout_id, item in self.layout.items.items():
            mob = self.mobs.get(layout_id)
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

    # --- what builders use ------------------------------------------------------------------------------------
    def register(self, object_id: str, op: str, mob: Mobject, items: list[tuple[LayoutItem, Mobject | None]]) -> Entry:
        entry = Entry(op, mob, [item.id for item, _ in items])
        for item, part in items:
            self.layout.add(item)
            if part is not None:
                self.mobs[item.id] = part
                self.beat.fresh.add(item.id)
        self.entries[object_id] = entry
        return entry

    def color_of(self, action: CreatingAction) -> str:
        """The colour ``action`` names, else its registry entry's default colour."""
        name = action.color or self.registry.spec_of(action).color
        assert name is not None  # the registry gives every creating action a default colour
        return style.PALETTE[name]

    def mob_of(self, object_id: str) -> Mobject:
        """The object's mobject in its end-of-beat state (its on-screen one when it has not changed)."""
        return self.mobs.get(object_id) or self.entries[object_id].mob

    def text_item(self, object_id: str, mob: Mobject, region: Region | None, kind: Kind = Kind.TEXT) -> LayoutItem:
        return LayoutItem(id=object_id, kind=kind, box=box_of(mob), glyph_px=glyph_px(mob), region=region)

    def max_width(self, region: Region | None) -> float:
        if region is None:
            return self.layout.safe.width * 0.9
        return self.layout.region_box(region).width

    def figure_plan(self) -> FigurePlan:
        """The figure plan of the current stretch of the scene (between clears)."""
        return self.figures[min(self.segment, len(self.figures) - 1)]

    def ensure_plane(self) -> Plane:
        """The plane of the current stretch of the scene, fitted up front to every coordinate it will use."""
        if self.plane is not None and self.plane.item_id in self.layout.items:
            return self.plane
        plan = self.figure_plan()
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
        self.beat.created.append(item_id)
        self.plane = Plane(item_id, math_center, base, self.layout)
        return self.plane
