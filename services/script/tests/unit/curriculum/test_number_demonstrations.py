"""The maths of the arithmetic and number-theory demonstrations, checked against independent computations."""

from __future__ import annotations

import math
import random
import re
from fractions import Fraction

import pytest
import sympy

from mathreel_scenelang.storyboard import Scene, ShowEquation, ShowTable, ShowTree, TransformEquation, TreeBranch
from mathreel_script.context import ContextFacts
from mathreel_script.curriculum import TopicEntry, load_curriculum
from mathreel_script.demonstrations import get_demonstration
from mathreel_script.demonstrations.arithmetic_numbers import evaluation_steps
from mathreel_script.demonstrations.checks import unseen_numbers
from mathreel_script.latex import safe_latex

NUMBER_DEMOS = [
    "number_line_jumps",
    "rounding_number_line",
    "evaluate_in_order",
    "dot_array_product",
    "fraction_strips",
    "ratio_share_bars",
    "percent_grid",
    "factor_tree",
    "euclid_gcd_table",
    "mod_clock",
    "base_conversion",
    "choice_tree",
    "pascal_rows",
    "venn_count",
    "odd_sum_squares",
    "graph_degrees",
]


def scenes(name: str, params: dict[str, object] | None = None, facts: ContextFacts | None = None) -> list[Scene]:
    return get_demonstration(name).scenes(params or {}, facts or ContextFacts())


def formulas(found: list[Scene]) -> list[str]:
    """Every LaTeX string the scenes typeset: equations, transforms, labels and formula cells."""
    out: list[str] = []
    for scene in found:
        for beat in scene.beats:
            for action in beat.actions:
                if isinstance(action, ShowEquation | TransformEquation):
                    out.append(action.latex)
                elif isinstance(action, ShowTable):
                    out += [cell[1:-1] for row in action.rows for cell in row if cell.startswith("$")]
                label = getattr(action, "label", None)
                if label:
                    out.append(label)
                out += [text for text in getattr(action, "labels", []) or [] if text]
    return out


def last_latex(found: list[Scene], target: str) -> str:
    latex = ""
    for scene in found:
        for beat in scene.beats:
            for action in beat.actions:
                if isinstance(action, ShowEquation) and action.id == target:
                    latex = action.latex
                elif isinstance(action, TransformEquation) and action.target == target:
                    latex = action.latex
    return latex


def typesettable(latex: str) -> bool:
    """Inside the allowlist (the renderer also accepts an escaped per cent sign, which ``safe_latex`` leaves out)."""
    return safe_latex(latex.replace("\\%", "")) is not None


@pytest.mark.parametrize("name", NUMBER_DEMOS)
def test_every_formula_passes_the_allowlist(name: str) -> None:
    assert [latex for latex in formulas(scenes(name)) if not typesettable(latex)] == []


@pytest.mark.parametrize(
    "expression",
    ["3 + 4 * (6 - 2) ** 2", "(-3) * 4 - 12 / (-4)", "2 ** 3 * 3 ** 2 - 4 ** 2", "50 * 20 + 400 / 8", "10 - 4 - 3"],
)
def test_evaluation_follows_the_order_of_operations(expression: str) -> None:
    steps = evaluation_steps(expression)
    expected = sympy.sympify(expression.replace("**", "^"), rational=True, convert_xor=True)
    assert sympy.Rational(steps[-1][3].numerator, steps[-1][3].denominator) == expected
    if expression == "10 - 4 - 3":  # left to right: (10 - 4) - 3, never 10 - (4 - 3)
        assert [step[3] for step in steps] == [6, 3]


def test_fraction_mode_adds_fractions_as_fractions() -> None:
    steps = evaluation_steps("1/4 + 2/3", fractions=True)
    assert len(steps) == 1
    assert steps[0][3] == Fraction(11, 12)


def test_number_line_jumps_land_on_the_sum_and_take_context_numbers() -> None:
    found = scenes("number_line_jumps", {"start": 3, "steps": [5, -9]})
    assert last_latex(found, "sum").endswith("= -1")
    adapted = scenes("number_line_jumps", facts=ContextFacts(numbers=(-6.0, 4.0, -3.0)))
    assert last_latex(adapted, "sum") == "-6 + 4 + (-3) = -5"


@pytest.mark.parametrize(("value", "place", "expected"), [(347, 10, "350"), (2650, 100, "2700"), (4.37, 0.1, "4.4")])
def test_rounding_picks_the_nearer_mark(value: float, place: float, expected: str) -> None:
    found = scenes("rounding_number_line", {"value": value, "place": place})
    assert last_latex(found, "result").endswith(f"\\approx {expected}")


