"""A narration's cache key: a voice, rate, engine or engine-version change gives another key."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

from mathreel_scenelang.storyboard import Scene, storyboard_adapter
from mathreel_shared.settings import Settings
from mathreel_tts import worker
from mathreel_tts.engines import ESPEAK_LETTER_SPELLINGS
from mathreel_tts.worker import engine_version, speech_key


class SilentEngine:
    name = "piper"
    sample_rate = 16000
    letter_spellings: Mapping[str, str] = ESPEAK_LETTER_SPELLINGS

    def synthesize(self, text: str) -> np.ndarray:  # type: ignore[type-arg]
        return np.zeros(10, dtype=np.float32)


def _scene(narration: str = "The area is $a^2$.") -> Scene:
    board = storyboard_adapter.validate_python(
        {"title": "t", "scenes": [{"id": "s", "beats": [{"narration": narration, "actions": []}]}]}
    )
    return board.scenes[0]


def _settings(**changes: object) -> Settings:
    return Settings(_env_file=None, **changes)  # type: ignore[call-arg, arg-type]


@pytest.fixture
def versions(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Engine versions by voice, without loading voice models."""
    table = {"joe": "piper-tts 1.3.0; model aa", "amy": "piper-tts 1.3.0; model bb"}
    monkeypatch.setattr(worker, "engine_version", lambda _engine, voice: table[voice])
    return table


def test_voice_rate_engine_and_text_change_the_key(versions: dict[str, str]) -> None:
    engine = SilentEngine()
    key = speech_key("alice", _scene(), engine, _settings())
    assert key == speech_key("alice", _scene(), engine, _settings())
    assert key != speech_key("alice", _scene(), engine, _settings(tts_voice="amy"))
    assert key != speech_key("alice", _scene(), engine, _settings(tts_length_scale=1.1))
    assert key != speech_key("alice", _scene(), engine, _settings(tts_engine="espeak"))
    assert key != speech_key("alice", _scene("The area is $b^2$."), engine, _settings())
    assert key != speech_key("bob", _scene(), engine, _settings())


def test_an_upgraded_engine_never_serves_old_narration(versions: dict[str, str]) -> None:
    engine = SilentEngine()
    before = speech_key("alice", _scene(), engine, _settings())
    versions["joe"] = "piper-tts 1.4.0; model aa"
    assert speech_key("alice", _scene(), engine, _settings()) != before


def test_the_piper_version_covers_the_release_and_the_voice_files() -> None:
    identity = engine_version("piper", "joe")
    assert identity.startswith("piper-tts ")
    assert "model " in identity
    assert "config " in identity
