"""Algebra lessons: quadratic formula, binomial theorem, series, Euler, matrices, primes, Fibonacci."""

from __future__ import annotations

import math

import sympy

from mathreel_scenelang.storyboard import (
    Circumscribe,
    Indicate,
    PlotFunction,
    Remove,
    ShowAngle,
    ShowArrow,
    ShowAxes,
    ShowCells,
    ShowCircle,
    ShowEquation,
    ShowMatrix,
    ShowNumberLine,
    ShowPoint,
    ShowPolygon,
    ShowSegment,
    ShowTable,
    ShowTree,
    TransformEquation,
    TreeBranch,
)
from mathreel_script.context import ContextFacts
from mathreel_script.draft import Lesson, SceneDraft
from mathreel_script.latex import format_number as num


def _signed(value: int, symbol: str) -> str:
    """`` + 3x`` or `` - 3x`` for the middle of a polynomial."""
    if value == 0:
        return ""
    coefficient = "" if abs(value) == 1 and symbol else str(abs(value))
    return f" {'+' if value > 0 else '-'} {coefficient}{symbol}"


def quadratic_formula(facts: ContextFacts) -> Lesson:
    numbers = facts.integers(-20, 20)
    a, b, c = 1, -5, 6
    if len(numbers) >= 3 and numbers[0] != 0 and numbers[1] ** 2 - 4 * numbers[0] * numbers[2] >= 0:
        a, b, c = numbers[0], numbers[1], numbers[2]
    disc = b * b - 4 * a * c
    roots = sorted({(-b - math.sqrt(disc)) / (2 * a), (-b + math.sqrt(disc)) / (2 * a)})
    poly_latex = f"{'' if a == 1 else ('-' if a == -1 else a)}x^2{_signed(b, 'x')}{_signed(c, '')}"
    poly_expr = f"{a}*x**2 + ({b})*x + ({c})"
    statement = (
        SceneDraft("statement", "statement", "The statement")
        .beat(
            "One formula solves every quadratic equation.",
            ShowEquation(id="general", latex="ax^2 + bx + c = 0", region="top"),
        )
        .beat(
            "x is minus b, plus or minus root b squared minus 4 a c, over 2 a.",
            ShowEquation(id="law", latex="x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}", region="center"),
            Circumscribe(target="law"),
        )
    )
    derivation = (
        SceneDraft("completing", "proof", "Completing the square")
        .beat(
            "Picture x squared as a square, and the x term as two strips.",
            ShowPolygon(id="sq", vertices=[(-2, -1), (0, -1), (0, 1), (-2, 1)], color="blue"),
            ShowPolygon(id="strip_r", vertices=[(0, -1), (0.8, -1), (0.8, 1), (0, 1)], color="green"),
            ShowPolygon(id="strip_t", vertices=[(-2, 1), (0, 1), (0, 1.8), (-2, 1.8)], color="green"),
        )
        .beat(
            "A small corner square completes it.",
            ShowPolygon(id="corner", vertices=[(0, 1), (0.8, 1), (0.8, 1.8), (0, 1.8)], color="yellow"),
        )
        .beat(
            "Divide by a and move c across.",
            Remove(targets=["sq", "strip_r", "strip_t", "corner"]),
            ShowEquation(id="work", latex="x^2 + \\frac{b}{a}x = -\\frac{c}{a}"),
        )
        .beat(
            "Add the corner, b over 2 a squared, to both sides.",
            TransformEquation(
                target="work",
                latex="\\left(x + \\frac{b}{2a}\\right)^2 = \\frac{b^2 - 4ac}{4a^2}",
                highlight=["\\frac{b}{2a}"],
            ),
        )
        .beat(
            "Take square roots, and the formula appears.",
            TransformEquation(target="work", latex="x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}", highlight=["\\pm"]),
        )
    )
    root_text = " and ".join(num(round(r, 3)) for r in roots)
    low, high = math.floor(min(roots)) - 2, math.ceil(max(roots)) + 2
    values = [a * x * x + b * x + c for x in (low, high, -b / (2 * a))]
    example = (
        SceneDraft("example", "example", "An example")
        .beat(
            f"Solve {poly_latex.replace('x^2', ' x squared').replace('x', ' x')} equals zero.".replace("  ", " "),
            ShowEquation(id="calc", latex=f"{poly_latex} = 0", region="top"),
            ShowAxes(
                id="axes",
                x_range=(low, high, 1),
                y_range=(
                    math.floor(min(values)) - 1,
                    math.ceil(max(values)) + 1,
                    max(1, round((max(values) - min(values)) / 6)),
                ),
            ),
            PlotFunction(id="curve", axes="axes", expression=poly_expr, color="yellow"),
        )
        .beat(
            f"Here a is {a}, b is {b}, c is {c}, so b squared minus 4 a c is {disc}.",
            TransformEquation(
                target="calc", latex=f"x = \\frac{{{-b} \\pm \\sqrt{{{disc}}}}}{{{2 * a}}}", highlight=[f"{disc}"]
            ),
        )
        .beat(
            f"The roots are {root_text}, where the curve crosses the axis.",
            TransformEquation(target="calc", latex="x = " + ", \\; ".join(num(round(r, 3)) for r in roots)),
            Indicate(target="curve"),
        )
    )
    return Lesson(
        title="The Quadratic Formula",
        hook="Where does the formula that solves every quadratic equation come from?",
        formula="x = \\frac{-b \\pm \\sqrt{b^2 - 4ac}}{2a}",
        scenes=(statement.build(), derivation.build(), example.build()),
        key_points=("Completing the square derives it", "b² − 4ac decides the roots", "Roots = x-axis crossings"),
    )


