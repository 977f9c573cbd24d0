"""CPU work on untrusted text, run where it can be stopped: a child process with a wall-clock and a memory limit.

A computation on user input can run for ever inside C code (a big-integer power in GMP, a regex) that holds the
interpreter lock, so neither a thread nor ``asyncio.wait_for`` can stop it, and the event loop (probes, other jobs,
SIGTERM) stops with it. ``IsolatedRunner`` hands each call to one of a few long-lived child processes, waits for the
answer on the event loop without blocking it, and kills the child when the call runs past its time, when the child
runs out of memory (``RLIMIT_AS``), or when the caller is cancelled; a fresh child takes its place on the next call.
The call then fails with :class:`InputTooComplex`, a permanent stage error: the job fails with that reason and the
message is not redelivered to stop the next worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import multiprocessing
import os
import resource
import signal
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, ParamSpec, TypeVar

from mathreel_shared.errors import StageError
from mathreel_shared.usage import count_elsewhere, own_cpu_seconds

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# A child's exit status when it ran out of memory so early that it could not even say so.
_MEMORY_EXIT = 75
# CPU time a call may use beyond its wall-clock limit before the kernel ends it: the parent's timer comes first.
_CPU_MARGIN_SECONDS = 2.0
# How long a killed child may take to be reaped before the runner stops waiting for it.
_REAP_SECONDS = 2.0


class InputTooComplex(StageError):
    """The input asks for more computation than the limits allow: refused before it starts, or stopped mid-way.

    A permanent stage error: the stage wrapper fails the job with this reason at once instead of retrying it, so no
    other worker is handed the same input.
    """

    def __init__(self, message: str) -> None:
        super().__init__("input_too_complex", message, retryable=False)

    def __reduce__(self) -> tuple[type[InputTooComplex], tuple[str]]:
        # Raised in a compute child too: it must come back through the pipe as it left.
        return (type(self), (self.message,))


def _child_main(connection: Connection, memory_bytes: int | None, cpu_seconds: float) -> None:
    """The child's loop: receive ``(function, args, kwargs)``, answer ``("ok", result, cpu)`` or
    ``("error", exc, cpu)``, ``cpu`` being the CPU seconds the call took."""
    # Ctrl+C reaches the whole process group; the parent decides when a child ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_bytes is not None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    # SIGXCPU's default action dumps core: a child at its CPU limit leaves no core file behind.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    while True:
        try:
            function, args, kwargs = connection.recv()
        except (EOFError, OSError):
            return
        except MemoryError:
            _report_memory(connection)
            continue
        _limit_cpu(cpu_seconds)
        started = own_cpu_seconds()
        try:
            answer: tuple[str, Any, float] = ("ok", function(*args, **kwargs), 0.0)
        except MemoryError:
            _report_memory(connection)
            continue
        except Exception as exc:
            # The traceback stays in the child; its text travels with the exception.
            exc.add_note("".join(traceback.format_exception(exc)).rstrip())
            answer = ("error", exc, 0.0)
        spent = own_cpu_seconds() - started
        try:
            connection.send((answer[0], answer[1], spent))
        except MemoryError:
            _report_memory(connection)
        except Exception as exc:  # an unpicklable result or error: report it as text
            connection.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}"), spent))


def _limit_cpu(seconds: float) -> None:
    """Let the kernel end this call past ``seconds`` of CPU time (SIGXCPU) even if the parent is gone: a parent
    killed with SIGKILL can no longer kill a child stuck in C code, and the fork server outlives it."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(usage.ru_utime + usage.ru_stime + seconds)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _report_memory(connection: Connection) -> None:
    """Say the call ran out of memory; when even that cannot be allocated, exit with the code that says so."""
    try:
        connection.send(("memory", None, 0.0))
    except MemoryError:
        os._exit(_MEMORY_EXIT)


class _Child:
    """One child process and the parent's end of its pipe."""

    def __init__(
        self, context: multiprocessing.context.BaseContext, memory_bytes: int | None, cpu_seconds: float
    ) -> None:
        self.connection, child_end = multiprocessing.Pipe(duplex=True)
        self.process: BaseProcess = context.Process(  # type: ignore[attr-defined]
            target=_child_main, args=(child_end, memory_bytes, cpu_seconds), name="mathreel-compute", daemon=True
        )
        self.process.start()
        child_end.close()
        self._killed = False
        # Resolved when the child's answer (or its end) can be read.
        self.readable: asyncio.Future[None] | None = None

    def kill(self) -> None:
        if self._killed:
            return
        self._killed = True
        with contextlib.suppress(Exception):
            self.process.kill()
        self.process.join(_REAP_SECONDS)
        with contextlib.suppress(Exception):
            self.connection.close()
        with contextlib.suppress(Exception):
            self.process.close()


