"""The render worker: scene clips + narration → the final MP4, thumbnail and captions, uploaded."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from mathreel_render.assemble import assemble_video
from mathreel_shared.contracts import RENDER
from mathreel_shared.domain import Stage
from mathreel_shared.keys import captions_key, thumbnail_key, video_key
from mathreel_shared.messages import RenderCompleted, RenderRequested, StageProgress
from mathreel_shared.runtime import ServiceRuntime, serve_stage
from mathreel_shared.usage import CpuMeter


async def register(runtime: ServiceRuntime) -> None:
    work_root = (runtime.settings.work_dir / "render").resolve()
    work_root.mkdir(parents=True, exist_ok=True)

    async def work(message: RenderRequested) -> None:
        meter = CpuMeter()
        work_dir = Path(tempfile.mkdtemp(prefix=f"{message.job_id}-", dir=work_root))
        try:
            clips = [work_dir / f"clip_{i:03d}.mp4" for i in range(len(message.clip_keys))]
            audio = [work_dir / f"audio_{i:03d}.wav" for i in range(len(message.audio_keys))]
            await asyncio.gather(
                *(runtime.store.download_file(k, p) for k, p in zip(message.clip_keys, clips, strict=True)),
                *(runtime.store.download_file(k, p) for k, p in zip(message.audio_keys, audio, strict=True)),
            )
            assembled = await asyncio.to_thread(
                assemble_video,
                clips,
                audio,
                message.timings,
                message.quality,
                work_dir / "out",
                title=message.title,
                cancelled=runtime.cancellations.checker(message.job_id),
            )
            await runtime.bus.publish(
                StageProgress(
                    **message.job_fields(),
                    stage=Stage.UPLOADING,
                    fraction=0.0,
                )
            )
            keys = {
                "video": video_key(message.user_id, message.job_id),
                "thumbnail": thumbnail_key(message.user_id, message.job_id),
                "vtt": captions_key(message.user_id, message.job_id, "vtt"),
                "srt": captions_key(message.user_id, message.job_id, "srt"),
            }
            # The video goes last: once it exists, everything it links to exists too.
            await asyncio.gather(
                runtime.store.put_file(keys["thumbnail"], assembled.thumbnail_path, "image/jpeg"),
                runtime.store.put_file(keys["vtt"], assembled.vtt_path, "text/vtt"),
                runtime.store.put_file(keys["srt"], assembled.srt_path, "application/x-subrip"),
            )
            await runtime.store.put_file(keys["video"], assembled.video_path, "video/mp4")
            await runtime.bus.publish(
                RenderCompleted(
                    **message.job_fields(),
                    video_key=keys["video"],
                    thumbnail_key=keys["thumbnail"],
                    captions_key=keys["vtt"],
                    srt_key=keys["srt"],
                    metadata=assembled.metadata,
                    cpu_seconds=meter.seconds(),
                    bytes_stored=sum(
                        path.stat().st_size
                        for path in (
                            assembled.video_path,
                            assembled.thumbnail_path,
                            assembled.vtt_path,
                            assembled.srt_path,
                        )
                    ),
                )
            )
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)

    await serve_stage(runtime, RENDER, work, prefetch=1)
