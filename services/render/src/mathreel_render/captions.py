"""WebVTT and SRT captions: one cue per narrated sentence, on the final video's timeline."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mathreel_shared.timing import SceneTiming

# The usual broadcast limits: two lines of about 42 characters stay readable on a phone.
MAX_LINE_CHARS = 42
MAX_LINES = 2
# Players drop cues that end before they start; rounding a very short beat must not produce one.
_MIN_CUE_MS = 1


@dataclass(frozen=True)
class Cue:
    """One caption on screen from ``start_ms`` to ``end_ms``; ``lines`` are already wrapped."""

    start_ms: int
    end_ms: int
    lines: tuple[str, ...]


def build_cues(timings: Sequence[SceneTiming], scene_starts: Sequence[float] | None = None) -> list[Cue]:
    """Cues for every beat of ``timings``, offset by the start of its scene.

    ``scene_starts`` are the measured starts of each scene in the video (same order as ``timings``); without
    them scenes are assumed to follow each other by their narration durations. A sentence longer than two
    lines becomes several consecutive cues, its time shared out by length.
    """
    ordered = sorted(timings, key=lambda timing: timing.scene_index)
    if scene_starts is not None and len(scene_starts) != len(ordered):
        raise ValueError("scene_starts must give one start per scene timing")
    cues: list[Cue] = []
    running_start = 0.0
    for position, scene in enumerate(ordered):
        offset = scene_starts[position] if scene_starts is not None else running_start
        running_start = offset + scene.duration
        for beat in scene.beats:
            lines = textwrap.wrap(
                " ".join(beat.text.split()),
                width=MAX_LINE_CHARS,
                break_long_words=False,
                break_on_hyphens=False,
            )
            if not lines:
                continue
            start_ms = _to_ms(offset + beat.start)
            end_ms = max(_to_ms(offset + beat.start + beat.duration), start_ms + _MIN_CUE_MS)
            cues.extend(_split_cue(lines, start_ms, end_ms))
    return cues


def _split_cue(lines: list[str], start_ms: int, end_ms: int) -> list[Cue]:
    groups = [tuple(lines[i : i + MAX_LINES]) for i in range(0, len(lines), MAX_LINES)]
    weights = [sum(len(line) for line in group) for group in groups]
    total = sum(weights)
    cues = []
    consumed = 0
    cue_start = start_ms
    for group, weight in zip(groups, weights, strict=True):
        consumed += weight
        # Cumulative shares, so the last cue ends exactly at the sentence's end.
        cue_end = max(start_ms + round((end_ms - start_ms) * consumed / total), cue_start + _MIN_CUE_MS)
        cues.append(Cue(cue_start, cue_end, group))
        cue_start = cue_end
    return cues


def _to_ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def format_timestamp(ms: int, decimal_marker: str) -> str:
    """``HH:MM:SS.mmm`` (WebVTT, ``decimal_marker="."``) or ``HH:MM:SS,mmm`` (SRT, ``","``)."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{decimal_marker}{millis:03d}"


def render_vtt(cues: Sequence[Cue]) -> str:
    """A WebVTT document; cue text is escaped, since ``<`` and ``&`` are markup there (``x < 3`` is common)."""
    blocks = ["WEBVTT"]
    for cue in cues:
        timing = f"{format_timestamp(cue.start_ms, '.')} --> {format_timestamp(cue.end_ms, '.')}"
        text = "\n".join(html.escape(line, quote=False) for line in cue.lines)
        blocks.append(f"{timing}\n{text}")
    return "\n\n".join(blocks) + "\n"


def render_srt(cues: Sequence[Cue]) -> str:
    """An SRT document, cues numbered from 1."""
    blocks = []
    for number, cue in enumerate(cues, start=1):
        timing = f"{format_timestamp(cue.start_ms, ',')} --> {format_timestamp(cue.end_ms, ',')}"
        blocks.append(f"{number}\n{timing}\n" + "\n".join(cue.lines))
    return "\n\n".join(blocks) + "\n"


def write_captions(
    timings: Sequence[SceneTiming],
    vtt_path: Path,
    srt_path: Path,
    *,
    scene_starts: Sequence[float] | None = None,
) -> None:
    """Write WebVTT and SRT captions for ``timings`` (see ``build_cues`` for ``scene_starts``)."""
    cues = build_cues(timings, scene_starts)
    Path(vtt_path).write_text(render_vtt(cues), encoding="utf-8")
    Path(srt_path).write_text(render_srt(cues), encoding="utf-8")
