"""The whole render step: scene clips and narration in, a playable MP4 with thumbnail and captions out."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Protocol

from mathreel_render.audio import AUDIO_SAMPLE_RATE, NarrationEncoder, NarrationPieceCopier
from mathreel_render.captions import write_captions
from mathreel_render.errors import RenderError, media_errors
from mathreel_render.probe import probe
from mathreel_render.thumbnail import make_thumbnail
from mathreel_render.video import (
    ClipInfo,
    EncodeTarget,
    PacketCopier,
    StreamCopyImpossible,
    VideoWriter,
    can_stream_copy,
    check_cancelled,
    copied_duration,
    inspect_clip,
    open_mp4,
    video_writer,
)
from mathreel_shared.domain import Quality
from mathreel_shared.messages import VideoMetadata
from mathreel_shared.timing import SceneTiming

VIDEO_NAME = "output.mp4"
THUMBNAIL_NAME = "thumbnail.jpg"
VTT_NAME = "captions.vtt"
SRT_NAME = "captions.srt"


@dataclass(frozen=True)
class AssembledVideo:
    """The files ``assemble_video`` wrote and what the video measures."""

    video_path: Path
    thumbnail_path: Path
    vtt_path: Path
    srt_path: Path
    metadata: VideoMetadata
    stream_copied: bool = False


def assemble_video(
    clips: Sequence[Path],
    audio: Sequence[Path],
    timings: Sequence[SceneTiming],
    quality: Quality,
    out_dir: Path,
    *,
    title: str,
    cancelled: Callable[[], bool] | None = None,
) -> AssembledVideo:
    """Join scene ``clips`` and narration ``audio`` into ``out_dir``/output.mp4, with thumbnail and captions.

    ``clips``, ``audio`` and ``timings`` describe the same scenes in the same order (timings are matched by
    ``scene_index``). The clips are stream-copied when their codec parameters agree and re-encoded at
    ``quality`` otherwise; each scene's narration starts where its clip starts and is padded or trimmed to the
    clip's length. ``cancelled`` is polled between scenes and packet batches; when it returns true the partial
    output is removed and ``RenderError("cancelled")`` is raised.
    """
    infos = _inspect(clips, audio, timings, cancelled)
    copy = can_stream_copy(infos)
    target = EncodeTarget.for_quality(quality)

    def write(path: Path) -> list[Fraction]:
        nonlocal copy
        try:
            return _mux(infos, audio, path, target, copy=copy, title=title, cancelled=cancelled)
        except StreamCopyImpossible:
            copy = False
            return _mux(infos, audio, path, target, copy=False, title=title, cancelled=cancelled)

    return _finish(out_dir, write, timings, cancelled, stream_copied=lambda: copy)


def copy_plan(clips: Sequence[Path], cancelled: Callable[[], bool] | None = None) -> list[int] | None:
    """Each clip's length in audio samples when the clips can be joined by copying their packets, else None.

    A narration piece is encoded for that length (``encode_narration_piece``), before the join."""
    infos = _inspect_clips(clips, cancelled)
    if not can_stream_copy(infos):
        return None
    return [round(copied_duration(info) * AUDIO_SAMPLE_RATE) for info in infos]


def assemble_from_pieces(
    clips: Sequence[Path],
    pieces: Sequence[Path],
    timings: Sequence[SceneTiming],
    out_dir: Path,
    *,
    title: str,
    cancelled: Callable[[], bool] | None = None,
) -> AssembledVideo:
    """As ``assemble_video``, with each scene's narration already encoded (``pieces``, made for the lengths
    ``copy_plan`` gave): nothing is decoded or encoded, clips and narration are both copied packet by packet.

    Raises ``StreamCopyImpossible`` when the clips cannot be copied after all (the caller joins the WAVs instead).
    """
    infos = _inspect(clips, pieces, timings, cancelled)
    if not can_stream_copy(infos):
        raise StreamCopyImpossible("the clips are not encoded alike")

    def write(path: Path) -> list[Fraction]:
        with media_errors("encode_failed", f"writing {VIDEO_NAME}"), open_mp4(path, title=title) as output:
            writer = PacketCopier(output, infos[0])
            return _interleave(infos, pieces, writer, NarrationPieceCopier(output, Path(pieces[0])), cancelled)

    return _finish(out_dir, write, timings, cancelled, stream_copied=lambda: True)


def _inspect(
    clips: Sequence[Path],
    audio: Sequence[Path],
    timings: Sequence[SceneTiming],
    cancelled: Callable[[], bool] | None,
) -> list[ClipInfo]:
    if not clips:
        raise RenderError("invalid_input", "no scenes to assemble")
    if not len(clips) == len(audio) == len(timings):
        raise RenderError(
            "invalid_input",
            f"scene counts differ: {len(clips)} clips, {len(audio)} narrations, {len(timings)} timings",
        )
    return _inspect_clips(clips, cancelled)


def _inspect_clips(clips: Sequence[Path], cancelled: Callable[[], bool] | None) -> list[ClipInfo]:
    infos = []
    for clip in clips:
        check_cancelled(cancelled)
        infos.append(inspect_clip(Path(clip)))
    return infos


def _finish(
    out_dir: Path,
    write: Callable[[Path], list[Fraction]],
    timings: Sequence[SceneTiming],
    cancelled: Callable[[], bool] | None,
    *,
    stream_copied: Callable[[], bool],
) -> AssembledVideo:
    """Write the video with ``write`` (which returns each scene's start), then its thumbnail and captions."""
    ordered_timings = sorted(timings, key=lambda timing: timing.scene_index)
    out_dir = Path(out_dir)
    with media_errors("io_error", f"creating {out_dir.name}"):
        out_dir.mkdir(parents=True, exist_ok=True)
    video_path = out_dir / VIDEO_NAME
    partial_path = out_dir / f".{VIDEO_NAME}.partial"
    try:
        scene_starts = write(partial_path)
        # Only a complete file ever carries the final name, so a retry never uploads half a video.
        with media_errors("io_error", f"moving {VIDEO_NAME} into place"):
            os.replace(partial_path, video_path)
    finally:
        partial_path.unlink(missing_ok=True)

    metadata = probe(video_path)
    check_cancelled(cancelled)
    thumbnail_path = out_dir / THUMBNAIL_NAME
    make_thumbnail(video_path, thumbnail_path, _thumbnail_time(scene_starts, metadata.duration))
    vtt_path, srt_path = out_dir / VTT_NAME, out_dir / SRT_NAME
    with media_errors("io_error", "writing captions"):
        write_captions(ordered_timings, vtt_path, srt_path, scene_starts=[float(s) for s in scene_starts])
    return AssembledVideo(video_path, thumbnail_path, vtt_path, srt_path, metadata, stream_copied=stream_copied())


class _NarrationWriter(Protocol):
    def add_scene(self, path: Path, scene_end: Fraction, cancelled: Callable[[], bool] | None) -> None: ...

    def finish(self) -> None: ...


def _mux(
    infos: Sequence[ClipInfo],
    audio: Sequence[Path],
    out_path: Path,
    target: EncodeTarget,
    *,
    copy: bool,
    title: str,
    cancelled: Callable[[], bool] | None,
) -> list[Fraction]:
    """Write video and narration scene by scene; return where each scene starts, in seconds."""
    with media_errors("encode_failed", f"writing {VIDEO_NAME}"), open_mp4(out_path, title=title) as output:
        writer = video_writer(output, infos, target, copy=copy)
        return _interleave(infos, audio, writer, NarrationEncoder(output), cancelled)


def _interleave(
    infos: Sequence[ClipInfo],
    audio: Sequence[Path],
    writer: VideoWriter,
    narration: _NarrationWriter,
    cancelled: Callable[[], bool] | None,
) -> list[Fraction]:
    """Write each scene's clip, then its narration up to where the clip ends; return where each scene starts."""
    starts: list[Fraction] = []
    elapsed = Fraction(0)
    for info, narration_path in zip(infos, audio, strict=True):
        check_cancelled(cancelled)
        starts.append(elapsed)
        # The video decides the timeline; the narration is fitted to it, so the two cannot drift apart.
        elapsed += writer.add_clip(info.path, cancelled)
        narration.add_scene(Path(narration_path), elapsed, cancelled)
    writer.finish()
    narration.finish()
    return starts


def _thumbnail_time(scene_starts: Sequence[Fraction], duration: float) -> float:
    """The middle of the second scene, where the first real content usually is; else 40% of the video."""
    if len(scene_starts) >= 2:
        second_end = scene_starts[2] if len(scene_starts) > 2 else Fraction(duration)
        return float((scene_starts[1] + second_end) / 2)
    return duration * 0.4
