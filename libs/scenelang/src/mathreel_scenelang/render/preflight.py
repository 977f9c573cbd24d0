"""Preflight: a whole storyboard typeset and laid out exactly as a render would, without drawing a frame.

The script service runs it on a storyboard a model wrote before accepting it (docs/llm.md), so that what would fail
the job at render time goes back to the model with the field to fix instead:

* every LaTeX string is typeset on its own by the TeX that renders use, so a formula that does not compile is named
  by its path (``scenes[2].beats[0].actions[1].latex``) with TeX's own error line;
* every scene is built beat by beat by the render's scene builder — the same layout engine, the same fixes
  (shrink, reflow, move, fade) and the same check on the measured mobjects (safe area, no overlap, readable at
  480p) — with each beat's animations applied instantly, so what cannot be fixed is named by its beat.

``preflight(storyboard, work_dir)`` runs it in a subprocess (``python -m mathreel_scenelang.render.preflight REQUEST
RESULT``)
with TeX locked down as for renders, and returns the problems; an empty list means a render will not fail on layout
or LaTeX. Layout does not depend on the quality (all qualities share the 16:9 frame and readability is judged at
480p), so it runs at the low quality's size. Nor does a scene's verdict depend on the other scenes, so
``scenes=`` checks only some of them (those a revision changed), the problems still naming each by its index.

``preflight_many(storyboards, work_dir)`` checks many storyboards (a whole curriculum) in a few worker processes
that each start Manim once and share one TeX cache, so a formula two lessons share is typeset once.

``WarmPreflight`` is ``preflight`` for a long-lived service: one such process, kept between storyboards, so a
storyboard pays for its own scenes and not for importing Manim (about 1.1 s of CPU, three quarters of a one-scene
preflight), replaced after a number of checks, on a time-out and when it dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import traceback
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from pydantic import BaseModel, Field

from mathreel_scenelang.errors import SceneError
from mathreel_scenelang.render.spec import RenderSpec
from mathreel_scenelang.render.tex_process import _SAFE_TEX_ENV, last_line, run_tex_subprocess
from mathreel_scenelang.storyboard import Scene, Storyboard
from mathreel_shared.domain import QUALITY_PRESETS, Quality
from mathreel_shared.timing import BeatTiming, SceneTiming
from mathreel_shared.usage import count_elsewhere, own_cpu_seconds

# A calm speaking pace, to give each beat a plausible duration; layout does not depend on it.
_WORDS_PER_SECOND = 2.5
PREFLIGHT_TIMEOUT_SECONDS = 300.0
_TEX_ERROR = re.compile(r"^! (.+)$", re.M)
_LOG_FILE = re.compile(r"log file:\s*(\S+\.log)")


class PreflightProblem(BaseModel):
    """What would fail the render, and where in the storyboard (a JSON path from the storyboard's root)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class PreflightRequest(BaseModel):
    storyboard: Storyboard
    work_dir: str
    tex_dir: str | None = None
    # The indices of the scenes to check; None for all of them.
    scenes: list[int] | None = None


class PreflightResult(BaseModel):
    ok: bool
    problems: list[PreflightProblem] = Field(default_factory=list)
    # Set when the preflight itself broke (not the storyboard's fault).
    error: str | None = None
    # CPU seconds the check took in the warm process, TeX included (``WarmPreflight``).
    cpu_seconds: float = 0.0


def _chosen_scenes(storyboard: Storyboard, scenes: Sequence[int] | None) -> list[int] | None:
    """``scenes`` sorted without repeats (None: all), once they are all indices of ``storyboard``."""
    if scenes is None:
        return None
    chosen = sorted(set(scenes))
    if any(not 0 <= index < len(storyboard.scenes) for index in chosen):
        raise ValueError(f"scene indices {chosen} are not all in a storyboard of {len(storyboard.scenes)}")
    return chosen


async def preflight(
    storyboard: Storyboard,
    work_dir: Path,
    *,
    tex_cache: Path | None = None,
    scenes: Sequence[int] | None = None,
) -> list[PreflightProblem]:
    """Typeset and lay out ``storyboard`` (only the scenes at the indices ``scenes``, when given) as a render would;
    the problems found (empty when a render can proceed).

    Raises ``SceneError`` when the preflight could not run (a broken installation, a timeout): that says nothing
    about the storyboard.
    """
    chosen = _chosen_scenes(storyboard, scenes)
    if chosen == []:
        return []
    work_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="preflight-", dir=work_dir))
    try:
        request = PreflightRequest(
            storyboard=storyboard,
            work_dir=str(tmp),
            tex_dir=str(tex_cache) if tex_cache is not None else None,
            scenes=chosen,
        )
        request_path, result_path = tmp / "request.json", tmp / "result.json"
        request_path.write_text(request.model_dump_json(), encoding="utf-8")
        tail = await run_tex_subprocess(
            "mathreel_scenelang.render.preflight",
            [str(request_path), str(result_path)],
            tex_cache if tex_cache is not None else tmp,
            timeout=PREFLIGHT_TIMEOUT_SECONDS,
        )
        try:
            result = PreflightResult.model_validate_json(result_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            reason = last_line(tail, "the preflight exited without a result")
            raise SceneError("preflight_failed", reason, retryable=True) from None
        if result.error is not None:
            raise SceneError("preflight_failed", result.error, retryable=True)
        return result.problems
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def preflight_many(
    storyboards: Sequence[Storyboard], work_dir: Path, *, workers: int = 2
) -> list[list[PreflightProblem]]:
    """The problems of each storyboard, in order, found by ``workers`` processes sharing ``work_dir / "tex"``.

    Each worker starts Manim once and checks storyboard after storyboard, with TeX locked down as in
    ``preflight``. Raises ``SceneError`` when a check could not run.
    """
    tex_dir = work_dir / "tex"
    tex_dir.mkdir(parents=True, exist_ok=True)
    requests = [
        PreflightRequest(storyboard=storyboard, work_dir=str(work_dir / f"storyboard{i}"), tex_dir=str(tex_dir))
        for i, storyboard in enumerate(storyboards)
    ]
    # Spawned, not forked: a worker must not inherit the caller's threads or event loop.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_lock_down_tex, initargs=(str(tex_dir),)) as pool:
        results = list(pool.map(_check_one, requests))
    for result in results:
        if result.error is not None:
            raise SceneError("preflight_failed", result.error, retryable=True)
    return [result.problems for result in results]


def _lock_down_tex(tex_dir: str) -> None:
    """In a worker: the TeX it starts runs as in ``run_tex_subprocess`` (no shell escape, writes only there)."""
    os.environ.update({**_SAFE_TEX_ENV, "TEXMFOUTPUT": tex_dir})


class WarmPreflight:
    """``preflight`` in one process that imports Manim once and then checks storyboard after storyboard, as
    ``preflight_many``'s workers do, one at a time, sharing the TeX cache ``tex_cache``.

    The process has its own process group, so a check that takes longer than ``timeout`` seconds, or whose caller
    is cancelled, is killed with the latex and dvisvgm it started; the next check starts a new process, as it does
    after ``max_checks`` storyboards (so nothing accumulates for long) and after the process died. ``start()``
    prepares the process ahead of the first check.
    """

    def __init__(self, tex_cache: Path, *, timeout: float = PREFLIGHT_TIMEOUT_SECONDS, max_checks: int = 100) -> None:
        self.tex_cache = tex_cache
        self.timeout = timeout
        self.max_checks = max_checks
        self.starts = 0
        self._pool: ProcessPoolExecutor | None = None
        self._pid: int | None = None
        self._checks = 0
        self._lock = asyncio.Lock()

    @property
    def pid(self) -> int | None:
        """The process id of the prepared process, while there is one."""
        return self._pid

    async def start(self) -> None:
        """Start the process and wait for its imports, unless it is running."""
        async with self._lock:
            await self._ensure_started()

    async def check(
        self, storyboard: Storyboard, work_dir: Path, *, scenes: Sequence[int] | None = None
    ) -> list[PreflightProblem]:
        """What ``preflight(storyboard, work_dir, tex_cache=..., scenes=scenes)`` finds, found in the warm process.

        Raises ``SceneError`` when the check could not run (``render_timeout`` past ``timeout``, ``preflight_failed``
        when the process broke); both are retryable.
        """
        chosen = _chosen_scenes(storyboard, scenes)
        if chosen == []:
            return []
        work_dir.mkdir(parents=True, exist_ok=True)
        request = PreflightRequest(
            storyboard=storyboard,
            work_dir=tempfile.mkdtemp(prefix="preflight-", dir=work_dir),
            tex_dir=str(self.tex_cache),
            scenes=chosen,
        )
        async with self._lock:
            pool = await self._ensure_started()
            self._checks += 1
            try:
                future = asyncio.get_running_loop().run_in_executor(pool, _check_one, request)
                result = await asyncio.wait_for(future, timeout=self.timeout)
            except TimeoutError:
                self._stop()
                raise SceneError(
                    "render_timeout", f"the preflight took longer than {self.timeout:.0f} s", retryable=True
                ) from None
            except BrokenProcessPool:
                self._stop()
                raise SceneError("preflight_failed", "the preflight process died", retryable=True) from None
            except BaseException:
                self._stop()  # cancelled: nothing may go on checking behind the caller's back
                raise
            finally:
                shutil.rmtree(request.work_dir, ignore_errors=True)
            if self._checks >= self.max_checks:
                self._stop()
        # The process outlives the job: its CPU is the job's only when counted here.
        count_elsewhere(result.cpu_seconds)
        if result.error is not None:
            raise SceneError("preflight_failed", result.error, retryable=True)
        return result.problems

    async def close(self) -> None:
        """Stop the process (and whatever it started)."""
        async with self._lock:
            self._stop()

    async def _ensure_started(self) -> ProcessPoolExecutor:
        if self._pool is not None:
            return self._pool
        self.tex_cache.mkdir(parents=True, exist_ok=True)
        # Spawned, not forked: the process must not inherit the service's threads or event loop.
        pool = ProcessPoolExecutor(
            1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_lock_down_tex,
            initargs=(str(self.tex_cache),),
        )
        try:
            self._pid = await asyncio.wait_for(
                asyncio.get_running_loop().run_in_executor(pool, _prepare), timeout=self.timeout
            )
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        self._pool, self._checks = pool, 0
        self.starts += 1
        return pool

    def _stop(self) -> None:
        pool, pid = self._pool, self._pid
        self._pool = self._pid = None
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def _prepare() -> int:
    """In the warm process: a process group of its own (killed as one), and what a check imports, imported."""
    os.setsid()
    import manim  # noqa: F401

    import mathreel_scenelang.render.scene  # noqa: F401

    return os.getpid()


def _check_one(request: PreflightRequest) -> PreflightResult:
    started = own_cpu_seconds()
    try:
        problems = check_storyboard(request)
        result = PreflightResult(ok=not problems, problems=problems)
    except Exception as exc:
        result = PreflightResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:400])
    finally:
        shutil.rmtree(request.work_dir, ignore_errors=True)
    result.cpu_seconds = own_cpu_seconds() - started
    return result


