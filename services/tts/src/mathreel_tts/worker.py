"""The tts worker: one scene's narration → a WAV and its measured per-sentence timing."""

from __future__ import annotations

import asyncio
from functools import lru_cache

from mathreel_scenelang.storyboard import Storyboard
from mathreel_shared.contracts import TTS
from mathreel_shared.keys import scene_audio_key
from mathreel_shared.messages import TtsCompleted, TtsRequested
from mathreel_shared.runtime import ServiceRuntime, serve_stage
from mathreel_shared.usage import CpuMeter
from mathreel_tts.engines import TtsEngine, create_engine
from mathreel_tts.scene import speak_scene


async def load_storyboard(runtime: ServiceRuntime, key: str) -> Storyboard:
    # Parsed off the event loop: probes and other messages keep being answered meanwhile.
    return await asyncio.to_thread(Storyboard.model_validate_json, await runtime.store.get_bytes(key))


async def register(runtime: ServiceRuntime) -> None:
    settings = runtime.settings

    @lru_cache(maxsize=1)
    def engine() -> TtsEngine:
        return create_engine(settings.tts_engine, voice=settings.tts_voice, length_scale=settings.tts_length_scale)

    # The voice loads once, off the event loop, before the first message.
    await asyncio.to_thread(engine)

    async def work(message: TtsRequested) -> None:
        meter = CpuMeter()
        storyboard = await load_storyboard(runtime, message.storyboard_key)
        scene = storyboard.scenes[message.scene_index]
        spoken = await asyncio.to_thread(speak_scene, scene, message.scene_index, engine())
        key = scene_audio_key(message.user_id, message.job_id, message.scene_index)
        await runtime.store.put_bytes(key, spoken.wav_bytes, "audio/wav")
        await runtime.bus.publish(
            TtsCompleted(
                **message.job_fields(),
                scene_index=message.scene_index,
                audio_key=key,
                timing=spoken.timing,
                cpu_seconds=meter.seconds(),
                bytes_stored=len(spoken.wav_bytes),
            )
        )

    await serve_stage(runtime, TTS, work, prefetch=1)
