"""Narration track: scene WAVs laid end to end on the video's timeline and encoded to AAC."""

from __future__ import annotations

import logging
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from av.audio.stream import AudioStream
from av.container import OutputContainer

from mathreel_render.errors import RenderError
from mathreel_render.video import check_cancelled

logger = logging.getLogger(__name__)

AUDIO_SAMPLE_RATE = 48_000
AUDIO_BIT_RATE = 128_000
# AAC's native sample format; decoding and resampling straight to it spares the encoder a conversion.
_SAMPLE_FORMAT = "fltp"
_LAYOUT = "mono"
# Narration and clip should agree within a frame; beyond this the mismatch is worth a line in the log.
_MISMATCH_WARNING_SECONDS = 0.1
# Samples handed to the encoder per frame: large enough to be cheap, small enough to interleave finely.
_CHUNK_SAMPLES = 48_000


class NarrationEncoder:
    """Appends each scene's narration to an AAC stream, padded or trimmed to end exactly where its clip ends."""

    def __init__(self, output: OutputContainer) -> None:
        stream: AudioStream = output.add_stream("aac", rate=AUDIO_SAMPLE_RATE)
        stream.layout = _LAYOUT
        stream.format = _SAMPLE_FORMAT
        stream.bit_rate = AUDIO_BIT_RATE
        self._output = output
        self._stream = stream
        self._samples_written = 0

    def add_scene(self, wav_path: Path, scene_end: Fraction, cancelled: Callable[[], bool] | None) -> None:
        """Append ``wav_path`` so that the track reaches ``scene_end`` seconds from the start of the video.

        The end is cumulative, so rounding to whole samples never drifts from the video over many scenes.
        """
        target = round(scene_end * AUDIO_SAMPLE_RATE) - self._samples_written
        samples = _decode_mono(wav_path)
        check_cancelled(cancelled)
        difference = (samples.shape[1] - target) / AUDIO_SAMPLE_RATE
        if abs(difference) > _MISMATCH_WARNING_SECONDS:
            logger.warning(
                "narration %s is %+.3f s off its clip; %s to match",
                wav_path.name,
                difference,
                "trimmed" if difference > 0 else "padded with silence",
            )
        if samples.shape[1] >= target:
            samples = samples[:, :target]
        else:
            silence = np.zeros((1, target - samples.shape[1]), dtype=np.float32)
            samples = np.concatenate([samples, silence], axis=1)
        for begin in range(0, samples.shape[1], _CHUNK_SAMPLES):
            self._encode(samples[:, begin : begin + _CHUNK_SAMPLES])

    def _encode(self, samples: npt.NDArray[np.float32]) -> None:
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(samples), format=_SAMPLE_FORMAT, layout=_LAYOUT)
        frame.sample_rate = AUDIO_SAMPLE_RATE
        frame.pts = self._samples_written
        frame.time_base = Fraction(1, AUDIO_SAMPLE_RATE)
        self._output.mux(self._stream.encode(frame))
        self._samples_written += samples.shape[1]

    def finish(self) -> None:
        """Flush the encoder's last, partly filled AAC frame."""
        self._output.mux(self._stream.encode(None))


def _decode_mono(wav_path: Path) -> npt.NDArray[np.float32]:
    """All of ``wav_path`` as float samples at the output rate, shape (1, n)."""
    with av.open(str(wav_path)) as container:
        if not container.streams.audio:
            raise RenderError("invalid_input", f"narration {wav_path.name} has no audio stream")
        resampler = av.AudioResampler(format=_SAMPLE_FORMAT, layout=_LAYOUT, rate=AUDIO_SAMPLE_RATE)
        chunks: list[npt.NDArray[np.float32]] = []
        for frame in container.decode(container.streams.audio[0]):
            chunks.extend(_as_float32(resampled) for resampled in resampler.resample(frame))
        # The resampler holds back a few samples of filter delay until it is told the input has ended.
        chunks.extend(_as_float32(resampled) for resampled in resampler.resample(None))
    if not chunks:
        return np.zeros((1, 0), dtype=np.float32)
    return np.concatenate(chunks, axis=1)


def _as_float32(frame: av.AudioFrame) -> npt.NDArray[np.float32]:
    return np.asarray(frame.to_ndarray(), dtype=np.float32)
