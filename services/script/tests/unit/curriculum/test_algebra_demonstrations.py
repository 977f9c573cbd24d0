"""The maths of the algebra demonstrations, checked against SymPy and independent formulas."""

from __future__ import annotations

import math
import re

import pytest
import sympy
from sympy.parsing.sympy_parser import (
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

from mathreel_scenelang.storyboard import (
    PlotFunction,
    Scene,
    ShowArrow,
    ShowEquation,
    ShowInterval,
    ShowNumberLine,
    ShowPoint,
    ShowTable,
    TransformEquation,
    WriteStep,
)
from mathreel_script.context import ContextFacts, parse_request
from mathreel_script.demonstrations import get_demonstration
from mathreel_script.latex import safe_latex


def scenes(name: str, params: dict[str, object] | None = None, facts: ContextFacts | None = None) -> list[Scene]:
    return get_demonstration(name).scenes(params or {}, facts or ContextFacts())


def formulas(found: list[Scene]) -> list[str]:
    """Every LaTeX string the scenes typeset: equations, transforms, labels and formula cells."""
    out: list[str] = []
    for scene in found:
        for beat in scene.beats:
            for action in beat.actions:
                if isinstance(action, ShowEquation | TransformEquation | WriteStep):
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
                elif isinstance(action, TransformEquation | WriteStep) and action.target == target:
                    latex = action.latex
    return latex


def typesettable(latex: str) -> bool:
    """Inside the allowlist (the renderer also accepts an escaped per cent sign, which ``safe_latex`` leaves out)."""
    return safe_latex(latex.replace("\\%", "")) is not None


ALGEBRA_DEMOS = [
    "area_model_expand",
    "parabola_roots_vertex",
    "quadratic_solve_steps",
    "function_table_plot",
    "graph_transform",
    "exponential_table_plot",
    "inverse_mirror",
    "system_two_lines",
    "inequality_number_line",
    "sequence_terms",
]
x = sympy.Symbol("x")
_IMPLICIT = (*standard_transformations, implicit_multiplication_application)


def parse_tex(latex: str) -> sympy.Expr:
    """A simple LaTeX expression (fractions, powers, implied products) as SymPy."""
    text = latex.strip().replace("\\left", "").replace("\\right", "")
    text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", text)
    text = text.replace("^", "**").replace("{", "(").replace("}", ")")
    return parse_expr(text, transformations=_IMPLICIT, local_dict={"x": x})


def actions_of(found: list, kind: type) -> list:
    return [a for s in found for b in s.beats for a in b.actions if isinstance(a, kind)]


@pytest.mark.parametrize("name", ALGEBRA_DEMOS)
def test_every_formula_passes_the_allowlist(name: str) -> None:
    assert [latex for latex in formulas(scenes(name)) if not typesettable(latex)] == []


@pytest.mark.parametrize(("p", "q"), [(3, 2), (4, 5), (1, 6)])
def test_area_model_expands_to_the_trinomial(p: int, q: int) -> None:
    latex = last_latex(scenes("area_model_expand", {"p": p, "q": q}), "eq")
    left, right = latex.split("=")
    assert left.strip() == f"(x + {p})(x + {q})"
    assert parse_tex(right) == sympy.expand((x + p) * (x + q))


@pytest.mark.parametrize(("a", "b", "c"), [(1, -2, -3), (-1, 4, 0), (1, 0, -9), (2, 3, -4)])
def test_parabola_marks_the_real_roots_and_the_vertex(a: int, b: int, c: int) -> None:
    found = scenes("parabola_roots_vertex", {"a": a, "b": b, "c": c})
    points = {p.id: p.at for p in actions_of(found, ShowPoint)}
    h = -b / (2 * a)
    assert points["vtx"] == pytest.approx((h, a * h * h + b * h + c))
    roots = sorted(float(r) for r in sympy.solve(a * x**2 + b * x + c, x))
    assert sorted(at[0] for key, at in points.items() if key.startswith("root")) == pytest.approx(roots, abs=1e-3)


def test_parabola_with_a_negative_discriminant_marks_no_root() -> None:
    found = scenes("parabola_roots_vertex", {"a": 1, "b": 2, "c": 3})
    assert not [p for p in actions_of(found, ShowPoint) if p.id.startswith("root")]
    assert last_latex(found, "disc") == "b^2 - 4ac = -8 < 0"


def test_parabola_takes_coefficients_the_context_assigns() -> None:
    facts = ContextFacts(assignments=(("a", 1.0), ("b", -6.0), ("c", 8.0)))
    assert last_latex(scenes("parabola_roots_vertex", facts=facts), "rule") == "y = x^{2} - 6 x + 8"
    too_big = ContextFacts(assignments=(("a", 9.0), ("b", -6.0), ("c", 8.0)))
    assert last_latex(scenes("parabola_roots_vertex", facts=too_big), "rule") == "y = x^{2} - 2 x - 3"


@pytest.mark.parametrize(
    "params",
    [
        {"a": 1, "b": -5, "c": 6, "method": "factor"},
        {"a": 1, "b": 6, "c": -7, "method": "complete_square"},
        {"a": 2, "b": -7, "c": 3, "method": "formula"},
        {"a": 1, "b": 0, "c": -16, "method": "factor"},
    ],
)
def test_quadratic_steps_end_on_the_roots(params: dict[str, object]) -> None:
    latex = last_latex(scenes("quadratic_solve_steps", params), "eq").split("\\Rightarrow\\;")[-1]
    found = sorted(parse_tex(part.split("=")[1]) for part in latex.split(", \\;"))
    a, b, c = params["a"], params["b"], params["c"]
    assert found == sorted(sympy.solve(a * x**2 + b * x + c, x))  # type: ignore[operator]


def test_quadratic_formula_with_irrational_roots_gives_decimals() -> None:
    latex = last_latex(scenes("quadratic_solve_steps", {"a": 2, "b": 3, "c": -4, "method": "formula"}), "eq")
    values = sorted(float(part.split("\\approx")[1]) for part in latex.split(", \\;"))
    expected = sorted((-3 + s * math.sqrt(41)) / 4 for s in (-1, 1))
    assert values == pytest.approx(expected, abs=1e-3)


def test_function_table_values_and_points_agree_with_the_rule() -> None:
    found = scenes("function_table_plot", {"expression": "x**3 - 4*x", "xs": [-3, -2, -1, 0, 1, 2, 3]})
    table = actions_of(found, ShowTable)[-1]
    assert [[int(a), int(b)] for a, b in table.rows] == [[v, v**3 - 4 * v] for v in range(-3, 4)]
    points = [p.at for p in actions_of(found, ShowPoint)]
    assert points == [(v, v**3 - 4 * v) for v in range(-3, 4)]


def test_function_table_refuses_inputs_outside_the_domain() -> None:
    with pytest.raises(ValueError, match="defined"):
        scenes("function_table_plot", {"expression": "sqrt(x)", "xs": [-1, 0, 1]})


@pytest.mark.parametrize(
    ("base", "a", "h", "k", "final"),
    [
        ("square", 1, 2, -3, (x - 2) ** 2 - 3),
        ("abs", -2, -1, 3, -2 * sympy.Abs(x + 1) + 3),
        ("exp", 1, 1, -2, 2 ** (x - 1) - 2),
    ],
)
def test_graph_transform_ends_on_a_f_of_x_minus_h_plus_k(
    base: str, a: float, h: int, k: int, final: sympy.Expr
) -> None:
    found = scenes("graph_transform", {"base": base, "a": a, "h": h, "k": k})
    last_plot = [p for p in actions_of(found, PlotFunction) if p.id.startswith("g")][-1]
    assert sympy.simplify(sympy.sympify(last_plot.expression, locals={"abs": sympy.Abs}) - final) == 0


@pytest.mark.parametrize(
    ("base", "a", "h", "k"), [("cube", 2, -1, 1), ("square", -1, 2, -3), ("abs", 0.5, 0, 2), ("sqrt", 3, 1, -2)]
)
def test_graph_transform_follows_a_point_every_move_visibly_moves(base: str, a: float, h: int, k: int) -> None:
    found = scenes("graph_transform", {"base": base, "a": a, "h": h, "k": k})
    arrows = actions_of(found, ShowArrow)
    assert len(arrows) == (h != 0) + (a != 1) + (k != 0)
    for arrow in arrows:  # a stretch of a point on the x-axis would be an arrow from a point to itself
        assert arrow.start != arrow.end
    plots = {p.id: p.expression for p in actions_of(found, PlotFunction)}
    for point in actions_of(found, ShowPoint):  # each marked point lies on the graph drawn with it
        curve = sympy.sympify(plots["base" if point.id == "k0" else "g" + point.id[1:]], locals={"abs": sympy.Abs})
        assert float(curve.subs(x, point.at[0])) == pytest.approx(point.at[1])


@pytest.mark.parametrize(("initial", "percent"), [(100, 50), (500, -20), (1000, 5)])
def test_exponential_table_multiplies_by_the_same_factor(initial: int, percent: int) -> None:
    table = actions_of(scenes("exponential_table_plot", {"initial": initial, "percent": percent}), ShowTable)[-1]
    values = [float(v) for _, v in table.rows]
    assert values == pytest.approx([initial * (1 + percent / 100) ** n for n in range(len(values))], abs=1e-3)


@pytest.mark.parametrize(("percent", "steps", "log"), [(100, 5, "\\log_{2} 32 = 5"), (200, 4, "\\log_{3} 81 = 4")])
def test_growth_from_1_read_backwards_is_a_logarithm(percent: int, steps: int, log: str) -> None:
    params = {"initial": 1, "percent": percent, "steps": steps, "read_log": True}
    equations = [e.latex for e in actions_of(scenes("exponential_table_plot", params), ShowEquation)]
    assert equations[-1].endswith(log)
    base, value = (int(n) for n in re.findall(r"\d+", log)[:2])
    assert base**steps == value
    # From an amount other than 1 there is no whole logarithm to read: the lesson ends on the curve.
    params["initial"] = 100
    assert not [e for e in actions_of(scenes("exponential_table_plot", params), ShowEquation) if e.id == "log"]


@pytest.mark.parametrize("function", ["exp2", "exp3", "square", "linear"])
def test_inverse_mirror_swaps_each_pair(function: str) -> None:
    points = {p.id: p.at for p in actions_of(scenes("inverse_mirror", {"function": function}), ShowPoint)}
    for key, (a, b) in points.items():
        if key.startswith("p"):
            assert points["q" + key[1:]] == (b, a)


@pytest.mark.parametrize(
    "params",
    [{"a1": 1, "b1": 1, "c1": 5, "a2": 2, "b2": -1, "c2": 1}, {"a1": 2, "b1": 3, "c1": 13, "a2": 3, "b2": -2, "c2": 0}],
)
def test_system_meets_where_both_equations_hold(params: dict[str, int]) -> None:
    meet = next(p for p in actions_of(scenes("system_two_lines", params), ShowPoint) if p.id == "meet")
    px, py = meet.at
    assert params["a1"] * px + params["b1"] * py == pytest.approx(params["c1"])
    assert params["a2"] * px + params["b2"] * py == pytest.approx(params["c2"])


@pytest.mark.parametrize(
    ("a", "b", "c", "relation"), [(-2, 3, -5, "<"), (3, -4, 11, ">="), (-1, 0, 2, "<="), (5, 2, -8, ">")]
)
def test_inequality_ray_matches_sympy(a: int, b: int, c: int, relation: str) -> None:
    found = scenes("inequality_number_line", {"a": a, "b": b, "c": c, "relation": relation})
    ray = actions_of(found, ShowInterval)[0]
    solution = sympy.solve_univariate_inequality(sympy.sympify(f"{a}*x + {b} {relation} {c}"), x, relational=False)
    assert float(solution.inf if ray.end is None else solution.sup) == (ray.start if ray.end is None else ray.end)
    assert (ray.include_start if ray.end is None else ray.include_end) == (relation in ("<=", ">="))
    tested = actions_of(found, ShowNumberLine)[-1]
    assert all(mark in solution or mark == float(solution.boundary.args[0]) for mark in tested.marks)


@pytest.mark.parametrize(
    ("first", "step", "kind", "terms"), [(3, 4, "arithmetic", 6), (20, -3, "arithmetic", 6), (2, 3, "geometric", 6)]
)
def test_sequence_terms_and_sum(first: int, step: int, kind: str, terms: int) -> None:
    found = scenes("sequence_terms", {"first": first, "step": step, "kind": kind, "terms": terms})
    expected = [first + k * step if kind == "arithmetic" else first * step**k for k in range(terms)]
    assert [int(v) for _, v in actions_of(found, ShowTable)[-1].rows] == expected
    assert last_latex(found, "sum").endswith(f"= {sum(expected)}")


def test_growth_in_per_cent_takes_the_rate_amount_and_years_of_the_request() -> None:
    facts = parse_request("How my savings grow at 4% a year", "I put 2500 in the bank at 4% for 6 years.")
    found = scenes("exponential_table_plot", {"initial": 1000, "percent": 5, "steps": 6, "unit": "t"}, facts)
    assert "A = 2500 \\cdot 1.04^{t},\\quad 1 + 4\\% = 1.04" in formulas(found)
    # 2500 times 1.04 to the sixth, worked out apart from the demonstration.
    assert f"{round(2500 * 1.04**6, 3)}" in " ".join(scene.narration for scene in found)


def test_decay_in_per_cent_keeps_its_direction() -> None:
    facts = parse_request("Depreciation of a car", "A car worth 8000 loses 15% of its value each year for 4 years.")
    found = scenes("exponential_table_plot", {"initial": 500, "percent": -20, "steps": 5}, facts)
    assert "A = 8000 \\cdot 0.85^{n},\\quad 1 - 15\\% = 0.85" in formulas(found)
    assert len([p for s in found for b in s.beats for p in b.actions if isinstance(p, ShowPoint)]) == 5


def test_the_percent_of_a_whole_is_the_number_marked_per_cent() -> None:
    facts = parse_request("Savings at 4%", "I put 2500 in the bank for 6 years.")
    found = scenes("percent_grid", {"percent": 5, "whole": 1000, "change": "increase"}, facts)
    assert "\\frac{4}{100} \\times 2500 = 100" in formulas(found)
