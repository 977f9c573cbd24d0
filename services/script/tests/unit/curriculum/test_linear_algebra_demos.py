"""The maths of the linear-algebra demonstrations, checked with SymPy, and their use of the context."""

from __future__ import annotations

import pytest
import sympy

from mathreel_scenelang.storyboard import (
    ApplyMatrix,
    Remove,
    Scene,
    ShowArrow,
    ShowMatrix,
    ShowPlane,
    ShowPolygon,
    ShowSegment,
)
from mathreel_script.context import ContextFacts, parse_context
from mathreel_script.demonstrations import get_demonstration
from mathreel_script.demonstrations.checks import visible_text


def _scenes(name: str, params: dict[str, object], context: str = "") -> list[Scene]:
    facts = parse_context(context) if context else ContextFacts()
    return get_demonstration(name).scenes(params, facts)


def _shown(scenes: list[Scene]) -> str:
    return " ".join(visible_text(action) for scene in scenes for beat in scene.beats for action in beat.actions)


def _last_matrix(scenes: list[Scene]) -> list[list[str]]:
    return [a.rows for s in scenes for b in s.beats for a in b.actions if isinstance(a, ShowMatrix)][-1]


@pytest.mark.parametrize(("a", "b"), [([1, 2, 3, 4], [5, 6, 7, 8]), ([2, 0, -1, 3], [1, 4, 2, -1])])
def test_products_and_sums_are_filled_in_correctly(a: list[int], b: list[int]) -> None:
    product = sympy.Matrix(2, 2, a) * sympy.Matrix(2, 2, b)
    rows = _last_matrix(_scenes("matrix_computation_steps", {"op": "multiply", "a": a, "b": b}))
    assert rows == [[str(product[i, j]) for j in range(2)] for i in range(2)]
    total = sympy.Matrix(2, 2, a) + sympy.Matrix(2, 2, b)
    rows = _last_matrix(_scenes("matrix_computation_steps", {"op": "add", "a": a, "b": b}))
    assert rows == [[str(total[i, j]) for j in range(2)] for i in range(2)]


def test_determinants_inverse_and_transpose() -> None:
    det3 = [2, 0, 1, 1, 3, 2, 1, 1, 1]
    shown = _shown(_scenes("matrix_computation_steps", {"op": "determinant3", "a": det3}))
    assert f"= {sympy.Matrix(3, 3, det3).det()}" in shown
    inverse = _last_matrix(_scenes("matrix_computation_steps", {"op": "inverse", "a": [4, 7, 2, 6]}))
    expected = sympy.Matrix([[4, 7], [2, 6]]).inv()
    assert inverse == [[sympy.latex(expected[i, j]) for j in range(2)] for i in range(2)]
    assert _last_matrix(_scenes("matrix_computation_steps", {"op": "transpose", "a": [1, 2, 3, 4, 5, 6]})) == [
        ["1", "4"],
        ["2", "5"],
        ["3", "6"],
    ]


@pytest.mark.parametrize("op", ["elimination", "cramer"])
def test_systems_are_solved(op: str) -> None:
    shown = _shown(_scenes("matrix_computation_steps", {"op": op, "a": [3, 2, 2, -1], "b": [16, 6]}))
    # 3x + 2y = 16 and 2x - y = 6 have the solution x = 4, y = 2.
    if op == "elimination":
        assert "x = 4, \\; y = 2" in shown
    else:
        assert "x = \\frac{-28}{-7} = 4" in shown
        assert "\\frac{-14}{-7} = 2" in shown


def test_matrix_entries_from_the_context_and_bad_shapes_refused() -> None:
    shown = _shown(_scenes("matrix_computation_steps", {"op": "determinant"}, "The matrix has rows 2, 5 and 1, 3."))
    assert "\\det A = 6 - 5 = 1" in shown
    with pytest.raises(ValueError, match="nine entries"):
        _scenes("matrix_computation_steps", {"op": "determinant3", "a": [1, 2, 3, 4]})  # nine entries needed


def test_the_plane_map_applies_the_matrix_and_reads_off_the_determinant() -> None:
    scenes = _scenes("matrix_on_plane", {"show": "determinant", "a": 1, "b": 2, "c": 3, "d": 1})
    applied = [a for s in scenes for b in s.beats for a in b.actions if isinstance(a, ApplyMatrix)]
    assert applied[0].matrix == ((1.0, 2.0), (3.0, 1.0))
    assert "1 \\cdot 1 - 2 \\cdot 3 = 1 - 6 = -5" in _shown(scenes)


