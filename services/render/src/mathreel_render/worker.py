"""The render worker: scene clips + narration → the final MP4, thumbnail and captions, uploaded.

The result is cached like the scenes (``CacheKind.VIDEO``, docs/cache.md): keyed by the scenes' narration and clip
keys, their timings, the title, the quality and this code, so an identical job gets copies of the same four files
without downloading, joining or muxing anything. So is each scene's narration encoded for the join
(``CacheKind.NARRATION``, keyed by its speech key and its clip's length): a revision that changed one scene encodes
that scene's narration only and copies every other scene's, clips and narration alike, packet by packet.
"""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from functools import lru_cache
from pathlib import Path

import av

from mathreel_render.assemble import AssembledVideo, assemble_from_pieces, assemble_video, copy_plan
from mathreel_render.audio import NARRATION_PIECE_FORMAT, encode_narration_piece
from mathreel_render.video import StreamCopyImpossible
from mathreel_shared.cache import ArtifactCache, CacheKind, Produced, content_key, package_fingerprint
from mathreel_shared.contracts import RENDER
from mathreel_shared.domain import QUALITY_PRESETS, Stage
from mathreel_shared.keys import captions_key, thumbnail_key, video_key
from mathreel_shared.messages import RenderCompleted, RenderRequested, StageProgress, VideoMetadata
from mathreel_shared.runtime import ServiceRuntime, serve_stage
from mathreel_shared.usage import CpuMeter


@lru_cache(maxsize=1)
def render_version() -> str:
    """PyAV's release, the FFmpeg it links (release and library versions) and a hash of this package's code: an
    upgrade of either, or a change to muxing, thumbnails or captions, gives another value."""
    libraries = ", ".join(f"{name} {'.'.join(map(str, found))}" for name, found in sorted(av.library_versions.items()))
    ffmpeg = getattr(av, "ffmpeg_version_info", "unknown")
    return f"pyav {av.__version__}; ffmpeg {ffmpeg} ({libraries}); code {package_fingerprint('mathreel_render')}"


def video_cache_key(message: RenderRequested) -> str | None:
    """The content address of the final video (and its thumbnail and captions): each scene's narration and clip
    key, the timings, title, quality and render version. None when a scene's keys are not known (an older
    orchestrator, a scene made without the cache's keys): then nothing is cached."""
    audio, clips = message.audio_cache_keys, message.clip_cache_keys
    if audio is None or clips is None or not len(audio) == len(clips) == len(message.clip_keys):
        return None
    inputs = {
        "narration": audio,
        "clips": clips,
        "timings": [timing.model_dump(mode="json") for timing in message.timings],
        "title": message.title,
        "quality": message.quality.value,
        "preset": dataclasses.asdict(QUALITY_PRESETS[message.quality]),
        "renderer": render_version(),
    }
    return content_key(CacheKind.VIDEO, message.user_id, inputs)


def narration_piece_key(user_id: str, speech_key: str, clip_samples: int) -> str:
    """The content address of a scene's narration encoded for the join: what was spoken (its speech key), the
    length of the clip it is fitted to, the encoding and the render version."""
    inputs = {
        "speech": speech_key,
        "clip_samples": clip_samples,
        "format": NARRATION_PIECE_FORMAT,
        "renderer": render_version(),
    }
    return content_key(CacheKind.NARRATION, user_id, inputs)


