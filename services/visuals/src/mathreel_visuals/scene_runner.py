"""Render processes: ``python -m mathreel_visuals.scene_runner <spec.json> <out.mp4>`` renders one scene, and
``python -m mathreel_visuals.scene_runner --serve`` is the warm renderer's fork server.

Every render runs in a process of its own, so renders are isolated from each other and from the worker, can run in
parallel, and can be killed. Whatever happens, it writes a :class:`RenderOutcome` to the spec's ``report_path``
before exiting, so the parent learns *why* a render failed, not only that it did.

The fork server imports Manim and the scene builders once (about 3 s of CPU) and then forks one child per scene:
each child starts with everything imported and nothing rendered, sets Manim's global configuration for its own
scene, renders it and exits, so no state passes from one scene to the next. The server reads requests as JSON
lines on stdin and answers on stdout (``mathreel_visuals.pool`` is the other end):

- ``{"op": "render", "id": 7, "spec": …, "out": …, "stderr": …, "tex_out": …, "memory_bytes": …,
  "timeout_seconds": …}`` forks a child → ``{"event": "started", "id": 7, "pid": 1234}``, and when it ends
  ``{"event": "exited", "id": 7, "status": 0, "signal": 0, "cpu_seconds": 2.41}`` (the child's CPU time with that of
  the latex and dvisvgm it waited for: the worker cannot measure a process it is not the parent of);
- ``{"op": "kill", "id": 7}`` kills the child's process group (the latex and dvisvgm it started too);
- end of stdin (the worker closed the pool, or died) kills every child and ends the server.
"""

from __future__ import annotations

import contextlib
import gc
import json
import math
import os
import resource
import selectors
import shutil
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

from mathreel_scenelang.render.spec import RenderOutcome, RenderSpec

EXIT_OK = 0
EXIT_FAILED = 3


def run(spec: RenderSpec, out_path: Path) -> RenderOutcome:
    """Render ``spec`` to ``out_path``; never raises, the outcome says what happened."""
    try:
        from mathreel_scenelang.render.config import configure

        configure(spec)
        from mathreel_scenelang.expressions import ExpressionError
        from mathreel_scenelang.latex import UnsafeLatexError
        from mathreel_scenelang.layout import LayoutUnfixable
        from mathreel_scenelang.render.scene import StoryboardScene
    except Exception as exc:  # a broken installation: worth retrying elsewhere
        return RenderOutcome(ok=False, error_code="render_failed", error_message=f"setup: {exc}", retryable=True)

    scene = StoryboardScene(spec)
    try:
        scene.render()
    except LayoutUnfixable as exc:
        return RenderOutcome(ok=False, error_code="layout_unfixable", error_message=str(exc), report=scene.report)
    except UnsafeLatexError as exc:
        return RenderOutcome(ok=False, error_code="latex_rejected", error_message=str(exc))
    except ExpressionError as exc:
        return RenderOutcome(ok=False, error_code="invalid_expression", error_message=str(exc))
    except (ValueError, RuntimeError, OSError) as exc:
        message = str(exc)
        if "latex" in message.lower() or "dvi" in message.lower():
            # Manim raises this when LaTeX stops on the formula: the input is at fault, not the machine.
            return RenderOutcome(ok=False, error_code="latex_failed", error_message=_short(message))
        return RenderOutcome(ok=False, error_code="render_failed", error_message=_short(message), retryable=True)
    movie = Path(scene.renderer.file_writer.movie_file_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(movie, out_path)
    return RenderOutcome(ok=True, report=scene.report)


def _short(message: str, limit: int = 400) -> str:
    line = " ".join(message.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def render_file(spec_path: Path, out_path: Path) -> int:
    """Render the spec at ``spec_path``, write its outcome; the process's exit status."""
    spec = RenderSpec.model_validate_json(spec_path.read_text(encoding="utf-8"))
    try:
        outcome = run(spec, out_path)
    except MemoryError:
        # The address-space limit of a warm render: the scene asks for more than a render may use.
        message = "the scene needs more memory than a render may use; it was stopped"
        outcome = RenderOutcome(ok=False, error_code="input_too_complex", error_message=message)
    except Exception as exc:
        traceback.print_exc()
        outcome = RenderOutcome(ok=False, error_code="render_failed", error_message=_short(str(exc)), retryable=True)
    Path(spec.report_path).write_text(outcome.model_dump_json(), encoding="utf-8")
    return EXIT_OK if outcome.ok else EXIT_FAILED


# --- the fork server ----------------------------------------------------------------------------------------------

# What a scene's render imports: loaded once in the server, shared copy-on-write by every child.
PRELOAD = (
    "manim",
    "mathreel_scenelang.render.config",
    "mathreel_scenelang.render.scene",
    "mathreel_scenelang.expressions",
    "mathreel_scenelang.latex",
    "mathreel_scenelang.layout",
)


def serve() -> int:
    """The fork server's loop (stdin: requests, stdout: events); returns when stdin ends."""
    import importlib

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the worker decides when the server ends
    for module in PRELOAD:
        importlib.import_module(module)
    # Objects made so far are never collected: the collector would otherwise write to (and copy) every page of
    # them in each child.
    gc.freeze()
    requests = os.fdopen(sys.stdin.fileno(), "rb", buffering=0)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda _signum, _frame: None)
    selector = selectors.DefaultSelector()
    selector.register(requests, selectors.EVENT_READ, "requests")
    selector.register(wake_read, selectors.EVENT_READ, "children")
    children: dict[int, int] = {}  # pid → request id
    buffer = b""
    _emit({"event": "ready", "pid": os.getpid()})
    try:
        while True:
            for key, _ in selector.select():
                if key.data == "children":
                    with contextlib.suppress(BlockingIOError):
                        while os.read(wake_read, 512):
                            pass
                    _reap(children)
                    continue
                chunk = requests.read(65536)
                if not chunk:
                    return 0
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    if line.strip():
                        _handle(json.loads(line), children, (requests.fileno(), wake_read, wake_write))
            _reap(children)
    finally:
        for pid in children:
            _kill_child(pid)
        for pid in list(children):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)


