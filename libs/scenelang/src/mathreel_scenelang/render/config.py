"""Manim's global configuration for one render or preflight: size, frame rate, encoder, TeX template and cache."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mathreel_scenelang.render.spec import RenderSpec
from mathreel_scenelang.render.toolchain import TEX_COMPILER

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

    from mathreel_scenelang.render import style

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
    config.tex_template = TexTemplate(tex_compiler=TEX_COMPILER, preamble=TEX_PREAMBLE)
    logging.getLogger("manim").setLevel(logging.ERROR)


def svg_complete(path: Path) -> bool:
    """Whether the SVG dvisvgm wrote at ``path`` is whole: it ends with its closing tag."""
    try:
        with path.open("rb") as svg:
            size = svg.seek(0, 2)
            svg.seek(max(size - 64, 0))
            return svg.read().rstrip().endswith(b"</svg>")
    except OSError:
        return False


def _serialize_tex(tex_dir: Path) -> None:
    """Typeset under an exclusive lock on the shared cache.

    Manim reuses a cached ``.dvi`` or ``.svg`` as soon as the file exists; without the lock a render running in
    parallel could read one that another render is still writing. A file left incomplete by a killed render is
    typeset again.
    """
    import fcntl

    from manim.mobject.text import tex_mobject

    typeset = tex_mobject.tex_to_svg_file  # type: ignore[attr-defined]
    # Configured again in the same process (one preflight worker checks many storyboards): wrap Manim's own function
    # once, or the second lock would wait for the first, held by the same call.
    typeset = getattr(typeset, "unlocked", typeset)
    tex_dir.mkdir(parents=True, exist_ok=True)
    lock_path = tex_dir / "cache.lock"

    def locked(*args: Any, **kwargs: Any) -> Any:
        with lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            svg = Path(typeset(*args, **kwargs))
            if svg_complete(svg):
                return svg
            # Left half-written by a typesetting that was killed (a cancelled or timed-out render): Manim reuses any
            # file that exists, so without this every later render of the formula would read the broken one.
            for stale in (svg, svg.with_suffix(".dvi"), svg.with_suffix(".xdv")):
                stale.unlink(missing_ok=True)
            return typeset(*args, **kwargs)

    locked.unlocked = typeset  # type: ignore[attr-defined]
    tex_mobject.tex_to_svg_file = locked  # type: ignore[attr-defined]
