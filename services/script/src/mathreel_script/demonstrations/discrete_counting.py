"""Counting drawn: a tree of choices, Pascal's triangle row by row, sets in a Venn diagram, odd numbers stacking
into squares (a proof by induction), and degrees in a graph."""

from __future__ import annotations

import math
from typing import Literal

import sympy
from pydantic import Field, model_validator

from mathreel_scenelang.storyboard import (
    Action,
    Circumscribe,
    Remove,
    Scene,
    ShowDots,
    ShowEquation,
    ShowPoint,
    ShowPolygon,
    ShowSegment,
    ShowTable,
    ShowTree,
    ShowVenn,
    TransformEquation,
    TreeBranch,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft


# --- a tree of choices ---------------------------------------------------------------------------------------------
class ChoiceParams(Params):
    n: int = Field(default=4, ge=2, le=4, description="How many different objects")
    k: int = Field(default=2, ge=1, le=3, description="How many are chosen, in order")
    combinations: bool = False

    @model_validator(mode="after")
    def _fits(self) -> ChoiceParams:
        if self.k > self.n or math.perm(self.n, min(self.k, 2)) > 16:
            raise ValueError("k is at most n, and the tree has at most 16 leaves")
        return self


_NAMES = "ABCD"


@demonstration("choice_tree", ChoiceParams)
def choice_tree(params: ChoiceParams, facts: ContextFacts) -> list[Scene]:
    """Ordered choices as a tree: n ways for the first pick, one fewer for the next, and the counts multiply; ignoring
    order divides by the arrangements of each choice."""
    n, k = params.n, params.k
    objects = _NAMES[:n]
    depth = min(k, 2)
    branches = [
        TreeBranch(label=a, children=[TreeBranch(label=b) for b in objects if b != a] if depth == 2 else [])
        for a in objects
    ]
    ordered = math.perm(n, k)
    if ordered != sympy.factorial(n) / sympy.factorial(n - k):
        raise ValueError("permutation check failed")
    factors = [n - i for i in range(k)]
    times = " \\times ".join(map(str, factors))
    draft = SceneDraft("tree", "explanation", "Counting with a tree").beat(
        f"Pick {k} of these {n} letters in order. The tree starts with {n} branches, one for each first pick.",
        ShowTree(id="t", root="", branches=branches, region="left"),
        ShowEquation(
            id="objs",
            latex=f"{', '.join(objects)}:\\ {n}\\ \\text{{letters}},\\ {k}\\ \\text{{picks}}",
            region="top_right",
        ),
    )
    if depth == 2:
        draft.beat(
            f"Each first pick leaves {n - 1} for the second, so the tree has {n} times {n - 1} leaves, "
            f"as many as a rectangle of {n} rows of {n - 1}.",
            ShowDots(id="grid", rows=n, cols=n - 1, label=f"{n} \\times {n - 1}", region="right"),
            ShowEquation(id="two", latex=f"{n} \\times {n - 1} = {n * (n - 1)}", region="top_left"),
        )
    draft.beat(
        f"For {k} picks the counts multiply: {' times '.join(map(str, factors))} is {ordered} ordered choices.",
        ShowEquation(
            id="perm",
            latex=f"P({n}, {k}) = {times} = {ordered}",
            region="bottom_right",
            color="yellow",
        ),
    )
    if params.combinations:
        arrangements = math.factorial(k)
        chosen = math.comb(n, k)
        if ordered != chosen * arrangements:
            raise ValueError("combination check failed")
        draft.beat(
            f"If order does not matter, each group of {k} was counted {arrangements} times, so there are "
            f"{ordered} divided by {arrangements}, which is {chosen} groups.",
            ShowEquation(
                id="comb",
                latex=f"\\binom{{{n}}}{{{k}}} = \\frac{{{ordered}}}{{{arrangements}}} = {chosen}",
                region="right",
                color="green",
            ),
            Circumscribe(target="comb"),
        )
    return [draft.build()]


# --- Pascal's triangle -----------------------------------------------------------------------------------------------
class PascalParams(Params):
    rows: int = Field(default=6, ge=4, le=8)
    expand: bool = False


@demonstration("pascal_rows", PascalParams)
def pascal_rows(params: PascalParams, facts: ContextFacts) -> list[Scene]:
    """Pascal's triangle built row by row, each entry the sum of the two above; row n holds the binomial
    coefficients, the ways to choose k of n, and the coefficients of (a + b) to the n."""
    last = params.rows - 1
    table = [[str(n), "  ".join(str(math.comb(n, k)) for k in range(n + 1))] for n in range(last + 1)]
    header = ["n", "row n"]
    for n in range(1, last + 1):
        for k in range(1, n):
            if math.comb(n, k) != math.comb(n - 1, k - 1) + math.comb(n - 1, k):
                raise ValueError("Pascal rule check failed")
    half = max(2, (last + 1) // 2)
    a, b = math.comb(last - 1, 1), math.comb(last - 1, 2)
    draft = (
        SceneDraft("pascal", "explanation", "Pascal's triangle")
        .beat(
            "Start with rows of ones at the edges.",
            ShowTable(id="p1", header=header, rows=table[:half], region="center"),
        )
        .beat(
            f"Each inside entry is the sum of the two above it: in row {last}, {a} plus {b} is {a + b}.",
            Remove(targets=["p1"]),
            ShowTable(id="p2", header=header, rows=table, region="center"),
            ShowEquation(id="rule", latex=f"{a} + {b} = {a + b}", region="bottom"),
        )
        .beat(
            f"Entry k of row n counts the ways to choose k things from n: from {last}, choosing 2 gives {a + b}.",
            ShowEquation(
                id="choose",
                latex=f"\\binom{{n}}{{k}} = \\binom{{n-1}}{{k-1}} + \\binom{{n-1}}{{k}},\\quad \\binom{{{last}}}{{2}}"
                f" = {a + b}",
                region="top",
            ),
        )
    )
    if params.expand:
        a_sym, b_sym = sympy.symbols("a b")
        expanded = sympy.expand((a_sym + b_sym) ** last)
        coefficients = [str(math.comb(last, k)) for k in range(last + 1)]
        if sympy.Poly(expanded, a_sym).all_coeffs() != [b_sym**k * math.comb(last, k) for k in range(last + 1)]:
            raise ValueError("binomial expansion check failed")
        draft.beat(
            f"And row {last} gives the coefficients of a plus b to the power {last}: {', '.join(coefficients)}.",
            Remove(targets=["rule", "choose"]),
            ShowEquation(id="binom", latex=f"(a + b)^{{{last}}} = {sympy.latex(expanded)}", region="bottom"),
        )
    return [draft.build()]


# --- sets in a Venn diagram ----------------------------------------------------------------------------------------
class VennParams(Params):
    a: int = Field(default=18, ge=1, le=500, description="How many are in A")
    b: int = Field(default=15, ge=1, le=500, description="How many are in B")
    both: int = Field(default=6, ge=0, le=500)
    universe: int = Field(default=40, ge=2, le=1000)
    a_name: str = Field(default="A", min_length=1, max_length=12)
    b_name: str = Field(default="B", min_length=1, max_length=12)

    @model_validator(mode="after")
    def _consistent(self) -> VennParams:
        if self.both > min(self.a, self.b) or self.a + self.b - self.both > self.universe:
            raise ValueError("the overlap fits in both sets and the union in the universe")
        return self


@demonstration("venn_count", VennParams)
def venn_count(params: VennParams, facts: ContextFacts) -> list[Scene]:
    """Inclusion and exclusion: count each region of a Venn diagram; the union counts the overlap once, so it is A
    plus B minus both."""
    a, b, both, universe = params.a, params.b, params.both, params.universe
    found = facts.integers(0, 1000)
    if len(found) >= 4 and found[2] <= min(found[0], found[1]) and found[0] + found[1] - found[2] <= found[3]:
        a, b, both, universe = found[:4]
    only_a, only_b = a - both, b - both
    union = a + b - both
    outside = universe - union
    if only_a + only_b + both != union or union + outside != universe:
        raise ValueError("Venn count check failed")
    labels = [params.a_name, params.b_name]
    draft = (
        SceneDraft("venn", "explanation", "Counting with a Venn diagram")
        .beat(
            f"Of {universe} in all, {a} are in {params.a_name} and {b} are in {params.b_name}; {both} are in both.",
            ShowVenn(id="v1", labels=labels, regions={"AB": str(both)}, region="left"),
            ShowEquation(
                id="given",
                latex=f"|A| = {a},\\ |B| = {b},\\ |A \\cap B| = {both},\\ \\text{{all}}\\ {universe}",
                region="top_right",
            ),
        )
        .beat(
            f"So {a} minus {both}, that is {only_a}, are only in the first set, and {only_b} only in the second.",
            Remove(targets=["v1"]),
            ShowVenn(
                id="v2", labels=labels, regions={"A": str(only_a), "AB": str(both), "B": str(only_b)}, region="left"
            ),
            ShowEquation(id="only", latex=f"{a} - {both} = {only_a},\\ {b} - {both} = {only_b}", region="right"),
        )
        .beat(
            f"Adding {a} and {b} counts the {both} in the middle twice, so subtract them once: {union}.",
            ShowEquation(
                id="union", latex=f"|A \\cup B| = {a} + {b} - {both} = {union}", region="right", color="yellow"
            ),
        )
        .beat(
            f"That leaves {universe} minus {union}, which is {outside}, in neither set.",
            Remove(targets=["v2"]),
            ShowVenn(
                id="v3",
                labels=labels,
                regions={"A": str(only_a), "AB": str(both), "B": str(only_b), "outside": str(outside)},
                region="left",
            ),
            Remove(targets=["only"]),
            ShowEquation(id="none", latex=f"{universe} - {union} = {outside}", region="right"),
        )
    )
    return [draft.build()]


# --- odd numbers make squares: induction -------------------------------------------------------------------------
class OddSquareParams(Params):
    n: int = Field(default=5, ge=3, le=7)


@demonstration("odd_sum_squares", OddSquareParams)
def odd_sum_squares(params: OddSquareParams, facts: ContextFacts) -> list[Scene]:
    """The first n odd numbers add to n squared: each odd number is an L-shaped border that grows a k by k square into
    a k plus 1 square; the step from k to k plus 1 is the induction step."""
    n = params.n
    found = facts.integers(3, 7)
    if found:
        n = found[0]
    k = sympy.Symbol("k", integer=True, positive=True)
    if sympy.summation(2 * k - 1, (k, 1, n)) != n * n:
        raise ValueError("odd sum check failed")
    colors: list[Literal["yellow", "blue", "green", "orange", "purple", "teal", "pink"]] = [
        "yellow",
        "blue",
        "green",
        "orange",
        "purple",
        "teal",
        "pink",
    ]

    def border(j: int) -> ShowPolygon:
        """The L of the j-th odd number 2j - 1 around the (j-1) square."""
        s = float(j)
        t = float(j - 1)
        return ShowPolygon(
            id=f"l{j}",
            vertices=[(0, t), (t, t), (t, 0), (s, 0), (s, s), (0, s)] if j > 1 else [(0, 0), (1, 0), (1, 1), (0, 1)],
            fill_opacity=0.6,
            color=colors[j - 1],
        )

    odds = [2 * j - 1 for j in range(1, n + 1)]
    sums = [j * j for j in range(1, n + 1)]
    draft = (
        SceneDraft("odd", "proof", "Odd numbers build squares")
        .beat("One square: 1 is 1 squared.", border(1), ShowEquation(id="eq", latex="1 = 1^2", region="right"))
        .beat(
            "Add 3 as an L around it, and we have a 2 by 2 square: 1 plus 3 is 4.",
            border(2),
            TransformEquation(target="eq", latex="1 + 3 = 4 = 2^2", highlight=["3"]),
        )
        .beat(
            "Add 5 and it becomes 3 by 3: 9.",
            border(3),
            TransformEquation(target="eq", latex="1 + 3 + 5 = 9 = 3^2", highlight=["5"]),
        )
    )
    if n > 3:
        draft.beat(
            f"Keep going up to the odd number {odds[-1]}: the square is {n} by {n}, so the sum is {sums[-1]}.",
            *[border(j) for j in range(4, n + 1)],
            TransformEquation(
                target="eq", latex=f"1 + 3 + \\dots + {odds[-1]} = {sums[-1]} = {n}^2", highlight=[str(odds[-1])]
            ),
        )
    draft.beat(
        "The induction step: a k by k square plus the L of the next odd number, 2 k plus 1, is a k plus 1 square.",
        ShowEquation(id="step", latex="k^2 + (2k + 1) = (k + 1)^2", region="bottom_right", color="yellow"),
        Circumscribe(target="step"),
    )
    return [draft.build()]


# --- degrees in a graph ----------------------------------------------------------------------------------------------
class GraphParams(Params):
    vertices: int = Field(default=5, ge=3, le=7)
    edges: list[tuple[int, int]] = Field(
        default_factory=lambda: [(0, 1), (1, 2), (2, 3), (3, 4), (4, 0), (0, 2)], min_length=1, max_length=12
    )

    @model_validator(mode="after")
    def _simple(self) -> GraphParams:
        seen = {tuple(sorted(e)) for e in self.edges}
        if len(seen) != len(self.edges) or any(
            u == v or max(u, v) >= self.vertices or min(u, v) < 0 for u, v in self.edges
        ):
            raise ValueError("edges join two different existing vertices, each pair once")
        return self


@demonstration("graph_degrees", GraphParams)
def graph_degrees(params: GraphParams, facts: ContextFacts) -> list[Scene]:
    """A graph of vertices and edges: each vertex's degree counted, and the degrees add to twice the number of edges
    because every edge has two ends (the handshake lemma)."""
    n, edges = params.vertices, params.edges
    places = [
        (
            round(3 * math.cos(math.pi / 2 + 2 * math.pi * i / n), 3),
            round(3 * math.sin(math.pi / 2 + 2 * math.pi * i / n), 3),
        )
        for i in range(n)
    ]
    degree = [sum(v in e for e in edges) for v in range(n)]
    if sum(degree) != 2 * len(edges):
        raise ValueError("handshake check failed")
    names = "ABCDEFG"
    dots: list[Action] = [ShowPoint(id=f"v{i}", at=places[i], label=names[i], color="yellow") for i in range(n)]
    lines: list[Action] = [
        ShowSegment(id=f"e{j}", start=places[u], end=places[v], color="blue") for j, (u, v) in enumerate(edges)
    ]
    draft = (
        SceneDraft("graph", "explanation", "Vertices, edges and degrees")
        .beat(
            f"A graph: {n} vertices joined by {len(edges)} edges.",
            *dots,
            ShowEquation(
                id="count", latex=f"{n}\\ \\text{{vertices}},\\ {len(edges)}\\ \\text{{edges}}", region="top_right"
            ),
        )
        .beat("Draw the edges.", *lines[:8])
    )
    if len(lines) > 8:
        draft.beat("And the rest of them.", *lines[8:])
    draft.beat(
        "The degree of a vertex is how many edges meet there: "
        + ", ".join(f"{names[i]} has {degree[i]}" for i in range(n))
        + ".",
        ShowTable(
            id="deg", header=["vertex", "degree"], rows=[[names[i], str(degree[i])] for i in range(n)], region="right"
        ),
    )
    draft.beat(
        f"The degrees add to {sum(degree)}, twice the {len(edges)} edges, since every edge has two ends.",
        ShowEquation(
            id="hand",
            latex=f"{' + '.join(map(str, degree))} = {sum(degree)} = 2 \\times {len(edges)}",
            region="bottom",
            color="yellow",
        ),
    )
    return [draft.build()]
