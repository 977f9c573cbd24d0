"""Bounded evaluation of user math: what the planner's numeric checks compute, and what they refuse to."""

from __future__ import annotations

import time

import pytest
import sympy

from mathreel_script import bounded_math
from mathreel_script.latex import parse_plain
from mathreel_script.planner import TopicNotSupported, plan_storyboard
from mathreel_shared.isolation import InputTooComplex
from mathreel_shared.messages import JobConfiguration


def sides(text: str) -> list[sympy.Expr]:
    parsed = parse_plain(text)
    assert parsed is not None, text
    return parsed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1000 * 1.05^3", 1157.625),
        ("2 * 60 * 40 / (60 + 40)", 48.0),
        ("2^(-3)", 0.125),
        ("sqrt(16) + 0^0", 5.0),
        ("exp(0) + log(1) + sin(0) + cos(0) + tan(0)", 2.0),
        ("2^300", 2.0**300),
    ],
)
def test_ordinary_computations_are_computed(text: str, expected: float) -> None:
    (expr,) = sides(text)
    assert bounded_math.evaluate(expr) == pytest.approx(expected)


def test_symbols_take_the_given_values() -> None:
    (expr,) = sides("a^2 + b^2")
    a, b = sympy.symbols("a b")
    assert bounded_math.evaluate(expr, {a: 3.0, b: 4.0}) == pytest.approx(25.0)
    with pytest.raises(ValueError, match="no value for b"):
        bounded_math.evaluate(expr, {a: 3.0})


@pytest.mark.parametrize(
    "text",
    [
        "9^9^9^9",  # a power tower: 9^(9^(9^9))
        "999999^999999",
        "10^101",
        "exp(exp(exp(9)))",
        "(0.0001)^(-30)",
        "2^2^2^2^2",
        "sin(" * 13 + "1" + ")" * 13,  # nested deeper than the bound
        "1+" * 79 + "1",  # more parts than the bound
    ],
)
def test_costly_computations_are_refused_before_they_start(text: str) -> None:
    (expr,) = sides(text)
    started = time.monotonic()
    with pytest.raises(InputTooComplex) as refused:
        bounded_math.evaluate(expr)
    assert time.monotonic() - started < 0.5
    assert refused.value.code == "input_too_complex"


def test_a_power_tower_in_the_context_does_not_stop_the_planner() -> None:
    """Finding 1: "Compute 9^9^9^9 = 5 now." made SymPy's evalf run for ever. Now the planner answers at once: a
    curriculum topic gets its lesson without the tower in it, and a topic it cannot teach is refused."""
    context = "Compute 9^9^9^9 = 5 now. Also 2^2^2^2^2 = 3 and a = 999999, b = 999999, c = a^b^a."
    started = time.monotonic()
    storyboard = plan_storyboard(JobConfiguration(topic="Laws of exponents", context=context))
    with pytest.raises(TopicNotSupported):
        plan_storyboard(JobConfiguration(topic="Big powers", context=context))
    assert time.monotonic() - started < 4.0
    shown = storyboard.model_dump_json()
    assert "9^{9^" not in shown
    assert "999999" not in shown