def test_eigenvectors_are_checked_and_shown_in_whole_numbers() -> None:
    shown = _shown(_scenes("matrix_on_plane", {"show": "eigen", "a": 4, "b": 1, "c": 2, "d": 3}))
    assert "v = (1, 1)" in shown  # eigenvalue 5, the larger stretch; the other is 2 along (-1, 2)
    with pytest.raises(ValueError, match="rational eigenvalue"):
        _scenes("matrix_on_plane", {"show": "eigen", "a": 0, "b": -1, "c": 1, "d": 0})  # a rotation has none


def test_inverse_undoes_the_map() -> None:
    scenes = _scenes("matrix_on_plane", {"show": "inverse", "a": 2, "b": 1, "c": 1, "d": 1})
    first, second = [a.matrix for s in scenes for b in s.beats for a in b.actions if isinstance(a, ApplyMatrix)]
    product = sympy.Matrix(second) * sympy.Matrix(first)
    assert max(abs(float(v)) for v in product - sympy.eye(2)) < 1e-12


def _stays_on_the_plane(scenes: list[Scene]) -> tuple[tuple[float, float], tuple[float, float]]:
    """The plane's window, after checking that every point drawn on it stays inside it through every map applied."""
    actions = [a for s in scenes for b in s.beats for a in b.actions]
    (plane,) = [a for a in actions if isinstance(a, ShowPlane)]
    shapes: dict[str, list[tuple[float, float]]] = {}
    m = sympy.eye(2)

    def check_all() -> None:
        for x, y in (p for points in shapes.values() for p in points):
            px, py = (float(v) for v in m * sympy.Matrix([x, y]))
            assert plane.x_range[0] <= px <= plane.x_range[1], (x, y, m)
            assert plane.y_range[0] <= py <= plane.y_range[1], (x, y, m)

    for action in actions:
        if isinstance(action, ApplyMatrix):
            m = sympy.Matrix(action.matrix) * m
        elif isinstance(action, Remove):
            for target in action.targets:
                shapes.pop(target, None)
        elif isinstance(action, ShowPolygon):
            shapes[action.id] = list(action.vertices)
        elif isinstance(action, ShowSegment):
            shapes[action.id] = [action.start, action.end]
        elif isinstance(action, ShowArrow) and action.end is not None:
            shapes[action.id] = [action.end]
        check_all()
    return (plane.x_range[0], plane.x_range[1]), (plane.y_range[0], plane.y_range[1])


@pytest.mark.parametrize("show", ["columns", "determinant", "inverse"])
def test_a_context_matrix_that_reaches_far_gets_a_larger_plane(show: str) -> None:
    context = "Use the matrix with rows 4, 2 and 1, 3."  # (1, 1) lands on (6, 4): beyond the usual -5..5 by -4..4
    scenes = _scenes("matrix_on_plane", {"show": show}, context)
    assert next(a.matrix for s in scenes for b in s.beats for a in b.actions if isinstance(a, ApplyMatrix)) == (
        (4.0, 2.0),
        (1.0, 3.0),
    )
    x_range, _ = _stays_on_the_plane(scenes)
    assert x_range[1] > 5


def test_a_long_eigenvector_gets_a_larger_plane() -> None:
    scenes = _scenes("matrix_on_plane", {"show": "eigen", "a": 4, "b": 1, "c": 2, "d": 3})  # v = (1, 1) goes to (5, 5)
    assert _stays_on_the_plane(scenes)[1][1] >= 6


def test_a_context_matrix_no_plane_can_hold_falls_back_to_the_entrys_own() -> None:
    # (1, 1) would land on (5, 8): off any plane that fits the frame, so the entry's matrix is shown instead.
    scenes = _scenes("matrix_on_plane", {"show": "columns", "a": 2, "b": 1, "c": 1, "d": 2}, "rows 1, 4 and 4, 4")
    assert [a.matrix for s in scenes for b in s.beats for a in b.actions if isinstance(a, ApplyMatrix)] == [
        ((2.0, 1.0), (1.0, 2.0))
    ]
    assert _stays_on_the_plane(scenes) == ((-5, 5), (-4, 4))
    with pytest.raises(ValueError, match="off any plane"):
        _scenes("matrix_on_plane", {"show": "columns", "a": 1, "b": 4, "c": 4, "d": 4})  # the entry's own too far