def _binomial_term(coefficient: int, power: int) -> str:
    """``6x^{2}``, ``4x``, ``x^{4}`` or ``1``: one term of the expansion of (x + 1)^n."""
    variable = "" if power == 0 else ("x" if power == 1 else f"x^{{{power}}}")
    return f"{'' if coefficient == 1 and variable else coefficient}{variable}"


def binomial_theorem(facts: ContextFacts) -> Lesson:
    powers = facts.integers(2, 7)
    n = powers[0] if powers else 4
    pascal = [[str(math.comb(row, k)) if k <= row else "" for k in range(5)] for row in range(5)]
    statement = (
        SceneDraft("statement", "statement", "The statement")
        .beat(
            "The binomial theorem expands a plus b to any whole power n.",
            ShowEquation(id="law", latex="(a+b)^n = \\sum_{k=0}^{n} \\binom{n}{k} a^{n-k} b^k", region="top"),
        )
        .beat(
            "The coefficients, n choose k, count the ways to pick b from k of the n factors.",
            Circumscribe(target="law"),
        )
        .beat(
            "For n equal to 2, a square of side a plus b splits into a squared, b squared and two a b rectangles.",
            ShowEquation(id="square_law", latex="(a+b)^2 = a^2 + 2ab + b^2", region="bottom"),
            # a = 2, b = 1 at half a unit per unit: the a-by-a square, the b-by-b square, and the two rectangles.
            ShowPolygon(id="aa", vertices=[(0, 0), (2, 0), (2, 2), (0, 2)], labels=["", "", "", ""], color="blue"),
            ShowPolygon(id="bb", vertices=[(2, 2), (3, 2), (3, 3), (2, 3)], color="green"),
            ShowPolygon(id="ab1", vertices=[(2, 0), (3, 0), (3, 2), (2, 2)], color="yellow"),
            ShowPolygon(id="ab2", vertices=[(0, 2), (2, 2), (2, 3), (0, 3)], color="yellow"),
        )
    )
    pascal_scene = (
        SceneDraft("pascal", "explanation", "Pascal's triangle")
        .beat(
            "Pascal's triangle lists these coefficients row by row.",
            ShowTable(
                id="pascal",
                header=["n", "k=0", "k=1", "k=2", "k=3", "k=4"],
                rows=[[str(row), *cells] for row, cells in enumerate(pascal)],
            ),
        )
        .beat("Each entry is the sum of the two entries above it.", Indicate(target="pascal"))
        .beat(
            "Row 2 gives a squared plus 2 a b plus b squared.",
            ShowEquation(id="expand", latex="(a+b)^2 = a^2 + 2ab + b^2", region="bottom"),
        )
        .beat(
            "Row 3 gives the coefficients 1, 3, 3, 1.",
            TransformEquation(
                target="expand", latex="(a+b)^3 = a^3 + 3a^2b + 3ab^2 + b^3", highlight=["3a^2b", "3ab^2"]
            ),
        )
    )
    terms = " + ".join(_binomial_term(math.comb(n, k), n - k) for k in range(n + 1))
    coefficients = ", ".join(str(math.comb(n, k)) for k in range(n + 1))
    example = (
        SceneDraft("example", "example", "An example")
        .beat(
            f"Expand x plus 1 to the power {n}.",
            ShowEquation(id="calc", latex=f"(x+1)^{{{n}}}", region="top"),
        )
        .beat(
            f"Row {n} of the triangle gives the coefficients {coefficients}.",
            ShowTable(
                id="row",
                header=[f"k={k}" for k in range(min(n + 1, 6))],
                rows=[[str(math.comb(n, k)) for k in range(min(n + 1, 6))]],
            ),
            TransformEquation(target="calc", latex=f"(x+1)^{{{n}}} = {terms}"),
        )
    )
    return Lesson(
        title="The Binomial Theorem",
        hook="How do you expand a plus b to the tenth power without multiplying it out?",
        formula="(a+b)^n = \\sum_{k=0}^{n} \\binom{n}{k} a^{n-k} b^k",
        scenes=(statement.build(), pascal_scene.build(), example.build()),
        key_points=("Coefficients are n choose k", "Read them off Pascal's triangle", "Each entry sums the two above"),
    )


