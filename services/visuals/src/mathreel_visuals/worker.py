"""The visuals worker: one scene + its narration timing → a silent Manim clip of exactly that length."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from mathreel_scenelang.render.toolchain import tex_toolchain
from mathreel_scenelang.storyboard import Scene, Storyboard
from mathreel_shared.cache import ArtifactCache, CacheKind, Produced, content_key, package_fingerprint
from mathreel_shared.contracts import VISUALS
from mathreel_shared.domain import QUALITY_PRESETS, Quality, Stage
from mathreel_shared.keys import scene_clip_key
from mathreel_shared.messages import StageProgress, VisualsCompleted, VisualsRequested
from mathreel_shared.runtime import ServiceRuntime, serve_stage
from mathreel_shared.timing import SceneTiming
from mathreel_shared.usage import CpuMeter
from mathreel_visuals.errors import VisualsError
from mathreel_visuals.pool import RendererPool
from mathreel_visuals.render import render_scene


@lru_cache(maxsize=1)
def renderer_version() -> str:
    """Manim's release, a hash of the scene language's and this worker's code, and the TeX engine, dvisvgm and
    fonts formulas are typeset with: any change to a builder, the layout, the runner or the TeX installation gives
    another value, so a clip rendered by older code or another TeX is never served again."""
    code = package_fingerprint("mathreel_scenelang", "mathreel_visuals")
    return f"manim {version('manim')}; code {code}; tex {tex_toolchain()}"


def scene_key(user_id: str, scene: Scene, timing: SceneTiming, quality: Quality) -> str:
    """The content address of a scene clip: the scene's canonical JSON, its narration timing (where it sits in the
    storyboard aside), the quality preset and the renderer version."""
    inputs = {
        "scene": scene.model_dump(mode="json"),
        "timing": timing.model_dump(mode="json", exclude={"scene_index"}),
        "quality": quality.value,
        "preset": dataclasses.asdict(QUALITY_PRESETS[quality]),
        "renderer": renderer_version(),
    }
    return content_key(CacheKind.SCENE, user_id, inputs)


async def register(runtime: ServiceRuntime) -> Callable[[], Awaitable[None]]:
    work_root = (runtime.settings.work_dir / "visuals").resolve()
    work_root.mkdir(parents=True, exist_ok=True)
    # Formulas recur across scenes and jobs (axis labels, the lesson's formula in its summary): typeset each once.
    tex_cache = (runtime.settings.work_dir / "tex-cache").resolve()
    settings = runtime.settings
    timeout = settings.visuals_render_timeout_seconds
    pool = None
    if settings.visuals_warm_renderer:
        memory = settings.visuals_render_memory_mb * 2**20 if settings.visuals_render_memory_mb else None
        # Started by the first scene, so a process that never renders never pays for Manim's imports.
        pool = RendererPool(timeout_seconds=timeout, memory_bytes=memory)
    cache = ArtifactCache.from_settings(runtime.settings, runtime.store)
    # Hashing the renderer's code takes a moment: once, before the first message.
    await asyncio.to_thread(renderer_version)

    async def work(message: VisualsRequested) -> None:
        meter = CpuMeter()
        # Parsed off the event loop: probes and other scenes' messages keep being answered meanwhile.
        data = await runtime.store.get_bytes(message.storyboard_key)
        storyboard = await asyncio.to_thread(Storyboard.model_validate_json, data)
        if not 0 <= message.scene_index < len(storyboard.scenes):
            raise VisualsError("invalid_scene", f"scene index {message.scene_index} is out of range")
        scene = storyboard.scenes[message.scene_index]
        work_dir = Path(tempfile.mkdtemp(prefix=f"{message.job_id}-{message.scene_index}-", dir=work_root))
        try:
            await runtime.bus.publish(
                StageProgress(
                    **message.job_fields(),
                    stage=Stage.GENERATING_VISUALS,
                    fraction=0.1,
                    scene_index=message.scene_index,
                )
            )

            async def produce() -> Produced:
                clip = await render_scene(
                    storyboard,
                    message.scene_index,
                    message.timing,
                    message.quality,
                    work_dir / "clip.mp4",
                    work_dir,
                    cancelled=runtime.cancellations.checker(message.job_id),
                    tex_cache=tex_cache,
                    pool=pool,
                    timeout=timeout,
                )
                meter.add(clip.pooled_cpu_seconds)
                return Produced("video/mp4", path=clip.path, meta={"duration": clip.duration})

            key = scene_clip_key(message.user_id, message.job_id, message.scene_index)
            cache_key = await asyncio.to_thread(scene_key, message.user_id, scene, message.timing, message.quality)
            served = await cache.serve(
                CacheKind.SCENE,
                message.user_id,
                cache_key,
                suffix=".mp4",
                target_key=key,
                produce=produce,
                cancelled=runtime.cancellations.checker(message.job_id),
            )
            await runtime.bus.publish(
                VisualsCompleted(
                    **message.job_fields(),
                    scene_index=message.scene_index,
                    clip_key=key,
                    duration=float(served.meta["duration"]),
                    cache=served.cache,
                    cache_key=cache_key,
                    cpu_seconds=meter.seconds(),
                    # What sits at the job's key, made or copied from the cache.
                    bytes_stored=await runtime.store.size(key),
                )
            )
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)

    await serve_stage(runtime, VISUALS, work, prefetch=max(1, runtime.settings.visuals_concurrency))

    async def close() -> None:
        if pool is not None:
            await pool.close()
        await cache.close()

    return close
