from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from mathreel_render.captions import MAX_LINE_CHARS, build_cues, format_timestamp, render_vtt, write_captions
from mathreel_shared.timing import BeatTiming, SceneTiming

LONG = (
    "The derivative of a function at a point is the slope of the line that just touches its graph there, "
    "and we can find it as the limit of slopes of secant lines through two nearby points."
)


def _scene(index: int, duration: float, *beats: tuple[float, float, str]) -> SceneTiming:
    return SceneTiming(
        scene_index=index,
        duration=duration,
        beats=[BeatTiming(start=start, duration=length, text=text) for start, length, text in beats],
    )


@pytest.mark.parametrize(
    ("ms", "marker", "expected"),
    [(0, ".", "00:00:00.000"), (61_005, ",", "00:01:01,005"), (3_723_450, ".", "01:02:03.450")],
)
def test_timestamps(ms: int, marker: str, expected: str) -> None:
    assert format_timestamp(ms, marker) == expected


def test_cues_follow_scenes_by_narration_length_by_default() -> None:
    timings = [_scene(1, 3.0, (0.5, 1.0, "Second.")), _scene(0, 2.0, (0.0, 1.5, "First."))]

    cues = build_cues(timings)

    assert [(c.start_ms, c.end_ms, c.lines) for c in cues] == [
        (0, 1500, ("First.",)),
        (2500, 3500, ("Second.",)),
    ]


def test_measured_scene_starts_win() -> None:
    timings = [_scene(0, 2.0, (0.0, 1.0, "First.")), _scene(1, 3.0, (0.25, 1.0, "Second."))]

    cues = build_cues(timings, scene_starts=[0.0, 2.1])

    assert (cues[1].start_ms, cues[1].end_ms) == (2350, 3350)


def test_long_sentences_wrap_to_two_lines_and_share_the_time() -> None:
    cues = build_cues([_scene(0, 12.0, (1.0, 10.0, LONG))])

    assert len(cues) > 1
    assert all(1 <= len(cue.lines) <= 2 for cue in cues)
    assert all(len(line) <= MAX_LINE_CHARS for cue in cues for line in cue.lines)
    assert " ".join(line for cue in cues for line in cue.lines) == LONG
    # Back to back, covering exactly the sentence.
    assert cues[0].start_ms == 1000
    assert cues[-1].end_ms == 11_000
    assert all(a.end_ms == b.start_ms for a, b in pairwise(cues))
    assert all(cue.end_ms > cue.start_ms for cue in cues)


def test_vtt_escapes_markup_characters() -> None:
    cues = build_cues([_scene(0, 2.0, (0.0, 1.0, "If x < 3 & y > 1"))])

    assert render_vtt(cues) == "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nIf x &lt; 3 &amp; y &gt; 1\n"


def test_write_captions_writes_both_formats(tmp_path: Path) -> None:
    timings = [_scene(0, 2.0, (0.0, 1.0, "One.")), _scene(1, 2.0, (0.0, 1.2, "Two  words\nhere."))]
    vtt, srt = tmp_path / "c.vtt", tmp_path / "c.srt"

    write_captions(timings, vtt, srt)

    assert vtt.read_text(encoding="utf-8") == (
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nOne.\n\n00:00:02.000 --> 00:00:03.200\nTwo words here.\n"
    )
    assert srt.read_text(encoding="utf-8") == (
        "1\n00:00:00,000 --> 00:00:01,000\nOne.\n\n2\n00:00:02,000 --> 00:00:03,200\nTwo words here.\n"
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Each step of 1 to the right changes y by the same amount, which is what makes the graph a straight "
        "line every single time.",
        "The square on the hypotenuse has the same area as the squares on the two legs together, exactly, every "
        "time, for every right triangle you draw, however large.",
        "A short sentence.",
    ],
)
def test_no_cue_is_a_stranded_fragment(sentence: str) -> None:
    cues = build_cues([_scene(0, 12.0, (0.0, 10.0, sentence))])

    words = [len(" ".join(cue.lines).split()) for cue in cues]
    assert " ".join(line for cue in cues for line in cue.lines) == sentence
    assert all(1 <= len(cue.lines) <= 2 for cue in cues)
    assert all(len(line) <= MAX_LINE_CHARS for cue in cues for line in cue.lines)
    # Balanced: no cue holds less than half the words of the longest, and no line is a lone word after another.
    assert min(words) * 2 >= max(words)
    assert all(len(cue.lines[-1].split()) > 1 for cue in cues if len(cue.lines) == 2)
