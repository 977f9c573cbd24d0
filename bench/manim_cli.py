"""Plain Manim, as a Manim user runs it: the baseline the render and pipeline benchmarks measure us against."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from pathlib import Path

from mathreel_scenelang.render.tex_process import bytecode_cache_env
from mathreel_shared.domain import QUALITY_PRESETS, Quality


def manim_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for ``manim``: the same bytecode cache our renders get, so neither side pays for compiling
    Manim from source."""
    env = {**os.environ, **bytecode_cache_env(), **(extra or {})}
    if "PYTHONPYCACHEPREFIX" in env:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


async def run_manim(
    scene_file: Path, scene: str, quality: Quality, media_dir: Path, *, cwd: Path, env: dict[str, str]
) -> None:
    """``manim render`` of one scene at the quality's flag, without Manim's own cache or progress bar; raises with
    Manim's last words when it fails, and kills it when the caller is cancelled (another scene failed)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "manim",
        "render",
        f"-q{QUALITY_PRESETS[quality].manim_flag}",
        "--disable_caching",
        "--progress_bar",
        "none",
        "--verbosity",
        "ERROR",
        "--media_dir",
        str(media_dir),
        str(scene_file),
        scene,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
    )
    try:
        _, err = await proc.communicate()
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        await proc.wait()
        raise
    if proc.returncode != 0:
        raise RuntimeError(f"manim {scene} on {scene_file} failed: {err.decode(errors='replace')[-600:]}")
