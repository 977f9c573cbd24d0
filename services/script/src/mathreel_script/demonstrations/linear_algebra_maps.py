"""A 2 by 2 matrix acting on the plane: its columns are where the basis vectors land, the unit square becomes a
parallelogram whose area is the determinant, eigenvectors stay on their own lines, a singular matrix flattens the
plane, and the inverse undoes the map."""

from __future__ import annotations

import math
from typing import Literal

import sympy
from pydantic import Field

from mathreel_scenelang.storyboard import (
    ApplyMatrix,
    Circumscribe,
    Indicate,
    Remove,
    Scene,
    ShowArrow,
    ShowEquation,
    ShowMatrix,
    ShowPlane,
    ShowPolygon,
    ShowSegment,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._figure_tools import check, context_ints, num
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft


class PlaneMapParams(Params):
    a: int = Field(default=2, ge=-4, le=4)
    b: int = Field(default=1, ge=-4, le=4)
    c: int = Field(default=1, ge=-4, le=4)
    d: int = Field(default=2, ge=-4, le=4)
    show: Literal["columns", "determinant", "eigen", "singular", "inverse"] = "columns"


def _suits(m: sympy.Matrix, show: str) -> bool:
    """Whether a matrix can show this: an inverse needs a non-zero determinant, an eigenvector a rational eigenvalue
    (of an actual stretch), and a singular matrix a zero determinant."""
    if show == "singular":
        return bool(m.det() == 0) and m != sympy.zeros(2, 2)
    if m.det() == 0:
        return False
    if show == "eigen":
        return any(val.is_rational and val not in (0, 1) for val in m.eigenvals())
    return True


# The plane shows x in [-X, X] and y in [-Y, Y]: (5, 4) unless what the map draws needs more, up to (10, 8) (more
# grid lines than that would be a blur at the plane's size on screen).
_WINDOW = (5, 4)
_LARGEST_WINDOW = (10, 8)


def _eigenvector(m: sympy.Matrix) -> tuple[sympy.Expr, sympy.Matrix] | None:
    """The eigenvalue of the clearest stretch and its eigenvector in smallest whole numbers, if one is rational."""
    real = [(val, vecs[0]) for val, _, vecs in m.eigenvects() if val.is_rational]
    if not real:
        return None
    lam, vec = max(real, key=lambda pair: abs(pair[0]))
    vec = vec * sympy.ilcm(*[sympy.fraction(v)[1] for v in vec])  # whole-number components
    return lam, vec / sympy.igcd(*[int(v) for v in vec])


def _drawn_points(m: sympy.Matrix, show: str) -> list[tuple[float, float]]:
    """Every plane point the demonstration draws, before and after the map: the unit square and its image (whose
    corners include where i, j and the arrow (1, 1) land), and for ``eigen`` the eigenvector and its image."""
    points = [sympy.Matrix(p) for p in ((0, 0), (1, 0), (1, 1), (0, 1))]
    points += [m * p for p in points]
    eigen = _eigenvector(m) if show == "eigen" else None
    if eigen is not None:
        points += [eigen[1], m * eigen[1]]
    return [(float(p[0]), float(p[1])) for p in points]


def _window(m: sympy.Matrix, show: str) -> tuple[int, int] | None:
    """The smallest window (half-width, half-height) in the plane's 5:4 shape that holds everything the map draws
    with a unit of margin, or ``None`` when even the largest would not."""
    points = _drawn_points(m, show)
    need_x = max(abs(x) for x, _ in points) + 1
    need_y = max(abs(y) for _, y in points) + 1
    for half_y in range(_WINDOW[1], _LARGEST_WINDOW[1] + 1):
        half_x = min(_LARGEST_WINDOW[0], max(_WINDOW[0], math.ceil(half_y * 5 / 4)))
        if half_x >= need_x and half_y >= need_y:
            return half_x, half_y
    return None


def _fits(m: sympy.Matrix, show: str) -> bool:
    return _suits(m, show) and _window(m, show) is not None


def _rows(m: sympy.Matrix) -> list[list[str]]:
    return [[sympy.latex(m[i, j]) for j in range(m.cols)] for i in range(m.rows)]


# The arrows previewing where i and j go give way when the map is applied: the plane's own basis arrows, which the
# map carries, land exactly there (left on the plane, the previews would be carried a second time).
_PREVIEWS_GO = Remove(targets=["i_to", "j_to"])


def _bmatrix(m: sympy.Matrix) -> str:
    """A matrix in brackets, compactly: ``\\begin{bmatrix}2 & 1\\\\1 & 2\\end{bmatrix}``."""
    body = r"\\".join("&".join(sympy.latex(m[i, j]) for j in range(m.cols)) for i in range(m.rows))
    return rf"\begin{{bmatrix}}{body}\end{{bmatrix}}"


def _as_floats(m: sympy.Matrix) -> tuple[tuple[float, float], tuple[float, float]]:
    return ((float(m[0, 0]), float(m[0, 1])), (float(m[1, 0]), float(m[1, 1])))


@demonstration("matrix_on_plane", PlaneMapParams)
def matrix_on_plane(params: PlaneMapParams, facts: ContextFacts) -> list[Scene]:
    """The plane transformed by a matrix, with the grid, the basis vectors, the unit square and chosen vectors moving
    together; what is read off: columns as images of i and j, area scaled by the determinant, eigenvectors."""
    found = context_ints(facts, 4, -4, 4)
    # The context's matrix when it can show this and what it does stays on the plane; else the entry's own.
    a, b, c, d = (
        found if found and _fits(sympy.Matrix(2, 2, found), params.show) else (params.a, params.b, params.c, params.d)
    )
    m = sympy.Matrix([[a, b], [c, d]])
    window = _window(m, params.show)
    if window is None:
        raise ValueError("this matrix carries the unit square off any plane that fits the frame")
    half_x, half_y = window
    det = m.det()
    show = params.show
    if show != "singular" and det == 0:
        raise ValueError("this demonstration needs an invertible matrix")
    if show == "singular" and det != 0:
        raise ValueError("a singular matrix has determinant 0")
    draft = SceneDraft("plane_map", "explanation", "A matrix moves the plane").beat(
        f"The matrix with rows {a}, {b} and {c}, {d} moves every point of the plane.",
        ShowPlane(id="plane", x_range=(-half_x, half_x, 1), y_range=(-half_y, half_y, 1), region="left"),
        ShowMatrix(id="m", rows=_rows(m), region="top_right"),
        ShowPolygon(
            id="square",
            axes="plane",
            vertices=[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)],
            color="yellow",
            fill_opacity=0.4,
        ),
    )
    draft.beat(
        f"Its first column says where i goes, to {a}, {c}; its second where j goes, to {b}, {d}.",
        ShowArrow(
            id="i_to", axes="plane", start=(0.0, 0.0), end=(float(a), float(c)), label=f"({a}, {c})", color="green"
        ),
        ShowArrow(
            id="j_to", axes="plane", start=(0.0, 0.0), end=(float(b), float(d)), label=f"({b}, {d})", color="red"
        ),
    )
    if show == "eigen":
        eigen = _eigenvector(m)
        if eigen is None:
            raise ValueError("choose a matrix with a rational eigenvalue")
        lam, vec = eigen
        check(m * vec == lam * vec, "eigenvector")
        vx, vy = float(vec[0]), float(vec[1])
        reach = (half_y - 0.2) / (max(abs(float(lam)), 1.0) * max(abs(vx), abs(vy)))
        draft.beat(
            f"Most arrows turn off their line, but the arrow {num(vx)}, {num(vy)} is special.",
            # The eigenvector's line, only as long as stays on the plane once the map stretches it by the eigenvalue.
            ShowSegment(
                id="line",
                axes="plane",
                start=(-reach * vx, -reach * vy),
                end=(reach * vx, reach * vy),
                dashed=True,
                color="grey",
            ),
            ShowArrow(
                id="v",
                axes="plane",
                start=(0.0, 0.0),
                end=(vx, vy),
                label=f"v = ({num(vx)}, {num(vy)})",
                color="orange",
            ),
        ).beat(
            f"Apply the matrix: that arrow stays on its line, only stretched by {sympy.latex(lam)}.",
            _PREVIEWS_GO,
            ApplyMatrix(target="plane", matrix=_as_floats(m)),
        ).beat(
            f"So it is an eigenvector with eigenvalue {sympy.latex(lam)}: the matrix times v is "
            f"{sympy.latex(lam)} times v.",
            ShowEquation(
                id="eig",
                latex=f"{_bmatrix(m)} {_bmatrix(vec)} = {_bmatrix(m * vec)} = {sympy.latex(lam)} {_bmatrix(vec)}",
                region="bottom_right",
            ),
            Indicate(target="v"),
        )
        return [draft.build()]
    if show == "inverse":
        inv = m.inv()
        check(m * inv == sympy.eye(2), "inverse")
        draft.beat(
            "Apply the matrix: the square becomes a parallelogram.",
            _PREVIEWS_GO,
            ApplyMatrix(target="plane", matrix=_as_floats(m)),
        ).beat(
            f"The inverse matrix, 1 over the determinant {det} times the swapped and negated entries, undoes it.",
            ShowMatrix(id="inv", rows=_rows(inv), region="right"),
            ShowEquation(
                id="inv_rule",
                latex=f"A^{{-1}} = \\frac{{1}}{{{det}}}\\begin{{bmatrix}} {d} & {-b} \\\\ {-c} & {a} \\end{{bmatrix}}",
                region="bottom_right",
            ),
        ).beat(
            "Apply it and every point goes back where it started.",
            ApplyMatrix(target="plane", matrix=_as_floats(inv)),
            Circumscribe(target="square"),
        )
        return [draft.build()]
    v = (1, 1)
    image = m * sympy.Matrix(v)
    draft.beat(
        f"The arrow 1, 1 is i plus j, so it must land on the sum of the columns: {image[0]}, {image[1]}.",
        ShowArrow(id="v", axes="plane", start=(0.0, 0.0), end=(1.0, 1.0), label="(1, 1)", color="orange"),
        ShowEquation(
            id="mv",
            latex=f"{sympy.latex(m)}\\begin{{bmatrix}} 1 \\\\ 1 \\end{{bmatrix}} = \\begin{{bmatrix}} "
            f"{image[0]} \\\\ {image[1]} \\end{{bmatrix}}",
            region="bottom_right",
        ),
    ).beat(
        "Apply the matrix: the grid lines stay straight and evenly spaced, and the origin stays put."
        if show != "singular"
        else "Apply the matrix: the whole plane is flattened onto a single line.",
        _PREVIEWS_GO,
        ApplyMatrix(target="plane", matrix=_as_floats(m)),
    )
    if show == "columns":
        draft.beat(
            "The basis arrows landed on the two columns, and every other arrow followed along.",
            Indicate(target="plane"),
        )
        return [draft.build()]
    ad, bc = a * d, b * c
    draft.beat(
        f"The unit square, area 1, became a parallelogram of area {abs(det)}: the determinant, {ad} minus {bc}, "
        f"is {det}."
        if det != 0
        else f"The unit square is squashed flat, area 0: the determinant, {ad} minus {bc}, is 0, and the matrix "
        "has no inverse.",
        ShowEquation(
            id="det", latex=f"\\det A = {a} \\cdot {d} - {b} \\cdot {c} = {ad} - {bc} = {det}", region="right"
        ),
        Circumscribe(target="square"),
    )
    if det < 0:
        draft.beat("The minus sign means the plane was flipped over as well.", Indicate(target="square"))
    return [draft.build()]
