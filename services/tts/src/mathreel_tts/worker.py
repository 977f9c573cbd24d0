"""The tts worker: one scene's narration → a WAV and its measured per-sentence timing."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import subprocess
from collections.abc import Awaitable, Callable
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from mathreel_scenelang.mathspeech import narration_to_speech
from mathreel_scenelang.storyboard import Scene, Storyboard
from mathreel_shared.cache import ArtifactCache, CacheKind, Produced, content_key, package_fingerprint
from mathreel_shared.contracts import TTS
from mathreel_shared.keys import scene_audio_key
from mathreel_shared.messages import TtsCompleted, TtsRequested
from mathreel_shared.runtime import ServiceRuntime, serve_stage
from mathreel_shared.settings import Settings
from mathreel_shared.timing import SceneTiming
from mathreel_shared.usage import CpuMeter
from mathreel_tts.engines import TtsEngine, create_engine, piper_voice_files
from mathreel_tts.scene import speak_scene


async def load_storyboard(runtime: ServiceRuntime, key: str) -> Storyboard:
    # Parsed off the event loop: probes and other messages keep being answered meanwhile.
    return await asyncio.to_thread(Storyboard.model_validate_json, await runtime.store.get_bytes(key))


def _distribution_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "absent"


@lru_cache(maxsize=4)
def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@lru_cache(maxsize=4)
def engine_version(engine_name: str, voice: str) -> str:
    """What identifies the voice's sound beyond its name: the engine's release and the voice model's bytes.

    An upgraded Piper, an edited voice file or a new espeak-ng gives another value, so cached narration made with
    the old one is never served again.
    """
    if engine_name == "piper":
        model, config = piper_voice_files(voice)
        piper = _distribution_version("piper-tts")
        return f"piper-tts {piper}; model {_file_digest(model)}; config {_file_digest(config)}"
    if engine_name == "espeak":
        binary = shutil.which("espeak-ng")
        if binary is None:
            return "espeak-ng absent"
        result = subprocess.run([binary, "--version"], capture_output=True, check=False, timeout=30)
        return result.stdout.decode(errors="replace").strip()
    # A plug-in engine: its distribution's version is the best identity we have.
    return f"{engine_name} {_distribution_version(engine_name)}"


def speech_key(user_id: str, scene: Scene, engine: TtsEngine, settings: Settings) -> str:
    """The content address of a scene's narration: each beat's text as the engine reads it and as captions show it,
    the engine, voice, rate and engine version, and the synthesis code (pacing, trimming, loudness)."""
    inputs: dict[str, Any] = {
        "beats": [
            [narration_to_speech(beat.narration, letters=engine.letter_spellings), narration_to_speech(beat.narration)]
            for beat in scene.beats
        ],
        "engine": settings.tts_engine,
        "voice": settings.tts_voice,
        "rate": settings.tts_length_scale,
        "engine_version": engine_version(settings.tts_engine, settings.tts_voice),
        "code": package_fingerprint("mathreel_tts"),
    }
    return content_key(CacheKind.SPEECH, user_id, inputs)


async def register(runtime: ServiceRuntime) -> Callable[[], Awaitable[None]]:
    settings = runtime.settings
    cache = ArtifactCache.from_settings(settings, runtime.store)

    @lru_cache(maxsize=1)
    def engine() -> TtsEngine:
        return create_engine(settings.tts_engine, voice=settings.tts_voice, length_scale=settings.tts_length_scale)

    # The voice loads once, off the event loop, before the first message; so does the code's fingerprint.
    await asyncio.to_thread(engine)
    await asyncio.to_thread(package_fingerprint, "mathreel_tts")
    await asyncio.to_thread(engine_version, settings.tts_engine, settings.tts_voice)

    async def work(message: TtsRequested) -> None:
        meter = CpuMeter()
        storyboard = await load_storyboard(runtime, message.storyboard_key)
        scene = storyboard.scenes[message.scene_index]
        key = scene_audio_key(message.user_id, message.job_id, message.scene_index)

        async def produce() -> Produced:
            spoken = await asyncio.to_thread(speak_scene, scene, message.scene_index, engine())
            return Produced("audio/wav", data=spoken.wav_bytes, meta={"timing": spoken.timing.model_dump(mode="json")})

        cache_key = await asyncio.to_thread(speech_key, message.user_id, scene, engine(), settings)
        served = await cache.serve(
            CacheKind.SPEECH,
            message.user_id,
            cache_key,
            suffix=".wav",
            target_key=key,
            produce=produce,
            cancelled=runtime.cancellations.checker(message.job_id),
        )
        # The same narration may sit at another index in this storyboard than where it was first spoken.
        timing = SceneTiming.model_validate(served.meta["timing"]).model_copy(
            update={"scene_index": message.scene_index}
        )
        await runtime.bus.publish(
            TtsCompleted(
                **message.job_fields(),
                scene_index=message.scene_index,
                audio_key=key,
                timing=timing,
                cache=served.cache,
                cache_key=cache_key,
                cpu_seconds=meter.seconds(),
                # What sits at the job's key, made or copied from the cache.
                bytes_stored=await runtime.store.size(key),
            )
        )

    await serve_stage(runtime, TTS, work, prefetch=1)
    return cache.close