@pytest.mark.parametrize(("a", "b", "c", "d", "operation"), [(1, 2, 1, 3, "add"), (2, 3, 1, 6, "subtract")])
def test_fraction_strips_compute_the_sum_or_difference(a: int, b: int, c: int, d: int, operation: str) -> None:
    found = scenes("fraction_strips", {"a": a, "b": b, "c": c, "d": d, "operation": operation})
    result = Fraction(a, b) + Fraction(c, d) if operation == "add" else Fraction(a, b) - Fraction(c, d)
    final = last_latex(found, "res").split("=")[-1].strip()
    assert final == f"\\frac{{{result.numerator}}}{{{result.denominator}}}"


def test_fraction_strips_refuse_strips_too_fine_to_read() -> None:
    with pytest.raises(ValueError, match="readable"):
        scenes("fraction_strips", {"a": 3, "b": 4, "c": 1, "d": 6})


def test_ratio_shares_add_up_and_adapt_to_the_context() -> None:
    found = scenes("ratio_share_bars", facts=ContextFacts(numbers=(2.0, 3.0, 50.0)))
    assert last_latex(found, "unit") == "20 + 30 = 50"
    ignored = scenes("ratio_share_bars", facts=ContextFacts(numbers=(9.0, 3.0, 50.0)))  # 9 parts do not fit the bars
    assert last_latex(ignored, "unit") == "15 + 20 = 35"


def test_percent_of_an_amount_and_a_change() -> None:
    found = scenes("percent_grid", {"percent": 35, "whole": 80, "change": "increase"})
    assert last_latex(found, "of").endswith("= 28")
    assert last_latex(found, "new") == "80 + 28 = 108"
    decrease = scenes("percent_grid", {"percent": 30, "whole": 250, "change": "decrease"})
    assert last_latex(decrease, "new") == "250 - 75 = 175"


@pytest.mark.parametrize("n", [360, 91, 1001, 84])
def test_factor_tree_product_is_the_prime_factorisation(n: int) -> None:
    latex = last_latex(scenes("factor_tree", {"n": n}), "prod")
    powers = re.findall(r"(\d+)(?:\^\{(\d+)\})?", latex.split("=")[1])
    assert {int(p): int(k or 1) for p, k in powers} == sympy.factorint(n)


@pytest.mark.parametrize(("n", "leaves"), [(1001, [7, 11, 13]), (91, [7, 13]), (84, [2, 2, 3, 7]), (360, None)])
def test_factor_trees_end_at_primes_never_at_one(n: int, leaves: list[int] | None) -> None:
    (tree,) = [
        a for s in scenes("factor_tree", {"n": n}) for b in s.beats for a in b.actions if isinstance(a, ShowTree)
    ]

    def splits(nodes: list[TreeBranch]) -> list[TreeBranch]:
        return [node for branch in nodes for node in [branch, *splits(branch.children)]]

    nodes = splits(tree.branches)
    assert "1" not in [node.label for node in nodes]  # a prime is not split into itself times 1
    for node in nodes:
        if node.children:  # every split is a true product
            assert math.prod(int(child.label) for child in node.children) == int(node.label)
    if leaves is not None:  # short enough to draw whole: the leaves are the prime factors
        assert sorted(int(node.label) for node in nodes if not node.children) == leaves


@pytest.mark.parametrize(("a", "b"), [(252, 198), (1071, 462), (1386, 546), (100, 7)])
def test_euclid_finds_the_gcd_and_lcm(a: int, b: int) -> None:
    found = scenes("euclid_gcd_table", {"a": a, "b": b, "lcm": True})
    assert last_latex(found, "gcd").endswith(f"= {math.gcd(a, b)}")
    assert last_latex(found, "lcm").endswith(f"= {math.lcm(a, b)}")


def test_euclid_takes_the_context_pair_in_either_order() -> None:
    found = scenes("euclid_gcd_table", facts=ContextFacts(numbers=(48.0, 180.0)))
    assert last_latex(found, "gcd") == "\\mathrm{gcd}(180, 48) = 12"


@pytest.mark.parametrize(("modulus", "start", "step", "count"), [(7, 5, 4, 3), (12, 9, 5, 3), (7, 23, 7, 2)])
def test_clock_arithmetic_ends_on_the_remainder(modulus: int, start: int, step: int, count: int) -> None:
    found = scenes("mod_clock", {"modulus": modulus, "start": start, "step": step, "count": count})
    total = start + step * count
    assert last_latex(found, "cong").startswith(f"{total} \\equiv {total % modulus} ")


