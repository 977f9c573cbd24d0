"""Small synthetic media written with PyAV: silent H.264 clips like Manim's, and 16-bit mono WAV tones."""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

ClipFactory = Callable[..., Path]
WavFactory = Callable[..., Path]


def write_clip(
    path: Path,
    *,
    seconds: float,
    width: int = 854,
    height: int = 480,
    fps: int = 15,
    colour: tuple[int, int, int] = (40, 90, 200),
    black_until: float = 0.0,
) -> Path:
    """A silent H.264 clip: a coloured box sliding over black, black frames up to ``black_until`` seconds."""
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        # veryfast keeps B-frames, as Manim's clips have, so the copy path meets reordered timestamps.
        stream.options = {"preset": "veryfast", "crf": "30"}
        frames = round(seconds * fps)
        for index in range(frames):
            image = np.zeros((height, width, 3), dtype=np.uint8)
            if index / fps >= black_until:
                left = (index * 7) % (width // 2)
                image[height // 4 : height // 2, left : left + width // 3] = colour
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = index
            frame.time_base = Fraction(1, fps)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def write_wav(path: Path, *, seconds: float, rate: int = 22_050, frequency: float = 440.0, level: float = 0.3) -> Path:
    """A 16-bit mono WAV with a sine tone (``level=0`` for silence)."""
    samples = round(seconds * rate)
    tone = level * np.sin(2 * math.pi * frequency * np.arange(samples) / rate)
    pcm = (tone * 32767).astype(np.int16).reshape(1, -1)
    with av.open(str(path), mode="w", format="wav") as container:
        stream = container.add_stream("pcm_s16le", rate=rate)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = rate
        frame.pts = 0
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="session")
def matching_clips(media_dir: Path) -> list[Path]:
    """Two clips encoded alike (854x480, 15 fps): their packets can be copied."""
    return [
        write_clip(media_dir / "scene_000.mp4", seconds=1.0, colour=(200, 60, 60)),
        write_clip(media_dir / "scene_001.mp4", seconds=1.4, colour=(60, 200, 90)),
    ]


@pytest.fixture(scope="session")
def odd_clip(media_dir: Path) -> Path:
    """A clip at another size and frame rate: mixing it in forces a re-encode."""
    return write_clip(media_dir / "odd.mp4", seconds=1.0, width=640, height=360, fps=24)


@pytest.fixture(scope="session")
def narration(media_dir: Path) -> list[Path]:
    """One WAV per clip of ``matching_clips``, each as long as its clip."""
    return [
        write_wav(media_dir / "scene_000.wav", seconds=1.0, frequency=330.0),
        write_wav(media_dir / "scene_001.wav", seconds=1.4, frequency=550.0),
    ]


@pytest.fixture
def make_wav(tmp_path: Path) -> WavFactory:
    def make(name: str, **kwargs: object) -> Path:
        return write_wav(tmp_path / name, **kwargs)  # type: ignore[arg-type]

    return make


@pytest.fixture
def make_clip(tmp_path: Path) -> ClipFactory:
    def make(name: str, **kwargs: object) -> Path:
        return write_clip(tmp_path / name, **kwargs)  # type: ignore[arg-type]

    return make
