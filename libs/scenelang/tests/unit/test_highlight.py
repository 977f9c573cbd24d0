"""A highlight colours the term itself, once: not a digit inside a larger number, not the same number elsewhere."""

from __future__ import annotations

import pytest

from mathreel_scenelang.render.highlight import isolated_parts


@pytest.mark.parametrize(
    ("latex", "terms", "parts", "highlighted"),
    [
        # The answer 4, not the 4 of x^2 - 4.
        (r"x^2 - 4 = 0,\ x = 4", ["4"], [r"x^2 - 4 = 0,\ x = ", "4"], [1]),
        # 10 is the result, not the start of 100.
        (r"c = \sqrt{100} = 10", ["10"], [r"c = \sqrt{100} = ", "10"], [1]),
        # A 2 in an exponent is not the value 2.
        ("x^2 = 2", ["2"], ["x^2 = ", "2"], [0 + 1]),
        # Several terms, in the order they stand.
        ("a = 3,\\ b = 5", ["5", "3"], ["a = ", "3", ",\\ b = ", "5"], [1, 3]),
        # A term that never stands alone is not coloured at all.
        ("x = 100", ["10"], ["x = 100"], []),
        # A command's letters are not a term.
        (r"\sin x = 1", ["in"], [r"\sin x = 1"], []),
    ],
)
def test_only_the_last_standalone_occurrence_is_highlighted(
    latex: str, terms: list[str], parts: list[str], highlighted: list[int]
) -> None:
    found, indices = isolated_parts(latex, terms)
    assert found == parts
    assert indices == highlighted
    assert "".join(found) == latex
