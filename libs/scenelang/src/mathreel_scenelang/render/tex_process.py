"""A Python module run in a subprocess with TeX locked down: how renders and the preflight run Manim.

TeX runs with no shell escape and (paranoid mode) may write only under ``TEXMFOUTPUT``; the subprocess has its own
process group, so killing it also kills the latex and dvisvgm it started.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib.util
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from mathreel_scenelang.errors import SceneError

POLL_SECONDS = 0.5
_STDERR_TAIL = 4000

# TeX reads these from the environment: no shell escape, and (paranoid mode) no reading or writing of files by
# absolute path outside TEXMFOUTPUT, which is set to the render's own temporary directory.
_SAFE_TEX_ENV = {"shell_escape": "f", "openout_any": "p", "openin_any": "p"}


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
    (``SceneError("render_timeout")``) or when the caller is cancelled. Returns the tail of its stderr."""
    tex_out.mkdir(parents=True, exist_ok=True)
    env = {**tex_environment(), "TEXMFOUTPUT": str(tex_out)}
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
                    raise SceneError(
                        "render_timeout", f"{module} took longer than {timeout:.0f} s", retryable=True
                    ) from None
                if cancelled is not None and cancelled():
                    _kill(proc)
                    await proc.wait()
                    raise SceneError("cancelled", "the render was cancelled") from None
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


def tex_environment() -> dict[str, str]:
    """The environment of a process that runs TeX: this one's, with TeX locked down (no shell escape, paranoid
    file access) and compiled bytecode kept (:func:`bytecode_cache_env`). ``TEXMFOUTPUT`` is the caller's to set."""
    env = {**os.environ, **_SAFE_TEX_ENV, "PYTHONUNBUFFERED": "1"}
    env.update(bytecode_cache_env())
    if "PYTHONPYCACHEPREFIX" in env:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


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


def last_line(stderr_tail: str, default: str) -> str:
    """The last line a subprocess printed (at most 400 characters), or ``default`` when it printed nothing."""
    lines = [line.strip() for line in stderr_tail.splitlines() if line.strip()]
    return lines[-1][:400] if lines else default
