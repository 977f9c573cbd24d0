"""The working the solvers write, line by line, checked against answers SymPy finds on its own: every line holds at
the answer and at nothing else, the relation symbols are the ones the working needs, the answer is boxed."""

import itertools
import re

import pytest
import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

from mathreel_scenelang.storyboard import Scene, ShowEquation, WriteStep, split_relation
from mathreel_script.context import parse_context
from mathreel_script.equation_steps import solve_inequality, solve_linear, solve_with_values
from mathreel_script.planner import plan_storyboard
from mathreel_shared.messages import JobConfiguration

_TRANSFORMS = (*standard_transformations, implicit_multiplication_application, convert_xor)
_FRACTION = re.compile(r"\\frac\{([^{}]*)\}\{([^{}]*)\}")
_RELATIONS = {"=": sympy.Eq, "<": sympy.Lt, ">": sympy.Gt, "\\le": sympy.Le, "\\ge": sympy.Ge}


def expression(latex: str) -> sympy.Expr:
    """The small part of LaTeX the working uses (fractions, dots, brackets), read back into SymPy."""
    text = latex
    while _FRACTION.search(text):
        text = _FRACTION.sub(r"((\1)/(\2))", text)
    text = text.replace("\\cdot", "*").replace("{", "(").replace("}", ")")
    return sympy.nsimplify(parse_expr(text, transformations=_TRANSFORMS), rational=True)


def relation(latex: str) -> sympy.Basic:
    sides = split_relation(latex)
    assert sides is not None, latex
    left, symbol, right = sides
    return _RELATIONS[symbol](expression(left), expression(right))


def steps(scenes: list[Scene]) -> list[WriteStep]:
    return [a for b in scenes[0].beats for a in b.actions if isinstance(a, WriteStep)]


def first_line(scenes: list[Scene]) -> str:
    return next(a.latex for b in scenes[0].beats for a in b.actions if isinstance(a, ShowEquation))


@pytest.mark.parametrize(
    ("lhs", "rhs", "letter"),
    [
        ("20 + 0.1*m", "5 + 0.25*m", "m"),
        ("3*x - 4", "11", "x"),
        ("0.5*(10 - x)", "x + 2", "x"),
        ("x/3 + 1", "2*x - 4", "x"),
        ("7 - 2*t", "t + 1", "t"),
    ],
)
def test_every_line_of_a_linear_solution_holds_at_the_answer_only(lhs: str, rhs: str, letter: str) -> None:
    var = sympy.Symbol(letter)
    left, right = sympy.sympify(lhs, rational=True), sympy.sympify(rhs, rational=True)
    (answer,) = sympy.solve(sympy.Eq(left, right), var)
    found = solve_linear(sympy.sympify(lhs), sympy.sympify(rhs), var)
    written = steps(found)
    *working, check = written
    assert check.note == "check"
    assert not check.dim  # the boxed answer stays bright above its check
    for step in working:
        assert sympy.solve(relation(step.latex), var) == [answer], step.latex
        assert step.note  # every step says what was done
    assert [s.box for s in working] == [False] * (len(working) - 1) + [True]
    assert relation(working[-1].latex) == sympy.Eq(var, answer)
    # The check puts the answer into each side as written and both come to the same value.
    values = [expression(part) for part in check.latex.split("=")]
    assert len(set(values)) == 1
    assert values[0] == left.subs(var, answer)
    assert relation(first_line(found)) == sympy.Eq(left, right)


