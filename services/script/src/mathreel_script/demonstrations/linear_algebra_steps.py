"""Matrix computations step by step, with the result filled in entry by entry as it is said: sums, products (row
times column), transposes, 2 by 2 and 3 by 3 determinants, inverses, and a system solved by elimination or by
Cramer's rule. Every result is computed with SymPy and checked."""

from __future__ import annotations

from typing import Annotated, Literal

import sympy
from pydantic import Field, model_validator

from mathreel_scenelang.storyboard import (
    Action,
    Circumscribe,
    Remove,
    Scene,
    ShowEquation,
    ShowMatrix,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._figure_tools import check, context_ints
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft

Entry = Annotated[int, Field(ge=-9, le=9)]
Constant = Annotated[int, Field(ge=-60, le=60)]
_ORDINAL = ("first", "second", "third")
Operation = Literal["add", "multiply", "transpose", "determinant", "determinant3", "inverse", "elimination", "cramer"]


class MatrixStepParams(Params):
    op: Operation = "multiply"
    a: list[Entry] = Field(default_factory=lambda: [1, 2, 3, 4], min_length=4, max_length=9)
    b: list[Constant] = Field(default_factory=lambda: [5, 6, 7, 8], min_length=2, max_length=6)

    @model_validator(mode="after")
    def _shapes(self) -> MatrixStepParams:
        if self.op == "determinant3" and len(self.a) != 9:
            raise ValueError("a 3 by 3 determinant needs nine entries")
        if self.op == "transpose" and len(self.a) != 6:
            raise ValueError("the transpose demonstration takes a 2 by 3 matrix: six entries")
        if self.op not in ("determinant3", "transpose") and len(self.a) != 4:
            raise ValueError("give the four entries of a 2 by 2 matrix, row by row")
        if self.op in ("add", "multiply") and len(self.b) != 4:
            raise ValueError("the second matrix needs four entries")
        if self.op in ("elimination", "cramer") and len(self.b) != 2:
            raise ValueError("the right-hand side has two numbers")
        return self


def _usable(op: str, entries: list[int]) -> bool:
    """Whether matrix entries a context gives can be worked with: a system needs one solution, an inverse a non-zero
    determinant, elimination an x in both equations."""
    if all(v == 0 for v in entries):
        return False
    if op in ("inverse", "elimination", "cramer"):
        m = sympy.Matrix(2, 2, entries)
        if m.det() == 0 or (op == "elimination" and (entries[0] == 0 or entries[2] == 0)):
            return False
    return True


def _rows(m: sympy.Matrix, hidden: set[tuple[int, int]] | None = None) -> list[list[str]]:
    hidden = hidden or set()
    return [["?" if (i, j) in hidden else sympy.latex(m[i, j]) for j in range(m.cols)] for i in range(m.rows)]


def _par(v: sympy.Expr) -> str:
    """A factor as written in a product: negative numbers in brackets."""
    text = sympy.latex(v)
    return f"({text})" if v < 0 else text


def _spoken_num(v: sympy.Expr) -> str:
    if v.is_Integer:
        return str(v) if v >= 0 else f"minus {-v}"
    p, q = sympy.fraction(v)
    return f"{'minus ' if v < 0 else ''}{abs(p)} over {q}"


@demonstration("matrix_computation_steps", MatrixStepParams)
def matrix_computation_steps(params: MatrixStepParams, facts: ContextFacts) -> list[Scene]:
    """Matrix arithmetic one entry at a time: the entry being computed is named, its arithmetic shown, and it is
    written into the result matrix as it is said."""
    op = params.op
    entries, second = list(params.a), list(params.b)
    wanted = len(entries) + (4 if op in ("add", "multiply") else 0)
    found = context_ints(facts, wanted, -9, 9)
    if found and _usable(op, found[: len(entries)]):
        entries, second = found[: len(entries)], found[len(entries) :] or second
    if op in ("add", "multiply"):
        params = params.model_copy(update={"a": entries, "b": second})
    else:
        params = params.model_copy(update={"a": entries})
    a = (
        sympy.Matrix(2, 3, params.a)
        if op == "transpose"
        else sympy.Matrix(3 if op == "determinant3" else 2, 3 if op == "determinant3" else 2, params.a)
    )
    draft = SceneDraft("matrix_steps", "example", "Step by step")
    if op in ("add", "multiply"):
        b = sympy.Matrix(2, 2, params.b)
        result = a + b if op == "add" else a * b
        check(result == (sympy.Matrix(a) + b if op == "add" else sympy.Matrix(a).multiply(b)), "matrix arithmetic")
        sign = "+" if op == "add" else "\\times"
        draft.beat(
            "Add these two matrices: matching entries add."
            if op == "add"
            else "Multiply these two matrices: each entry of the product is a row of the first times a column "
            "of the second.",
            ShowMatrix(id="a", rows=_rows(a), region="top_left"),
            ShowEquation(id="sign", latex=sign, region="top"),
            ShowMatrix(id="b", rows=_rows(b), region="top_right"),
        )
        hidden = {(i, j) for i in range(2) for j in range(2)}
        previous = None
        for i in range(2):
            for j in range(2):
                hidden.discard((i, j))
                if op == "add":
                    calc = f"{_par(a[i, j])} + {_par(b[i, j])} = {sympy.latex(result[i, j])}"
                    said = (
                        f"{_ORDINAL[i].capitalize()} row, {_ORDINAL[j]} column: {_spoken_num(a[i, j])} plus "
                        f"{_spoken_num(b[i, j])} is {_spoken_num(result[i, j])}."
                    )
                else:
                    calc = (
                        f"{_par(a[i, 0])} \\cdot {_par(b[0, j])} + {_par(a[i, 1])} \\cdot {_par(b[1, j])} = "
                        f"{sympy.latex(result[i, j])}"
                    )
                    said = (
                        f"{_ORDINAL[i].capitalize()} row times {_ORDINAL[j]} column: {_spoken_num(a[i, 0])} times "
                        f"{_spoken_num(b[0, j])} plus {_spoken_num(a[i, 1])} times {_spoken_num(b[1, j])} is "
                        f"{_spoken_num(result[i, j])}."
                    )
                name = f"r{i}{j}"
                actions: list[Action] = [
                    ShowMatrix(id=name, rows=_rows(result, set(hidden)), region="center", color="yellow")
                ]
                if previous:
                    actions.insert(0, Remove(targets=[previous, "calc"]))
                actions.append(ShowEquation(id="calc", latex=calc, region="bottom"))
                draft.beat(said, *actions)
                previous = name
        return [draft.build()]
    if op == "transpose":
        t = a.T
        check(all(t[j, i] == a[i, j] for i in range(2) for j in range(3)), "transpose")
        draft.beat(
            "This matrix has two rows and three columns.",
            ShowMatrix(id="a", rows=_rows(a), region="left"),
        ).beat(
            "Its transpose turns rows into columns: the first row "
            f"{', '.join(_spoken_num(v) for v in a.row(0))} becomes the first column.",
            ShowMatrix(id="t1", rows=_rows(t, {(i, 1) for i in range(3)}), region="right", color="yellow"),
        ).beat(
            f"The second row {', '.join(_spoken_num(v) for v in a.row(1))} becomes the second column: three rows "
            "and two columns.",
            Remove(targets=["t1"]),
            ShowMatrix(id="t2", rows=_rows(t), region="right", color="yellow"),
        ).beat(
            "Entry row i, column j of the transpose is entry row j, column i of the original.",
            ShowEquation(id="rule", latex="(A^T)_{ij} = A_{ji}", region="bottom"),
        )
        return [draft.build()]
    if op == "determinant":
        det = a.det()
        ad, bc = a[0, 0] * a[1, 1], a[0, 1] * a[1, 0]
        check(ad - bc == det, "determinant")
        draft.beat(
            "The determinant of a two by two matrix: the product down the main diagonal minus the product "
            "up the other.",
            ShowMatrix(id="a", rows=_rows(a), region="left"),
            ShowEquation(id="rule", latex="\\det A = ad - bc", region="right"),
        ).beat(
            f"Down the main diagonal: {_spoken_num(a[0, 0])} times {_spoken_num(a[1, 1])} is {_spoken_num(ad)}.",
            ShowEquation(id="calc", latex=f"{_par(a[0, 0])} \\cdot {_par(a[1, 1])} = {ad}", region="bottom_left"),
        ).beat(
            f"Up the other diagonal: {_spoken_num(a[0, 1])} times {_spoken_num(a[1, 0])} is {_spoken_num(bc)}.",
            ShowEquation(id="calc2", latex=f"{_par(a[0, 1])} \\cdot {_par(a[1, 0])} = {bc}", region="bottom_right"),
        ).beat(
            f"So the determinant is {_spoken_num(ad)} minus {_spoken_num(bc)}: {_spoken_num(det)}.",
            TransformEquation(target="rule", latex=f"\\det A = {ad} - {_par(bc)} = {det}", highlight=[f"= {det}"]),
            Circumscribe(target="rule"),
        )
        return [draft.build()]
    if op == "determinant3":
        det = a.det()
        terms = []
        for j in range(3):
            minor = a.minor_submatrix(0, j)
            terms.append((a[0, j], minor, minor.det(), (-1) ** j))
        check(sum(s * e * md for e, _, md, s in terms) == det, "cofactor expansion")
        draft.beat(
            "Expand the three by three determinant along the first row, with signs plus, minus, plus.",
            ShowMatrix(id="a", rows=_rows(a), region="left"),
        )
        names = ["first", "second", "third"]
        for j, (entry, minor, mdet, sign) in enumerate(terms):
            draft.beat(
                f"The {names[j]} entry, {_spoken_num(entry)}, times the determinant of what is left when its row and "
                f"column are crossed out: {_spoken_num(mdet)}.",
                # One minor at a time beside the matrix: three at once crowd the frame.
                *([Remove(targets=[f"m{j - 1}"])] if j else []),
                ShowMatrix(id=f"m{j}", rows=_rows(minor), region="right", color="yellow"),
                ShowEquation(
                    id=f"t{j}",
                    latex=f"{'+' if sign > 0 else '-'}\\, {_par(entry)} \\cdot {_par(mdet)} = {sign * entry * mdet}",
                    region=("top", "center", "bottom")[j],
                ),
            )
        total = " + ".join(_par(s * e * md) for e, _, md, s in terms)
        draft.beat(
            f"Add the three terms: the determinant is {_spoken_num(det)}.",
            Remove(targets=["t0", "t1", "t2", "m2"]),
            ShowEquation(id="sum", latex=f"\\det A = {total} = {det}", region="bottom"),
        )
        return [draft.build()]
    if op == "inverse":
        det = a.det()
        if det == 0:
            raise ValueError("a matrix with determinant 0 has no inverse")
        inv = a.inv()
        check(a * inv == sympy.eye(2), "inverse")
        adj = sympy.Matrix([[a[1, 1], -a[0, 1]], [-a[1, 0], a[0, 0]]])
        draft.beat(
            f"To invert this matrix, first find its determinant: {_spoken_num(det)}, which is not zero, so an "
            "inverse exists.",
            ShowMatrix(id="a", rows=_rows(a), region="left"),
            ShowEquation(
                id="det", latex=f"\\det A = {a[0, 0] * a[1, 1]} - {_par(a[0, 1] * a[1, 0])} = {det}", region="top_right"
            ),
        ).beat(
            "Swap the two diagonal entries and change the signs of the other two.",
            ShowMatrix(id="adj", rows=_rows(adj), region="right", color="yellow"),
        ).beat(
            f"Divide every entry by the determinant, {_spoken_num(det)}.",
            Remove(targets=["adj"]),
            ShowMatrix(id="inv", rows=_rows(inv), region="right", color="green"),
        ).beat(
            "Check: the matrix times its inverse is the identity.",
            ShowEquation(
                id="check", latex="A A^{-1} = \\begin{bmatrix} 1 & 0 \\\\ 0 & 1 \\end{bmatrix}", region="bottom"
            ),
        )
        return [draft.build()]
    # a system: a[0] x + a[1] y = b[0]; a[2] x + a[3] y = b[1]
    x, y = sympy.symbols("x y")
    rhs = sympy.Matrix(params.b)
    det = a.det()
    if det == 0:
        raise ValueError("the system needs exactly one solution")
    sol = a.LUsolve(rhs)
    check(a * sol == rhs, "solution")
    eq1 = sympy.latex(sympy.Eq(a[0, 0] * x + a[0, 1] * y, rhs[0]))
    eq2 = sympy.latex(sympy.Eq(a[1, 0] * x + a[1, 1] * y, rhs[1]))
    sx, sy = sol[0], sol[1]
    if op == "cramer":
        ax, ay = a.copy(), a.copy()
        ax[:, 0] = rhs
        ay[:, 1] = rhs
        check(ax.det() / det == sx and ay.det() / det == sy, "Cramer's rule")
        draft.beat(
            "Solve this system with determinants.",
            ShowEquation(id="system", latex=f"{eq1} \\quad {eq2}", region="top"),
            ShowMatrix(id="a", rows=_rows(a), region="left"),
        ).beat(
            f"The coefficient matrix has determinant {_spoken_num(det)}.",
            ShowEquation(id="d", latex=f"D = {det}", region="right"),
        ).beat(
            f"Replace its first column by the right-hand side: that determinant is {_spoken_num(ax.det())}, so x is "
            f"{_spoken_num(ax.det())} over {_spoken_num(det)}, which is {_spoken_num(sx)}.",
            ShowMatrix(id="ax", rows=_rows(ax), region="bottom_left", color="yellow"),
            ShowEquation(
                id="sx", latex=f"x = \\frac{{{ax.det()}}}{{{det}}} = {sympy.latex(sx)}", region="bottom_right"
            ),
        ).beat(
            f"Replace the second column instead: {_spoken_num(ay.det())} over {_spoken_num(det)} gives y equals "
            f"{_spoken_num(sy)}.",
            Remove(targets=["ax", "sx"]),
            ShowMatrix(id="ay", rows=_rows(ay), region="bottom_left", color="green"),
            ShowEquation(
                id="sy",
                latex=f"x = {sympy.latex(sx)}, \\; y = \\frac{{{ay.det()}}}{{{det}}} = {sympy.latex(sy)}",
                region="bottom_right",
            ),
        )
        return [draft.build()]
    # elimination: make the x coefficients match, subtract, solve for y, substitute back.
    p, q = a[1, 0], a[0, 0]
    if p == 0 or q == 0:
        raise ValueError("give both equations an x term to eliminate")
    row1 = [p * a[0, 0], p * a[0, 1], p * rhs[0]]
    row2 = [q * a[1, 0], q * a[1, 1], q * rhs[1]]
    diff = [row1[1] - row2[1], row1[2] - row2[2]]
    check(diff[0] * sy == diff[1] and row1[0] == row2[0], "elimination")

    def latex_row(values: list[sympy.Expr]) -> list[str]:
        return [sympy.latex(v) for v in values]

    draft.beat(
        "Solve this system by elimination: write its numbers as rows, one row per equation.",
        ShowEquation(id="system", latex=f"{eq1} \\quad {eq2}", region="top"),
        ShowMatrix(id="aug", rows=[latex_row([*a.row(0), rhs[0]]), latex_row([*a.row(1), rhs[1]])], region="left"),
    ).beat(
        f"Multiply the first row by {_spoken_num(p)} and the second by {_spoken_num(q)}, so both start with "
        f"{_spoken_num(row1[0])} x.",
        ShowMatrix(id="scaled", rows=[latex_row(row1), latex_row(row2)], region="right", color="yellow"),
    ).beat(
        f"Subtract the second row from the first: x drops out, leaving {_spoken_num(diff[0])} y equals "
        f"{_spoken_num(diff[1])}, so y is {_spoken_num(sy)}.",
        Remove(targets=["scaled"]),
        ShowMatrix(id="reduced", rows=[latex_row(row1), ["0", *latex_row(diff)]], region="right", color="green"),
        ShowEquation(id="y", latex=f"y = \\frac{{{diff[1]}}}{{{diff[0]}}} = {sympy.latex(sy)}", region="bottom_right"),
    ).beat(
        f"Put y back into the first equation: x is {_spoken_num(sx)}.",
        ShowEquation(id="x", latex=f"x = {sympy.latex(sx)}, \\; y = {sympy.latex(sy)}", region="bottom_left"),
        Circumscribe(target="x"),
    )
    return [draft.build()]
