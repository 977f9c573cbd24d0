"""Data and events: a data set summarised step by step, a probability tree, a Venn diagram, a least-squares line."""

from __future__ import annotations

import math
import statistics
from fractions import Fraction
from typing import Literal

import sympy
from pydantic import Field

from mathreel_scenelang.storyboard import (
    BarChart,
    Circumscribe,
    Indicate,
    PlotFunction,
    Remove,
    Scene,
    ShowAxes,
    ShowDots,
    ShowEquation,
    ShowInterval,
    ShowNumberLine,
    ShowPoint,
    ShowSegment,
    ShowTable,
    ShowTree,
    ShowVenn,
    TransformEquation,
    TreeBranch,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._calculus_common import fit_range, num, voiced
from mathreel_script.demonstrations._request import overlap
from mathreel_script.demonstrations.probability_distributions import frac_tex
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft
from mathreel_script.latex import spoken

Focus = Literal["center", "spread", "quartiles"]


class DataParams(Params):
    data: list[int] = Field(default_factory=lambda: [4, 8, 6, 5, 3, 7, 9, 6], min_length=5, max_length=8)
    focus: Focus = "center"


def _data(params: DataParams, facts: ContextFacts) -> list[int]:
    given = facts.integers(0, 1000)
    if len(given) >= 5:
        return given[:8]
    if any(not 0 <= v <= 1000 for v in params.data):
        raise ValueError("data values must lie between 0 and 1000")
    return list(params.data)


def _is_square(value: Fraction) -> bool:
    """Whether ``value`` is the square of a fraction (its square root is then exact)."""
    return all(math.isqrt(part) ** 2 == part for part in (value.numerator, value.denominator))


def quartiles(values: list[int]) -> tuple[Fraction, Fraction, Fraction]:
    """Q1, median, Q3 as medians of the lower and upper halves (the middle value left out when n is odd)."""
    ordered = sorted(values)
    half = len(ordered) // 2
    lower, upper = ordered[:half], ordered[half + len(ordered) % 2 :]

    def median(run: list[int]) -> Fraction:
        mid = len(run) // 2
        return Fraction(run[mid]) if len(run) % 2 else Fraction(run[mid - 1] + run[mid], 2)

    return median(lower), median(ordered), median(upper)


@demonstration("data_summary_steps", DataParams)
@voiced
def data_summary_steps(params: DataParams, facts: ContextFacts) -> list[Scene]:
    """A small data set on a number line, sorted, then summarised: its centre, its spread, or its quartiles."""
    values = _data(params, facts)
    ordered = sorted(values)
    n = len(values)
    mean = Fraction(sum(values), n)
    q1, median, q3 = quartiles(values)
    if median != Fraction(statistics.median(values)).limit_denominator(1000):
        raise ValueError("median check failed")
    line = fit_range(min(values), max(values), 10)
    listing = ", ".join(str(v) for v in values)
    draft = SceneDraft("data", "explanation", "A data set, summarised").beat(
        f"Here are {n} values: {listing}.",
        ShowEquation(id="data", latex=f"n = {n}: \\; " + ", \\; ".join(str(v) for v in values), region="top"),
        ShowNumberLine(id="line", x_range=line, marks=[float(v) for v in ordered[:12]], region="center"),
    )
    draft.beat(
        "Sort them from smallest to largest.",
        TransformEquation(target="data", latex=f"n = {n}: \\; " + ", \\; ".join(str(v) for v in ordered)),
    )
    if params.focus == "center":
        mode_count = max(ordered.count(v) for v in ordered)
        modes = sorted({v for v in ordered if ordered.count(v) == mode_count})
        draft.beat(
            f"The mean adds them, {sum(values)}, and divides by {n}: {num(float(mean))}.",
            ShowEquation(
                id="mean", latex=f"\\bar x = \\frac{{{sum(values)}}}{{{n}}} = {num(float(mean))}", region="bottom_left"
            ),
            ShowNumberLine(id="mline", x_range=line, marks=[float(mean)], region="bottom", color="yellow"),
        )
        draft.beat(
            f"The median is the middle of the sorted list: {num(float(median))}. Half the values lie at or below it.",
            ShowEquation(id="median", latex=f"\\text{{median}} = {num(float(median))}", region="bottom_right"),
            ShowInterval(
                id="lower", number_line="line", start=float(ordered[0]), end=float(median), label="\\text{half}"
            ),
        )
        if mode_count > 1:
            draft.beat(
                f"The most frequent value, the mode, is {', '.join(str(m) for m in modes)}.",
                ShowEquation(id="mode", latex=f"\\text{{mode}} = {', '.join(str(m) for m in modes)}", region="right"),
            )
        return [draft.build()]
    if params.focus == "spread":
        deviations = [Fraction(v) - mean for v in values]
        squares = [d * d for d in deviations]
        variance = sum(squares, Fraction(0)) / (n - 1)
        rows = [[str(v), num(float(d)), num(float(s))] for v, d, s in zip(values, deviations, squares, strict=True)]
        draft.beat(
            f"The mean is {num(float(mean))}. Measure each value's distance from it.",
            Remove(targets=["line"]),
            ShowNumberLine(id="sline", x_range=line, marks=[float(v) for v in ordered], region="left"),
            ShowEquation(id="mean", latex=f"\\bar x = {num(float(mean))}", region="bottom_left"),
            ShowTable(id="dev", header=["x", "x - mean", "squared"], rows=rows, region="right"),
        )
        draft.beat(
            f"Square the distances and add them: {num(float(sum(squares)))}. Divide by n minus 1, that is {n - 1}, "
            f"for the sample variance, {num(float(variance))}.",
            TransformEquation(
                target="mean",
                latex=f"s^{{2}} = \\frac{{{num(float(sum(squares)))}}}{{{n - 1}}} = {num(float(variance))}",
            ),
        )
        relation = "=" if _is_square(variance) else "\\approx"
        draft.beat(
            f"Its square root, the standard deviation, is {num(math.sqrt(variance))}: a typical distance to the mean.",
            ShowEquation(
                id="sd",
                latex=f"s = \\sqrt{{{num(float(variance))}}} {relation} {num(math.sqrt(variance))}",
                region="left",
            ),
            ShowInterval(
                id="band",
                number_line="sline",
                start=float(mean) - math.sqrt(variance),
                end=float(mean) + math.sqrt(variance),
                label="\\bar x \\pm s",
            ),
        )
        return [draft.build()]
    draft.beat(
        f"The median splits the sorted list in half: {num(float(median))}.",
        ShowEquation(id="q2", latex=f"Q_2 = {num(float(median))}", region="bottom"),
        ShowInterval(id="lower", number_line="line", start=float(ordered[0]), end=float(median), label="\\text{half}"),
    )
    draft.beat(
        f"The medians of the lower and upper halves are the quartiles, {num(float(q1))} and {num(float(q3))}.",
        TransformEquation(
            target="q2",
            latex=f"Q_1 = {num(float(q1))}, \\quad Q_2 = {num(float(median))}, \\quad Q_3 = {num(float(q3))}",
        ),
        Remove(targets=["lower"]),
        ShowInterval(id="box", number_line="line", start=float(q1), end=float(q3), label="\\text{IQR}"),
    )
    draft.beat(
        f"The middle half of the data lies between them: the interquartile range is {num(float(q3 - q1))}.",
        ShowEquation(
            id="iqr",
            latex=f"\\text{{IQR}} = {num(float(q3))} - {num(float(q1))} = {num(float(q3 - q1))}",
            region="top_right",
        ),
        Indicate(target="box"),
    )
    return [draft.build()]


TreeMode = Literal["without_replacement", "with_replacement", "bayes"]


class TreeParams(Params):
    mode: TreeMode = "without_replacement"
    red: int = Field(default=3, ge=1, le=9)
    blue: int = Field(default=2, ge=1, le=9)
    prevalence_pct: int = Field(default=1, ge=1, le=50)
    sensitivity_pct: int = Field(default=90, ge=50, le=99)
    false_positive_pct: int = Field(default=5, ge=1, le=30)


def _edge(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)


@demonstration("probability_tree_two_stage", TreeParams)
@voiced
def probability_tree_two_stage(params: TreeParams, facts: ContextFacts) -> list[Scene]:
    """A two-stage probability tree: multiply along branches, add across outcomes, condition by dividing."""
    if params.mode == "bayes":
        return [_bayes(params)]
    red, blue = params.red, params.blue
    total = red + blue
    replace = params.mode == "with_replacement"
    first = {"R": Fraction(red, total), "B": Fraction(blue, total)}
    second: dict[str, dict[str, Fraction]] = {}
    for a in "RB":
        left_red = red - (0 if replace or a == "B" else 1)
        left_blue = blue - (0 if replace or a == "R" else 1)
        left = left_red + left_blue
        second[a] = {"R": Fraction(left_red, left), "B": Fraction(left_blue, left)}
    paths = {a + b: first[a] * second[a][b] for a in "RB" for b in "RB"}
    if sum(paths.values()) != 1:
        raise ValueError("the four paths must add to 1")
    both_red = paths["RR"]
    second_red = paths["RR"] + paths["BR"]
    tree = ShowTree(
        id="tree",
        root="start",
        branches=[
            TreeBranch(
                label=a,
                edge=_edge(first[a]),
                children=[TreeBranch(label=a + b, edge=_edge(second[a][b])) for b in "RB"],
            )
            for a in "RB"
        ],
        region="left",
    )
    how = "putting it back" if replace else "without putting it back"
    rows = [
        [path, f"{_edge(first[path[0]])} x {_edge(second[path[0]][path[1]])}", _edge(p)] for path, p in paths.items()
    ]
    draft = (
        SceneDraft("tree", "explanation", "Multiply along the branches")
        .beat(
            f"A bag holds {red} red and {blue} blue balls. Draw one, then another, {how}.",
            ShowEquation(id="bag", latex=f"{red} \\text{{ red}}, \\; {blue} \\text{{ blue}}", region="top"),
            tree,
        )
        .beat(
            f"The first draw is red with probability {spoken(frac_tex(first['R']))}. "
            f"Then red again with probability {spoken(frac_tex(second['R']['R']))}.",
            ShowTable(id="paths0", header=["path", "product", "P"], rows=rows[:1], region="right"),
        )
        .beat(
            f"Multiply along the branches: both red has probability {spoken(frac_tex(both_red))}.",
            TransformEquation(
                target="bag",
                latex=f"P(RR) = {frac_tex(first['R'])} \\cdot {frac_tex(second['R']['R'])} = {frac_tex(both_red)}",
            ),
        )
        .beat(
            "Do the same for every path: the four probabilities add up to 1.",
            TransformEquation(target="bag", latex=" + ".join(frac_tex(p) for p in paths.values()) + " = 1"),
            Remove(targets=["paths0"]),
            ShowTable(id="paths", header=["path", "product", "P"], rows=rows, region="right"),
        )
        .beat(
            f"Add the paths that end in red: the second ball is red with probability {spoken(frac_tex(second_red))}.",
            TransformEquation(
                target="bag",
                latex=f"P(\\text{{second }} R) = {frac_tex(paths['RR'])} + {frac_tex(paths['BR'])}"
                f" = {frac_tex(second_red)}",
            ),
        )
    )
    return [draft.build()]


def exact(value: Fraction) -> str:
    """A product of percentages written out in full (0.0495, not a rounded 0.05 that would change the answer)."""
    text = f"{float(value):.6f}".rstrip("0").rstrip(".")
    if Fraction(text) != value:
        raise ValueError(f"{value} has no short decimal form")
    return text


def _bayes(params: TreeParams) -> Scene:
    prior = Fraction(params.prevalence_pct, 100)
    sens = Fraction(params.sensitivity_pct, 100)
    fp = Fraction(params.false_positive_pct, 100)
    true_pos, false_pos = prior * sens, (1 - prior) * fp
    posterior = true_pos / (true_pos + false_pos)
    check = sympy.Rational(true_pos.numerator, true_pos.denominator) / (
        sympy.Rational(true_pos.numerator, true_pos.denominator)
        + sympy.Rational(false_pos.numerator, false_pos.denominator)
    )
    if Fraction(int(check.p), int(check.q)) != posterior:
        raise ValueError("Bayes check failed")
    pct = {"prior": num(float(prior)), "sens": num(float(sens)), "fp": num(float(fp))}
    tree = ShowTree(
        id="tree",
        root="person",
        branches=[
            TreeBranch(
                label="ill",
                edge=pct["prior"],
                children=[
                    TreeBranch(label="positive", edge=pct["sens"]),
                    TreeBranch(label="negative", edge=num(float(1 - sens))),
                ],
            ),
            TreeBranch(
                label="well",
                edge=num(float(1 - prior)),
                children=[
                    TreeBranch(label="positive", edge=pct["fp"]),
                    TreeBranch(label="negative", edge=num(float(1 - fp))),
                ],
            ),
        ],
        region="left",
    )
    return (
        SceneDraft("bayes", "explanation", "Turning the tree around")
        .beat(
            f"A condition affects a share {pct['prior']} of people. A test catches it with probability {pct['sens']}, "
            f"and wrongly flags a healthy person with probability {pct['fp']}.",
            tree,
            ShowTable(
                id="given",
                header=["", "P"],
                rows=[["ill", pct["prior"]], ["positive if ill", pct["sens"]], ["positive if well", pct["fp"]]],
                region="right",
            ),
        )
        .beat(
            f"Ill and positive: {pct['prior']} times {pct['sens']}, which is {exact(true_pos)}.",
            Remove(targets=["given"]),
            ShowTable(
                id="pos0",
                header=["positive and", "product", "P"],
                rows=[["ill", f"{pct['prior']} x {pct['sens']}", exact(true_pos)]],
                region="right",
            ),
        )
        .beat(
            f"Well but positive: {num(float(1 - prior))} times {pct['fp']}, which is {exact(false_pos)}.",
            Remove(targets=["pos0"]),
            ShowTable(
                id="pos",
                header=["positive and", "product", "P"],
                rows=[
                    ["ill", f"{pct['prior']} x {pct['sens']}", exact(true_pos)],
                    ["well", f"{num(float(1 - prior))} x {pct['fp']}", exact(false_pos)],
                ],
                region="right",
            ),
        )
        .beat(
            f"So among positives, the share who are ill is {exact(true_pos)} over the sum: only about "
            f"{num(float(posterior))}.",
            ShowEquation(
                id="post",
                latex=f"P(\\text{{ill}} \\mid +) = \\frac{{{exact(true_pos)}}}{{{exact(true_pos)} + "
                f"{exact(false_pos)}}} \\approx {num(float(posterior))}",
                region="top",
            ),
        )
    ).build()


class VennParams(Params):
    a_only: int = Field(default=12, ge=0, le=200)
    b_only: int = Field(default=8, ge=0, le=200)
    both: int = Field(default=5, ge=1, le=200)
    neither: int = Field(default=5, ge=0, le=200)
    a_name: str = Field(default="A", min_length=1, max_length=12)
    b_name: str = Field(default="B", min_length=1, max_length=12)


@demonstration("venn_addition_rule", VennParams)
@voiced
def venn_addition_rule(params: VennParams, facts: ContextFacts) -> list[Scene]:
    """Two overlapping events counted in a Venn diagram: add both, subtract the overlap counted twice."""
    a_only, b_only, both, neither = params.a_only, params.b_only, params.both, params.neither
    total = a_only + b_only + both + neither
    pa, pb, pab = Fraction(a_only + both, total), Fraction(b_only + both, total), Fraction(both, total)
    union = pa + pb - pab
    if union != Fraction(a_only + b_only + both, total):
        raise ValueError("addition rule check failed")
    a, b = params.a_name, params.b_name
    counts = [[a, str(a_only + both)], [b, str(b_only + both)], ["both", str(both)], ["all", str(total)]]
    draft = (
        SceneDraft("venn", "explanation", "Counting the overlap once")
        .beat(
            f"Of {total} people, {a_only + both} are in {a}, {b_only + both} are in {b}, and {both} are in both.",
            ShowVenn(
                id="venn",
                labels=[a, b],
                regions={"A": str(a_only), "B": str(b_only), "AB": str(both), "outside": str(neither)},
                region="left",
            ),
            ShowTable(id="counts", header=["group", "count"], rows=counts, region="right"),
        )
        .beat(
            f"Adding {a_only + both} and {b_only + both} counts the {both} in the middle twice.",
            ShowEquation(
                id="sum", latex=f"{a_only + both} + {b_only + both} = {a_only + b_only + 2 * both}", region="top"
            ),
        )
        .beat(
            f"Subtract them once: {a_only + b_only + both} are in {a} or {b}.",
            TransformEquation(
                target="sum", latex=f"{a_only + both} + {b_only + both} - {both} = {a_only + b_only + both}"
            ),
            Remove(targets=["counts"]),
            *_union_picture(total, a_only + b_only + both),
        )
        .beat(
            f"As probabilities: the chance of {a} or {b} is {spoken(frac_tex(union))}.",
            ShowEquation(
                id="rule", latex=f"P(A \\cup B) = P(A) + P(B) - P(A \\cap B) = {frac_tex(union)}", region="bottom"
            ),
        )
        .beat(
            f"And the complement, neither, is 1 minus that: {spoken(frac_tex(1 - union))}, the {neither} outside.",
            TransformEquation(
                target="rule",
                latex=f"P(\\text{{neither}}) = 1 - {frac_tex(union)} = {frac_tex(1 - union)} "
                f"= \\frac{{{neither}}}{{{total}}}",
            ),
        )
    )
    return [draft.build()]


class ConditionalParams(Params):
    total: int = Field(default=40, ge=2, le=1000)
    given: int = Field(default=25, ge=1, le=1000, description="How many are in the condition B")
    both: int = Field(default=10, ge=1, le=1000, description="How many are in both A and B")


@demonstration("conditional_venn", ConditionalParams)
@voiced
def conditional_venn(params: ConditionalParams, facts: ContextFacts) -> list[Scene]:
    """P(A given B) as a share of B: the Venn diagram's B circle becomes the whole world, and the overlap's share of
    it is the answer; a request's own shares (per cent of 100) and event names are used when it gives them."""
    total, given, both = params.total, params.given, params.both
    asked_name, given_name = "A", "B"
    request = overlap(facts)
    if request is not None:
        # Shares in per cent: a group of 100, or of 1000 when a share has a decimal.
        scale = 100 if request.given.denominator == request.both.denominator == 1 else 1000
        total, given, both = scale, int(request.given * scale / 100), int(request.both * scale / 100)
        asked_name, given_name = request.asked_name, request.given_name
    if not 0 < both <= given <= total:
        raise ValueError("the overlap must lie inside the condition")
    answer = Fraction(both, given)
    if answer != Fraction(both, total) / Fraction(given, total):
        raise ValueError("conditional probability check failed")
    a, b = (f"\\text{{{name}}}" if len(name) > 1 else name for name in (asked_name, given_name))
    per_cent = " per cent" if request is not None else ""
    draft = (
        SceneDraft("given", "example", "Inside the condition")
        .beat(
            f"Out of {total}, {given} are counted in {given_name}, and {both} of them in {asked_name} too.",
            ShowVenn(
                id="venn",
                labels=[asked_name[:12], given_name[:12]],
                regions={"AB": str(both), "B": str(given - both), "A": "?", "outside": "?"},
                region="left",
            ),
            ShowTable(
                id="counts",
                header=["group", "count"],
                rows=[["all", str(total)], [given_name[:30], str(given)], ["both", str(both)]],
                region="right",
            ),
        )
        .beat(
            f"Given {given_name}, only the {given} inside the {given_name} circle count: they are the whole world now.",
            Circumscribe(target="venn"),
            ShowEquation(id="cond", latex=f"P({a} \\mid {b}) = \\frac{{P({a} \\cap {b})}}{{P({b})}}", region="top"),
        )
        .beat(
            f"{both} of those {given} are in {asked_name}: {both}{per_cent} over {given}{per_cent}, which is "
            f"{spoken(frac_tex(answer))}.",
            TransformEquation(
                target="cond",
                latex=f"P({a} \\mid {b}) = \\frac{{{both}}}{{{given}}} = {frac_tex(answer)}",
                highlight=[frac_tex(answer)],
            ),
        )
    )
    if answer.denominator != 1:
        decimal = round(float(answer), 3)
        relation = "=" if Fraction(str(decimal)) == answer else "\\approx"
        whole = round(both / total, 3)
        whole_relation = "=" if Fraction(str(whole)) == Fraction(both, total) else "\\approx"
        draft.beat(
            f"As a decimal that is {num(decimal)}: not the {num(whole)} of all {total}.",
            ShowEquation(
                id="not_all",
                latex=f"{frac_tex(answer)} {relation} {num(decimal)} \\ne \\frac{{{both}}}{{{total}}} "
                f"{whole_relation} {num(whole)}",
                region="bottom",
            ),
        )
    return [draft.build()]


def _line_tex(slope: Fraction, intercept: Fraction) -> str:
    """``m x + b`` with the slope and intercept as decimals, written as a course writes a line."""
    factor = "" if slope == 1 else "-" if slope == -1 else f"{num(float(slope))} "
    term = f"{factor}x" if slope != 0 else ""
    if intercept == 0:
        return term or "0"
    sign = "-" if intercept < 0 else "+"
    return f"{term} {sign} {num(float(abs(intercept)))}" if term else num(float(intercept))


class RegressionParams(Params):
    xs: list[int] = Field(default_factory=lambda: [1, 2, 3, 4, 5, 6], min_length=4, max_length=8)
    ys: list[int] = Field(default_factory=lambda: [2, 4, 5, 4, 6, 8], min_length=4, max_length=8)


@demonstration("regression_line_fit", RegressionParams)
@voiced
def regression_line_fit(params: RegressionParams, facts: ContextFacts) -> list[Scene]:
    """A scatter of points and the least-squares line through them: slope, intercept and correlation computed."""
    xs, ys = list(params.xs), list(params.ys)
    if len(xs) != len(ys) or len(set(xs)) < 2:
        raise ValueError("need paired data with at least two distinct x values")
    n = len(xs)
    mx, my = Fraction(sum(xs), n), Fraction(sum(ys), n)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    slope = Fraction(sxy) / sxx
    intercept = my - slope * mx
    r = float(sxy) / math.sqrt(float(sxx) * float(syy)) if syy else 1.0
    b_sym, a_sym = sympy.symbols("b a")
    sse = sum((y - (b_sym * x + a_sym)) ** 2 for x, y in zip(xs, ys, strict=True))
    best = sympy.solve([sympy.diff(sse, b_sym), sympy.diff(sse, a_sym)], [b_sym, a_sym])
    if best[b_sym] != sympy.Rational(slope.numerator, slope.denominator):
        raise ValueError("least squares check failed")
    line = f"{num(float(slope))}*x + {num(float(intercept))}"
    x_axis = fit_range(0, max(xs) + 1)
    y_axis = fit_range(min(0, min(ys)), max(ys) + 1)
    rows = [[str(x), str(y)] for x, y in zip(xs, ys, strict=True)]
    draft = (
        SceneDraft("fit", "explanation", "The line of best fit")
        .beat(
            f"Here are {n} pairs of measurements.",
            ShowAxes(id="ax", x_range=x_axis, y_range=y_axis, region="left"),
            ShowTable(id="data", header=["x", "y"], rows=rows, region="right"),
        )
        .beat(
            "Plot each pair as a point: x across, y up.",
            *[
                ShowPoint(id=f"p{i}", at=(x, y), axes="ax", color="yellow")
                for i, (x, y) in enumerate(zip(xs, ys, strict=True))
            ],
        )
        .beat(
            f"The means are {num(float(mx))} for x and {num(float(my))} for y; the best line goes through that point.",
            ShowEquation(
                id="means", latex=f"\\bar x = {num(float(mx))}, \\quad \\bar y = {num(float(my))}", region="top"
            ),
            ShowPoint(id="centre", at=(float(mx), float(my)), axes="ax", color="red", label="(\\bar x, \\bar y)"),
        )
        .beat(
            f"Least squares gives slope {num(float(slope))} and intercept {num(float(intercept))}.",
            PlotFunction(id="fit", axes="ax", expression=line, x_range=(x_axis[0], x_axis[1]), color="blue"),
            TransformEquation(target="means", latex=f"\\hat y = {_line_tex(slope, intercept)}"),
        )
        .beat(
            "The line makes the squared vertical gaps, the residuals, as small as they can be.",
            # Solid: a residual is often a fraction of a unit, too short for a dashed line to show.
            *[
                ShowSegment(id=f"res{i}", start=(x, y), end=(x, float(slope * x + intercept)), axes="ax", color="red")
                for i, (x, y) in enumerate(zip(xs, ys, strict=True))
                if y != slope * x + intercept  # a point on the line has no gap to draw
            ],
        )
        .beat(
            f"The correlation, r equals {num(r)}, says how tightly the points hug the line.",
            ShowEquation(
                id="r",
                latex=f"r = \\frac{{S_{{xy}}}}{{\\sqrt{{S_{{xx}} S_{{yy}}}}}} \\approx {num(r)}",
                region="bottom",
            ),
        )
    )
    return [draft.build()]


def _union_picture(total: int, union: int) -> list[ShowDots | BarChart]:
    """One dot per person with those in the union lit, or (for a large group) two bars."""
    for rows in range(1, 13):
        if total % rows == 0 and total // rows <= 16 and total // rows >= rows:
            return [
                ShowDots(
                    id="people",
                    rows=rows,
                    cols=total // rows,
                    highlight=union,
                    region="right",
                    label=f"{union} \\text{{ of }} {total}",
                )
            ]
    return [BarChart(id="people", categories=["A or B", "neither"], values=[union, total - union], region="right")]