def test_a_formula_with_values_put_in_is_worked_down_to_the_unknown() -> None:
    f, u, v = sympy.symbols("f u v")
    given = {"f": 10.0, "u": 15.0}
    (answer,) = sympy.solve(sympy.Eq(sympy.Rational(1, 10), sympy.Rational(1, 15) + 1 / v), v)
    found = solve_with_values(1 / f, 1 / u + 1 / v, given, v)
    written = steps(found)
    assert "f = 10" in (written[0].note or "")
    assert "u = 15" in (written[0].note or "")
    *working, check = written
    for step in working:
        assert sympy.solve(relation(step.latex), v) == [answer], step.latex
    assert working[-1].box
    assert relation(working[-1].latex) == sympy.Eq(v, answer)
    # 1/15 goes to the other side before the unknown is found: 1/v = 1/30.
    assert sympy.Eq(1 / v, sympy.Rational(1, 10) - sympy.Rational(1, 15)) in [relation(s.latex) for s in working]
    assert check.note == "check"
    assert relation(check.latex) == sympy.true


def test_like_terms_are_collected_in_a_line_of_their_own_and_no_line_repeats_the_one_above() -> None:
    """P = 6n - 2.5n - 35 with P = 0: the values leave 0 on the right, so there is nothing to work out there; the
    two terms in n become one (3.5 n) before 35 crosses over."""
    storyboard = plan_storyboard(
        JobConfiguration(topic="Bake sale", context="Profit is P = 6n - 2.5n - 35. Find n when P = 0.")
    )
    scene = next(scene for scene in storyboard.scenes if any(steps([scene])))
    written = steps([scene])
    lines = [first_line([scene]), *(step.latex for step in written)]
    assert all(a != b for a, b in itertools.pairwise(lines)), lines
    n = sympy.Symbol("n")
    (answer,) = sympy.solve(6 * n - sympy.Rational(5, 2) * n - 35, n)
    collected = next(step for step in written if step.note == "collect like terms")
    assert relation(collected.latex) == sympy.Eq(sympy.Rational(7, 2) * n - 35, 0)
    assert "3.5" in collected.latex
    assert relation(written[-2].latex) == sympy.Eq(n, answer)
    # The graph of the side with n is labelled as the working wrote it.
    graph = next(scene for scene in storyboard.scenes if scene.id.endswith("_graph"))
    labels = [getattr(a, "label", None) for b in graph.beats for a in b.actions if a.op == "plot"]
    assert labels[0] is not None
    assert labels[0].replace(" ", "") == "y=6n-2.5n-35"


def test_a_value_put_in_after_a_letter_is_a_product_with_a_dot() -> None:
    """I R = V with R = 4: the line reads I · 4 = 12, not "I 4" (which reads as one symbol)."""
    i, r = sympy.symbols("I R")
    found = solve_with_values(i * r, sympy.Symbol("V"), {"R": 4.0, "V": 12.0}, i)
    put_in = steps(found)[0].latex
    assert put_in.replace(" ", "") == "I\\cdot4=12"


@pytest.mark.parametrize(
    ("lhs", "rel", "rhs"), [("3 + 2*k", "<=", "25"), ("-2*x + 3", "<", "-5"), ("5 - x", ">=", "2*x - 4")]
)
def test_every_line_of_an_inequality_has_the_same_solutions(lhs: str, rel: str, rhs: str) -> None:
    (var,) = (sympy.sympify(lhs) - sympy.sympify(rhs)).free_symbols
    solution = sympy.solve_univariate_inequality(
        sympy.sympify(f"({lhs}) {rel} ({rhs})", rational=True), var, relational=False
    )
    found = solve_inequality(sympy.sympify(lhs), rel, sympy.sympify(rhs), var)
    *working, test = steps(found)
    for step in working:
        line = relation(step.latex)
        assert sympy.solve_univariate_inequality(line, var, relational=False) == solution, step.latex
    assert working[-1].box
    assert (test.note or "").startswith("test")


def test_the_recap_of_a_context_lesson_says_the_results_it_found() -> None:
    # The context never writes the equation: two prices in one letter and the question when they are the same.
    context = "Plan A costs 20 + 0.1m, plan B 5 + 0.25m; when do they cost the same?"
    m = sympy.Symbol("m")
    (answer,) = sympy.solve(sympy.Rational(20) + m / 10 - 5 - m / 4, m)
    assert parse_context(context).plain_formulas == ("20 + 0.1m = 5 + 0.25m",)
    storyboard = plan_storyboard(JobConfiguration(topic="Phone plans", context=context))
    (summary,) = [scene for scene in storyboard.scenes if scene.kind == "summary"]
    shown = [a.latex for b in summary.beats for a in b.actions if isinstance(a, ShowEquation)]
    assert f"m = {answer}" in shown
    assert f"m equals {answer}" in summary.beats[0].narration


