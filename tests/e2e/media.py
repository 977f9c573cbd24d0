"""Checks on produced media by decoding it, never by file size alone."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image


@dataclass(frozen=True)
class DecodedVideo:
    duration: float
    width: int
    height: int
    fps: float
    video_codec: str
    audio_codec: str
    audio_duration: float
    frames: int


def decode_video(data: bytes) -> DecodedVideo:
    with av.open(io.BytesIO(data)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0]
        frames = sum(1 for _ in container.decode(video=0))
        assert container.duration is not None
        audio_duration = float(audio.duration * audio.time_base) if audio.duration and audio.time_base else 0.0
        return DecodedVideo(
            duration=container.duration / av.time_base,
            width=video.codec_context.width,
            height=video.codec_context.height,
            fps=float(video.average_rate or 0),
            video_codec=video.codec_context.name,
            audio_codec=audio.codec_context.name,
            audio_duration=audio_duration,
            frames=frames,
        )


def video_packets(data: bytes) -> list[bytes]:
    """The payloads of the video stream's packets in decode order: what a stream copy keeps bit for bit."""
    with av.open(io.BytesIO(data)) as container:
        return [bytes(packet) for packet in container.demux(video=0) if packet.size]


def audio_samples(data: bytes) -> tuple[np.ndarray, int]:
    """The first audio stream decoded to mono float samples (channels averaged), and its sample rate."""
    with av.open(io.BytesIO(data)) as container:
        rate = container.streams.audio[0].codec_context.sample_rate
        chunks = []
        for frame in container.decode(audio=0):
            assert frame.format.is_planar, frame.format.name  # one row per channel (AAC decodes to fltp)
            chunks.append(frame.to_ndarray().astype(np.float64).mean(axis=0))
    return np.concatenate(chunks), rate


def wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data)) as handle:
        return handle.getnframes() / handle.getframerate()


def jpeg_size(data: bytes) -> tuple[int, int]:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    image.load()
    return image.size


def is_faststart(data: bytes) -> bool:
    """True when the ``moov`` box comes before ``mdat`` (playback can start before the download ends)."""
    moov, mdat = data.find(b"moov"), data.find(b"mdat")
    return 0 < moov < mdat


def silent_wav(seconds: float, path: Path) -> Path:
    """Write ``seconds`` of 16-bit mono silence at 22.05 kHz to ``path``: narration for renders that need none."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(22050)
        wav.writeframes(b"\0\0" * round(seconds * 22050))
    path.write_bytes(buffer.getvalue())
    return path
