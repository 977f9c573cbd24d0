"""Calculus lessons: the derivative as a slope, the chain rule, the integral as an area, limits."""

from __future__ import annotations

import sympy

from mathreel_scenelang.storyboard import (
    Circumscribe,
    Indicate,
    PlotFunction,
    Remove,
    ShadeArea,
    ShowArrow,
    ShowAxes,
    ShowEquation,
    ShowNumberLine,
    ShowTable,
    ShowTangent,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._request import polynomial_in
from mathreel_script.demonstrations.algebra_quadratics import axis
from mathreel_script.draft import Lesson, SceneDraft
from mathreel_script.latex import format_number, spoken


def derivative_slope(facts: ContextFacts) -> Lesson:
    points = facts.integers(-3, 3)
    x0 = points[0] if points else 2
    statement = SceneDraft("statement", "statement", "The definition").beat(
        "The derivative of f at x is the slope of its graph there, the limit of rise over run.",
        ShowEquation(id="law", latex="f'(x) = \\lim_{h \\to 0} \\frac{f(x+h) - f(x)}{h}", region="top"),
    )
    demo = (
        SceneDraft("secant", "explanation", "From secant to tangent")
        .beat(
            "Here is the graph of x squared.",
            ShowAxes(id="axes", x_range=(-1, 3, 1), y_range=(-1, 9, 1)),
            PlotFunction(id="graph", axes="axes", expression="x**2", x_range=(-1, 3), label="x^2", color="blue"),
        )
        .beat(
            "The line through x equal 1 and x equal 2 has slope 3.",
            PlotFunction(
                id="secant", axes="axes", expression="3*x - 2", x_range=(-0.5, 2.8), color="orange", label="slope 3"
            ),
        )
        .beat(
            "Move the second point closer, to 1.5, and the slope drops to 2.5.",
            Remove(targets=["secant"]),
            PlotFunction(
                id="closer",
                axes="axes",
                expression="2.5*x - 1.5",
                x_range=(-0.5, 2.8),
                color="orange",
                label="x = 1.5: slope 2.5",
            ),
        )
        .beat(
            "In the limit the line touches the curve: the tangent, with slope 2.",
            Remove(targets=["closer"]),
            ShowTangent(id="tangent", graph="graph", x=1, color="red"),
        )
    )
    own = _own_derivative(facts)
    example = (
        own
        if own is not None
        else (
            SceneDraft("example", "example", "An example")
            .beat(
                f"For f of x equal x squared, the difference quotient at {x0} simplifies to {2 * x0} plus h.",
                ShowEquation(id="calc", latex=f"\\frac{{({x0}+h)^2 - {x0}^2}}{{h}} = {2 * x0} + h", region="top"),
                ShowAxes(id="axes", x_range=(-4, 4, 1), y_range=(-2, 16, 2)),
                PlotFunction(id="graph", axes="axes", expression="x**2", x_range=(-4, 4), color="blue"),
            )
            .beat(
                f"As h goes to zero, the slope at {x0} is {2 * x0}.",
                TransformEquation(target="calc", latex=f"f'({x0}) = {2 * x0}", highlight=[f"{2 * x0}"]),
                ShowTangent(id="tangent", graph="graph", x=x0, color="red"),
            )
        )
    )
    return Lesson(
        title="The Derivative as a Slope",
        hook="How steep is a curve at a single point?",
        formula="f'(x) = \\lim_{h \\to 0} \\frac{f(x+h) - f(x)}{h}",
        scenes=(statement.build(), demo.build(), example.build()),
        key_points=("Derivative = slope of the tangent", "Secants tend to the tangent", "(x²)′ = 2x"),
    )


_X, _H = sympy.symbols("x h")


def _own_derivative(facts: ContextFacts) -> SceneDraft | None:
    """The example worked on the request's own polynomial at its own point ("f(x) = x^3 - 2x at x = 2"): the
    difference quotient simplified, its limit as h goes to 0, and the tangent of that slope on the graph."""
    f = polynomial_in(facts, low_degree=1)
    given = dict(facts.assignments)
    if f is None or "x" not in given or float(given["x"]) != int(given["x"]) or abs(given["x"]) > 5:
        return None
    x0 = int(given["x"])
    quotient = sympy.expand(sympy.cancel((f.subs(_X, x0 + _H) - f.subs(_X, x0)) / _H))
    slope = quotient.subs(_H, 0)
    if slope != sympy.diff(f, _X).subs(_X, x0) or not quotient.is_polynomial(_H):
        raise ValueError("difference quotient check failed")
    low, high = min(-1, x0 - 2), max(3, x0 + 2)
    samples = [float(f.subs(_X, low + (high - low) * k / 40)) for k in range(41)]
    y_axis = axis(samples, pad=False)
    f_tex, q_tex = sympy.latex(f), sympy.latex(quotient, order="rev-lex")
    slope_text = format_number(float(slope))
    return (
        SceneDraft("example", "example", "Your function")
        .beat(
            f"For f of x equal {spoken(f_tex)}, the difference quotient at {x0} simplifies to {spoken(q_tex)}.",
            ShowEquation(id="calc", latex=f"\\frac{{f({x0}+h) - f({x0})}}{{h}} = {q_tex}", region="top"),
            ShowAxes(id="axes", x_range=(float(low), float(high), 1.0), y_range=y_axis),
            PlotFunction(
                id="graph",
                axes="axes",
                expression=str(f),
                color="blue",
                label=f"f(x) = {f_tex}" if len(f_tex) <= 30 else None,
            ),
        )
        .beat(
            f"As h goes to zero, every term with h vanishes: the slope at {x0} is {slope_text}.",
            TransformEquation(target="calc", latex=f"f'({x0}) = {slope_text}", highlight=[slope_text]),
            ShowTangent(id="tangent", graph="graph", x=float(x0), color="red"),
        )
    )


def chain_rule(facts: ContextFacts) -> Lesson:
    statement = (
        SceneDraft("statement", "statement", "The rule")
        .beat(
            "The chain rule differentiates a function inside another function.",
            ShowEquation(id="law", latex="\\frac{d}{dx} f(g(x)) = f'(g(x)) \\cdot g'(x)", region="top"),
        )
        .beat(
            "Think of g moving x to u, then f moving u to y: each one stretches small changes.",
            ShowNumberLine(id="x_line", x_range=(0, 4, 1), marks=[1], region="center"),
            ShowNumberLine(id="u_line", x_range=(0, 16, 2), marks=[1], region="bottom"),
            ShowArrow(id="g_arrow", from_id="x_line", to_id="u_line", label="g"),
        )
        .beat("Rates multiply: the total stretch is the product of the two.", Indicate(target="g_arrow"))
    )
    demo = (
        SceneDraft("sine_square", "explanation", "Inside and outside")
        .beat(
            "Take y equal to sine of x squared.",
            ShowEquation(id="calc", latex="y = \\sin(x^2)", region="top"),
            ShowAxes(id="axes", x_range=(-3, 3, 1), y_range=(-1.5, 1.5, 0.5)),
            PlotFunction(id="graph", axes="axes", expression="sin(x**2)", x_range=(-3, 3), color="blue"),
        )
        .beat(
            "The inside is u equal x squared, the outside is sine of u.",
            TransformEquation(target="calc", latex="y = \\sin u, \\quad u = x^2", highlight=["u = x^2"]),
        )
        .beat(
            "So dy by dx is cosine of x squared, times 2 x.",
            TransformEquation(target="calc", latex="\\frac{dy}{dx} = \\cos(x^2) \\cdot 2x", highlight=["2x"]),
            ShowTangent(id="tangent", graph="graph", x=1, color="red"),
        )
    )
    example = (
        SceneDraft("example", "example", "An example")
        .beat(
            "Differentiate 3 x plus 1, squared.",
            ShowEquation(id="calc", latex="\\frac{d}{dx}(3x+1)^2", region="top"),
            ShowAxes(id="axes", x_range=(-2, 1, 1), y_range=(0, 16, 4)),
            PlotFunction(id="graph", axes="axes", expression="(3*x + 1)**2", x_range=(-1.6, 0.9), color="green"),
        )
        .beat(
            "The outside gives 2 times 3 x plus 1, and the inside gives 3, so the answer is 6 times 3 x plus 1.",
            TransformEquation(target="calc", latex="2(3x+1) \\cdot 3 = 6(3x+1)", highlight=["6(3x+1)"]),
        )
    )
    return Lesson(
        title="The Chain Rule",
        hook="How do you differentiate a function inside another function?",
        formula="\\frac{d}{dx} f(g(x)) = f'(g(x)) \\cdot g'(x)",
        scenes=(statement.build(), demo.build(), example.build()),
        key_points=("Outside derivative, inside kept", "Times the inside derivative", "Rates multiply"),
    )


def integral_area(facts: ContextFacts) -> Lesson:
    bounds = facts.integers(0, 5)
    a, b = (bounds[0], bounds[1]) if len(bounds) >= 2 and bounds[0] < bounds[1] else (0, 3)
    area = b * b - a * a
    statement = SceneDraft("statement", "statement", "The idea").beat(
        "The integral of f from a to b is the area between its graph and the x axis.",
        ShowEquation(id="law", latex="\\int_a^b f(x)\\,dx", region="top"),
    )
    demo = (
        SceneDraft("area", "explanation", "Area under a curve")
        .beat(
            "Take the curve x squared from 0 to 2.",
            ShowAxes(id="axes", x_range=(0, 3, 1), y_range=(0, 9, 1)),
            PlotFunction(id="graph", axes="axes", expression="x**2", x_range=(0, 3), color="blue"),
        )
        .beat(
            "The shaded region under it is what the integral measures.",
            ShadeArea(id="area", graph="graph", x_range=(0, 2), color="green"),
        )
        .beat(
            "Slice it into thin rectangles and add them up; thinner slices give the exact area.",
            ShadeArea(id="slices", graph="graph", x_range=(0, 2), rectangles=8, color="orange"),
            ShowEquation(id="calc", latex="\\sum f(x_i)\\,\\Delta x \\to \\int_0^2 x^2\\,dx", region="top_left"),
        )
        .beat(
            "The antiderivative, x cubed over 3, gives 8 thirds.",
            Remove(targets=["slices"]),
            TransformEquation(target="calc", latex="\\int_0^2 x^2\\,dx = \\frac{8}{3}", highlight=["\\frac{8}{3}"]),
        )
    )
    example = (
        SceneDraft("example", "example", "An example")
        .beat(
            f"Integrate 2 x from {a} to {b}.",
            ShowAxes(id="axes", x_range=(0, 6, 1), y_range=(0, 12, 2)),
            PlotFunction(id="graph", axes="axes", expression="2*x", x_range=(0, 6), color="blue"),
            ShadeArea(id="area", graph="graph", x_range=(a, b), color="green"),
        )
        .beat(
            f"The antiderivative is x squared, so the area is {b * b} minus {a * a}, which is {area}.",
            ShowEquation(id="calc", latex=f"\\int_{{{a}}}^{{{b}}} 2x\\,dx = {b}^2 - {a}^2 = {area}", region="top_left"),
        )
    )
    return Lesson(
        title="The Integral as Area",
        hook="How do you measure the area under a curve?",
        formula="\\int_a^b f(x)\\,dx",
        scenes=(statement.build(), demo.build(), example.build()),
        key_points=("Integral = signed area", "Sum of thin rectangles", "Antiderivative at b minus at a"),
    )


def limits(facts: ContextFacts) -> Lesson:
    statement = SceneDraft("statement", "statement", "The idea").beat(
        "A limit is the value f of x approaches as x gets close to a, even if f is undefined at a.",
        ShowEquation(id="law", latex="\\lim_{x \\to a} f(x) = L", region="top"),
    )
    demo = (
        SceneDraft("approach", "explanation", "Approaching a value")
        .beat(
            "Sine x over x has no value at zero, since we cannot divide by zero.",
            ShowAxes(id="axes", x_range=(-8, 8, 2), y_range=(-0.5, 1.5, 0.5)),
            PlotFunction(id="left", axes="axes", expression="sin(x)/x", x_range=(-8, -0.01), color="blue"),
            PlotFunction(id="right", axes="axes", expression="sin(x)/x", x_range=(0.01, 8), color="blue"),
        )
        .beat(
            "Yet from both sides the graph heads to the same height, 1.",
            Indicate(target="left"),
            Indicate(target="right"),
            ShowEquation(id="calc", latex="\\lim_{x \\to 0} \\frac{\\sin x}{x} = 1", region="top_right"),
        )
        .beat(
            "The values at 0.1 and 0.01 confirm it.",
            Remove(targets=["left", "right", "axes"]),
            ShowTable(
                id="values", header=["x", "sin x / x"], rows=[["1", "0.841"], ["0.1", "0.998"], ["0.01", "0.99998"]]
            ),
        )
    )
    example = (
        SceneDraft("example", "example", "An example")
        .beat(
            "Find the limit of x squared minus 4, over x minus 2, as x approaches 2.",
            ShowEquation(id="calc", latex="\\lim_{x \\to 2} \\frac{x^2 - 4}{x - 2}", region="top"),
            ShowNumberLine(id="line", x_range=(1, 3, 0.5), marks=[1.5, 1.9, 1.99, 2.5, 2.1, 2.01]),
        )
        .beat(
            "Factor the top into x minus 2 times x plus 2, and cancel.",
            TransformEquation(target="calc", latex="\\lim_{x \\to 2} (x + 2)", highlight=["(x + 2)"]),
        )
        .beat(
            "As x closes in on 2 from both sides, the value closes in on 4.",
            TransformEquation(target="calc", latex="\\lim_{x \\to 2} \\frac{x^2 - 4}{x - 2} = 4", highlight=["4"]),
            Circumscribe(target="line"),
        )
    )
    return Lesson(
        title="Limits",
        hook="What value does a function head towards, even where it is not defined?",
        formula="\\lim_{x \\to a} f(x) = L",
        scenes=(statement.build(), demo.build(), example.build()),
        key_points=("The value approached, not reached", "Check both sides", "Simplify, then substitute"),
    )