@pytest.mark.parametrize(
    "text",
    [
        "I paid 20 + 5 dollars the same day.",  # no letter
        "Plan A: 20 + 0.1m. Plan B: 5 + 0.25n. Are they the same?",  # two letters
        "Plan A costs 20 + 0.1m, plan B 5 + 0.25m.",  # no question of equality
        "One is 2 + x, one 3 + x, one 4 + 2x: which are equal?",  # three expressions: which two is not said
    ],
)
def test_no_equation_is_made_up_from_expressions_the_text_does_not_compare(text: str) -> None:
    assert parse_context(text).plain_formulas == ()


def _reciprocal_note(value: sympy.Rational) -> str:
    written = str(value).replace("-", "\u2212")
    return f"\u00d7 ({written})" if value < 0 else f"\u00d7 {written}"


@pytest.mark.parametrize(
    ("lhs", "rhs", "coefficient"),
    [
        ("x/4", "7", sympy.Rational(1, 4)),  # written as a fraction: × 4
        ("2/3*x + 1/2", "5/6", sympy.Rational(2, 3)),  # × 3/2
        ("-x/5 + 1", "3", sympy.Rational(-1, 5)),  # × (−5)
    ],
)
def test_a_fraction_multiplying_the_unknown_is_undone_by_multiplying_by_its_reciprocal(
    lhs: str, rhs: str, coefficient: sympy.Rational
) -> None:
    x = sympy.Symbol("x")
    left, right = parse_expr(lhs, evaluate=False), parse_expr(rhs, evaluate=False)
    (answer,) = sympy.solve(sympy.Eq(sympy.sympify(lhs, rational=True), sympy.sympify(rhs, rational=True)), x)
    *working, _ = steps(solve_linear(left, right, x))
    assert working[-1].note == _reciprocal_note(1 / coefficient)
    assert relation(working[-1].latex) == sympy.Eq(x, answer)


@pytest.mark.parametrize(
    ("context", "letter", "note"),
    [
        # The value put in leaves a number times the unknown: divided by it.
        ("Ohm's law V = I R with V = 12 and R = 4. Find I.", "I", "\u00f7 4"),
        ("Distance d = v t with d = 150 and v = 60. Find t.", "t", "\u00f7 60"),
        # A power of the unknown: undone by its root, a reciprocal by turning both sides over.
        ("The area of a square is A = s^2 with A = 49. Find s.", "s", "square root of both sides"),
        ("1/f = 1/u + 1/v with f = 10 and u = 15.", "v", "reciprocal of both sides"),
    ],
)
def test_the_step_to_the_answer_names_what_is_done_to_both_sides(context: str, letter: str, note: str) -> None:
    storyboard = plan_storyboard(JobConfiguration(topic="My problem", context=context))
    scene = next(scene for scene in storyboard.scenes if steps([scene]))
    boxed = next(step for step in steps([scene]) if step.box)
    assert boxed.note == note
    assert boxed.latex.startswith(f"{letter} =")
    assert all(step.note and not step.note.startswith("solve for") for step in steps([scene]))


def test_a_square_with_a_number_in_front_is_divided_first_then_rooted() -> None:
    s = sympy.Symbol("s")
    found = solve_with_values(4 * s**2, sympy.Symbol("A"), {"A": 36.0}, s)
    *working, _ = steps(found)
    (answer,) = [r for r in sympy.solve(4 * s**2 - 36, s) if r > 0]
    notes = [step.note for step in working]
    assert notes[-2:] == ["\u00f7 4", "square root of both sides"]
    assert relation(working[-2].latex) == sympy.Eq(s**2, sympy.Rational(36, 4))
    assert relation(working[-1].latex) == sympy.Eq(s, answer)


