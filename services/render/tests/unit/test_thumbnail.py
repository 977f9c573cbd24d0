from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageStat

from mathreel_render.thumbnail import make_thumbnail

ClipFactory = Callable[..., Path]


def _brightest(path: Path) -> int:
    with Image.open(path) as image:
        assert image.format == "JPEG"
        return int(ImageStat.Stat(image.convert("L")).extrema[0][1])


def test_black_frame_is_passed_over(make_clip: ClipFactory, tmp_path: Path) -> None:
    clip = make_clip("fade_in.mp4", seconds=2.0, black_until=1.2)
    out = tmp_path / "thumb.jpg"

    make_thumbnail(clip, out, at_seconds=0.0)

    assert _brightest(out) > 60


def test_wide_video_is_scaled_to_1280(make_clip: ClipFactory, tmp_path: Path) -> None:
    clip = make_clip("wide.mp4", seconds=0.4, width=1600, height=900, fps=5)
    out = tmp_path / "thumb.jpg"

    make_thumbnail(clip, out)

    with Image.open(out) as image:
        assert image.size == (1280, 720)
