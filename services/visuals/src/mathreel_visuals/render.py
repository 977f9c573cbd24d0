"""``render_scene``: one storyboard scene and its narration timing → a silent MP4 clip."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib.util
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from mathreel_shared.domain import QUALITY_PRESETS, Quality
from mathreel_shared.storyboard import SceneTiming, Storyboard
from mathreel_visuals.errors import VisualsError
from mathreel_visuals.spec import RenderOutcome, RenderSpec
from mathreel_visuals.validation import validate_scene

POLL_SECONDS = 0.5
_STDERR_TAIL = 4000

# TeX reads these from the environment: no shell escape, and (paranoid mode) no reading or writing of files by
# absolute path outside TEXMFOUTPUT, which is set to the render's own temporary directory.
_SAFE_TEX_ENV = {"shell_escape": "f", "openout_any": "p", "openin_any": "p"}


@dataclass(frozen=True)
class RenderedClip:
    """A rendered scene clip, described by what was measured in the file, not by what was asked for."""

    path: Path
    duration: float
    width: int
    height: int
    fps: float
    layout_report: dict[str, Any]


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
) -> RenderedClip:
    """Render scene ``scene_index`` of ``storyboard`` to ``out_path`` as a silent MP4 timed to ``timing``.

    Manim runs in a subprocess under a temporary directory inside ``work_dir`` (removed afterwards).
    ``cancelled`` is polled about every half second; when it returns True the render is killed and
    ``VisualsError("cancelled")`` is raised. Every other failure is a :class:`VisualsError` whose ``code`` says
    what went wrong and whether retrying can help.

    ``tex_cache``, a directory kept between renders, lets renders reuse each other's typeset formulas (files are
    named by a hash of the full LaTeX source, template included); without it every render typesets from scratch.
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
        stderr_tail = await run_tex_subprocess(
            "mathreel_visuals.scene_runner", [str(spec_path), str(clip_tmp)], tex_out, cancelled
        )
        outcome = _read_outcome(Path(spec.report_path), stderr_tail)
        if not outcome.ok:
            raise VisualsError(
                outcome.error_code or "render_failed",
                outcome.error_message or "the render failed",
                retryable=outcome.retryable,
            )
        out_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(clip_tmp, out_path)
        return _describe(out_path, outcome.report)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


async def run_tex_subprocess(
    module: str,
    args: list[str],
    tex_out: Path,
    cancelled: Callable[[], bool] | None = None,
    *,
    timeout: float | None = None,
) -> str:
    """Run ``python -m module args`` with TeX locked down (no shell escape, writes only under ``tex_out``) in its own
    process group, killed with everything it started when ``cancelled()`` turns true, after ``timeout`` seconds
    (``VisualsError("render_timeout")``) or when the caller is cancelled. Returns the tail of its stderr."""
    tex_out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **_SAFE_TEX_ENV, "TEXMFOUTPUT": str(tex_out), "PYTHONUNBUFFERED": "1"}
    env.update(bytecode_cache_env())
    if "PYTHONPYCACHEPREFIX" in env:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=env,
        # Its own process group, so killing it also kills the latex and dvisvgm it started.
        start_new_session=True,
    )
    assert proc.stderr is not None
    tail = bytearray()

    async def drain() -> None:
        assert proc.stderr is not None
        while chunk := await proc.stderr.read(65536):
            tail.extend(chunk)
            del tail[:-_STDERR_TAIL]

    reader = asyncio.create_task(drain())
    deadline = None if timeout is None else asyncio.get_running_loop().time() + timeout
    try:
        while True:
            try:
                await asyncio.wait_for(asyncio.shield(proc.wait()), timeout=POLL_SECONDS)
                break
            except TimeoutError:
                if deadline is not None and asyncio.get_running_loop().time() > deadline:
                    _kill(proc)
                    await proc.wait()
                    raise VisualsError(
                        "render_timeout", f"{module} took longer than {timeout:.0f} s", retryable=True
                    ) from None
                if cancelled is not None and cancelled():
                    _kill(proc)
                    await proc.wait()
                    raise VisualsError("cancelled", "the render was cancelled") from None
    except BaseException:
        # Also on task cancellation: never leave a render running behind us.
        if proc.returncode is None:
            _kill(proc)
            await proc.wait()
        raise
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(reader, timeout=5)
    return tail.decode("utf-8", errors="replace")


@functools.cache
def bytecode_cache_env() -> dict[str, str]:
    """Environment that lets render subprocesses keep compiled bytecode, when the installation has none.

    Images compile bytecode at build time. Where the environment has none and forbids writing it next to the sources
    (``PYTHONDONTWRITEBYTECODE``), every render would compile Manim, NumPy and friends from source — seconds of CPU
    per scene. They then keep it in a private cache directory instead (owned by us, closed to others, since Python
    runs what it finds there).
    """
    spec = importlib.util.find_spec("manim")
    if spec is None or spec.origin is None or Path(importlib.util.cache_from_source(spec.origin)).exists():
        return {}
    cache = Path(tempfile.gettempdir()) / f"mathreel-pycache-{os.getuid()}"
    try:
        cache.mkdir(mode=0o700, exist_ok=True)
        info = cache.stat()
    except OSError:
        return {}
    if info.st_uid != os.getuid() or info.st_mode & 0o077:
        return {}
    return {"PYTHONPYCACHEPREFIX": str(cache)}


def _kill(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def _read_outcome(path: Path, stderr_tail: str) -> RenderOutcome:
    try:
        return RenderOutcome.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        # The process died before writing its outcome (killed, out of memory): say what it printed last.
        reason = last_line(stderr_tail, "the render process exited without a result")
        return RenderOutcome(ok=False, error_code="render_failed", error_message=reason, retryable=True)


def last_line(stderr_tail: str, default: str) -> str:
    """The last line a subprocess printed (at most 400 characters), or ``default`` when it printed nothing."""
    lines = [line.strip() for line in stderr_tail.splitlines() if line.strip()]
    return lines[-1][:400] if lines else default


def _describe(path: Path, report: dict[str, Any]) -> RenderedClip:
    """Measure the file: the worker must report what was rendered, not what was requested."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        # The nominal rate: the container's average rate is skewed by its time-base rounding.
        fps = float(stream.guessed_rate or stream.average_rate or 0)
        frames = stream.frames or sum(1 for packet in container.demux(stream) if packet.size)
        duration = frames / fps if fps else float(container.duration or 0) / 1_000_000
        return RenderedClip(path, duration, stream.width, stream.height, fps, report)