def _handle(request: dict[str, Any], children: dict[int, int], server_fds: tuple[int, ...]) -> None:
    if request["op"] == "kill":
        for pid, request_id in children.items():
            if request_id == request["id"]:
                _kill_child(pid)
        return
    server = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        _child(request, server, server_fds)
    children[pid] = request["id"]
    _emit({"event": "started", "id": request["id"], "pid": pid})


def _child(request: dict[str, Any], server: int, server_fds: tuple[int, ...]) -> None:
    status = EXIT_FAILED
    try:
        # Its own process group: killing it kills the latex and dvisvgm it starts.
        os.setsid()
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        _die_with_parent()
        if os.getppid() != server:
            os._exit(status)  # the server died before the request above took effect
        for fd in server_fds:
            os.close(fd)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(null, 1)
        stderr = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(stderr, 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if request.get("memory_bytes"):
            limit = int(request["memory_bytes"])
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        if request.get("timeout_seconds"):
            # A backstop past the wall-clock limit (the encoder's threads add up): the kernel ends the render even
            # if nobody is left to kill it.
            seconds = math.ceil(4 * float(request["timeout_seconds"]))
            resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
        # TeX may write only there (paranoid mode): the render's own directory, or the shared cache.
        os.environ["TEXMFOUTPUT"] = request["tex_out"]
        status = render_file(Path(request["spec"]), Path(request["out"]))
    except BaseException:
        with contextlib.suppress(Exception):
            traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os._exit(status)


def _die_with_parent() -> None:
    """Ask Linux to kill this child when the fork server dies (a SIGKILL leaves it no time to do so itself)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _kill_child(pid: int) -> None:
    # The child may not have made its own process group yet: kill the group, and the child itself.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _reap(children: dict[int, int]) -> None:
    while children:
        try:
            pid, wait_status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        request_id = children.pop(pid, None)
        if request_id is None:
            continue
        killed_by = os.WTERMSIG(wait_status) if os.WIFSIGNALED(wait_status) else 0
        status = os.WEXITSTATUS(wait_status) if os.WIFEXITED(wait_status) else -killed_by
        cpu_seconds = round(usage.ru_utime + usage.ru_stime, 3)
        _emit({"event": "exited", "id": request_id, "status": status, "signal": killed_by, "cpu_seconds": cpu_seconds})


def _emit(event: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--serve"]:
        return serve()
    if len(args) != 2:
        sys.stderr.write("usage: python -m mathreel_visuals.scene_runner (<spec.json> <out.mp4> | --serve)\n")
        return 2
    return render_file(Path(args[0]), Path(args[1]))


if __name__ == "__main__":
    sys.exit(main())
