"""``render_scene``: one storyboard scene and its narration timing → a silent MP4 clip."""

from __future__ import annotations

import asyncio
import shutil
import signal
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from mathreel_scenelang.render.spec import RenderOutcome, RenderSpec
from mathreel_scenelang.render.tex_process import last_line, run_tex_subprocess
from mathreel_scenelang.storyboard import Storyboard
from mathreel_shared.domain import QUALITY_PRESETS, Quality
from mathreel_shared.timing import SceneTiming
from mathreel_visuals.errors import VisualsError
from mathreel_visuals.pool import RendererPool
from mathreel_visuals.validation import validate_scene


@dataclass(frozen=True)
class RenderedClip:
    """A rendered scene clip, described by what was measured in the file, not by what was asked for."""

    path: Path
    duration: float
    width: int
    height: int
    fps: float
    layout_report: dict[str, Any]
    # CPU seconds of a render in the warm pool: a child of its fork server, never of this process, so a
    # ``CpuMeter`` here cannot see it. 0 for a render in a subprocess of this process (the meter counts that one).
    pooled_cpu_seconds: float = 0.0


async def render_scene(
    storyboard: Storyboard,
    scene_index: int,
    timing: SceneTiming,
    quality: Quality,
    out_path: Path,
    work_dir: Path,
    *,
    cancelled: Callable[[], bool] | None = None,
    tex_cache: Path | None = None,
    pool: RendererPool | None = None,
    timeout: float | None = None,
) -> RenderedClip:
    """Render scene ``scene_index`` of ``storyboard`` to ``out_path`` as a silent MP4 timed to ``timing``.

    Manim runs in a subprocess under a temporary directory inside ``work_dir`` (removed afterwards).
    ``cancelled`` is polled about every half second; when it returns True the render is killed and
    ``VisualsError("cancelled")`` is raised. Every other failure is a :class:`VisualsError` whose ``code`` says
    what went wrong and whether retrying can help.

    ``tex_cache``, a directory kept between renders, lets renders reuse each other's typeset formulas (files are
    named by a hash of the full LaTeX source, template included); without it every render typesets from scratch.

    With a ``pool`` the render runs in a child of its warm fork server (Manim already imported) instead of a new
    Python process; the result is the same. ``timeout`` (seconds; the pool's own by default) stops a render that
    runs too long with a retryable ``VisualsError("render_timeout")``.
    """
    if not 0 <= scene_index < len(storyboard.scenes):
        raise VisualsError("invalid_scene", f"scene index {scene_index} is out of range")
    scene = storyboard.scenes[scene_index]
    # Off the event loop: the checks parse the scene's LaTeX and expressions, user text.
    await asyncio.to_thread(validate_scene, scene, timing)
    preset = QUALITY_PRESETS[quality]
    work_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"scene{scene_index:03d}-", dir=work_dir))
    try:
        spec = RenderSpec(
            scene=scene,
            timing=timing,
            width=preset.width,
            height=preset.height,
            fps=preset.fps,
            encoder_options={"preset": preset.x264_preset, "crf": str(preset.crf)},
            media_dir=str(tmp / "media"),
            report_path=str(tmp / "outcome.json"),
            tex_dir=str(tex_cache) if tex_cache is not None else None,
        )
        spec_path = tmp / "spec.json"
        spec_path.write_text(spec.model_dump_json(), encoding="utf-8")
        clip_tmp = tmp / "clip.mp4"
        # TeX may write only under TEXMFOUTPUT (paranoid mode): the render's own directory, or the shared cache.
        tex_out = tex_cache if tex_cache is not None else tmp
        pooled_cpu_seconds = 0.0
        if pool is None:
            stderr_tail = await run_tex_subprocess(
                "mathreel_visuals.scene_runner", [str(spec_path), str(clip_tmp)], tex_out, cancelled, timeout=timeout
            )
        else:
            stderr_path = tmp / "stderr.txt"
            ended = await pool.run(
                spec_path, clip_tmp, tex_out=tex_out, stderr_path=stderr_path, cancelled=cancelled, timeout=timeout
            )
            stderr_tail = _tail(stderr_path)
            pooled_cpu_seconds = ended.cpu_seconds
            if ended.signal:
                stderr_tail += f"\nthe render process was killed ({_signal_name(ended.signal)})"
        outcome = _read_outcome(Path(spec.report_path), stderr_tail)
        if not outcome.ok:
            raise VisualsError(
                outcome.error_code or "render_failed",
                outcome.error_message or "the render failed",
                retryable=outcome.retryable,
            )
        out_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(clip_tmp, out_path)
        return _describe(out_path, outcome.report, pooled_cpu_seconds)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _tail(path: Path, size: int = 4000) -> str:
    try:
        with path.open("rb") as stream:
            stream.seek(max(path.stat().st_size - size, 0))
            return stream.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _read_outcome(path: Path, stderr_tail: str) -> RenderOutcome:
    try:
        return RenderOutcome.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        # The process died before writing its outcome (killed, out of memory): say what it printed last.
        reason = last_line(stderr_tail, "the render process exited without a result")
        return RenderOutcome(ok=False, error_code="render_failed", error_message=reason, retryable=True)


def _describe(path: Path, report: dict[str, Any], pooled_cpu_seconds: float) -> RenderedClip:
    """Measure the file: the worker must report what was rendered, not what was requested."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        # The nominal rate: the container's average rate is skewed by its time-base rounding.
        fps = float(stream.guessed_rate or stream.average_rate or 0)
        frames = stream.frames or sum(1 for packet in container.demux(stream) if packet.size)
        duration = frames / fps if fps else float(container.duration or 0) / 1_000_000
        return RenderedClip(path, duration, stream.width, stream.height, fps, report, pooled_cpu_seconds)
