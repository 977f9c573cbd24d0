"""Mathreel speech: narration (with its math read out) to timed, loudness-normalised audio."""

from mathreel_scenelang.mathspeech import latex_to_speech, narration_to_speech
from mathreel_tts.engines import (
    EngineError,
    EngineUnavailableError,
    TtsEngine,
    UnknownEngineError,
    UnknownVoiceError,
    available_engines,
    create_engine,
    register_engine,
)
from mathreel_tts.scene import Pacing, SpokenScene, speak_scene

__all__ = [
    "EngineError",
    "EngineUnavailableError",
    "Pacing",
    "SpokenScene",
    "TtsEngine",
    "UnknownEngineError",
    "UnknownVoiceError",
    "available_engines",
    "create_engine",
    "latex_to_speech",
    "narration_to_speech",
    "register_engine",
    "speak_scene",
]
