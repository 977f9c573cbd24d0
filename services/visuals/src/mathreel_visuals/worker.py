"""The visuals worker: one scene + its narration timing → a silent Manim clip of exactly that length."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from mathreel_scenelang.storyboard import Storyboard
from mathreel_shared.contracts import VISUALS
from mathreel_shared.domain import Stage
from mathreel_shared.keys import scene_clip_key
from mathreel_shared.messages import StageProgress, VisualsCompleted, VisualsRequested
from mathreel_shared.runtime import ServiceRuntime, serve_stage
from mathreel_shared.usage import CpuMeter
from mathreel_visuals.render import render_scene


async def register(runtime: ServiceRuntime) -> None:
    work_root = (runtime.settings.work_dir / "visuals").resolve()
    work_root.mkdir(parents=True, exist_ok=True)
    # Formulas recur across scenes and jobs (axis labels, the lesson's formula in its summary): typeset each once.
    tex_cache = (runtime.settings.work_dir / "tex-cache").resolve()

    async def work(message: VisualsRequested) -> None:
        meter = CpuMeter()
        # Parsed off the event loop: probes and other scenes' messages keep being answered meanwhile.
        data = await runtime.store.get_bytes(message.storyboard_key)
        storyboard = await asyncio.to_thread(Storyboard.model_validate_json, data)
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
            clip = await render_scene(
                storyboard,
                message.scene_index,
                message.timing,
                message.quality,
                work_dir / "clip.mp4",
                work_dir,
                cancelled=runtime.cancellations.checker(message.job_id),
                tex_cache=tex_cache,
            )
            key = scene_clip_key(message.user_id, message.job_id, message.scene_index)
            await runtime.store.put_file(key, clip.path, "video/mp4")
            await runtime.bus.publish(
                VisualsCompleted(
                    **message.job_fields(),
                    scene_index=message.scene_index,
                    clip_key=key,
                    duration=clip.duration,
                    cpu_seconds=meter.seconds(),
                    bytes_stored=clip.path.stat().st_size,
                )
            )
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)

    await serve_stage(runtime, VISUALS, work, prefetch=max(1, runtime.settings.visuals_concurrency))
