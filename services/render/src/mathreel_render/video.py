"""Joining scene clips into one H.264 video stream: packet copy when the clips agree, re-encode when not."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import av
from av.container import OutputContainer
from av.video.stream import VideoStream

from mathreel_render.errors import RenderCancelled, RenderError, media_errors
from mathreel_shared.domain import QUALITY_PRESETS, Quality

# How many packets or frames pass between two looks at the cancel flag: often enough to stop within a fraction
# of a second, rarely enough to cost nothing.
CANCEL_CHECK_EVERY = 64

# Options handed to the MP4 muxer: the moov atom goes before mdat, so a browser can start playing at once; and
# packets wait for their partners of the other stream however far apart they arrive, so a scene's video and its
# narration end up interleaved in the file instead of in 10-second runs.
MP4_OPTIONS = {"movflags": "+faststart", "max_interleave_delta": "0"}


def check_cancelled(cancelled: Callable[[], bool] | None) -> None:
    """Raise ``RenderError("cancelled")`` if the caller asked to stop."""
    if cancelled is not None and cancelled():
        raise RenderCancelled()


@dataclass(frozen=True)
class ClipInfo:
    """The codec parameters of a clip's video stream that decide whether its packets can be copied."""

    path: Path
    codec: str
    width: int
    height: int
    pix_fmt: str
    time_base: Fraction
    frame_rate: Fraction
    profile: str | None
    has_b_frames: bool
    extradata: bytes

    @property
    def copy_key(self) -> tuple[object, ...]:
        """Everything that must be equal across clips for their packets to form one valid stream."""
        return (
            self.codec,
            self.width,
            self.height,
            self.pix_fmt,
            self.time_base,
            self.frame_rate,
            self.profile,
            self.has_b_frames,
            self.extradata,
        )


def inspect_clip(path: Path) -> ClipInfo:
    """Read the video stream parameters of ``path`` without decoding it."""
    with media_errors("corrupt_media", f"clip {path.name}"), av.open(str(path)) as container:
        if not container.streams.video:
            raise RenderError("invalid_input", f"clip {path.name} has no video stream")
        stream = container.streams.video[0]
        ctx = stream.codec_context
        if stream.time_base is None or ctx.format is None:
            raise RenderError("corrupt_media", f"clip {path.name} has no time base or pixel format")
        # The nominal rate: a clip's average rate is skewed by its time-base rounding (15 fps comes out as
        # 655360/43689), which made every clip look different from the others and defeated stream copy.
        rate = stream.guessed_rate or stream.average_rate
        if not rate:
            raise RenderError("corrupt_media", f"clip {path.name} has no frame rate")
        return ClipInfo(
            path=path,
            codec=ctx.name,
            width=ctx.width,
            height=ctx.height,
            pix_fmt=ctx.format.name,
            time_base=stream.time_base,
            frame_rate=Fraction(rate),
            profile=ctx.profile,
            has_b_frames=bool(ctx.has_b_frames),
            extradata=bytes(ctx.extradata or b""),
        )


def copied_duration(info: ClipInfo) -> Fraction:
    """How long the clip lasts once its packets are copied (what ``PacketCopier.add_clip`` returns), in seconds,
    read from its packets without decoding them."""
    frame_ticks = max(1, round(1 / (info.frame_rate * info.time_base)))
    with media_errors("corrupt_media", f"clip {info.path.name}"), av.open(str(info.path)) as source:
        stream = source.streams.video[0]
        start = stream.start_time or 0
        end = start
        for packet in source.demux(stream):
            if packet.pts is not None and packet.dts is not None:
                end = max(end, packet.pts + (packet.duration or frame_ticks))
    return Fraction(end - start) * info.time_base


def can_stream_copy(clips: Sequence[ClipInfo]) -> bool:
    """True when the clips are browser-playable H.264 and their packets can be concatenated as they are."""
    if not clips:
        return False
    first = clips[0]
    # Other codecs or pixel formats could be remuxed too, but the contract promises H.264 a browser can play.
    if first.codec != "h264" or first.pix_fmt != "yuv420p":
        return False
    return all(clip.copy_key == first.copy_key for clip in clips)


