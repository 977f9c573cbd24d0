import itertools

from mathreel_scenelang.render.timing import ANIMATION_SHARE, plan_slots, plan_steps, total_frames
from mathreel_shared.timing import BeatTiming, SceneTiming


def _timing(starts: list[float], duration: float) -> SceneTiming:
    beats = [BeatTiming(start=s, duration=0.5, text="x") for s in starts]
    return SceneTiming(scene_index=0, duration=duration, beats=beats)


def test_slots_round_to_frames_and_cover_the_clip() -> None:
    timing = _timing([0.0, 1.02, 2.5], 4.01)
    slots = plan_slots(timing, 15)
    assert [s.start_frame for s in slots] == [0, 15, 38]  # 1.02*15 = 15.3, 2.5*15 = 37.5 → 38
    assert slots[-1].end_frame == total_frames(timing, 15) == 60
    assert all(a.end_frame == b.start_frame for a, b in itertools.pairwise(slots))


def test_slots_stay_ordered_and_inside_the_clip() -> None:
    slots = plan_slots(_timing([1.0, 0.9, 9.0], 2.0), 30)
    assert [s.start_frame for s in slots] == [30, 30, 60]
    assert all(s.frames >= 0 for s in slots)


def test_steps_share_at_most_the_animation_budget() -> None:
    plan = plan_steps(60, [1.0, 1.0, 2.0], 30)  # natural 120 frames, budget 65% of 60 = 39
    assert plan.mode == "sequential"
    assert sum(plan.frames) == int(60 * ANIMATION_SHARE)
    assert plan.frames[2] > plan.frames[0]


def test_steps_keep_natural_length_in_long_beats() -> None:
    plan = plan_steps(300, [1.0, 0.5], 30)
    assert plan.frames == (30, 15)


def test_short_beats_play_together_or_instantly() -> None:
    assert plan_steps(3, [1.0, 1.0, 1.0, 1.0], 15).mode == "together"
    assert plan_steps(3, [1.0, 1.0, 1.0, 1.0], 15).frames == (1,)
    assert plan_steps(0, [1.0], 15).mode == "instant"
    assert plan_steps(10, [], 15).frames == ()


def test_motion_that_goes_with_the_sentence_plays_over_most_of_the_beat() -> None:
    from mathreel_scenelang.render.timing import SUSTAINED_SHARE, animation_share

    assert animation_share(["plot", "sweep"]) == SUSTAINED_SHARE
    assert animation_share(["plot", "text"]) == ANIMATION_SHARE
    plan = plan_steps(60, [6.0], 15, animation_share(["sweep"]))
    assert plan.frames == (51,)  # 85 % of the beat's 60 frames
    assert plan_steps(60, [6.0], 15).frames == (30,)
