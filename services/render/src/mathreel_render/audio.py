"""Narration track: scene WAVs laid end to end on the video's timeline and encoded to AAC.

Two ways to make it. ``NarrationEncoder`` encodes the whole track in one pass. ``encode_narration_piece`` encodes
one scene's narration on its own (its "piece", cacheable by its content) and ``NarrationPieceCopier`` lays pieces
end to end without decoding them: a revision that changed one scene encodes that scene's narration only.

Pieces are joined on AAC's frame grid (1024 samples): each scene's piece starts on the frame boundary nearest its
clip's start, within 512 samples (10.7 ms at 48 kHz) of it, and that error never accumulates, since each scene's
end is placed from the video's cumulative timeline. A piece is encoded alone, so it starts with the encoder's
priming frame; the copier keeps it only for the first scene (the MP4 edit list hides it there, as for a one-pass
encode) and drops it elsewhere. The frame at a seam is then decoded from two encodes (the end of one piece, the
start of the next), which is only exact where both hold silence; so a piece holds silence in its first frame and
its narration ends a frame before its clip does: each scene's narration starts one frame (21.3 ms) after the
piece, 10.7-32 ms after its clip, below a video frame at 30 fps. Narration is synthesised with longer pauses at
both ends (measured: ~170 ms before, ~360 ms after), so nothing spoken is lost.
"""

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

from mathreel_render.errors import RenderError, media_errors
from mathreel_render.video import CANCEL_CHECK_EVERY, check_cancelled

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


# Samples per AAC frame (and per packet); the encoder delays its output by one frame of priming.
AAC_FRAME_SAMPLES = 1024
# What a piece's cache key records about how it was encoded (with the render code's version).
NARRATION_PIECE_FORMAT = {
    "codec": "aac",
    "rate": AUDIO_SAMPLE_RATE,
    "bit_rate": AUDIO_BIT_RATE,
    "layout": _LAYOUT,
    "frame": AAC_FRAME_SAMPLES,
}


def _add_aac_stream(output: OutputContainer) -> AudioStream:
    stream: AudioStream = output.add_stream("aac", rate=AUDIO_SAMPLE_RATE)
    stream.layout = _LAYOUT
    stream.format = _SAMPLE_FORMAT
    stream.bit_rate = AUDIO_BIT_RATE
    return stream


def _fitted(samples: npt.NDArray[np.float32], target: int, name: str) -> npt.NDArray[np.float32]:
    """``samples`` padded with silence or trimmed to ``target`` samples (a line in the log when far off)."""
    difference = (samples.shape[1] - target) / AUDIO_SAMPLE_RATE
    if abs(difference) > _MISMATCH_WARNING_SECONDS:
        logger.warning(
            "narration %s is %+.3f s off its clip; %s to match",
            name,
            difference,
            "trimmed" if difference > 0 else "padded with silence",
        )
    if samples.shape[1] >= target:
        return samples[:, :target]
    silence = np.zeros((1, target - samples.shape[1]), dtype=np.float32)
    return np.concatenate([samples, silence], axis=1)


class NarrationEncoder:
    """Appends each scene's narration to an AAC stream, padded or trimmed to end exactly where its clip ends."""

    def __init__(self, output: OutputContainer) -> None:
        self._output = output
        self._stream = _add_aac_stream(output)
        self._samples_written = 0

    def add_scene(self, wav_path: Path, scene_end: Fraction, cancelled: Callable[[], bool] | None) -> None:
        """Append ``wav_path`` so that the track reaches ``scene_end`` seconds from the start of the video.

        The end is cumulative, so rounding to whole samples never drifts from the video over many scenes.
        """
        target = round(scene_end * AUDIO_SAMPLE_RATE) - self._samples_written
        samples = _fitted(_decode_mono(wav_path), target, wav_path.name)
        check_cancelled(cancelled)
        self.add_samples(samples)

    def add_samples(self, samples: npt.NDArray[np.float32]) -> None:
        """Encode ``samples`` (shape (1, n), at the output rate) after what was added before."""
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


