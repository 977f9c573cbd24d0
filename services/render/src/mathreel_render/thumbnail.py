"""A JPEG poster frame that shows content, not the black frame a scene fades in from."""

from __future__ import annotations

from pathlib import Path

import av
from av.container import InputContainer
from av.video.stream import VideoStream
from PIL import Image, ImageStat

from mathreel_render.errors import RenderError, media_errors
from mathreel_render.probe import container_duration

MAX_THUMBNAIL_WIDTH = 1280
JPEG_QUALITY = 85
# Where to look, as fractions of the video, when the requested frame turns out blank.
_FALLBACK_POSITIONS = (0.4, 0.55, 0.25, 0.7, 0.85, 0.1)
# A frame whose luma barely varies is a flat fill (black, or a plain background) with nothing on it.
_BLANK_LUMA_STDDEV = 2.0


def make_thumbnail(video_path: Path, out_path: Path, at_seconds: float | None = None) -> None:
    """Save a JPEG of the frame at ``at_seconds`` (default: 40% in), scaled to at most 1280 pixels wide.

    If that frame is blank, later and earlier positions are tried and the first one with content is kept.
    """
    video_path = Path(video_path)
    with media_errors("corrupt_media", f"thumbnail of {video_path.name}"), av.open(str(video_path)) as container:
        if not container.streams.video:
            raise RenderError("invalid_input", f"{video_path.name} has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        duration = container_duration(container)
        positions = [duration * fraction for fraction in _FALLBACK_POSITIONS]
        if at_seconds is not None:
            positions.insert(0, min(max(at_seconds, 0.0), duration))
        best: Image.Image | None = None
        best_spread = -1.0
        for seconds in positions:
            image = _image_at(container, stream, seconds)
            if image is None:
                continue
            spread = ImageStat.Stat(image.convert("L")).stddev[0]
            if spread > best_spread:
                best, best_spread = image, spread
            if spread >= _BLANK_LUMA_STDDEV:
                break
        if best is None:
            raise RenderError("corrupt_media", f"{video_path.name} has no decodable frame")
    if best.width > MAX_THUMBNAIL_WIDTH:
        height = round(best.height * MAX_THUMBNAIL_WIDTH / best.width)
        best = best.resize((MAX_THUMBNAIL_WIDTH, height), Image.Resampling.LANCZOS)
    best.save(Path(out_path), format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)


def _image_at(container: InputContainer, stream: VideoStream, seconds: float) -> Image.Image | None:
    """The frame shown at ``seconds`` (the last frame when it lies past the end)."""
    if stream.time_base is None:
        return None
    container.seek(int(seconds / stream.time_base), stream=stream, backward=True)
    last = None
    for frame in container.decode(stream):
        last = frame
        if frame.time is not None and frame.time >= seconds:
            break
    return Image.fromarray(last.to_ndarray(format="rgb24")) if last is not None else None