@dataclass(frozen=True)
class EncodeTarget:
    """Geometry and x264 settings used when the clips have to be re-encoded."""

    width: int
    height: int
    fps: int
    x264_preset: str
    crf: int

    @classmethod
    def for_quality(cls, quality: Quality) -> EncodeTarget:
        preset = QUALITY_PRESETS[quality]
        return cls(preset.width, preset.height, preset.fps, preset.x264_preset, preset.crf)


class StreamCopyImpossible(Exception):
    """Raised mid-copy when the clips' timestamps cannot be laid end to end; the caller re-encodes instead."""


class VideoWriter(Protocol):
    """Appends clips, one after the other, to a video stream of an open output container."""

    def add_clip(self, path: Path, cancelled: Callable[[], bool] | None) -> Fraction:
        """Append ``path``; return how long it lasts in the output, in seconds."""
        ...

    def finish(self) -> None:
        """Flush whatever the writer still holds."""
        ...


class PacketCopier:
    """Copies the compressed packets of each clip into the output, shifting their timestamps to follow on."""

    def __init__(self, output: OutputContainer, template: ClipInfo) -> None:
        self._output = output
        with av.open(str(template.path)) as source:
            self._stream = output.add_stream_from_template(source.streams.video[0])
        self._time_base = template.time_base
        # Fallback when a demuxer leaves packet durations unset: one frame, in stream ticks.
        self._frame_ticks = max(1, round(1 / (template.frame_rate * template.time_base)))
        self._offset = 0
        self._last_dts: int | None = None

    def add_clip(self, path: Path, cancelled: Callable[[], bool] | None) -> Fraction:
        with av.open(str(path)) as source:
            stream = source.streams.video[0]
            start = stream.start_time or 0
            end = start
            for count, packet in enumerate(source.demux(stream)):
                if count % CANCEL_CHECK_EVERY == 0:
                    check_cancelled(cancelled)
                if packet.pts is None or packet.dts is None:
                    continue  # the demuxer's empty end-of-stream packet
                end = max(end, packet.pts + (packet.duration or self._frame_ticks))
                packet.pts = packet.pts - start + self._offset
                packet.dts = packet.dts - start + self._offset
                # With B-frames decode timestamps run ahead of presentation; clips encoded alike keep them
                # strictly increasing across the seam, anything else would make an invalid stream.
                if self._last_dts is not None and packet.dts <= self._last_dts:
                    raise StreamCopyImpossible(f"{path.name}: decode timestamps overlap the previous clip")
                self._last_dts = packet.dts
                packet.stream = self._stream
                self._output.mux(packet)
        ticks = end - start
        self._offset += ticks
        return Fraction(ticks) * self._time_base

    def finish(self) -> None:
        return None


class ReEncoder:
    """Decodes each clip, fits it to the target frame (scale, letterbox, frame rate) and encodes it with x264."""

    def __init__(self, output: OutputContainer, target: EncodeTarget) -> None:
        self._output = output
        self._target = target
        stream: VideoStream = output.add_stream("libx264", rate=target.fps)
        stream.width = target.width
        stream.height = target.height
        stream.pix_fmt = "yuv420p"
        # A keyframe every two seconds keeps seeking in the browser snappy; Manim's flat frames compress so
        # well that the extra keyframes cost little.
        stream.codec_context.gop_size = target.fps * 2
        stream.options = {"preset": target.x264_preset, "crf": str(target.crf)}
        self._stream = stream
        self._frames_written = 0

    def add_clip(self, path: Path, cancelled: Callable[[], bool] | None) -> Fraction:
        target = self._target
        with av.open(str(path)) as source:
            stream = source.streams.video[0]
            stream.thread_type = "AUTO"
            graph = av.filter.Graph()
            # Keep the aspect ratio (pad the rest black, Manim's background) and let the fps filter drop or
            # repeat frames so every clip lands on the output's frame grid.
            graph.link_nodes(
                graph.add_buffer(template=stream),
                graph.add("scale", f"{target.width}:{target.height}:force_original_aspect_ratio=decrease"),
                graph.add("pad", f"{target.width}:{target.height}:(ow-iw)/2:(oh-ih)/2:black"),
                graph.add("setsar", "1"),
                graph.add("fps", str(target.fps)),
                graph.add("format", "yuv420p"),
                graph.add("buffersink"),
            ).configure()
            frames_before = self._frames_written
            for count, frame in enumerate(source.decode(stream)):
                if count % CANCEL_CHECK_EVERY == 0:
                    check_cancelled(cancelled)
                graph.vpush(frame)
                self._drain(graph)
            graph.vpush(None)
            self._drain(graph)
        return Fraction(self._frames_written - frames_before, target.fps)

    def _drain(self, graph: av.filter.Graph) -> None:
        while True:
            try:
                frame = graph.vpull()
            except (BlockingIOError, EOFError):
                return
            frame.pts = self._frames_written
            frame.time_base = Fraction(1, self._target.fps)
            self._output.mux(self._stream.encode(frame))
            self._frames_written += 1

    def finish(self) -> None:
        self._output.mux(self._stream.encode(None))


