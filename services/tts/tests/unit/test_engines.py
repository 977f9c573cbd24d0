from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pytest

from mathreel_tts import engines
from mathreel_tts.engines import (
    EngineOptions,
    EngineUnavailableError,
    EspeakEngine,
    TtsEngine,
    UnknownEngineError,
    UnknownVoiceError,
    available_engines,
    create_engine,
    register_engine,
)


def test_espeak_engine_speaks_mono_float_audio() -> None:
    engine = create_engine("espeak")
    audio = engine.synthesize("The square root of two is irrational.")
    assert engine.name == "espeak"
    assert engine.sample_rate == 22050
    assert audio.dtype == np.float32
    assert audio.ndim == 1
    assert 1.0 < audio.size / engine.sample_rate < 6.0
    assert float(np.max(np.abs(audio))) <= 1.0
    assert float(np.sqrt(np.mean(audio**2))) > 0.01


def test_espeak_engine_speaks_nothing_for_empty_text() -> None:
    assert create_engine("espeak").synthesize("   ").size == 0


def test_length_scale_slows_speech_down() -> None:
    text = "One two three four five six seven eight nine ten."
    normal = create_engine("espeak", length_scale=1.0).synthesize(text)
    slow = create_engine("espeak", length_scale=1.5).synthesize(text)
    assert slow.size > 1.3 * normal.size


def test_espeak_falls_back_to_english_for_a_piper_voice_name() -> None:
    engine = create_engine("espeak", voice="joe")
    assert isinstance(engine, EspeakEngine)
    assert engine.voice == "en-us"


def test_unknown_espeak_voice_is_a_clear_error() -> None:
    with pytest.raises(UnknownVoiceError, match="no voice 'xx-nowhere'"):
        create_engine("espeak", voice="xx-nowhere")


def test_unknown_piper_voice_names_the_choices() -> None:
    with pytest.raises(UnknownVoiceError, match="use 'joe'"):
        create_engine("piper", voice="nobody")


def test_unknown_engine_lists_available_engines() -> None:
    with pytest.raises(UnknownEngineError, match=r"unknown tts engine 'festival'; available engines: .*espeak.*piper"):
        create_engine("festival")


def test_planned_cloud_engine_says_it_is_not_implemented() -> None:
    with pytest.raises(EngineUnavailableError, match=r"'openai' is not implemented yet .*mathreel-tts\[openai\]"):
        create_engine("openai")


def test_length_scale_must_be_positive() -> None:
    with pytest.raises(ValueError, match="length_scale must be positive"):
        create_engine("espeak", length_scale=0)


class _SilentEngine:
    name = "silent"
    sample_rate = 8000
    letter_spellings: Mapping[str, str] = MappingProxyType({})

    def __init__(self, options: EngineOptions) -> None:
        self.options = options

    def synthesize(self, text: str) -> np.ndarray:
        return np.zeros(len(text), dtype=np.float32)


def test_registered_engines_are_created_by_name_with_their_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "_REGISTRY", dict(engines._REGISTRY))
    register_engine("silent-test", _SilentEngine, replace=True)
    engine = create_engine("silent-test", voice="v1", length_scale=1.2)
    assert isinstance(engine, _SilentEngine)
    assert isinstance(engine, TtsEngine)
    assert engine.options == EngineOptions(voice="v1", length_scale=1.2)
    assert "silent-test" in available_engines()
    with pytest.raises(ValueError, match="already registered"):
        register_engine("silent-test", _SilentEngine)
