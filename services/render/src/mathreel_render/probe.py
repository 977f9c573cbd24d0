"""What a rendered file actually contains, measured from the file itself."""

from __future__ import annotations

from pathlib import Path

import av

from mathreel_render.errors import RenderError, media_errors
from mathreel_shared.messages import VideoMetadata

NO_AUDIO = "none"


def probe(path: Path) -> VideoMetadata:
    """Duration, dimensions, frame rate, size, container format and codecs of the video at ``path``.

    The duration is the container's (the longest stream, edit lists applied); the frame rate is the video
    stream's average. A file without audio reports ``audio_codec="none"``.
    """
    path = Path(path)
    with media_errors("corrupt_media", f"probing {path.name}"), av.open(str(path)) as container:
        if not container.streams.video:
            raise RenderError("invalid_input", f"{path.name} has no video stream")
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        rate = video.average_rate or video.guessed_rate
        return VideoMetadata(
            duration=round(container_duration(container), 3),
            width=video.codec_context.width,
            height=video.codec_context.height,
            fps=round(float(rate), 3) if rate else 0.0,
            file_size=path.stat().st_size,
            format=_format_name(container.format.name, path),
            video_codec=video.codec_context.name,
            audio_codec=audio.codec_context.name if audio is not None else NO_AUDIO,
        )


def container_duration(container: av.container.InputContainer) -> float:
    """Seconds the container lasts: its own duration, else its longest stream's."""
    if container.duration is not None:
        return container.duration / av.time_base
    durations = [
        float(stream.duration * stream.time_base)
        for stream in container.streams
        if stream.duration is not None and stream.time_base is not None
    ]
    return max(durations, default=0.0)


def _format_name(demuxer_names: str, path: Path) -> str:
    # The MP4 demuxer calls itself "mov,mp4,m4a,3gp,3g2,mj2"; the file's extension says which one it is.
    names = demuxer_names.split(",")
    suffix = path.suffix.lstrip(".").lower()
    return suffix if suffix in names else names[0]
