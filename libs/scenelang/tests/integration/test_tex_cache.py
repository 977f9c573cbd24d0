"""The TeX cache shared by renders: a formula whose files a killed render left half-written is typeset again."""

from pathlib import Path

import pytest
from manim import MathTex, tempconfig

from mathreel_scenelang.render.config import configure, svg_complete
from mathreel_scenelang.storyboard import storyboard_adapter

from .scenes import even_timing
from .test_render_scene import low_quality_spec

pytestmark = pytest.mark.integration  # typesets with TeX

STORYBOARD = storyboard_adapter.validate_python(
    {
        "title": "t",
        "scenes": [
            {
                "id": "s",
                "title": "s",
                "beats": [{"narration": "A formula.", "actions": [{"op": "equation", "id": "e", "latex": "x^2"}]}],
            }
        ],
    }
)


def test_a_half_written_svg_in_the_shared_cache_is_typeset_again(tmp_path: Path) -> None:
    tex_dir = tmp_path / "tex"
    spec = low_quality_spec(STORYBOARD.scenes[0], even_timing(STORYBOARD, 1.0), tmp_path).model_copy(
        update={"tex_dir": str(tex_dir)}
    )
    with tempconfig({}):
        configure(spec)
        first = MathTex(r"\frac{a}{b} + 7")
        (svg,) = tex_dir.glob("*.svg")
        whole = svg.read_bytes()
        assert svg_complete(svg)
        # What a render killed while dvisvgm wrote leaves behind: the start of the file, and a DVI of nothing.
        svg.write_bytes(whole[: len(whole) // 3])
        svg.with_suffix(".dvi").write_bytes(b"")
        assert not svg_complete(svg)

        again = MathTex(r"\frac{a}{b} + 7")

        assert svg.read_bytes() == whole
        assert len(again.submobjects[0].submobjects) == len(first.submobjects[0].submobjects)