def open_mp4(path: Path, *, title: str | None = None) -> OutputContainer:
    """Open ``path`` for writing as a fast-start MP4."""
    container = av.open(str(path), mode="w", format="mp4", options=MP4_OPTIONS)
    if title:
        container.metadata["title"] = title
    return container


def video_writer(
    output: OutputContainer,
    infos: Sequence[ClipInfo],
    target: EncodeTarget,
    *,
    copy: bool,
) -> VideoWriter:
    """The writer that appends ``infos`` to ``output``: a packet copier when ``copy``, else a re-encoder."""
    if copy:
        return PacketCopier(output, infos[0])
    return ReEncoder(output, target)


def join_clips(
    clips: Sequence[Path],
    out_path: Path,
    *,
    quality: Quality | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bool:
    """Concatenate silent ``clips`` into one MP4 at ``out_path``; return True when packets were stream-copied.

    Clips whose codec parameters all match (H.264, yuv420p, size, time base, frame rate, profile, extradata)
    are remuxed with rebased timestamps, which is lossless and fast. Otherwise they are re-encoded with x264 at
    ``quality``'s geometry, frame rate, preset and crf (the first clip's geometry and frame rate, with the
    medium preset's encoder settings, when no quality is given).
    """
    if not clips:
        raise RenderError("invalid_input", "no clips to join")
    infos = [inspect_clip(Path(clip)) for clip in clips]
    target = reencode_target(infos, quality)
    copy = can_stream_copy(infos)
    try:
        _write_joined(infos, Path(out_path), target, copy=copy, cancelled=cancelled)
    except StreamCopyImpossible:
        copy = False
        _write_joined(infos, Path(out_path), target, copy=False, cancelled=cancelled)
    return copy


def reencode_target(infos: Sequence[ClipInfo], quality: Quality | None) -> EncodeTarget:
    """Where a re-encode lands: the quality's preset, or the first clip's geometry when there is none."""
    if quality is not None:
        return EncodeTarget.for_quality(quality)
    first = infos[0]
    preset = QUALITY_PRESETS[Quality.MEDIUM]
    # x264 with yuv420p needs even dimensions.
    return EncodeTarget(
        width=first.width - first.width % 2,
        height=first.height - first.height % 2,
        fps=max(1, round(first.frame_rate)),
        x264_preset=preset.x264_preset,
        crf=preset.crf,
    )


def _write_joined(
    infos: Sequence[ClipInfo],
    out_path: Path,
    target: EncodeTarget,
    *,
    copy: bool,
    cancelled: Callable[[], bool] | None,
) -> None:
    with media_errors("encode_failed", f"joining clips into {out_path.name}"), open_mp4(out_path) as output:
        writer = video_writer(output, infos, target, copy=copy)
        for info in infos:
            check_cancelled(cancelled)
            writer.add_clip(info.path, cancelled)
        writer.finish()