class IsolatedRunner:
    """Runs picklable functions in up to ``workers`` child processes, each call within ``timeout_seconds`` and each
    child within ``memory_bytes`` of address space (``None``: no memory limit).

    ``preload`` names modules the fork server imports once, so that a new child starts warm (SymPy takes a second
    to import). The function and its arguments must be picklable: a module-level function and plain data.
    """

    def __init__(
        self,
        *,
        workers: int,
        timeout_seconds: float,
        memory_bytes: int | None,
        preload: Sequence[str] = (),
    ) -> None:
        if workers < 1 or timeout_seconds <= 0:
            raise ValueError("an IsolatedRunner needs at least one worker and a positive timeout")
        self.timeout_seconds = timeout_seconds
        self.memory_bytes = memory_bytes
        self._context = multiprocessing.get_context("forkserver")
        if preload:
            self._context.set_forkserver_preload(list(preload))
        self._slots = asyncio.Semaphore(workers)
        self._idle: list[_Child] = []
        self._busy: set[_Child] = set()
        self._closed = False

    async def start(self) -> None:
        """Start one child ahead of the first call, so that no job waits for the fork server's imports."""
        if not self._closed and not self._idle and not self._busy:
            self._idle.append(await self._new_child())

    async def run(self, function: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
        """``function(*args, **kwargs)`` in a child; its exception if it raises one. The CPU time of a call that
        answered is counted for the current message (``mathreel_shared.usage.count_elsewhere``).

        Raises :class:`InputTooComplex` when the call runs out of time or memory (the child is killed), and
        ``asyncio.CancelledError`` when the runner is closed under it (the message goes back to the queue).
        """
        if self._closed:
            raise asyncio.CancelledError("the compute runner is closed")
        async with self._slots:
            child = self._idle.pop() if self._idle else await self._new_child()
            self._busy.add(child)
            healthy = False
            try:
                child.connection.send((function, args, kwargs))
                status, value, spent = await self._answer(child)
                healthy = True
                count_elsewhere(spent)
            finally:
                self._busy.discard(child)
                if healthy and not self._closed:
                    self._idle.append(child)
                else:
                    await asyncio.to_thread(child.kill)
        if status == "ok":
            return value  # type: ignore[no-any-return]
        if status == "memory":
            raise InputTooComplex(self._limit_message("memory"))
        raise value

    async def _answer(self, child: _Child) -> tuple[str, Any, float]:
        loop = asyncio.get_running_loop()
        readable: asyncio.Future[None] = loop.create_future()
        child.readable = readable
        descriptor = child.connection.fileno()
        loop.add_reader(descriptor, _resolve, readable)
        try:
            await asyncio.wait_for(readable, timeout=self.timeout_seconds)
        except TimeoutError:
            raise InputTooComplex(self._limit_message("time")) from None
        finally:
            loop.remove_reader(descriptor)
        try:
            answer: tuple[str, Any, float] = child.connection.recv()
        except (EOFError, OSError):
            if self._closed:
                raise asyncio.CancelledError("the compute runner closed during the call") from None
            await asyncio.to_thread(child.process.join, _REAP_SECONDS)
            if child.process.exitcode not in (_MEMORY_EXIT, None) and child.process.exitcode >= 0:
                # An exit of its own (it could not even start, for example): the machine's problem, not the input's.
                raise RuntimeError("the compute process exited without answering") from None
            # Killed by a signal: the memory limit hit inside C code (an abort) or a crash on the input.
            raise InputTooComplex(self._limit_message("memory")) from None
        return answer

    def _limit_message(self, what: str) -> str:
        if what == "time":
            return f"the input needs more than {self.timeout_seconds:g} s of computation; it was stopped"
        limit = f" ({self.memory_bytes // 2**20} MiB)" if self.memory_bytes else ""
        return f"the input needs more memory than a computation may use{limit}; it was stopped"

    async def _new_child(self) -> _Child:
        # Started in a thread (the first start launches the fork server); a caller cancelled meanwhile must not
        # leave the child behind.
        spawning = asyncio.ensure_future(
            asyncio.to_thread(_Child, self._context, self.memory_bytes, self.timeout_seconds + _CPU_MARGIN_SECONDS)
        )
        try:
            return await asyncio.shield(spawning)
        except asyncio.CancelledError:
            spawning.add_done_callback(_kill_when_started)
            raise

    async def close(self) -> None:
        """Kill every child, idle or busy; calls in progress end with ``asyncio.CancelledError``."""
        self._closed = True
        children = [*self._idle, *self._busy]
        self._idle.clear()
        for child in children:
            await asyncio.to_thread(child.kill)
            # Its pipe is closed now, so the loop may never report it readable: wake the call waiting on it.
            if child.readable is not None:
                _resolve(child.readable)


def _kill_when_started(spawning: asyncio.Future[_Child]) -> None:
    if not spawning.cancelled() and spawning.exception() is None:
        spawning.result().kill()


def _resolve(readable: asyncio.Future[None]) -> None:
    if not readable.done():
        readable.set_result(None)
