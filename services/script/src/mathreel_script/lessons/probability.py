"""Probability and statistics lessons: Bayes' theorem, mean and variance, independent events."""

from __future__ import annotations

from mathreel_scenelang.storyboard import (
    Circumscribe,
    Indicate,
    ShowBrace,
    ShowEquation,
    ShowNumberLine,
    ShowPolygon,
    ShowTable,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.draft import Lesson, SceneDraft
from mathreel_script.latex import format_number as num


def _rect(x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float]]:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def bayes_theorem(facts: ContextFacts) -> Lesson:
    statement = SceneDraft("statement", "statement", "The statement").beat(
        "Bayes' theorem turns the chance of B given A into the chance of A given B.",
        ShowEquation(id="law", latex="P(A \\mid B) = \\frac{P(B \\mid A)\\,P(A)}{P(B)}", region="top"),
    )
    demo = (
        SceneDraft("areas", "explanation", "Probability as area")
        .beat(
            "Let a square stand for every outcome, with the strip on the left for A.",
            ShowPolygon(id="all", vertices=_rect(-2, -2, 2, 2), color="white", fill_opacity=0.05),
            ShowPolygon(id="a_and_b", vertices=_rect(-2, -2, -0.8, 1.2), color="orange", fill_opacity=0.6),
        )
        .beat(
            "The orange part is A and B; the blue part is B without A.",
            ShowPolygon(id="not_a_b", vertices=_rect(-0.8, -2, 2, -1.2), color="blue", fill_opacity=0.6),
        )
        .beat(
            "Given B, we are somewhere in the colour, so A given B is orange over all the colour.",
            Indicate(target="a_and_b"),
            ShowEquation(id="ratio", latex="P(A \\mid B) = \\frac{P(A \\cap B)}{P(B)}", region="top"),
        )
    )
    example = (
        SceneDraft("example", "example", "A medical test")
        .beat(
            "1 in 100 people is sick; the test catches 90 percent of them but flags 10 percent of the healthy.",
            ShowEquation(
                id="rates",
                latex="\\text{1 in 100 sick},\\quad \\text{90 percent caught},\\quad \\text{10 percent false alarms}",
                region="top",
            ),
            ShowTable(
                id="counts",
                header=["1000 people", "sick", "healthy"],
                rows=[["test +", "9", "99"], ["test \u2212", "1", "891"]],
            ),
        )
        .beat(
            "Of the 108 positive tests, only 9 are sick people.",
            ShowEquation(
                id="calc", latex="P(\\text{sick} \\mid +) = \\frac{9}{9 + 99} = \\frac{9}{108}", region="bottom"
            ),
            Indicate(target="counts"),
        )
        .beat(
            "So a positive test means only about an 8.3 percent chance of being sick.",
            TransformEquation(
                target="calc",
                latex="P(\\text{sick} \\mid +) \\approx 0.083 = 8.3\\text{ percent}",
                highlight=["0.083"],
            ),
        )
    )
    return Lesson(
        title="Bayes' Theorem",
        hook="How should new evidence change what we believe?",
        formula="P(A \\mid B) = \\frac{P(B \\mid A)\\,P(A)}{P(B)}",
        scenes=(statement.build(), demo.build(), example.build()),
        key_points=("P(A|B) = P(B|A)·P(A)/P(B)", "Restrict to where B happened", "Base rates matter"),
    )


