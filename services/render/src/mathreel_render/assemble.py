"""The whole render step: scene clips and narration in, a playable MP4 with thumbnail and captions out."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from mathreel_render.audio import NarrationEncoder
from mathreel_render.captions import write_captions
from mathreel_render.errors import RenderError, media_errors
from mathreel_render.probe import probe
from mathreel_render.thumbnail import make_thumbnail
from mathreel_render.video import (
    ClipInfo,
    EncodeTarget,
    StreamCopyImpossible,
    can_stream_copy,
    check_cancelled,
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
    if not clips:
        raise RenderError("invalid_input", "no scenes to assemble")
    if not len(clips) == len(audio) == len(timings):
        raise RenderError(
            "invalid_input",
            f"scene counts differ: {len(clips)} clips, {len(audio)} narrations, {len(timings)} timings",
        )
    ordered_timings = sorted(timings, key=lambda timing: timing.scene_index)
    out_dir = Path(out_dir)
    with media_errors("io_error", f"creating {out_dir.name}"):
        out_dir.mkdir(parents=True, exist_ok=True)

    infos = []
    for clip in clips:
        check_cancelled(cancelled)
        infos.append(inspect_clip(Path(clip)))
    target = EncodeTarget.for_quality(quality)
    copy = can_stream_copy(infos)

    video_path = out_dir / VIDEO_NAME
    partial_path = out_dir / f".{VIDEO_NAME}.partial"
    try:
        try:
            scene_starts = _mux(infos, audio, partial_path, target, copy=copy, title=title, cancelled=cancelled)
        except StreamCopyImpossible:
            copy = False
            scene_starts = _mux(infos, audio, partial_path, target, copy=False, title=title, cancelled=cancelled)
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
    return AssembledVideo(video_path, thumbnail_path, vtt_path, srt_path, metadata, stream_copied=copy)


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
    starts: list[Fraction] = []
    with media_errors("encode_failed", f"writing {VIDEO_NAME}"), open_mp4(out_path, title=title) as output:
        writer = video_writer(output, infos, target, copy=copy)
        narration = NarrationEncoder(output)
        elapsed = Fraction(0)
        for info, wav in zip(infos, audio, strict=True):
            check_cancelled(cancelled)
            starts.append(elapsed)
            # The video decides the timeline; the narration is fitted to it, so the two cannot drift apart.
            elapsed += writer.add_clip(info.path, cancelled)
            narration.add_scene(Path(wav), elapsed, cancelled)
        writer.finish()
        narration.finish()
    return starts


def _thumbnail_time(scene_starts: Sequence[Fraction], duration: float) -> float:
    """The middle of the second scene, where the first real content usually is; else 40% of the video."""
    if len(scene_starts) >= 2:
        second_end = scene_starts[2] if len(scene_starts) > 2 else Fraction(duration)
        return float((scene_starts[1] + second_end) / 2)
    return duration * 0.4