def estimated_timing(index: int, scene: Scene) -> SceneTiming:
    """Beat durations from the narration's word counts, as if spoken at a calm pace."""
    beats, start = [], 0.0
    for beat in scene.beats:
        duration = max(1.0, len(beat.narration.split()) / _WORDS_PER_SECOND)
        beats.append(BeatTiming(start=start, duration=duration, text=beat.narration))
        start += duration
    return SceneTiming(scene_index=index, duration=start, beats=beats)


def _tex_error(exc: BaseException) -> str:
    """TeX's own complaint (its ``! ...`` line) when the error points at a log, else the exception's first line."""
    message = str(exc)
    found = _LOG_FILE.search(message)
    if found:
        try:
            error = _TEX_ERROR.search(Path(found.group(1)).read_text(encoding="utf-8", errors="replace"))
        except OSError:
            error = None
        if error:
            return error.group(1).strip()
    return message.strip().splitlines()[0][:300] if message.strip() else type(exc).__name__


def check_storyboard(request: PreflightRequest) -> list[PreflightProblem]:
    """In the subprocess: LaTeX first (a scene with a broken formula cannot be measured), then layout per scene."""
    from manim import MathTex

    from mathreel_scenelang.expressions import ExpressionError
    from mathreel_scenelang.fields import latex_fields
    from mathreel_scenelang.latex import UnsafeLatexError, check_latex
    from mathreel_scenelang.layout import LayoutUnfixable
    from mathreel_scenelang.render.config import configure
    from mathreel_scenelang.render.scene import StoryboardScene

    preset = QUALITY_PRESETS[Quality.LOW]
    storyboard = request.storyboard

    def spec_for(index: int, scene: Scene) -> RenderSpec:
        return RenderSpec(
            scene=scene,
            timing=estimated_timing(index, scene),
            width=preset.width,
            height=preset.height,
            fps=preset.fps,
            media_dir=str(Path(request.work_dir) / "media"),
            report_path=str(Path(request.work_dir) / "unused.json"),
            tex_dir=request.tex_dir,
        )

    problems: list[PreflightProblem] = []
    indices = range(len(storyboard.scenes)) if request.scenes is None else request.scenes
    chosen = [(s, storyboard.scenes[s]) for s in indices]
    configure(spec_for(0, storyboard.scenes[0]))
    for s, scene in chosen:
        for path, source in latex_fields(scene):
            where = f"scenes[{s}].{path}"
            try:
                MathTex(check_latex(source))
            except UnsafeLatexError as exc:
                problems.append(PreflightProblem(path=where, message=f"LaTeX {source!r} is refused: {exc}"))
            except (ValueError, RuntimeError, OSError) as exc:
                problems.append(
                    PreflightProblem(path=where, message=f"LaTeX {source!r} does not compile: {_tex_error(exc)}")
                )
    if problems:
        return problems
    for s, scene in chosen:
        built = StoryboardScene(spec_for(s, scene))
        try:
            built.preflight()
        except (LayoutUnfixable, ExpressionError) as exc:
            message = f"the layout cannot be fixed: {exc}" if isinstance(exc, LayoutUnfixable) else str(exc)
            problems.append(PreflightProblem(path=f"scenes[{s}].beats[{built.current_beat}]", message=message))
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.stderr.write("usage: python -m mathreel_scenelang.render.preflight <request.json> <result.json>\n")
        return 2
    request = PreflightRequest.model_validate_json(Path(args[0]).read_text(encoding="utf-8"))
    try:
        problems = check_storyboard(request)
        result = PreflightResult(ok=not problems, problems=problems)
    except Exception as exc:
        traceback.print_exc()
        result = PreflightResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:400])
    Path(args[1]).write_text(result.model_dump_json(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
