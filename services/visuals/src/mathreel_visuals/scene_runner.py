"""Render subprocess: ``python -m mathreel_visuals.scene_runner <spec.json> <out.mp4>``.

Runs one Manim render in its own process so renders are isolated from each other and from the worker, can run in
parallel, and can be killed. Whatever happens, it writes a :class:`RenderOutcome` to the spec's ``report_path``
before exiting, so the parent learns *why* a render failed, not only that it did.
"""

from __future__ import annotations

import logging
import shutil
import sys
import traceback
from pathlib import Path
from typing import Any

from mathreel_visuals.spec import RenderOutcome, RenderSpec

EXIT_OK = 0
EXIT_FAILED = 3

# Only the math packages formulas need: fewer packages load faster, and nothing here can reach the file system.
TEX_PREAMBLE = r"""
\usepackage[english]{babel}
\usepackage[utf8]{inputenc}
\usepackage[T1]{fontenc}
\usepackage{amsmath}
\usepackage{amssymb}
"""


def configure(spec: RenderSpec) -> None:
    """Set Manim's global config for ``spec``: size, frame rate, encoder, TeX template and cache, quiet output."""
    from manim import config
    from manim.utils.tex import TexTemplate

    from mathreel_visuals import style

    config.pixel_width = spec.width
    config.pixel_height = spec.height
    config.frame_rate = spec.fps
    config.frame_height = 8.0
    config.frame_width = 8.0 * spec.width / spec.height
    config.media_dir = spec.media_dir
    if spec.tex_dir is not None:
        config.tex_dir = spec.tex_dir
        # Manim's end-of-render cleanup deletes every non-SVG file in the TeX directory, including the log and DVI
        # of a formula another render is typesetting there at that moment.
        config.no_latex_cleanup = True
        _serialize_tex(Path(spec.tex_dir))
    config.disable_caching = True
    config.save_last_frame = False
    config.preview = False
    config.format = "mp4"
    if spec.encoder_options:
        config.video_encoder_options = spec.encoder_options
    config.progress_bar = "none"
    config.verbosity = "ERROR"
    config.background_color = style.BACKGROUND
    config.tex_template = TexTemplate(preamble=TEX_PREAMBLE)
    logging.getLogger("manim").setLevel(logging.ERROR)


def _serialize_tex(tex_dir: Path) -> None:
    """Typeset under an exclusive lock on the shared cache.

    Manim reuses a cached ``.dvi`` or ``.svg`` as soon as the file exists; without the lock a render running in
    parallel could read one that another render is still writing.
    """
    import fcntl

    from manim.mobject.text import tex_mobject

    typeset = tex_mobject.tex_to_svg_file  # type: ignore[attr-defined]
    tex_dir.mkdir(parents=True, exist_ok=True)
    lock_path = tex_dir / "cache.lock"

    def locked(*args: Any, **kwargs: Any) -> Any:
        with lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            return typeset(*args, **kwargs)

    tex_mobject.tex_to_svg_file = locked  # type: ignore[attr-defined]


def run(spec: RenderSpec, out_path: Path) -> RenderOutcome:
    """Render ``spec`` to ``out_path``; never raises, the outcome says what happened."""
    try:
        configure(spec)
        from mathreel_visuals.expressions import ExpressionError
        from mathreel_visuals.layout import LayoutUnfixable
        from mathreel_visuals.safe_latex import UnsafeLatexError
        from mathreel_visuals.scene_builder import StoryboardScene
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


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        sys.stderr.write("usage: python -m mathreel_visuals.scene_runner <spec.json> <out.mp4>\n")
        return 2
    spec = RenderSpec.model_validate_json(Path(args[0]).read_text(encoding="utf-8"))
    try:
        outcome = run(spec, Path(args[1]))
    except Exception as exc:
        traceback.print_exc()
        outcome = RenderOutcome(ok=False, error_code="render_failed", error_message=_short(str(exc)), retryable=True)
    Path(spec.report_path).write_text(outcome.model_dump_json(), encoding="utf-8")
    return EXIT_OK if outcome.ok else EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
