"""The warm renderer: Manim's start-up paid once per worker process, not once per scene.

A :class:`RendererPool` keeps one fork server (``python -m mathreel_visuals.scene_runner --serve``) that has
imported Manim and the scene builders; each scene renders in a child forked from it, so it starts in milliseconds
instead of seconds, and still in a process of its own: isolated from the previous scene (the child exits after
one scene, so nothing is recycled and nothing accumulates), killed at once with everything it started on cancel,
time-out or shutdown, and held to the same limits as a cold render (a CPU-time limit the kernel enforces, and an
optional address-space limit). A render that crashes ends only its own child; a fork server that dies fails the
renders in its hands as retryable and is started again for the next scene.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mathreel_scenelang.errors import SceneError
from mathreel_scenelang.render.tex_process import POLL_SECONDS, tex_environment

log = logging.getLogger(__name__)

# How long the fork server may take to import Manim before the pool gives up on it.
_START_SECONDS = 120.0
# How long a killed child may take to be reported gone.
_REAP_SECONDS = 10.0


@dataclass(frozen=True)
class ChildExit:
    """How a render's child process ended: its exit status, or the signal that killed it (then ``status < 0``),
    and the CPU seconds it spent (with the processes it waited for), measured by the fork server that reaped it."""

    status: int
    signal: int
    cpu_seconds: float = 0.0


class RendererPool:
    """One fork server per worker process, shared by the scenes it renders at once.

    ``memory_bytes`` limits each render's address space (``None``: no limit); ``timeout_seconds`` is the default
    wall-clock limit of a render, also given to the kernel as its CPU-time limit.
    """

    def __init__(self, *, timeout_seconds: float | None = None, memory_bytes: int | None = None) -> None:
        self.timeout_seconds = timeout_seconds
        self.memory_bytes = memory_bytes
        self._server: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._starting = asyncio.Lock()
        self._ids = itertools.count(1)
        self._exits: dict[int, asyncio.Future[ChildExit]] = {}
        self._pids: dict[int, int] = {}
        self._ready: asyncio.Future[int] | None = None
        self._closed = False
        self.server_starts = 0

    @property
    def server_pid(self) -> int | None:
        """The fork server's process id while it runs."""
        server = self._server
        return server.pid if server is not None and server.returncode is None else None

    def children(self) -> list[int]:
        """Process ids of the renders in progress."""
        return list(self._pids.values())

    async def start(self) -> None:
        """Start the fork server and wait for its imports (``run`` does it when the server is not running)."""
        async with self._starting:
            if self._closed:
                # Not "cancelled": the job is not, and its scene must be rendered again elsewhere.
                raise SceneError("render_failed", "the renderer is shut down", retryable=True)
            if self.server_pid is not None:
                return
            # TeX's output directory is set per render in the child; the rest of its lock-down is inherited.
            env = tex_environment()
            env.pop("TEXMFOUTPUT", None)
            self._ready = asyncio.get_running_loop().create_future()
            self._server = server = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "mathreel_visuals.scene_runner",
                "--serve",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=None,
                env=env,
                start_new_session=True,
            )
            self.server_starts += 1
            self._reader = asyncio.create_task(self._read_events(server, self._ready))
            try:
                await asyncio.wait_for(asyncio.shield(self._ready), timeout=_START_SECONDS)
            except (TimeoutError, SceneError):
                await self._stop_server()
                raise SceneError("render_failed", "the renderer could not start", retryable=True) from None
            log.info("warm renderer ready (fork server %d)", server.pid)

    async def run(
        self,
        spec_path: Path,
        out_path: Path,
        *,
        tex_out: Path,
        stderr_path: Path,
        cancelled: Callable[[], bool] | None = None,
        timeout: float | None = None,
    ) -> ChildExit:
        """Render ``spec_path`` to ``out_path`` in a child of the fork server; how the child ended.

        Raises ``SceneError("cancelled")`` when ``cancelled()`` turns true and ``SceneError("render_timeout")``
        past ``timeout`` (default: the pool's) — the child and everything it started killed either way — and a
        retryable ``SceneError("render_failed")`` when the fork server itself dies under the render.
        """
        timeout = self.timeout_seconds if timeout is None else timeout
        tex_out.mkdir(parents=True, exist_ok=True)
        await self.start()
        server = self._server
        if server is None or server.stdin is None:
            raise SceneError("render_failed", "the renderer stopped", retryable=True)
        request_id = next(self._ids)
        done: asyncio.Future[ChildExit] = asyncio.get_running_loop().create_future()
        self._exits[request_id] = done
        request = {
            "op": "render",
            "id": request_id,
            "spec": str(spec_path),
            "out": str(out_path),
            "stderr": str(stderr_path),
            "tex_out": str(tex_out),
            "memory_bytes": self.memory_bytes,
            "timeout_seconds": timeout,
        }
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        try:
            await self._send(server, request)
            while True:
                try:
                    return await asyncio.wait_for(asyncio.shield(done), timeout=POLL_SECONDS)
                except TimeoutError:
                    if deadline is not None and loop.time() > deadline:
                        await self._kill(server, request_id, done)
                        raise SceneError(
                            "render_timeout", f"the render took longer than {timeout:.0f} s", retryable=True
                        ) from None
                    if cancelled is not None and cancelled():
                        await self._kill(server, request_id, done)
                        raise SceneError("cancelled", "the render was cancelled") from None
        except asyncio.CancelledError:
            # The caller is gone (shutdown, a lost delivery): never leave its render running.
            if not done.done():
                with contextlib.suppress(Exception):
                    server.stdin.write(_line({"op": "kill", "id": request_id}))
            raise
        finally:
            self._exits.pop(request_id, None)
            self._pids.pop(request_id, None)

    async def close(self) -> None:
        """Kill the fork server and every render in progress; later calls fail with a retryable
        ``SceneError("render_failed")``."""
        async with self._starting:
            self._closed = True
            await self._stop_server()

    async def _send(self, server: asyncio.subprocess.Process, request: dict[str, Any]) -> None:
        assert server.stdin is not None
        try:
            server.stdin.write(_line(request))
            await server.stdin.drain()
        except (ConnectionError, RuntimeError) as exc:
            raise SceneError("render_failed", "the renderer stopped", retryable=True) from exc

    async def _kill(self, server: asyncio.subprocess.Process, request_id: int, done: asyncio.Future[ChildExit]) -> None:
        with contextlib.suppress(SceneError):
            await self._send(server, {"op": "kill", "id": request_id})
        with contextlib.suppress(TimeoutError, SceneError):
            await asyncio.wait_for(asyncio.shield(done), timeout=_REAP_SECONDS)

    async def _read_events(self, server: asyncio.subprocess.Process, ready: asyncio.Future[int]) -> None:
        assert server.stdout is not None
        try:
            while line := await server.stdout.readline():
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                kind = event.get("event")
                if kind == "ready" and not ready.done():
                    ready.set_result(int(event["pid"]))
                elif kind == "started":
                    self._pids[int(event["id"])] = int(event["pid"])
                elif kind == "exited":
                    waiting = self._exits.get(int(event["id"]))
                    if waiting is not None and not waiting.done():
                        cpu_seconds = float(event.get("cpu_seconds", 0.0))
                        waiting.set_result(ChildExit(int(event["status"]), int(event["signal"]), cpu_seconds))
        finally:
            # The server is gone: whatever it was rendering has no one to report on it.
            gone = SceneError("render_failed", "the renderer stopped during the render", retryable=True)
            if not ready.done():
                ready.set_exception(gone)
            for waiting in list(self._exits.values()):
                if not waiting.done():
                    waiting.set_exception(gone)
            if self._server is server:
                log.warning("the warm renderer's fork server exited; the next scene starts a new one")
                self._server = None

    async def _stop_server(self) -> None:
        server, reader = self._server, self._reader
        self._server = None
        if server is None:
            return
        if server.stdin is not None:
            # End of input: the server kills its children and exits.
            with contextlib.suppress(Exception):
                server.stdin.close()
        try:
            await asyncio.wait_for(server.wait(), timeout=_REAP_SECONDS)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                server.kill()
            await server.wait()
        if reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(reader, timeout=_REAP_SECONDS)


def _line(message: dict[str, Any]) -> bytes:
    return (json.dumps(message) + "\n").encode()