def _stairs(n: int, flipped: bool, scale: float, shift: tuple[float, float]) -> list[tuple[float, float]]:
    """Outline of columns of heights 1..n, or (flipped) of the columns that complete an n by n + 1 rectangle."""
    if flipped:
        points = [(0, n + 1), *(p for i in range(1, n + 1) for p in ((i - 1, i), (i, i))), (n, n + 1)]
    else:
        points = [(0, 0), (n, 0), (n, n), *(p for i in range(n, 1, -1) for p in ((i - 1, i), (i - 1, i - 1))), (0, 1)]
    return [(round(x * scale + shift[0], 3), round(y * scale + shift[1], 3)) for x, y in points]


def arithmetic_series(facts: ContextFacts) -> Lesson:
    counts = facts.integers(2, 10_000)
    n = counts[0] if counts else 100
    total = n * (n + 1) // 2
    statement = SceneDraft("statement", "statement", "The statement").beat(
        "The sum of the first n whole numbers is n times n plus 1, over 2.",
        ShowEquation(id="law", latex="1 + 2 + \\cdots + n = \\frac{n(n+1)}{2}", region="top"),
    )
    proof = (
        SceneDraft("staircase", "proof", "Two staircases")
        .beat(
            "Stack 1, 2, 3 and 4 blocks into a staircase.",
            ShowEquation(id="sum", latex="S = 1 + 2 + 3 + 4", region="top"),
            ShowPolygon(id="stairs", vertices=_stairs(4, False, 0.7, (-1.4, -1.75)), color="blue"),
        )
        .beat(
            "A second copy, turned upside down, completes a 4 by 5 rectangle.",
            ShowPolygon(id="copy", vertices=_stairs(4, True, 0.7, (-1.4, -1.75)), color="orange"),
            TransformEquation(target="sum", latex="2S = 4 \\times 5"),
        )
        .beat(
            "So twice the sum is n times n plus 1.",
            Remove(targets=["sum"]),
            ShowEquation(id="calc", latex="2S = n(n+1)", region="top"),
            TransformEquation(target="calc", latex="S = \\frac{n(n+1)}{2}", highlight=["\\frac{n(n+1)}{2}"]),
        )
    )
    example = (
        SceneDraft("example", "example", "Gauss's trick")
        .beat(
            f"Add 1 to {n} by writing the sum forwards and backwards.",
            ShowTable(
                id="pairs",
                header=["S", "1", "2", "\u2026", str(n - 1), str(n)],
                rows=[
                    ["S", str(n), str(n - 1), "\u2026", "2", "1"],
                    ["2S", *([str(n + 1)] * 2), "\u2026", *([str(n + 1)] * 2)],
                ],
            ),
        )
        .beat(
            f"Each of the {n} columns adds to {n + 1}, so the sum is {total}.",
            ShowEquation(id="calc", latex=f"S = \\frac{{{n} \\cdot {n + 1}}}{{2}} = {total}", region="bottom"),
            Indicate(target="pairs"),
        )
    )
    return Lesson(
        title="Arithmetic Series",
        hook="How did young Gauss add the numbers from 1 to 100 in seconds?",
        formula="\\frac{n(n+1)}{2}",
        scenes=(statement.build(), proof.build(), example.build()),
        key_points=("Pair the first and last terms", "Each pair sums to n + 1", "S = n(n + 1)/2"),
    )