async def register(runtime: ServiceRuntime) -> Callable[[], Awaitable[None]]:
    work_root = (runtime.settings.work_dir / "render").resolve()
    work_root.mkdir(parents=True, exist_ok=True)
    cache = ArtifactCache.from_settings(runtime.settings, runtime.store)
    # Hashing the code takes a moment: once, before the first message.
    await asyncio.to_thread(render_version)

    async def uploading(message: RenderRequested) -> None:
        await runtime.bus.publish(StageProgress(**message.job_fields(), stage=Stage.UPLOADING, fraction=0.0))

    async def work(message: RenderRequested) -> None:
        meter = CpuMeter()
        work_dir = Path(tempfile.mkdtemp(prefix=f"{message.job_id}-", dir=work_root))
        cancelled = runtime.cancellations.checker(message.job_id)

        async def pieces(clips: list[Path], plan: list[int], speech_keys: list[str]) -> list[Path]:
            """Each scene's narration encoded for its clip: from the cache, or encoded (and cached) here."""

            async def piece(index: int) -> Path:
                path = work_dir / f"narration_{index:03d}.m4a"

                async def encode() -> Produced:
                    wav = work_dir / f"audio_{index:03d}.wav"
                    await runtime.store.download_file(message.audio_keys[index], wav)
                    await asyncio.to_thread(encode_narration_piece, wav, plan[index], path, cancelled)
                    return Produced("audio/mp4", path=path)

                await cache.fetch(
                    CacheKind.NARRATION,
                    message.user_id,
                    narration_piece_key(message.user_id, speech_keys[index], plan[index]),
                    suffix=".m4a",
                    path=path,
                    produce=encode,
                    cancelled=cancelled,
                )
                return path

            return list(await asyncio.gather(*(piece(index) for index in range(len(clips)))))

        async def assemble() -> AssembledVideo:
            clips = [work_dir / f"clip_{i:03d}.mp4" for i in range(len(message.clip_keys))]
            await asyncio.gather(
                *(runtime.store.download_file(k, p) for k, p in zip(message.clip_keys, clips, strict=True))
            )
            speech_keys = message.audio_cache_keys
            plan = await asyncio.to_thread(copy_plan, clips, cancelled) if cache.enabled and speech_keys else None
            if plan is not None and speech_keys is not None and len(speech_keys) == len(clips):
                narration = await pieces(clips, plan, speech_keys)
                try:
                    return await asyncio.to_thread(
                        assemble_from_pieces,
                        clips,
                        narration,
                        message.timings,
                        work_dir / "out",
                        title=message.title,
                        cancelled=cancelled,
                    )
                except StreamCopyImpossible:
                    pass  # the clips' timestamps cannot be laid end to end: re-encoded below, with the WAVs
            audio = [work_dir / f"audio_{i:03d}.wav" for i in range(len(message.audio_keys))]
            await asyncio.gather(
                *(runtime.store.download_file(k, p) for k, p in zip(message.audio_keys, audio, strict=True))
            )
            return await asyncio.to_thread(
                assemble_video,
                clips,
                audio,
                message.timings,
                message.quality,
                work_dir / "out",
                title=message.title,
                cancelled=cancelled,
            )

        async def produce() -> Produced:
            assembled = await assemble()
            await uploading(message)
            files = (assembled.video_path, assembled.thumbnail_path, assembled.vtt_path, assembled.srt_path)
            return Produced(
                "video/mp4",
                path=assembled.video_path,
                meta={
                    "metadata": assembled.metadata.model_dump(mode="json"),
                    "bytes": sum(path.stat().st_size for path in files),
                },
                companions={
                    ".jpg": Produced("image/jpeg", path=assembled.thumbnail_path),
                    ".vtt": Produced("text/vtt", path=assembled.vtt_path),
                    ".srt": Produced("application/x-subrip", path=assembled.srt_path),
                },
            )

        try:
            keys = {
                "video": video_key(message.user_id, message.job_id),
                "thumbnail": thumbnail_key(message.user_id, message.job_id),
                "vtt": captions_key(message.user_id, message.job_id, "vtt"),
                "srt": captions_key(message.user_id, message.job_id, "srt"),
            }
            # The companions are put in place first: once the video exists, everything it links to exists too.
            served = await cache.serve(
                CacheKind.VIDEO,
                message.user_id,
                await asyncio.to_thread(video_cache_key, message),
                suffix=".mp4",
                target_key=keys["video"],
                produce=produce,
                cancelled=cancelled,
                companion_keys={".jpg": keys["thumbnail"], ".vtt": keys["vtt"], ".srt": keys["srt"]},
            )
            if served.cache == "hit":
                # The same stages as a render that made the video: the copies were its upload.
                await uploading(message)
            await runtime.bus.publish(
                RenderCompleted(
                    **message.job_fields(),
                    video_key=keys["video"],
                    thumbnail_key=keys["thumbnail"],
                    captions_key=keys["vtt"],
                    srt_key=keys["srt"],
                    metadata=VideoMetadata.model_validate(served.meta["metadata"]),
                    cpu_seconds=meter.seconds(),
                    bytes_stored=int(served.meta["bytes"]),
                    cache=served.cache,
                )
            )
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)

    await serve_stage(runtime, RENDER, work, prefetch=1)
    return cache.close