def mean_variance(facts: ContextFacts) -> Lesson:
    data = [n for n in facts.numbers if abs(n) <= 1000]
    if not 3 <= len(data) <= 8:
        data = [2, 4, 4, 4, 5, 5, 7, 9]
    mean = sum(data) / len(data)
    variance = sum((x - mean) ** 2 for x in data) / len(data)
    low, high = min(data), max(data)
    step = max(1.0, round((high - low) / 8)) if high > low else 1.0
    rows = [[num(x), num(round(x - mean, 3)), num(round((x - mean) ** 2, 3))] for x in data]
    values = ", ".join(num(x) for x in data)
    statement = (
        SceneDraft("statement", "statement", "The definitions")
        .beat(
            "The mean is the average, the sum divided by how many values there are.",
            ShowEquation(id="mean", latex="\\bar{x} = \\frac{1}{n}\\sum_{i=1}^{n} x_i", region="top"),
        )
        .beat(
            "The variance is the average squared distance from the mean.",
            ShowEquation(id="var", latex="\\sigma^2 = \\frac{1}{n}\\sum_{i=1}^{n} (x_i - \\bar{x})^2", region="bottom"),
        )
    )
    demo = (
        SceneDraft("balance", "explanation", "A balance point")
        .beat(
            f"Mark the data {values} on a number line.",
            ShowNumberLine(id="line", x_range=(low - step, high + step, step), marks=data, region="center"),
        )
        .beat(
            f"The mean, {num(round(mean, 3))}, is where the marks would balance.",
            ShowEquation(
                id="calc",
                latex=f"\\bar{{x}} = \\frac{{{num(sum(data))}}}{{{len(data)}}} = {num(round(mean, 3))}",
                region="top",
            ),
            ShowBrace(id="spread", target="line", direction="down", label="spread"),
        )
    )
    example = (
        SceneDraft("example", "example", "Computing the variance")
        .beat(
            "Subtract the mean from each value and square the result.",
            ShowTable(id="table", header=["x", "x \u2212 mean", "squared"], rows=rows),
        )
        .beat(
            f"The average of the squares is the variance, {num(round(variance, 3))}.",
            ShowEquation(id="calc", latex=f"\\sigma^2 = {num(round(variance, 3))}", region="right"),
            Circumscribe(target="calc"),
        )
    )
    return Lesson(
        title="Mean and Variance",
        hook="Where is the centre of a data set, and how spread out is it?",
        formula="\\bar{x} = \\frac{1}{n}\\sum_{i=1}^{n} x_i",
        scenes=(statement.build(), demo.build(), example.build()),
        key_points=("Mean = balance point", "Variance = mean squared distance", "Standard deviation = √variance"),
    )


def independent_events(facts: ContextFacts) -> Lesson:
    statement = (
        SceneDraft("statement", "statement", "The definition")
        .beat(
            "Two events are independent when one happening does not change the chance of the other.",
            ShowEquation(id="law", latex="P(A \\cap B) = P(A)\\,P(B)", region="top"),
        )
        .beat("Then the chance of both is the product of their chances.", Circumscribe(target="law"))
    )
    demo = (
        SceneDraft("areas", "explanation", "Probability as area")
        .beat(
            "Let a unit square hold every outcome; A takes the left half.",
            ShowPolygon(id="all", vertices=_rect(-2, -2, 2, 2), color="white", fill_opacity=0.05),
            ShowPolygon(id="a", vertices=_rect(-2, -2, 0, 2), color="blue", fill_opacity=0.35),
        )
        .beat(
            "B takes the bottom third, across the whole width.",
            ShowPolygon(id="b", vertices=_rect(-2, -2, 2, -0.667), color="green", fill_opacity=0.35),
        )
        .beat(
            "Both happen in the corner, a half times a third, one sixth of the square.",
            ShowPolygon(id="both", vertices=_rect(-2, -2, 0, -0.667), color="yellow", fill_opacity=0.8),
        )
    )
    example = (
        SceneDraft("example", "example", "Two coins")
        .beat(
            "Toss two fair coins: the four outcomes are equally likely.",
            ShowTable(id="outcomes", header=["", "H", "T"], rows=[["H", "HH", "HT"], ["T", "TH", "TT"]]),
        )
        .beat(
            "So two heads has chance one half times one half, one quarter.",
            ShowEquation(id="calc", latex="P(HH) = \\frac{1}{2} \\cdot \\frac{1}{2} = \\frac{1}{4}", region="bottom"),
            Indicate(target="outcomes"),
        )
    )
    return Lesson(
        title="Independent Events",
        hook="When can you simply multiply probabilities?",
        formula="P(A \\cap B) = P(A)\\,P(B)",
        scenes=(statement.build(), demo.build(), example.build()),
        key_points=("Independent: no influence", "P(A and B) = P(A)·P(B)", "Area model: a product of sides"),
    )