def piece_frames(clip_samples: int) -> int:
    """AAC frames of narration a piece holds for a clip of ``clip_samples``: enough for any place on the grid.

    Joined, a scene covers the frames between the grid points nearest its start and its end, each within half a
    frame of the video's: at most one frame more than the clip spans, rounded up.
    """
    return -(-clip_samples // AAC_FRAME_SAMPLES) + 1


def encode_narration_piece(
    wav_path: Path, clip_samples: int, out_path: Path, cancelled: Callable[[], bool] | None = None
) -> None:
    """Encode ``wav_path`` for a clip of ``clip_samples``, on its own, into an M4A at ``out_path``: a frame of
    silence, the narration fitted to the clip less two frames, then silence up to ``piece_frames`` whole frames
    (the encoder's priming frame comes first)."""
    total = piece_frames(clip_samples) * AAC_FRAME_SAMPLES
    speech = _fitted(_decode_mono(wav_path), max(0, clip_samples - 2 * AAC_FRAME_SAMPLES), wav_path.name)
    samples = np.zeros((1, total), dtype=np.float32)
    # Silent where a seam's frame is decoded from two encodes: the first frame, and from a frame before the end.
    samples[:, AAC_FRAME_SAMPLES : AAC_FRAME_SAMPLES + speech.shape[1]] = speech
    check_cancelled(cancelled)
    with (
        media_errors("encode_failed", f"encoding the narration {wav_path.name}"),
        av.open(str(out_path), mode="w", format="mp4") as output,
    ):
        encoder = NarrationEncoder(output)
        encoder.add_samples(samples)
        encoder.finish()


class NarrationPieceCopier:
    """Lays narration pieces (``encode_narration_piece``) end to end in an output's AAC stream, packets copied."""

    def __init__(self, output: OutputContainer, template: Path) -> None:
        self._output = output
        with media_errors("corrupt_media", f"narration {template.name}"), av.open(str(template)) as source:
            if not source.streams.audio:
                raise RenderError("invalid_input", f"narration {template.name} has no audio stream")
            template_stream = source.streams.audio[0]
            self._params = _piece_params(template_stream)
            self._stream = output.add_stream_from_template(template_stream)
        # Where the track stands, in samples after the priming frame: always a multiple of a frame.
        self._written = 0
        self._first = True

    def add_scene(self, piece: Path, scene_end: Fraction, cancelled: Callable[[], bool] | None) -> None:
        """Append ``piece`` up to the frame boundary nearest ``scene_end`` seconds from the start of the video."""
        end = round(round(scene_end * AUDIO_SAMPLE_RATE) / AAC_FRAME_SAMPLES) * AAC_FRAME_SAMPLES
        with media_errors("corrupt_media", f"narration {piece.name}"), av.open(str(piece)) as source:
            stream = source.streams.audio[0] if source.streams.audio else None
            if stream is None or _piece_params(stream) != self._params:
                raise RenderError("corrupt_media", f"narration {piece.name} is not encoded like the others")
            for count, packet in enumerate(source.demux(stream)):
                if count % CANCEL_CHECK_EVERY == 0:
                    check_cancelled(cancelled)
                if packet.pts is None or packet.size == 0:
                    continue  # the demuxer's empty end-of-stream packet
                if self._written >= end:
                    break
                if packet.pts < 0:
                    # The priming frame: the start of the track needs it (the edit list hides it), a seam does not.
                    if not self._first:
                        continue
                else:
                    packet.pts = packet.dts = self._written
                    self._written += AAC_FRAME_SAMPLES
                packet.stream = self._stream
                self._output.mux(packet)
        self._first = False
        if self._written < end:
            raise RenderError("corrupt_media", f"narration {piece.name} is shorter than its clip")

    def finish(self) -> None:
        return None


def _piece_params(stream: AudioStream) -> tuple[object, ...]:
    ctx = stream.codec_context
    return (ctx.name, ctx.sample_rate, ctx.layout.name, stream.time_base, bytes(ctx.extradata or b""))


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
