"""Frame-exact timing: when each beat starts and how its animations share the beat.

Everything is counted in whole frames, because that is what the video holds: a beat starts at the frame nearest to
its sentence's start, and the clip ends at the frame nearest to the narration's end. Animations take at most
``ANIMATION_SHARE`` of a beat so the picture settles while the sentence is still being spoken: by the middle of
its sentence a beat's picture is complete, which is also where a contact sheet samples it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mathreel_shared.timing import SceneTiming

ANIMATION_SHARE = 0.5
# A beat that shows something moving with the sentence (a point sliding along a graph, a graph morphing, a matrix
# acting) plays over most of it instead, so the motion is seen while it is being described.
SUSTAINED_SHARE = 0.85
SUSTAINED_OPS = frozenset({"sweep", "sweep_to", "morph_plot", "bars_to", "apply_matrix"})

# The natural run time of an action's animation is its registry entry's (``mathreel_scenelang.registry``); this is
# the step that moves and fades what was on screen to make room for a beat's new objects.
MAKE_ROOM_RUN_TIME = 0.6


@dataclass(frozen=True)
class BeatSlot:
    """Beat ``index`` owns frames [start_frame, end_frame)."""

    index: int
    start_frame: int
    end_frame: int

    @property
    def frames(self) -> int:
        return self.end_frame - self.start_frame


@dataclass(frozen=True)
class StepPlan:
    """How a beat's animation steps are played.

    ``sequential``: one after another, ``frames[i]`` each; ``together``: all at once over ``frames[0]``;
    ``instant``: the beat has no frame of its own, so the final state is shown without animation.
    """

    mode: Literal["sequential", "together", "instant"]
    frames: tuple[int, ...]


def total_frames(timing: SceneTiming, fps: int) -> int:
    """Frames in the clip: the narration duration rounded to the nearest frame (at least one)."""
    return max(1, round(timing.duration * fps))


def plan_slots(timing: SceneTiming, fps: int) -> list[BeatSlot]:
    """The frame span of every beat; beat starts are rounded to frames, kept in order and inside the clip."""
    total = total_frames(timing, fps)
    starts: list[int] = []
    for beat in timing.beats:
        frame = min(max(round(beat.start * fps), starts[-1] if starts else 0), total)
        starts.append(frame)
    ends = [*starts[1:], total]
    return [BeatSlot(i, s, e) for i, (s, e) in enumerate(zip(starts, ends, strict=True))]


def animation_share(ops: list[str]) -> float:
    """The part of a beat its animations may take: most of it when one of them moves with the sentence."""
    return SUSTAINED_SHARE if SUSTAINED_OPS.intersection(ops) else ANIMATION_SHARE


def plan_steps(available_frames: int, run_times: list[float], fps: int, share: float = ANIMATION_SHARE) -> StepPlan:
    """Share at most ``share`` of ``available_frames`` among steps with these natural run times."""
    if not run_times:
        return StepPlan("sequential", ())
    if available_frames <= 0:
        return StepPlan("instant", ())
    natural = max(1, round(sum(run_times) * fps))
    budget = max(1, min(natural, int(available_frames * share)))
    if budget < len(run_times):
        return StepPlan("together", (min(budget, available_frames),))
    # Proportional shares, each at least one frame, largest remainders first so the sum is exact.
    extra = budget - len(run_times)
    total_time = sum(run_times) or 1.0
    raw = [extra * t / total_time for t in run_times]
    shares = [1 + int(r) for r in raw]
    leftover = budget - sum(shares)
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True)[:leftover]:
        shares[i] += 1
    return StepPlan("sequential", tuple(shares))