def euler_identity(facts: ContextFacts) -> Lesson:
    tip = (round(2 * math.cos(math.radians(50)), 3), round(2 * math.sin(math.radians(50)), 3))
    statement = SceneDraft("statement", "statement", "The statement").beat(
        "Euler's identity links five famous numbers: e, i, pi, 1 and 0.",
        ShowEquation(id="law", latex="e^{i\\pi} + 1 = 0", region="center"),
        Circumscribe(target="law"),
    )
    demo = (
        SceneDraft("circle", "explanation", "Walking the unit circle")
        .beat(
            "Euler's formula puts e to the i theta on the unit circle, at cosine theta plus i sine theta.",
            ShowEquation(id="formula", latex="e^{i\\theta} = \\cos\\theta + i\\sin\\theta", region="top"),
            ShowCircle(id="circle", radius=2, color="blue"),
            ShowSegment(id="radius", start=(0, 0), end=tip, color="yellow"),
            ShowAngle(id="theta", vertex=(0, 0), a=(2, 0), b=tip, label="\\theta"),
        )
        .beat(
            "Turn theta all the way to pi, half a turn, and the point lands on minus 1.",
            Remove(targets=["radius", "theta"]),
            ShowAngle(id="half", vertex=(0, 0), a=(2, 0), b=(-2, 0), label="\\pi", color="yellow"),
            ShowPoint(id="minus_one", at=(-2, 0), label="-1", color="red"),
            TransformEquation(target="formula", latex="e^{i\\pi} = -1", highlight=["-1"]),
        )
        .beat(
            "Add 1 to both sides and you have Euler's identity.",
            TransformEquation(target="formula", latex="e^{i\\pi} + 1 = 0", highlight=["+ 1"]),
        )
    )
    example = SceneDraft("example", "example", "A quarter turn").beat(
        "A quarter turn, theta equal to pi over 2, lands straight up, on i.",
        ShowCircle(id="circle", radius=2, color="blue"),
        ShowAngle(id="quarter", vertex=(0, 0), a=(2, 0), b=(0, 2), label="\\pi/2", color="yellow"),
        ShowPoint(id="i_point", at=(0, 2), label="i", color="green"),
        ShowEquation(id="calc", latex="e^{i\\pi/2} = i", region="top"),
    )
    return Lesson(
        title="Euler's Identity",
        hook="How can e, i and pi combine to give exactly minus one?",
        formula="e^{i\\pi} + 1 = 0",
        scenes=(statement.build(), demo.build(), example.build()),
        key_points=("e^(iθ) walks the unit circle", "Half a turn lands on −1", "e^(iπ) + 1 = 0"),
    )


def _matrix_text(matrix: list[list[int]], shown: set[tuple[int, int]] | None = None) -> list[list[str]]:
    """The entries as text; with ``shown``, only those (row, column) entries, the others a ``?`` still to work out."""
    return [
        [str(v) if shown is None or (i, j) in shown else "?" for j, v in enumerate(row)] for i, row in enumerate(matrix)
    ]


def _factor(value: int) -> str:
    """A factor of a product in LaTeX: a negative one in brackets, ``3 \\cdot (-2)``."""
    return f"({value})" if value < 0 else str(value)