def test_an_equation_written_in_fractions_is_worked_and_checked_in_fractions() -> None:
    """x/3 + 1/2 = 5/6: no line, check included, turns 1/2 into 0.5."""
    x = sympy.Symbol("x")
    left, right = parse_expr("x/3 + 1/2", evaluate=False), parse_expr("5/6", evaluate=False)
    (answer,) = sympy.solve(x / 3 + sympy.Rational(1, 2) - sympy.Rational(5, 6), x)
    found = solve_linear(left, right, x)
    *working, check = steps(found)
    assert all("." not in step.latex for step in [*working, check])
    assert all("." not in (step.note or "") for step in working)
    assert relation(working[-1].latex) == sympy.Eq(x, answer)
    value = sympy.Rational(5, 6)
    assert check.latex.endswith(f"\\frac{{{value.p}}}{{{value.q}}}")


def test_an_equation_written_in_decimals_is_worked_and_checked_in_decimals() -> None:
    """0.4 x - 1.2 = 2.6 with x = 9.5: decimals throughout, never a fraction."""
    x = sympy.Symbol("x")
    found = solve_linear(parse_expr("0.4*x - 1.2", evaluate=False), sympy.Float("2.6"), x)
    assert not any("\\frac" in step.latex for step in steps(found))
    (answer,) = sympy.solve(sympy.Rational(2, 5) * x - sympy.Rational(6, 5) - sympy.Rational(13, 5), x)
    assert any(step.latex == f"x = {float(answer)}" for step in steps(found))


def test_like_terms_as_written_are_collected_before_the_unknown_is_found() -> None:
    x = sympy.Symbol("x")
    found = solve_linear(parse_expr("2*x + 4*x", evaluate=False), sympy.Integer(30), x)
    written = steps(found)
    assert written[0].note == "collect like terms"
    assert relation(written[0].latex) == sympy.Eq(6 * x, 30)


def test_a_product_of_numbers_as_written_is_worked_out_before_it_crosses_over() -> None:
    """2x + 2(7.5) = 30: the 15 is written before it is taken from both sides."""
    x = sympy.Symbol("x")
    left = parse_expr("2*x + 2*7.5", evaluate=False)
    found = solve_linear(left, sympy.Integer(30), x)
    written = steps(found)
    assert written[0].note == "work out"
    assert relation(written[0].latex) == sympy.Eq(2 * x + 2 * sympy.Rational(15, 2), 30)
    assert "\\cdot" not in written[0].latex


def test_an_inequality_is_tested_with_a_whole_number_near_its_end() -> None:
    x = sympy.Symbol("x")
    left = parse_expr("x/2 - 1/3", evaluate=False)
    right = parse_expr("5/6", evaluate=False)
    solution = sympy.solve_univariate_inequality(
        x / 2 - sympy.Rational(1, 3) > sympy.Rational(5, 6), x, relational=False
    )
    *_, test = steps(solve_inequality(left, ">", right, x))
    tested = sympy.Rational((test.note or "").removeprefix("test x = "))
    assert tested.is_Integer
    assert tested in solution
    assert tested - 1 not in solution  # the whole number nearest the end


def test_the_end_of_a_formula_is_not_a_value_given_to_its_letter() -> None:
    """ "Solve 2/3 x = 8": x is the unknown, not a letter given 8."""
    facts = parse_context("Solve 2/3 x = 8.")
    assert "x" not in dict(facts.assignments)
    x = sympy.Symbol("x")
    (answer,) = sympy.solve(sympy.Rational(2, 3) * x - 8, x)
    storyboard = plan_storyboard(JobConfiguration(topic="My homework", context="Solve 2/3 x = 8."))
    boxed = [step.latex for scene in storyboard.scenes for step in steps([scene]) if step.box]
    assert boxed == [f"x = {answer}"]
