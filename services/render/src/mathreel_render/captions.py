"""WebVTT and SRT captions: one cue per narrated sentence, on the final video's timeline."""

from __future__ import annotations

import html
import math
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
            chunks = caption_chunks(beat.text)
            if not chunks:
                continue
            start_ms = _to_ms(offset + beat.start)
            end_ms = max(_to_ms(offset + beat.start + beat.duration), start_ms + _MIN_CUE_MS)
            cues.extend(_split_cue(chunks, start_ms, end_ms))
    return cues


def caption_chunks(text: str) -> list[tuple[str, ...]]:
    """``text`` as the fewest cues of at most two lines of at most ``MAX_LINE_CHARS``, balanced in length, so no
    cue is a stranded word or two ("a time.") flashed for a fraction of a second."""
    words = text.split()
    if not words:
        return []
    count = max(1, math.ceil(len(" ".join(words)) / (MAX_LINE_CHARS * MAX_LINES)))
    while count < len(words):
        chunks = [_lines(part) for part in _balanced_parts(words, count)]
        if all(chunk is not None for chunk in chunks):
            return [chunk for chunk in chunks if chunk is not None]
        count += 1
    # One word a cue: only a run of words each too long for a line gets here.
    return [(word,) for word in words]


def _balanced_parts(words: list[str], count: int) -> list[list[str]]:
    """``words`` cut into ``count`` runs of about equal length in characters."""
    total = len(" ".join(words))
    parts: list[list[str]] = [[]]
    done = 0
    for word in words:
        target = total * len(parts) / count
        current = len(" ".join(parts[-1]))
        # Close this part when adding the word overshoots its share by more than stopping short of it would.
        if parts[-1] and len(parts) < count and done + current + len(word) / 2 > target:
            parts.append([])
        parts[-1].append(word)
        done = sum(len(" ".join(p)) + 1 for p in parts[:-1])
    return parts


def _lines(words: list[str]) -> tuple[str, ...] | None:
    """``words`` on one line, or on two lines of balanced length; ``None`` when two lines cannot hold them."""
    text = " ".join(words)
    if len(text) <= MAX_LINE_CHARS:
        return (text,)
    best: tuple[str, str] | None = None
    for cut in range(1, len(words)):
        first, second = " ".join(words[:cut]), " ".join(words[cut:])
        if len(first) <= MAX_LINE_CHARS and len(second) <= MAX_LINE_CHARS:
            if best is None or max(map(len, (first, second))) < max(map(len, best)):
                best = (first, second)
    return best


def _split_cue(chunks: list[tuple[str, ...]], start_ms: int, end_ms: int) -> list[Cue]:
    weights = [sum(len(line) for line in chunk) for chunk in chunks]
    total = sum(weights)
    cues = []
    consumed = 0
    cue_start = start_ms
    for chunk, weight in zip(chunks, weights, strict=True):
        consumed += weight
        # Cumulative shares, so the last cue ends exactly at the sentence's end.
        cue_end = max(start_ms + round((end_ms - start_ms) * consumed / total), cue_start + _MIN_CUE_MS)
        cues.append(Cue(cue_start, cue_end, chunk))
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
