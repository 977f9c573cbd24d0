"""One scene's narration spoken beat by beat, with exact beat timings measured from the samples.

Each beat is synthesised on its own (after its math is read out as words), trimmed of the engine's own edge silence,
and laid end to end with fixed pauses, so a beat's start is known to the sample rather than estimated. Beats tile
the scene: a beat lasts from the first sample of its speech to the first sample of the next beat's speech (the last
to the end of the scene), so visuals can fill each interval without gaps. The scene is then loudness-normalised as a
whole (ITU-R BS.1770 via ``pyloudnorm``), with a look-ahead peak limiter so the gain never clips.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

import numpy as np
import pyloudnorm
from numpy.typing import NDArray
from scipy.ndimage import minimum_filter1d, uniform_filter1d

from mathreel_scenelang.mathspeech import narration_to_speech
from mathreel_scenelang.storyboard import Scene
from mathreel_shared.timing import BeatTiming, SceneTiming
from mathreel_tts.engines import TtsEngine

__all__ = [
    "DEFAULT_PACING",
    "Pacing",
    "SpokenScene",
    "encode_wav",
    "normalize_loudness",
    "speak_scene",
    "trim_silence",
]

Audio = NDArray[np.float32]


@dataclass(frozen=True)
class Pacing:
    """Silence around and between beats, in seconds, and the loudness the scene is brought to."""

    lead_in: float = 0.15
    between_beats: float = 0.25
    tail: float = 0.35
    target_lufs: float = -16.0
    # Peaks are held below this level after the loudness gain (-1 dBFS leaves room for lossy encoders).
    peak_ceiling_dbfs: float = -1.0


DEFAULT_PACING = Pacing()


@dataclass(frozen=True)
class SpokenScene:
    """A scene's narration as a 16-bit mono WAV, and when each beat is spoken in it."""

    wav_bytes: bytes
    timing: SceneTiming


def trim_silence(audio: Audio, sample_rate: int, *, threshold_db: float = -45.0, margin: float = 0.02) -> Audio:
    """Drop leading and trailing near-silence (below ``threshold_db`` relative to the peak), keeping ``margin``
    seconds so consonant onsets and release tails are not clipped."""
    if audio.size == 0:
        return audio
    peak = float(np.max(np.abs(audio)))
    if peak == 0.0:
        return audio[:0]
    loud = np.flatnonzero(np.abs(audio) >= peak * 10 ** (threshold_db / 20))
    keep = round(margin * sample_rate)
    start = max(int(loud[0]) - keep, 0)
    end = min(int(loud[-1]) + 1 + keep, audio.size)
    return audio[start:end]


def _limit_peaks(audio: Audio, sample_rate: int, ceiling: float) -> Audio:
    """Look-ahead limiter: a smoothed gain envelope that dips just enough, just around each overshoot."""
    if audio.size == 0 or float(np.max(np.abs(audio))) <= ceiling:
        return audio
    needed = np.minimum(1.0, ceiling / np.maximum(np.abs(audio), 1e-9))
    window = max(1, round(0.005 * sample_rate))
    # Hold the lowest gain over +-window, then average over a window half as wide: the dip starts before the peak
    # and fades after it, and every average still only spans gains held from that peak, so it never overshoots.
    held = minimum_filter1d(needed, size=2 * window + 1)
    smooth = uniform_filter1d(held, size=window)
    limited: Audio = np.clip(audio * smooth, -ceiling, ceiling).astype(np.float32)
    return limited


def normalize_loudness(
    audio: Audio, sample_rate: int, *, target_lufs: float = -16.0, peak_ceiling_dbfs: float = -1.0
) -> Audio:
    """Bring ``audio`` to ``target_lufs`` integrated loudness, then keep peaks under ``peak_ceiling_dbfs``.

    Audio shorter than one 400 ms measurement block, or silent, is returned unchanged (it has no defined loudness).
    """
    meter = pyloudnorm.Meter(sample_rate)
    if audio.size < round(meter.block_size * sample_rate):
        return audio
    ceiling = 10 ** (peak_ceiling_dbfs / 20)
    result = audio
    # Limiting shaves a little loudness off the peaks; a second or third pass makes up for it.
    for _ in range(3):
        measured = float(meter.integrated_loudness(result.astype(np.float64)))
        if not np.isfinite(measured) or abs(measured - target_lufs) < 0.1:
            break
        gained = (result.astype(np.float64) * 10 ** ((target_lufs - measured) / 20)).astype(np.float32)
        result = _limit_peaks(gained, sample_rate, ceiling)
    return result


def encode_wav(audio: Audio, sample_rate: int) -> bytes:
    """16-bit PCM mono WAV bytes of float samples in [-1, 1]."""
    pcm = np.round(np.clip(audio, -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.tobytes())
    return buffer.getvalue()


def speak_scene(scene: Scene, scene_index: int, engine: TtsEngine, *, pacing: Pacing = DEFAULT_PACING) -> SpokenScene:
    """Speak every beat of ``scene`` with ``engine`` and time it.

    ``timing.beats[i].text`` is the beat's narration as heard (math read out), which is what captions should show.
    Beat starts are the sample offsets of their speech; the scene's duration is its sample count over the rate.
    """
    rate = engine.sample_rate

    def silence(seconds: float) -> Audio:
        return np.zeros(round(seconds * rate), dtype=np.float32)

    parts: list[Audio] = [silence(pacing.lead_in)]
    offset = parts[0].size
    starts: list[int] = []
    texts: list[str] = []
    for index, beat in enumerate(scene.beats):
        if index:
            gap = silence(pacing.between_beats)
            parts.append(gap)
            offset += gap.size
        spoken = trim_silence(
            engine.synthesize(narration_to_speech(beat.narration, letters=engine.letter_spellings)), rate
        )
        starts.append(offset)
        texts.append(narration_to_speech(beat.narration))
        parts.append(spoken)
        offset += spoken.size
    parts.append(silence(pacing.tail))
    audio = normalize_loudness(
        np.concatenate(parts), rate, target_lufs=pacing.target_lufs, peak_ceiling_dbfs=pacing.peak_ceiling_dbfs
    )
    total = audio.size
    ends = [*starts[1:], total]
    beats = [
        BeatTiming(start=start / rate, duration=(end - start) / rate, text=text)
        for start, end, text in zip(starts, ends, texts, strict=True)
    ]
    timing = SceneTiming(scene_index=scene_index, duration=total / rate, beats=beats)
    return SpokenScene(wav_bytes=encode_wav(audio, rate), timing=timing)
