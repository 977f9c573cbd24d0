"""Render subprocess: ``python -m mathreel_visuals.scene_runner <spec.json> <out.mp4>``.

Runs one Manim render in its own process so renders are isolated from each other and from the worker, can run in
parallel, and can be killed. Whatever happens, it writes a :class:`RenderOutcome` to the spec's ``report_path``
before exiting, so the parent learns *why* a render failed, not only that it did.
"""

from __future__ import annotations

import shutil
import sys
import traceback
from pathlib import Path

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