def matrix_multiplication(facts: ContextFacts) -> Lesson:
    values = facts.integers(-20, 20)
    entries = values[:8] if len(values) >= 8 else [1, 2, 3, 4, 5, 6, 7, 8]
    a = [entries[0:2], entries[2:4]]
    b = [entries[4:6], entries[6:8]]
    c = [[sum(a[i][k] * b[k][j] for k in range(2)) for j in range(2)] for i in range(2)]
    ba = [[sum(b[i][k] * a[k][j] for k in range(2)) for j in range(2)] for i in range(2)]
    statement = (
        SceneDraft("statement", "statement", "The rule")
        .beat(
            "Each entry of a product A B is a row of A times a column of B.",
            ShowEquation(id="law", latex="(AB)_{ij} = \\sum_k A_{ik} B_{kj}", region="top"),
        )
        .beat(
            "So A needs as many columns as B has rows.",
            ShowEquation(id="shapes", latex="(m \\times n)(n \\times p) = m \\times p", region="bottom"),
        )
    )

    def entry_sum(i: int, j: int) -> str:
        return " + ".join(f"{_factor(a[i][k])} \\cdot {_factor(b[k][j])}" for k in range(2)) + f" = {c[i][j]}"

    def entry_words(i: int, j: int) -> str:
        return f"{a[i][0]} times {b[0][j]} plus {a[i][1]} times {b[1][j]}, which is {c[i][j]}"

    demo = SceneDraft("row_column", "example", "Row times column").beat(
        "Multiply these two matrices.",
        ShowMatrix(id="a", rows=_matrix_text(a), region="left"),
        ShowMatrix(id="b", rows=_matrix_text(b), region="center"),
    )
    ordinal = ("one", "two")
    shown: set[tuple[int, int]] = set()
    for n, (i, j) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
        shown.add((i, j))
        # Each entry: the row of A and the column of B it comes from boxed, its sum written, its place filled in.
        boxes = [ShowCells(id=f"row_{n}", target="a", rows=[i]), ShowCells(id=f"column_{n}", target="b", columns=[j])]
        product = ShowMatrix(id=f"c_{n}", rows=_matrix_text(c, shown=set(shown)), region="right", color="yellow")
        if n == 0:
            demo.beat(
                f"Row one of A times column one of B: {entry_words(i, j)}.",
                *boxes,
                ShowEquation(id="calc", latex=entry_sum(i, j), region="bottom"),
                product,
            )
        else:
            demo.beat(
                f"Row {ordinal[i]} times column {ordinal[j]}: {entry_words(i, j)}.",
                Remove(targets=[f"row_{n - 1}", f"column_{n - 1}", f"c_{n - 1}"]),
                *boxes,
                TransformEquation(target="calc", latex=entry_sum(i, j), highlight=[f"= {c[i][j]}"]),
                product,
            )
    order = SceneDraft("order", "explanation", "Order matters").beat(
        "Swap the order and the answer usually changes: A B is not B A.",
        ShowEquation(id="ab", latex="AB", region="top_left"),
        ShowMatrix(id="c", rows=_matrix_text(c), region="left", color="yellow"),
        ShowEquation(id="ba_name", latex="BA", region="top_right"),
        ShowMatrix(id="ba", rows=_matrix_text(ba), region="right", color="orange"),
    )
    return Lesson(
        title="Matrix Multiplication",
        hook="Why is multiplying matrices done row by column?",
        formula="(AB)_{ij} = \\sum_k A_{ik} B_{kj}",
        scenes=(statement.build(), demo.build(), order.build()),
        key_points=("Entry = row of A · column of B", "Inner sizes must match", "AB is usually not BA"),
    )


