"""Inference: confidence intervals from repeated seeded samples, most of which catch the true mean."""

from __future__ import annotations

import math
import random
import statistics
from typing import Literal

from pydantic import Field

from mathreel_scenelang.storyboard import Scene, ShowAxes, ShowEquation, ShowSegment, TransformEquation
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._calculus_common import fit_range, num, voiced
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft

_Z = {90: 1.645, 95: 1.96, 99: 2.576}


def r2(value: float) -> str:
    """A sample statistic to two decimals, as a report would give it."""
    return num(round(value, 2))


class IntervalParams(Params):
    mean: int = Field(default=50, ge=-1000, le=1000)
    sd: int = Field(default=10, ge=1, le=200)
    n: int = Field(default=25, ge=4, le=400)
    level: Literal[90, 95, 99] = 95
    seed: int = Field(default=7, ge=0, le=10_000)


@demonstration("confidence_interval_coverage", IntervalParams)
@voiced
def confidence_interval_coverage(params: IntervalParams, facts: ContextFacts) -> list[Scene]:
    """Twenty seeded samples, each with its confidence interval drawn: about the promised share catch the mean."""
    mu, sigma, n = params.mean, params.sd, params.n
    z = _Z[params.level]
    if abs(statistics.NormalDist().inv_cdf(0.5 + params.level / 200) - z) > 1e-3:
        raise ValueError("critical value check failed")
    rng = random.Random(params.seed)
    half = z * sigma / math.sqrt(n)
    intervals: list[tuple[float, float, float]] = []
    for _ in range(20):
        sample_mean = sum(rng.gauss(mu, sigma) for _ in range(n)) / n
        intervals.append((sample_mean - half, sample_mean, sample_mean + half))
    hits = sum(1 for low, _, high in intervals if low <= mu <= high)
    spread = 4.5 * sigma / math.sqrt(n)
    x_axis = fit_range(mu - spread, mu + spread, 6)
    first_low, first_mean, first_high = intervals[0]

    def bar(index: int) -> ShowSegment:
        low, _, high = intervals[index]
        color = "green" if low <= mu <= high else "red"
        return ShowSegment(
            id=f"ci{index}", start=(round(low, 4), index + 1), end=(round(high, 4), index + 1), axes="ax", color=color
        )

    draft = (
        SceneDraft("intervals", "explanation", "What the confidence means")
        .beat(
            f"Take a sample of {n} from a population with mean {mu} and standard deviation {sigma}. "
            f"Its mean is {num(first_mean)}.",
            ShowEquation(
                id="ci", latex=f"\\bar x = {num(first_mean)}, \\quad n = {n}, \\quad \\sigma = {sigma}", region="top"
            ),
            ShowAxes(id="ax", x_range=x_axis, y_range=(0, 21, 5), y_label="\\text{sample}", region="center"),
            ShowSegment(id="truth", start=(mu, 0), end=(mu, 21), axes="ax", dashed=True, color="yellow"),
        )
        .beat(
            f"The {params.level} percent interval reaches {num(z)} standard errors each side: from "
            f"{r2(first_low)} to {r2(first_high)}.",
            TransformEquation(
                target="ci",
                latex=f"{params.level}\\%: \\; \\bar x \\pm {num(z)} \\frac{{\\sigma}}{{\\sqrt{{n}}}} = "
                f"[{r2(first_low)}, {r2(first_high)}]",
            ),
            bar(0),
        )
    )
    misses = 20 - hits
    last_words = (
        "Twenty samples in all; an interval that misses the true mean is drawn in red."
        if misses
        else "Twenty samples in all; this time every one of them catches the true mean."
    )
    batches = (
        (1, 8, "Draw another sample, and another: each gives its own interval."),
        (8, 15, "Most of them cross the dashed line at the true mean."),
        (15, 20, last_words),
    )
    for start, stop, words in batches:
        draft.beat(words, *[bar(i) for i in range(start, stop)])
    draft.beat(
        f"{hits} of the 20 intervals contain the mean {mu}. The method catches it about {params.level} percent "
        "of the time; any single interval either does or does not.",
        TransformEquation(
            target="ci",
            latex=f"\\frac{{{hits}}}{{20}} \\text{{ contain }} \\mu = {mu} "
            f"\\quad ({params.level}\\% \\text{{ method}})",
        ),
    )
    return [draft.build()]
