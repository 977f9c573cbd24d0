import io
import wave
from types import MappingProxyType

import numpy as np
import pyloudnorm
import pytest

from mathreel_scenelang.storyboard import Beat, Scene
from mathreel_tts.engines import TtsEngine, create_engine
from mathreel_tts.scene import DEFAULT_PACING, Pacing, encode_wav, normalize_loudness, speak_scene, trim_silence

RATE = 16000


def _read_wav(data: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(data)) as wav:
        assert wav.getnchannels() == 1
        assert wav.getsampwidth() == 2
        samples = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float64) / 32768
        return samples, wav.getframerate()


def _scene(*narrations: str) -> Scene:
    return Scene(id="demo", beats=[Beat(narration=text) for text in narrations])


class _ToneEngine:
    """Speaks each character as 10 ms of tone, padded with engine silence that speak_scene must trim."""

    name = "tone"
    sample_rate = RATE
    letter_spellings = MappingProxyType({"a": "eh"})

    def __init__(self) -> None:
        self.heard: list[str] = []

    def synthesize(self, text: str) -> np.ndarray:
        self.heard.append(text)
        # A full-scale-square tone: every sample is loud, so the trim boundaries are exact.
        tone = 0.3 * (-1.0) ** np.arange(len(text) * RATE // 100)
        pad = np.zeros(RATE // 10)
        return np.concatenate([pad, tone, pad]).astype(np.float32)


def test_beats_start_at_exact_sample_offsets_and_tile_the_scene() -> None:
    engine = _ToneEngine()
    pacing = Pacing(lead_in=0.1, between_beats=0.25, tail=0.3)
    spoken = speak_scene(_scene("One.", "Then $a^2$ follows.", "Done!"), 4, engine, pacing=pacing)

    samples, rate = _read_wav(spoken.wav_bytes)
    timing = spoken.timing
    assert rate == RATE
    assert timing.scene_index == 4
    assert engine.heard == ["One.", "Then eh squared follows.", "Done!"]
    assert [beat.text for beat in timing.beats] == ["One.", "Then a squared follows.", "Done!"]
    # Trimming keeps 20 ms of the engine's own silence on each side of the tone.
    margin = round(0.02 * RATE)
    expected, offset = [], round(0.1 * RATE)
    for text in engine.heard:
        expected.append(offset)
        offset += len(text) * RATE // 100 + 2 * margin + round(0.25 * RATE)
    assert [round(beat.start * RATE) for beat in timing.beats] == expected
    assert [beat.start * RATE for beat in timing.beats] == pytest.approx(expected, abs=1e-6)
    for beat, following in zip(timing.beats, timing.beats[1:], strict=False):
        assert beat.start + beat.duration == pytest.approx(following.start, abs=1e-9)
    last = timing.beats[-1]
    assert last.start + last.duration == pytest.approx(timing.duration, abs=1e-9)
    assert timing.duration == samples.size / rate
    # Before each beat's tone: the pause and the kept margin, all true silence; then the tone.
    for start in expected:
        assert not samples[start - round(0.25 * RATE) : start + margin].any()
        assert np.abs(samples[start + margin]) > 0.05


def test_speak_scene_with_piper_times_three_beats() -> None:
    engine: TtsEngine = create_engine("piper")
    scene = _scene(
        "Take a right triangle with legs $a$ and $b$.",
        "Pythagoras tells us that $a^2 + b^2 = c^2$.",
        "So the hypotenuse is $\\sqrt{a^2 + b^2}$.",
    )
    spoken = speak_scene(scene, 0, engine)

    samples, rate = _read_wav(spoken.wav_bytes)
    timing = spoken.timing
    assert rate == engine.sample_rate == 22050
    assert timing.duration == samples.size / rate
    assert len(timing.beats) == 3
    assert timing.beats[0].start == round(DEFAULT_PACING.lead_in * rate) / rate
    assert timing.beats[1].text == "Pythagoras tells us that a squared plus b squared equals c squared."
    for beat, following in zip(timing.beats, timing.beats[1:], strict=False):
        assert beat.start < following.start
        assert beat.start + beat.duration == pytest.approx(following.start, abs=1e-9)
        # Each beat's interval ends with the silent pause that precedes the next beat.
        start = round(following.start * rate)
        assert not samples[start - round(DEFAULT_PACING.between_beats * rate) : start].any()
    for beat in timing.beats:
        offset = beat.start * rate
        assert offset == pytest.approx(round(offset), abs=1e-6)
        assert 1.0 < beat.duration < 8.0
    assert timing.beats[-1].start + timing.beats[-1].duration == pytest.approx(timing.duration, abs=1e-9)
    loudness = pyloudnorm.Meter(rate).integrated_loudness(samples)
    assert loudness == pytest.approx(DEFAULT_PACING.target_lufs, abs=0.5)
    assert np.abs(samples).max() <= 10 ** (DEFAULT_PACING.peak_ceiling_dbfs / 20) + 1e-4


def test_normalize_loudness_reaches_target_without_clipping() -> None:
    t = np.arange(3 * RATE) / RATE
    quiet = (0.01 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    quiet[RATE : RATE + 10] = 0.2  # a click that the gain would push past full scale
    louder = normalize_loudness(quiet, RATE, target_lufs=-16.0, peak_ceiling_dbfs=-1.0)
    assert pyloudnorm.Meter(RATE).integrated_loudness(louder.astype(np.float64)) == pytest.approx(-16.0, abs=0.2)
    assert np.abs(louder).max() <= 10 ** (-1 / 20) + 1e-6
    assert louder.size == quiet.size


def test_normalize_loudness_leaves_silence_and_tiny_clips_alone() -> None:
    silence = np.zeros(RATE, dtype=np.float32)
    assert not normalize_loudness(silence, RATE).any()
    blip = np.full(100, 0.1, dtype=np.float32)
    assert np.array_equal(normalize_loudness(blip, RATE), blip)


def test_trim_silence_keeps_a_margin_around_the_sound() -> None:
    audio = np.zeros(RATE, dtype=np.float32)
    audio[4000:6000] = 0.5
    trimmed = trim_silence(audio, RATE, margin=0.01)
    assert trimmed.size == 2000 + 2 * 160
    assert trim_silence(np.zeros(50, dtype=np.float32), RATE).size == 0


def test_encode_wav_round_trips_16_bit_pcm() -> None:
    audio = np.array([0.0, 0.5, -0.5, 1.0, -1.0, 2.0], dtype=np.float32)
    samples, rate = _read_wav(encode_wav(audio, RATE))
    assert rate == RATE
    assert samples * 32768 == pytest.approx([0, 16384, -16384, 32767, -32767, 32767], abs=1)