def eigenvectors(facts: ContextFacts) -> Lesson:
    statement = (
        SceneDraft("statement", "statement", "The definition")
        .beat(
            "An eigenvector of a matrix A is a vector that A only stretches, without turning it.",
            ShowEquation(id="law", latex="A\\mathbf{v} = \\lambda\\mathbf{v}", region="center"),
        )
        .beat("The stretch factor lambda is its eigenvalue.", Circumscribe(target="law"))
    )
    demo = (
        SceneDraft("stretch", "explanation", "Stretch without turning")
        .beat(
            "Take the matrix 2, 1, 1, 2: it turns the vector 1, 0 towards 2, 1.",
            ShowMatrix(id="a", rows=[["2", "1"], ["1", "2"]], region="left"),
            ShowArrow(id="w", start=(0, 0), end=(1.5, 0), label="w = (1, 0)", color="blue"),
            ShowArrow(id="aw", start=(0, 0), end=(3, 1.5), label="Aw = (2, 1)", color="red"),
        )
        .beat(
            "But the vector 1, 1 lands on 3, 3, the same direction, three times as long.",
            Remove(targets=["w", "aw"]),
            ShowArrow(id="v", start=(0, 0), end=(1, 1), label="v = (1, 1)", color="green"),
            ShowArrow(id="av", start=(0, 0), end=(3, 3), label="Av = (3, 3)", color="yellow"),
        )
        .beat(
            "So 1, 1 is an eigenvector with eigenvalue 3.",
            ShowEquation(id="calc", latex="A\\mathbf{v} = 3\\mathbf{v}", region="bottom_left"),
        )
    )
    example = (
        SceneDraft("example", "example", "Finding eigenvalues")
        .beat(
            "To find eigenvalues, solve the determinant of A minus lambda I equal to zero.",
            ShowMatrix(id="a", rows=[["2", "1"], ["1", "2"]], region="left"),
            ShowEquation(id="calc", latex="\\det(A - \\lambda I) = 0", region="right"),
        )
        .beat(
            "Here that is 2 minus lambda squared, minus 1.",
            TransformEquation(target="calc", latex="(2 - \\lambda)^2 - 1 = 0"),
        )
        .beat(
            "So lambda is 1 or 3.",
            TransformEquation(target="calc", latex="\\lambda = 1 \\text{ or } \\lambda = 3", highlight=["3"]),
        )
    )
    return Lesson(
        title="Eigenvectors and Eigenvalues",
        hook="Which directions does a matrix leave unturned?",
        formula="A\\mathbf{v} = \\lambda\\mathbf{v}",
        scenes=(statement.build(), demo.build(), example.build()),
        key_points=("Av = λv", "Eigenvectors keep their direction", "Solve det(A − λI) = 0"),
    )


