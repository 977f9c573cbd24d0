"""Quantities drawn: products as arrays of dots, fractions as cut strips, ratios as equal parts, percentages as a
hundred squares."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Literal

from pydantic import Field, model_validator

from mathreel_scenelang.storyboard import (
    Action,
    Circumscribe,
    Remove,
    Scene,
    ShowBrace,
    ShowDots,
    ShowEquation,
    ShowPolygon,
    ShowSegment,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._request import percent_changes, ratio_and_total
from mathreel_script.demonstrations.arithmetic_numbers import said, written
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft


# --- arrays of dots ----------------------------------------------------------------------------------------------
class ArrayParams(Params):
    rows: int = Field(default=4, ge=2, le=10)
    cols: int = Field(default=6, ge=2, le=12)
    mode: Literal["multiply", "divide"] = "multiply"


@demonstration("dot_array_product", ArrayParams)
def dot_array_product(params: ArrayParams, facts: ContextFacts) -> list[Scene]:
    """A product as a rectangle of dots: rows of equal size counted row by row, turned to show the order does not
    matter; or a total shared into equal rows (division)."""
    rows, cols = params.rows, params.cols
    found = facts.integers(2, 12)
    if len(found) >= 2 and found[0] <= 10:
        rows, cols = found[0], found[1]
    total = rows * cols
    if total != sum(cols for _ in range(rows)):
        raise ValueError("array count check failed")
    draft = SceneDraft("array", "explanation", "Equal rows")
    if params.mode == "divide":
        draft.beat(
            f"Share {total} dots into {rows} equal rows.",
            ShowEquation(id="q", latex=f"{total} \\div {rows} = ?", region="top"),
            ShowDots(id="d0", rows=rows, cols=cols, label=f"{total}", region="center"),
        )
        draft.beat(
            f"Each row gets {cols} dots.",
            Remove(targets=["d0"]),
            ShowDots(
                id="d1", rows=rows, cols=cols, highlight=cols, label=f"{cols}\\text{{ in each row}}", region="center"
            ),
        )
        draft.beat(
            f"So {total} divided by {rows} is {cols}, because {rows} rows of {cols} make {total}.",
            TransformEquation(target="q", latex=f"{total} \\div {rows} = {cols}", highlight=[str(cols)]),
            ShowEquation(id="back", latex=f"{rows} \\times {cols} = {total}", region="bottom"),
        )
        return [draft.build()]
    running = [cols * k for k in range(1, rows + 1)]
    draft.beat(
        f"Here are {rows} rows of {cols} dots.",
        ShowDots(id="d0", rows=rows, cols=cols, label=f"{rows} \\times {cols}", region="left"),
    )
    draft.beat(
        f"One row holds {cols}.",
        Remove(targets=["d0"]),
        ShowDots(id="d1", rows=rows, cols=cols, highlight=cols, label=f"{rows} \\times {cols}", region="left"),
    )
    draft.beat(
        f"Count row by row: {', '.join(str(n) for n in running)}.",
        ShowEquation(id="count", latex=", ".join(str(n) for n in running), region="top"),
    )
    draft.beat(
        f"So {rows} times {cols} is {total}.",
        ShowEquation(id="prod", latex=f"{rows} \\times {cols} = {total}", region="bottom"),
    )
    draft.beat(
        f"Turn the array: {cols} rows of {rows} are the same {total} dots.",
        ShowDots(id="turned", rows=min(cols, 12), cols=rows, label=f"{cols} \\times {rows}", region="right"),
        Circumscribe(target="prod"),
    )
    return [draft.build()]


# --- fraction strips ---------------------------------------------------------------------------------------------
class FractionParams(Params):
    a: int = Field(default=1, ge=0, le=11)
    b: int = Field(default=2, ge=1, le=8)
    c: int = Field(default=1, ge=0, le=11)
    d: int = Field(default=3, ge=1, le=8)
    operation: Literal["add", "subtract", "compare"] = "add"

    @model_validator(mode="after")
    def _fits(self) -> FractionParams:
        if self.a > self.b or self.c > self.d:
            raise ValueError("each fraction is at most 1")
        if len(_cuts(self.b, self.d)) > 7 or max(self.b, self.d) > 6:
            raise ValueError("denominators up to 6 with at most 7 new cuts, so the strips stay readable")
        first, second = Fraction(self.a, self.b), Fraction(self.c, self.d)
        if self.operation == "add" and first + second > 1:
            raise ValueError("the sum fits in one strip")
        if self.operation == "subtract" and first < second:
            raise ValueError("the difference is not negative")
        return self


_WIDTH = 12.0


def _cuts(b: int, d: int) -> list[int]:
    """The cuts (in pieces of the common denominator) that one of the two strips does not have yet."""
    common = math.lcm(b, d)
    return [k for k in range(1, common) if k % (common // b) or k % (common // d)]


_HEIGHT = 1.6


def _strip(
    prefix: str, parts: int, shaded: int, y: float, color: Literal["yellow", "blue", "green"], label: str
) -> list[Action]:
    """A strip of ``parts`` equal pieces, the first ``shaded`` coloured, its fraction written at its left end."""
    piece = _WIDTH / parts
    top = y + _HEIGHT
    actions: list[Action] = [
        ShowPolygon(
            id=f"{prefix}_all", vertices=[(0, y), (_WIDTH, y), (_WIDTH, top), (0, top)], fill_opacity=0, region="center"
        ),
        ShowSegment(id=f"{prefix}_name", start=(-0.3, y), end=(-0.3, top), label=label),
    ]
    if shaded:
        right = piece * shaded
        actions.append(
            ShowPolygon(
                id=f"{prefix}_part",
                vertices=[(0, y), (right, y), (right, top), (0, top)],
                fill_opacity=0.6,
                color=color,
            )
        )
    actions += [ShowSegment(id=f"{prefix}_c{k}", start=(piece * k, y), end=(piece * k, top)) for k in range(1, parts)]
    return actions


def _frac(p: int, q: int) -> str:
    return f"\\frac{{{p}}}{{{q}}}"


@demonstration("fraction_strips", FractionParams)
def fraction_strips(params: FractionParams, facts: ContextFacts) -> list[Scene]:
    """Two fractions as strips of equal pieces, cut again into a common number of pieces so they can be compared,
    added or subtracted."""
    a, b, c, d = params.a, params.b, params.c, params.d
    common = math.lcm(b, d)
    first, second = Fraction(a, b), Fraction(c, d)
    a2, c2 = a * common // b, c * common // d
    if Fraction(a2, common) != first or Fraction(c2, common) != second:
        raise ValueError("equivalent fraction check failed")
    draft = (
        SceneDraft("strips", "explanation", "Fractions as strips")
        .beat(
            f"This strip is cut into {b} equal pieces, {a} of them shaded: {a} over {b}.",
            *_strip("s1", b, a, 4.0, "yellow", _frac(a, b)),
        )
        .beat(
            f"This one is cut into {d} pieces with {c} shaded: {c} over {d}.",
            *_strip("s2", d, c, 2.0, "blue", _frac(c, d)),
        )
    )
    recut: list[Action] = [
        ShowSegment(id=f"cut{k}", start=(_WIDTH * k / common, 1.8), end=(_WIDTH * k / common, 5.8), dashed=True)
        for k in _cuts(b, d)
    ]
    draft.beat(
        f"Cut both into {common} equal pieces: {a} over {b} is {a2} over {common}, and {c} over {d} is "
        f"{c2} over {common}.",
        *recut,
        ShowEquation(
            id="same",
            latex=f"{_frac(a, b)} = {_frac(a2, common)},\\quad {_frac(c, d)} = {_frac(c2, common)}",
            region="top",
        ),
    )
    if params.operation == "compare":
        bigger = "first" if a2 > c2 else "second" if c2 > a2 else "neither"
        relation = ">" if a2 > c2 else "<" if a2 < c2 else "="
        draft.beat(
            f"Now count pieces: {a2} against {c2}, so the {bigger} strip holds more."
            if bigger != "neither"
            else f"Now count pieces: {a2} against {c2}, so the two are equal.",
            ShowEquation(id="cmp", latex=f"{_frac(a, b)} {relation} {_frac(c, d)}", region="bottom", color="yellow"),
        )
        return [draft.build()]
    result = first + second if params.operation == "add" else first - second
    count = a2 + c2 if params.operation == "add" else a2 - c2
    if Fraction(count, common) != result:
        raise ValueError("fraction arithmetic check failed")
    word, sign = ("plus", "+") if params.operation == "add" else ("minus", "-")
    simplified = f", which simplifies to {said(result)}" if result.denominator != common else ""
    right = _WIDTH * float(result)
    draft.beat(
        f"Now the pieces are the same size: {a2} {word} {c2} pieces is {count} over {common}{simplified}.",
        ShowPolygon(id="s3_all", vertices=[(0, 0), (_WIDTH, 0), (_WIDTH, _HEIGHT), (0, _HEIGHT)], fill_opacity=0),
        ShowSegment(id="s3_name", start=(-0.3, 0), end=(-0.3, _HEIGHT), label=_frac(count, common)),
        ShowPolygon(
            id="sum_part",
            vertices=[(0, 0), (right, 0), (right, _HEIGHT), (0, _HEIGHT)],
            fill_opacity=0.6,
            color="green",
        )
        if result
        else ShowSegment(id="sum_part", start=(0, 0), end=(0, _HEIGHT)),
        ShowEquation(
            id="res",
            latex=f"{_frac(a2, common)} {sign} {_frac(c2, common)} = {_frac(count, common)}"
            + (f" = {written(result)}" if simplified else ""),
            region="bottom",
            color="yellow",
        ),
    )
    return [draft.build()]


# --- ratio as equal parts ------------------------------------------------------------------------------------------
class RatioParams(Params):
    a: int = Field(default=3, ge=1, le=7)
    b: int = Field(default=4, ge=1, le=7)
    total: int = Field(default=35, ge=2, le=1000)

    @model_validator(mode="after")
    def _divides(self) -> RatioParams:
        if self.total % (self.a + self.b):
            raise ValueError("the total is shared into whole parts")
        return self


def _row(prefix: str, parts: int, y: float, color: Literal["blue", "orange"]) -> list[Action]:
    actions: list[Action] = [
        ShowPolygon(id=prefix, vertices=[(0, y), (parts, y), (parts, y + 1), (0, y + 1)], fill_opacity=0.5, color=color)
    ]
    actions += [ShowSegment(id=f"{prefix}_{k}", start=(k, y), end=(k, y + 1)) for k in range(1, parts)]
    return actions


@demonstration("ratio_share_bars", RatioParams)
def ratio_share_bars(params: RatioParams, facts: ContextFacts) -> list[Scene]:
    """Sharing in a ratio a to b: a boxes and b boxes of the same size; the total fixes one box, and then each share."""
    a, b, total = params.a, params.b, params.total
    found = facts.integers(1, 1000)
    written = ratio_and_total(facts)
    if written and written[0] <= 12 and written[1] <= 12 and 1 <= written[2] <= 100000:
        if written[2] % (written[0] + written[1]) == 0:
            a, b, total = written  # "Share 120 in the ratio 3:5": the ratio is the pair written with a colon
    elif len(found) >= 3 and found[0] <= 7 and found[1] <= 7 and found[2] % (found[0] + found[1]) == 0:
        a, b, total = found[0], found[1], found[2]
    parts = a + b
    unit = total // parts
    share_a, share_b = a * unit, b * unit
    if share_a + share_b != total or Fraction(share_a, share_b) != Fraction(a, b):
        raise ValueError("ratio check failed")
    draft = (
        SceneDraft("ratio", "example", "Equal parts")
        .beat(
            f"Share {total} in the ratio {a} to {b}.",
            ShowEquation(id="task", latex=f"{a} : {b} \\quad \\text{{total}}\\ {total}", region="top"),
        )
        .beat(f"The first share is {a} equal boxes.", *_row("ra", a, 1.5, "blue"))
        .beat(f"The second share is {b} boxes of the same size.", *_row("rb", b, 0.0, "orange"))
        .beat(
            f"{parts} boxes hold {total}, so one box holds {total} divided by {parts}, which is {unit}.",
            ShowEquation(id="unit", latex=f"1\\ \\text{{box}} = {total} \\div {parts} = {unit}", region="bottom"),
        )
        .beat(
            f"So the shares are {a} times {unit}, which is {share_a}, and {b} times {unit}, which is {share_b}.",
            ShowBrace(id="ba", target="ra", direction="up", label=f"{a} \\times {unit} = {share_a}"),
            ShowBrace(id="bb", target="rb", direction="down", label=f"{b} \\times {unit} = {share_b}"),
        )
        .beat(
            f"Check: {share_a} plus {share_b} is {total}.",
            TransformEquation(target="unit", latex=f"{share_a} + {share_b} = {total}", highlight=[str(total)]),
        )
    )
    return [draft.build()]


# --- percent of a hundred --------------------------------------------------------------------------------------------
class PercentParams(Params):
    percent: int = Field(default=35, ge=1, le=100)
    whole: int = Field(default=80, ge=1, le=100000)
    change: Literal["of", "increase", "decrease"] = "of"


@demonstration("percent_grid", PercentParams)
def percent_grid(params: PercentParams, facts: ContextFacts) -> list[Scene]:
    """Per cent means per hundred: p of 100 squares shaded, the same share of a whole computed, and an increase or
    decrease applied."""
    percent, whole = params.percent, params.whole
    found = facts.integers(1, 100000)
    rate = next((int(p) for p in facts.percents if p == int(p) and 1 <= p <= 100), None)
    amount = next((int(q) for q in facts.quantities() if q == int(q) and 1 <= q <= 100000), None)
    if rate is not None and amount is not None:
        percent, whole = rate, amount  # "4% interest on 2500": the rate is the number marked per cent
    elif len(found) >= 2 and 1 <= found[0] <= 100:
        percent, whole = found[0], found[1]
    change = params.change
    stated = percent_changes(facts)
    if change != "of" and stated and stated[0].percent == percent:
        # The request's own words say which way its percentage goes: "25% off" is a decrease, "8% tax" an increase.
        change = "increase" if stated[0].up else "decrease"
    part = Fraction(percent, 100) * whole
    if part * 100 != percent * whole:
        raise ValueError("percent check failed")
    draft = (
        SceneDraft("percent", "explanation", "Per cent means per hundred")
        .beat(
            f"{percent} per cent means {percent} out of every 100.",
            ShowDots(
                id="grid", rows=10, cols=10, highlight=percent, label=f"{percent}\\% \\text{{ of }} 100", region="left"
            ),
        )
        .beat(
            f"As a fraction that is {percent} over 100.",
            ShowEquation(id="frac", latex=f"{percent}\\% = \\frac{{{percent}}}{{100}}", region="top_right"),
        )
        .beat(
            f"So {percent} per cent of {whole} is {percent} over 100 times {whole}, which is {said(part)}.",
            ShowEquation(
                id="of",
                latex=f"\\frac{{{percent}}}{{100}} \\times {whole} = {written(part)}",
                region="right",
            ),
        )
    )
    shaded = float(Fraction(percent, 100)) * 10
    draft.beat(
        f"On a bar for all {whole}, that share is the shaded {percent} per cent.",
        ShowPolygon(id="bar", vertices=[(0, 0), (10, 0), (10, 1), (0, 1)], fill_opacity=0, region="bottom_right"),
        ShowPolygon(
            id="bar_part", vertices=[(0, 0), (shaded, 0), (shaded, 1), (0, 1)], fill_opacity=0.6, color="yellow"
        ),
        ShowBrace(id="bar_whole", target="bar", direction="down", label=str(whole)),
        ShowBrace(id="bar_share", target="bar_part", direction="up", label=written(part)),
    )
    if change != "of":
        new = whole + part if change == "increase" else whole - part
        word, sign = ("increase", "+") if change == "increase" else ("decrease", "-")
        factor = Fraction(100 + percent, 100) if change == "increase" else Fraction(100 - percent, 100)
        if factor * whole != new:
            raise ValueError("percent change check failed")
        draft.beat(
            f"A {percent} per cent {word} gives {whole} {'plus' if sign == '+' else 'minus'} {said(part)}, "
            f"which is {said(new)}.",
            ShowEquation(
                id="new", latex=f"{whole} {sign} {written(part)} = {written(new)}", region="bottom_left", color="yellow"
            ),
        )
    return [draft.build()]
