"""Formulas typeset together in one LaTeX run: a broken one is named with TeX's error, its neighbours are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from mathreel_scenelang.render.tex_batch import compile_formulas

pytestmark = pytest.mark.integration  # runs TeX


def test_broken_formulas_are_named_and_the_rest_are_typeset_once(tmp_path: Path) -> None:
    good = [r"a^2 + b^2 = c^2", r"\int_0^1 x \, dx = \frac{1}{2}", r"\sum_{k=1}^{n} k", r"x \ne y"]
    # An unclosed brace confuses TeX for the rest of the document; an unknown command fails on its own line.
    formulas = [good[0], r"\frac{a}", good[1], r"\notacommand x", good[2], good[3], good[0]]

    errors = compile_formulas(formulas, tmp_path)

    assert errors == {r"\frac{a}": "Missing } inserted.", r"\notacommand x": "Undefined control sequence."}
    # The first batch failed; the last batch run held only the good formulas, each once, one SVG page each.
    last = max((p for p in tmp_path.glob("batch*.tex")), key=lambda p: int(p.stem.removeprefix("batch")))
    pages = sorted(tmp_path.glob(f"{last.stem}-*.svg"))
    assert len(pages) == len(good)
    assert all(b"<path" in page.read_bytes() for page in pages)