def prime_factorization(facts: ContextFacts) -> Lesson:
    candidates = facts.integers(4, 1_000_000)
    n = candidates[0] if candidates else 360
    factors: dict[int, int] = {int(p): int(e) for p, e in sympy.factorint(n).items()}
    rows: list[list[str]] = []
    value = n
    for prime in sorted(factors):
        for _ in range(factors[prime]):
            rows.append([str(value), str(prime), str(value // prime)])
            value //= prime
    if len(rows) > 8:
        rows = [*rows[:7], ["\u2026", "\u2026", "\u2026"]]
    product = " \\cdot ".join(f"{p}^{{{e}}}" if e > 1 else str(p) for p, e in sorted(factors.items()))
    spoken_product = ", ".join(f"{p} to the power {e}" if e > 1 else str(p) for p, e in sorted(factors.items()))
    statement = (
        SceneDraft("statement", "statement", "The statement")
        .beat(
            "Every whole number above 1 is a product of primes in exactly one way.",
            ShowEquation(id="law", latex="n = p_1^{e_1} p_2^{e_2} \\cdots p_k^{e_k}", region="top"),
        )
        .beat(
            "Primes, like 2, 3, 5, 7, 11 and 13, are the building blocks.",
            ShowNumberLine(id="primes", x_range=(0, 14, 1), marks=[2, 3, 5, 7, 11, 13], region="center"),
        )
    )
    example = (
        SceneDraft("example", "example", f"Factoring {n}")
        .beat(
            f"To factor {n}, divide by the smallest prime that fits, again and again.",
            ShowTable(id="divisions", header=["number", "prime", "quotient"], rows=rows),
        )
        .beat(
            f"The primes used give {n} as {spoken_product}.",
            ShowEquation(id="calc", latex=f"{n} = {product}", region="bottom"),
            Indicate(target="divisions"),
        )
    )
    tree = (
        SceneDraft("tree", "explanation", "A factor tree")
        .beat(
            "Drawn as a tree, each split peels one prime off what is left.",
            ShowTree(id="tree", root=str(n), branches=_factor_branches(n, sorted(factors), depth=3)),
        )
        .beat(
            "The primes at the ends of the branches are the same, whichever split you start with.",
            Circumscribe(target="tree"),
        )
    )
    return Lesson(
        title="Prime Factorization",
        hook="What are the atoms that every whole number is built from?",
        formula="n = p_1^{e_1} p_2^{e_2} \\cdots p_k^{e_k}",
        scenes=(statement.build(), example.build(), tree.build()),
        key_points=("Primes are the building blocks", "Divide by the smallest prime, repeat", "The result is unique"),
    )


def _factor_branches(n: int, primes: list[int], depth: int) -> list[TreeBranch]:
    """``n`` split into its smallest prime and the rest, the rest split again, ``depth`` levels at most."""
    prime = next(p for p in primes if n % p == 0)
    rest = n // prime
    if rest == 1:
        return [TreeBranch(label=str(prime))]
    if depth == 1 or sympy.isprime(rest):
        return [TreeBranch(label=str(prime)), TreeBranch(label=str(rest))]
    return [
        TreeBranch(label=str(prime)),
        TreeBranch(label=str(rest), children=_factor_branches(rest, primes, depth - 1)),
    ]


def fibonacci_golden_ratio(facts: ContextFacts) -> Lesson:
    fib = [1, 1]
    while len(fib) < 12:
        fib.append(fib[-1] + fib[-2])
    phi = (1 + math.sqrt(5)) / 2
    first = fib[:7]
    statement = SceneDraft("statement", "statement", "The sequence").beat(
        f"Each Fibonacci number is the sum of the two before it: {', '.join(map(str, first))}.",
        ShowEquation(id="law", latex="F_{n+1} = F_n + F_{n-1}", region="top"),
        ShowEquation(id="terms", latex=",\\ ".join(map(str, first)) + ",\\ \\ldots", region="center"),
    )
    # Squares of sides 1, 1, 2, 3, 5 tile a 5 by 8 rectangle (coordinates at scale 0.5).
    s = 0.5
    tiles = [
        ((0, 0), 1, "blue"),
        ((1, 0), 1, "green"),
        ((0, 1), 2, "yellow"),
        ((2, 0), 3, "orange"),
        ((0, -5), 5, "red"),
    ]
    shift = (-1.25, 0.75)

    def square(x: float, y: float, side: float) -> list[tuple[float, float]]:
        x, y = x * s + shift[0], y * s + shift[1]
        return [(x, y), (x + side * s, y), (x + side * s, y + side * s), (x, y + side * s)]

    demo = (
        SceneDraft("squares", "explanation", "Fibonacci squares")
        .beat(
            "Squares with Fibonacci sides fit together with no gaps.",
            *(
                ShowPolygon(id=f"sq{i}", vertices=square(*corner, side), color=color)  # type: ignore[arg-type]
                for i, (corner, side, color) in enumerate(tiles[:4], 1)
            ),
        )
        .beat(
            "Each new square sits on the long side of the rectangle so far, making a bigger rectangle.",
            ShowPolygon(id="sq5", vertices=square(0, -5, 5), color="red"),
        )
        .beat(
            "The rectangles get ever closer to the golden shape, with sides in the ratio phi.",
            ShowEquation(id="phi", latex="\\varphi = \\frac{1 + \\sqrt{5}}{2} \\approx 1.618", region="right"),
        )
    )
    ratios = [[f"{fib[i + 1]}/{fib[i]}", f"{fib[i + 1] / fib[i]:.3f}"] for i in range(3, 10)]
    example = (
        SceneDraft("example", "example", "Ratios")
        .beat(
            "Divide each Fibonacci number by the one before it.",
            ShowTable(id="ratios", header=["ratio", "value"], rows=ratios),
        )
        .beat(
            f"The ratios settle down to {phi:.3f}, the golden ratio.",
            ShowNumberLine(id="line", x_range=(1.5, 1.7, 0.05), marks=[float(r[1]) for r in ratios]),
            Indicate(target="ratios"),
        )
    )
    return Lesson(
        title="Fibonacci and the Golden Ratio",
        hook="How does a simple adding rule lead to the golden ratio?",
        formula="F_{n+1} = F_n + F_{n-1}",
        scenes=(statement.build(), demo.build(), example.build()),
        key_points=("Add the last two numbers", "Squares tile golden rectangles", "Ratios tend to φ ≈ 1.618"),
    )
