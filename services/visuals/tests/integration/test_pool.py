"""The warm renderer: real renders in children of one fork server, at low quality.

One pool serves every test of the module (its start-up, Manim's imports, is what it saves), so the tests also
check that it stays usable after each kind of accident.
"""

import asyncio
import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import av
import numpy as np
import pytest

from mathreel_shared.domain import Quality
from mathreel_shared.timing import BeatTiming, SceneTiming
from mathreel_visuals import VisualsError, render_scene
from mathreel_visuals.pool import RendererPool

from .test_render import SHORT, TIMING

pytestmark = pytest.mark.integration  # renders with Manim and TeX

# The same beats spoken slowly: a render that takes seconds however fast the machine, for the tests that stop one
# mid-way (the short scene can finish before a cancel or a time-out on an idle machine).
LONG = SceneTiming(
    scene_index=0,
    duration=60.0,
    beats=[
        BeatTiming(start=0.5, duration=19.5, text="Squares."),
        BeatTiming(start=20.0, duration=20.0, text="A formula."),
        BeatTiming(start=40.0, duration=20.0, text="Expanded."),
    ],
)


@pytest.fixture(scope="module")
async def pool() -> AsyncIterator[RendererPool]:
    pool = RendererPool(timeout_seconds=300)
    await pool.start()
    yield pool
    await pool.close()


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def _first_child(pool: RendererPool, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while not pool.children():
        assert time.monotonic() < deadline, "the render never started"
        await asyncio.sleep(0.01)
    return pool.children()[0]


async def test_a_warm_render_equals_a_cold_one(pool: RendererPool, tmp_path: Path) -> None:
    cache = tmp_path / "tex-cache"
    cold = await render_scene(SHORT, 0, TIMING, Quality.LOW, tmp_path / "cold.mp4", tmp_path / "w", tex_cache=cache)
    warm = await render_scene(
        SHORT, 0, TIMING, Quality.LOW, tmp_path / "warm.mp4", tmp_path / "w", tex_cache=cache, pool=pool
    )
    assert (warm.duration, warm.width, warm.height, warm.fps) == (cold.duration, cold.width, cold.height, cold.fps)
    assert warm.layout_report == cold.layout_report
    # A warm render's CPU time comes back from the fork server; a cold one is this process's child, measured here.
    # Encoding 69 frames takes some tenths of a second (0.49 to 1.1 measured, less once TeX is cached): 0.1 is a
    # floor that an unmeasured render (0) can never pass.
    assert warm.pooled_cpu_seconds > 0.1
    assert cold.pooled_cpu_seconds == 0
    cold_frames, warm_frames = _frames(cold.path), _frames(warm.path)
    assert len(warm_frames) == len(cold_frames) > 0
    assert all(np.array_equal(a, b) for a, b in zip(cold_frames, warm_frames, strict=True))
    assert not list((tmp_path / "w").iterdir())


async def test_a_crashed_render_fails_alone_and_the_pool_renders_the_next_scene(
    pool: RendererPool, tmp_path: Path
) -> None:
    server = pool.server_pid
    render = asyncio.create_task(
        render_scene(SHORT, 0, LONG, Quality.LOW, tmp_path / "x.mp4", tmp_path / "w", pool=pool)
    )
    child = await _first_child(pool)
    await asyncio.sleep(0.5)
    os.kill(child, signal.SIGSEGV)  # what a crash in Manim's C libraries looks like from outside
    with pytest.raises(VisualsError) as excinfo:
        await render
    assert excinfo.value.code == "render_failed"
    assert excinfo.value.retryable
    assert "SIGSEGV" in excinfo.value.message
    assert pool.server_pid == server

    clip = await render_scene(SHORT, 0, TIMING, Quality.LOW, tmp_path / "y.mp4", tmp_path / "w", pool=pool)
    assert abs(clip.duration - TIMING.duration) < 0.1
    assert pool.server_pid == server
    assert not pool.children()


async def test_a_cancelled_render_is_killed_at_once_and_the_next_scene_renders(
    pool: RendererPool, tmp_path: Path
) -> None:
    server = pool.server_pid
    cancel = asyncio.Event()
    render = asyncio.create_task(
        render_scene(
            SHORT, 0, LONG, Quality.LOW, tmp_path / "x.mp4", tmp_path / "w", pool=pool, cancelled=cancel.is_set
        )
    )
    child = await _first_child(pool)
    await asyncio.sleep(0.5)
    cancel.set()
    cancelled_at = time.monotonic()
    with pytest.raises(VisualsError) as excinfo:
        await render
    assert excinfo.value.code == "cancelled"
    # Polled every half second and killed at once (the bound leaves room for a loaded machine; the render alone
    # takes longer, and would have ended without an error).
    assert time.monotonic() - cancelled_at < 3.0
    assert not _alive(child)
    assert not (tmp_path / "x.mp4").exists()
    assert not list((tmp_path / "w").iterdir())

    clip = await render_scene(SHORT, 0, TIMING, Quality.LOW, tmp_path / "y.mp4", tmp_path / "w", pool=pool)
    assert abs(clip.duration - TIMING.duration) < 0.1
    assert pool.server_pid == server


async def test_a_render_past_its_time_is_killed(pool: RendererPool, tmp_path: Path) -> None:
    render = render_scene(SHORT, 0, LONG, Quality.LOW, tmp_path / "x.mp4", tmp_path / "w", pool=pool, timeout=0.6)
    started = time.monotonic()
    with pytest.raises(VisualsError) as excinfo:
        await render
    assert excinfo.value.code == "render_timeout"
    assert excinfo.value.retryable
    assert time.monotonic() - started < 3.0
    assert not pool.children()


async def test_a_dead_fork_server_is_replaced_and_its_renders_die_with_it(pool: RendererPool, tmp_path: Path) -> None:
    server = pool.server_pid
    assert server is not None
    starts = pool.server_starts
    render = asyncio.create_task(
        render_scene(SHORT, 0, LONG, Quality.LOW, tmp_path / "x.mp4", tmp_path / "w", pool=pool)
    )
    child = await _first_child(pool)
    await asyncio.sleep(0.3)
    os.kill(server, signal.SIGKILL)
    with pytest.raises(VisualsError) as excinfo:
        await render
    assert (excinfo.value.code, excinfo.value.retryable) == ("render_failed", True)
    # The child had asked the kernel to end it with its parent.
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert not _alive(child)

    clip = await render_scene(SHORT, 0, TIMING, Quality.LOW, tmp_path / "y.mp4", tmp_path / "w", pool=pool)
    assert abs(clip.duration - TIMING.duration) < 0.1
    assert pool.server_starts == starts + 1
    assert pool.server_pid not in (None, server)


async def test_closing_the_pool_kills_the_render_in_progress(tmp_path: Path) -> None:
    pool = RendererPool(timeout_seconds=300)
    render = asyncio.create_task(
        render_scene(SHORT, 0, LONG, Quality.LOW, tmp_path / "x.mp4", tmp_path / "w", pool=pool)
    )
    child = await _first_child(pool, timeout=60)
    server = pool.server_pid
    assert server is not None
    await pool.close()
    with pytest.raises(VisualsError) as excinfo:
        await render
    assert excinfo.value.code == "render_failed"
    assert not _alive(child)
    assert not _alive(server)
    # A scene after the shutdown is handed back to be rendered again, never dropped as if its job were cancelled.
    with pytest.raises(VisualsError) as excinfo:
        await render_scene(SHORT, 0, TIMING, Quality.LOW, tmp_path / "y.mp4", tmp_path / "w", pool=pool)
    assert (excinfo.value.code, excinfo.value.retryable) == ("render_failed", True)