@pytest.mark.parametrize(("n", "base"), [(45, 2), (200, 3), (255, 16)])
def test_base_conversion_matches_python(n: int, base: int) -> None:
    latex = last_latex(scenes("base_conversion", {"n": n, "base": base}), "res")
    digits = latex.split("=")[1].strip().split("_")[0]
    assert int(digits, base) == n


def test_counting_tree_permutations_and_combinations() -> None:
    found = scenes("choice_tree", {"n": 4, "k": 2, "combinations": True})
    assert last_latex(found, "perm").endswith(f"= {math.perm(4, 2)}")
    assert last_latex(found, "comb").endswith(f"= {math.comb(4, 2)}")
    assert last_latex(scenes("choice_tree", {"n": 4, "k": 3}), "perm").endswith(f"= {math.perm(4, 3)}")


def test_pascal_rows_are_binomial_coefficients() -> None:
    found = scenes("pascal_rows", {"rows": 6, "expand": True})
    table = next(a for s in found for b in s.beats for a in b.actions if isinstance(a, ShowTable) and a.id == "p2")
    for n, (label, row) in enumerate(table.rows):
        assert label == str(n)
        assert [int(v) for v in row.split()] == [math.comb(n, k) for k in range(n + 1)]
    a, b = sympy.symbols("a b")
    assert sympy.parse_expr(
        last_latex(found, "binom").split("=")[1].replace("^", "**").replace("{", "(").replace("}", ")"),
        transformations="all",
    ) == sympy.expand((a + b) ** 5)


def test_venn_counts_each_region_and_the_union() -> None:
    found = scenes("venn_count", {"a": 18, "b": 15, "both": 6, "universe": 40})
    assert last_latex(found, "union").endswith("= 27")
    assert last_latex(found, "none") == "40 - 27 = 13"
    adapted = scenes("venn_count", facts=ContextFacts(numbers=(12.0, 9.0, 4.0, 25.0)))
    assert last_latex(adapted, "union").endswith("= 17")
    with pytest.raises(ValueError, match="overlap fits"):
        scenes("venn_count", {"a": 5, "b": 5, "both": 6, "universe": 40})


@pytest.mark.parametrize("n", [3, 5, 7])
def test_odd_numbers_sum_to_the_square(n: int) -> None:
    latex = last_latex(scenes("odd_sum_squares", {"n": n}), "eq")
    assert latex.endswith(f"{2 * n - 1} = {sum(range(1, 2 * n, 2))} = {n}^2")


def test_handshake_sum_is_twice_the_edges() -> None:
    edges = [[0, 1], [0, 2], [0, 3], [1, 2], [3, 4], [4, 5], [5, 3]]
    latex = last_latex(scenes("graph_degrees", {"vertices": 6, "edges": edges}), "hand")
    degrees = [sum(v in e for e in edges) for v in range(6)]
    assert latex == f"{' + '.join(map(str, degrees))} = {2 * len(edges)} = 2 \\times {len(edges)}"


def _contexts(seed: int, count: int) -> list[ContextFacts]:
    """Contexts with whatever numbers and letter values a user might write, drawn with a fixed seed."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        numbers = tuple(
            float(
                rng.choice(
                    [rng.randint(-30, 30), rng.randint(0, 500), rng.randint(1, 12), round(rng.uniform(0, 100), 2)]
                )
            )
            for _ in range(rng.randint(0, 5))
        )
        letters = tuple((name, float(rng.randint(-10, 10))) for name in rng.sample(["a", "b", "c", "n", "P", "m"], 3))
        out.append(ContextFacts(numbers=numbers, assignments=letters[: rng.randint(0, 3)]))
    return out


MY_ENTRIES = [entry for entry in load_curriculum() if entry.area in {"arithmetic", "algebra", "discrete"}]


@pytest.mark.parametrize("entry", MY_ENTRIES, ids=[entry.key for entry in MY_ENTRIES])
def test_any_context_numbers_are_used_or_ignored_never_break_the_lesson(entry: TopicEntry) -> None:
    for facts in _contexts(sum(map(ord, entry.key)), 6):
        for call in (c for c in (entry.demonstration, entry.example) if c is not None):
            found = get_demonstration(call.name).scenes(call.params, facts)
            assert [str(problem) for scene in found for problem in unseen_numbers(scene)] == []
