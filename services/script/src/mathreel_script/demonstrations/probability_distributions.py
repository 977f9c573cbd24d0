"""Distributions: seeded simulations building a histogram, binomial bars, normal areas, expected values by table."""

from __future__ import annotations

import math
import random
import re
from fractions import Fraction
from typing import Literal

from pydantic import Field

from mathreel_scenelang.storyboard import (
    Action,
    BarChart,
    BarsTo,
    Circumscribe,
    Indicate,
    PlotFunction,
    Remove,
    Scene,
    ShadeArea,
    ShowAxes,
    ShowEquation,
    ShowTable,
    TransformEquation,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._calculus_common import changed, fit_range, num, voiced
from mathreel_script.demonstrations._request import repeated_trials
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft
from mathreel_script.latex import spoken


def frac_tex(value: Fraction) -> str:
    return f"\\frac{{{value.numerator}}}{{{value.denominator}}}" if value.denominator != 1 else str(value.numerator)


class DiceParams(Params):
    dice: int = Field(default=1, ge=1, le=2)
    seed: int = Field(default=7, ge=0, le=10_000)


def dice_distribution(dice: int) -> dict[int, Fraction]:
    """The exact distribution of the total of ``dice`` fair dice."""
    counts: dict[int, int] = {}
    for faces in range(6**dice):
        total = sum((faces // 6**i) % 6 + 1 for i in range(dice))
        counts[total] = counts.get(total, 0) + 1
    return {total: Fraction(count, 6**dice) for total, count in sorted(counts.items())}


@demonstration("dice_simulation_histogram", DiceParams)
@voiced
def dice_simulation_histogram(params: DiceParams, facts: ContextFacts) -> list[Scene]:
    """Dice rolled by a seeded simulation: the bars of relative frequency settle onto the exact probabilities."""
    exact = dice_distribution(params.dice)
    outcomes = list(exact)
    watched = 6 if params.dice == 1 else 7
    rng = random.Random(params.seed)
    rolls: list[int] = []
    stages = (20, 200, 2000)
    shares: list[list[float]] = []
    for stage in stages:
        while len(rolls) < stage:
            rolls.append(sum(rng.randint(1, 6) for _ in range(params.dice)))
        shares.append([round(rolls.count(o) / stage, 3) for o in outcomes])
    theory = [round(float(exact[o]), 3) for o in outcomes]
    if max(abs(a - b) for a, b in zip(shares[-1], theory, strict=True)) > 0.05:
        raise ValueError("2000 rolls should be close to the exact distribution")
    what = "one die" if params.dice == 1 else "two dice and add them"
    label = "a six" if params.dice == 1 else "a total of 7"
    index = outcomes.index(watched)
    y_max = max(max(max(s) for s in shares), max(theory)) * 1.15
    draft = SceneDraft("simulate", "explanation", "Rolling again and again").beat(
        f"Roll {what}, {stages[0]} times, and draw how often each result came up.",
        ShowEquation(id="n", latex=f"n = {stages[0]}, \\quad \\hat p = {num(shares[0][index])}", region="top"),
        BarChart(
            id="bars",
            categories=[str(o) for o in outcomes],
            values=shares[0],
            y_max=y_max,
            show_values=params.dice == 1,
            region="center",
        ),
    )
    draft.beat(
        f"With so few rolls the bars are ragged: {label} came up a share of {num(shares[0][index])}.",
        Indicate(target="bars"),
    )
    for stage, share in zip(stages[1:], shares[1:], strict=True):
        draft.beat(
            f"After {stage} rolls, the share of {label} is {num(share[index])}.",
            changed("n", f"n = {stage}, \\quad \\hat p = {num(share[index])}", num(share[index])),
            BarsTo(target="bars", values=share),
        )
    p = exact[watched]
    draft.beat(
        f"The exact probability of {label} is {spoken(frac_tex(p))}, about {num(float(p))}: "
        "the frequencies settle on the probabilities.",
        changed("n", f"P = {frac_tex(p)} \\approx {num(float(p))}", num(float(p))),
        BarsTo(target="bars", values=theory),
    )
    return [draft.build()]


class BinomialParams(Params):
    n: int = Field(default=6, ge=2, le=12)
    p_num: int = Field(default=1, ge=1, le=9)
    p_den: int = Field(default=2, ge=2, le=10)
    k: int = Field(default=2, ge=0, le=12)


@demonstration("binomial_distribution_bars", BinomialParams)
@voiced
def binomial_distribution_bars(params: BinomialParams, facts: ContextFacts) -> list[Scene]:
    """The binomial distribution as bars: one probability computed term by term, the mean, and p shifting the bars."""
    given = dict(facts.assignments)
    n = int(given["n"]) if "n" in given and 2 <= given["n"] <= 12 and given["n"] == int(given["n"]) else params.n
    k = int(given["k"]) if "k" in given and 0 <= given["k"] <= n and given["k"] == int(given["k"]) else params.k
    p = Fraction(params.p_num, params.p_den)
    said = repeated_trials(facts)
    if said is not None and 2 <= said[0] <= 12 and said[2].denominator <= 100:
        n, k, p = said  # "10 coin flips, exactly 3 heads"
    if not 0 < p < 1 or k > n:
        raise ValueError("need 0 < p < 1 and k <= n")
    probs = [Fraction(math.comb(n, j)) * p**j * (1 - p) ** (n - j) for j in range(n + 1)]
    if sum(probs) != 1:
        raise ValueError("binomial probabilities must add to 1")
    mean, var = n * p, n * p * (1 - p)
    values = [round(float(q), 3) for q in probs]
    other = Fraction(4, 5) if p < Fraction(1, 2) else Fraction(1, 5)
    shifted = [round(float(Fraction(math.comb(n, j)) * other**j * (1 - other) ** (n - j)), 3) for j in range(n + 1)]
    pk = probs[k]
    pk_tex = f"\\binom{{{n}}}{{{k}}} \\left({frac_tex(p)}\\right)^{{{k}}} \\left({frac_tex(1 - p)}\\right)^{{{n - k}}}"
    draft = (
        SceneDraft("binomial", "explanation", "Counting successes")
        .beat(
            f"Repeat a trial {n} times, each a success with probability {spoken(frac_tex(p))}. "
            "The bars show the chance of each number of successes.",
            ShowEquation(id="law", latex="P(X = k) = \\binom{n}{k} p^{k} (1 - p)^{n - k}", region="top"),
            BarChart(
                id="bars", categories=[str(j) for j in range(n + 1)], values=values, show_values=n <= 8, region="left"
            ),
            ShowEquation(id="p", latex=f"n = {n}, \\quad p = {frac_tex(p)}", region="bottom"),
        )
        .beat(
            f"Exactly {k} successes: choose which {k} trials succeed, in {math.comb(n, k)} ways, "
            "times the chance of each such pattern.",
            TransformEquation(
                target="law", latex=f"P(X = {k}) = {pk_tex}, \\quad \\binom{{{n}}}{{{k}}} = {math.comb(n, k)}"
            ),
            ShowTable(
                id="ways",
                header=["k", "ways", "P(X = k)"],
                rows=[[str(j), str(math.comb(n, j)), num(values[j])] for j in range(max(0, k - 1), min(n, k + 1) + 1)],
                region="right",
            ),
        )
        .beat(
            f"That is {spoken(frac_tex(pk))}, about {num(float(pk))}.",
            changed("law", f"P(X = {k}) = {frac_tex(pk)} \\approx {num(float(pk))}", num(float(pk))),
        )
        .beat(
            f"The bars balance at the mean, n times p, which is {num(mean)}; the variance is n p times 1 minus p, "
            f"{num(var)}.",
            TransformEquation(target="law", latex=f"E[X] = np = {num(mean)}, \\quad \\mathrm{{Var}}(X) = {num(var)}"),
        )
        .beat(
            f"Change p to {spoken(frac_tex(other))} and the whole distribution slides, to a mean of {num(n * other)}.",
            TransformEquation(
                target="p", latex=f"n = {n}, \\quad p = {frac_tex(other)}, \\quad E[X] = {num(n * other)}"
            ),
            Remove(targets=["ways"]),  # its values belong to the old p
            BarsTo(target="bars", values=shifted),
        )
    )
    return [draft.build()]


NormalMode = Literal["empirical", "zscore", "test"]


class NormalParams(Params):
    mode: NormalMode = "empirical"
    mean: int = Field(default=100, ge=-1000, le=1000)
    sd: int = Field(default=15, ge=1, le=200)
    value: int = Field(default=120, ge=-2000, le=2000, description="The observed value (a z-score or a test)")


def phi(z: float) -> float:
    """The standard normal cumulative distribution."""
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


_MEAN = re.compile(r"\b(?:mean|average|mu)\s*(?:of|is|=|was)?\s*(-?\d{1,4})\b", re.I)
_SD = re.compile(r"\b(?:standard deviation|sd|sigma)\s*(?:of|is|=|was)?\s*(\d{1,4})\b", re.I)


def _named_normal_values(facts: ContextFacts, mu: int, sd: int, value: int) -> tuple[int, int, int]:
    """The mean, standard deviation and observed value a context names ("mean 70 and standard deviation 10"); the
    observed value is its other whole number. Anything not named, or not usable, keeps the entry's parameters."""
    text = " ".join(facts.sentences)
    mean_match, sd_match = _MEAN.search(text), _SD.search(text)
    if not (mean_match and sd_match):
        return mu, sd, value
    new_mu, new_sd = int(mean_match.group(1)), int(sd_match.group(1))
    others = [n for n in facts.integers(-2000, 2000) if n not in (new_mu, new_sd)]
    if new_sd < 1 or not others or abs(others[0] - new_mu) > 4 * new_sd:
        return mu, sd, value
    return new_mu, new_sd, others[0]


def _density(mu: float, sd: float) -> str:
    return f"exp(-((x - {mu})^2) / (2*{sd}^2)) / ({sd}*sqrt(2*pi))"


@demonstration("normal_curve_areas", NormalParams)
@voiced
def normal_curve_areas(params: NormalParams, facts: ContextFacts) -> list[Scene]:
    """Areas under a normal curve: within 1, 2, 3 standard deviations, left of a z-score, or in a test's tails."""
    mu, sd = params.mean, params.sd
    value = params.value
    if params.mode != "empirical":
        mu, sd, value = _named_normal_values(facts, mu, sd, value)
    lo, hi = mu - 4 * sd, mu + 4 * sd
    peak = 1 / (sd * math.sqrt(2 * math.pi))
    x_axis = (float(lo), float(hi), float(sd))
    y_axis = fit_range(0, peak * 1.1, 4)
    draft = SceneDraft("normal", "explanation", "Areas under the bell curve").beat(
        f"A normal distribution with mean {mu} and standard deviation {sd}: the area under the curve is probability.",
        ShowEquation(id="eq", latex=f"\\mu = {mu}, \\quad \\sigma = {sd}", region="top"),
        ShowAxes(id="ax", x_range=x_axis, y_range=y_axis, y_label="f(x)", region="center"),
        PlotFunction(id="bell", axes="ax", expression=_density(mu, sd), x_range=(lo, hi), color="blue"),
    )
    if params.mode == "empirical":
        for k, color in ((1, "orange"), (2, "green"), (3, "purple")):
            share = phi(k) - phi(-k)
            gone = [Remove(targets=[f"band{k - 1}"])] if k > 1 else []
            percent = num(round(100 * share, 1))
            draft.beat(
                f"Within {k} standard deviation{'s' if k > 1 else ''}, from {mu - k * sd} to {mu + k * sd}, "
                f"lies {percent} percent of the area.",
                *gone,
                ShadeArea(id=f"band{k}", graph="bell", x_range=(mu - k * sd, mu + k * sd), color=color),
                TransformEquation(
                    target="eq",
                    latex=f"P(\\mu - {k}\\sigma < X < \\mu + {k}\\sigma) = P({mu - k * sd} < X < {mu + k * sd}) "
                    f"\\approx {percent}\\%",
                ),
            )
        return [draft.build()]
    z = Fraction(value - mu, sd)
    zf = float(z)
    if abs(zf) > 4:
        raise ValueError("the value is too far out to draw")
    draft.beat(
        f"The value {value} is {num(abs(zf))} standard deviations {'above' if zf >= 0 else 'below'} the mean: "
        f"its z score is {num(zf)}.",
        changed("eq", f"z = \\frac{{{value} - {mu}}}{{{sd}}} = {num(zf)}", num(zf)),
    )
    if params.mode == "zscore":
        below = phi(zf)
        draft.beat(
            f"The area to the left of {value} is {num(below)}: that share of values lies below it.",
            ShadeArea(id="left", graph="bell", x_range=(lo, value), color="orange"),
            ShowEquation(id="p", latex=f"P(X < {value}) = \\Phi({num(zf)}) \\approx {num(below)}", region="bottom"),
        )
        draft.beat(
            f"And {num(1 - below)} lies above it: the two areas make 1.",
            ShadeArea(id="right", graph="bell", x_range=(value, hi), color="green"),
            TransformEquation(target="p", latex=f"P(X > {value}) = 1 - {num(below)} \\approx {num(1 - below)}"),
        )
        return [draft.build()]
    p_value = 2 * (1 - phi(abs(zf)))
    far, near = mu + abs(value - mu), mu - abs(value - mu)
    draft.beat(
        f"If the mean really is {mu}, how likely is a result at least this far out? Shade beyond {far}: "
        f"that tail holds {num(p_value / 2)}.",
        ShadeArea(id="right", graph="bell", x_range=(far, hi), color="red"),
        ShowEquation(id="p", latex=f"P(X \\geq {far}) \\approx {num(p_value / 2)}", region="bottom"),
    )
    draft.beat(
        f"Do the same on the other side, below {near}: both tails together give the p value, {num(p_value)}.",
        ShadeArea(id="left", graph="bell", x_range=(lo, near), color="red"),
        TransformEquation(target="p", latex=f"p = P(X \\leq {near}) + P(X \\geq {far}) \\approx {num(p_value)}"),
    )
    verdict = "smaller" if p_value < 0.05 else "larger"
    decision = "reject" if p_value < 0.05 else "do not reject"
    draft.beat(
        f"That is {verdict} than 0.05, so at the 0.05 level we {decision} the claim that the mean is {mu}.",
        TransformEquation(target="p", latex=f"p \\approx {num(p_value)} {'<' if p_value < 0.05 else '>'} 0.05"),
    )
    return [draft.build()]


ExpectationKind = Literal["table", "poisson", "geometric"]


_FACES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_FACE = r"(?:one|two|three|four|five|six|[1-6])s?"
# "A six wins 10 pounds", "rolling a 5 or a 6 pays $4", "a one gives you 2": the faces a prize is won on.
_PRIZE = re.compile(
    rf"\b(?P<faces>(?:an?\s+)?{_FACE}(?:\s*(?:,|or|and)\s*(?:an?\s+)?{_FACE})*)\s+"
    r"(?:wins?|pays?|gives?(?:\s+you)?|earns?|scores?)\s+(?:you\s+)?[£$€]?\s*(?P<prize>\d{1,4})\b",
    re.I,
)
_COST = re.compile(
    r"\b(?:costs?|pay|fee(?:\s+is|\s+of)?|entry(?:\s+is)?)\s+(?:you\s+)?[£$€]?\s*(?P<cost>\d{1,4})\b", re.I
)


def dice_game(facts: ContextFacts) -> tuple[list[int], list[int], int] | None:
    """A game on one die the request describes ("a six wins 10, a five wins 4, anything else nothing; it costs 3 to
    play"): the net amounts a player ends a game with, how many faces give each, and the cost; ``None`` when the
    request describes no such game."""
    text = " ".join(facts.sentences)
    if not re.search(r"\b(?:die|dice)\b", text, re.I):
        return None
    prizes: dict[int, int] = {}
    for found in _PRIZE.finditer(text):
        for face in re.findall(_FACE, found.group("faces"), re.I):
            word = face.lower().rstrip("s") if face.lower().rstrip("s") in _FACES else face.lower()
            value = _FACES.get(word) or int(word.rstrip("s"))
            prizes.setdefault(value, int(found.group("prize")))
    if not prizes:
        return None
    cost_found = _COST.search(text)
    cost = int(cost_found.group("cost")) if cost_found else 0
    net: dict[int, int] = {}
    for face in range(1, 7):
        amount = prizes.get(face, 0) - cost
        net[amount] = net.get(amount, 0) + 1
    amounts = sorted(net)
    return amounts, [net[a] for a in amounts], cost


# "pays 10 dollars with probability 0.2", "win $50 with a 5% chance", "a prize of 8 with probability 1/4".
_CHANCE = r"\d{1,3}(?:\.\d{1,3})?\s*%|0?\.\d{1,4}|\d{1,3}\s*/\s*\d{1,3}"
_CHANCE_PRIZE = re.compile(
    r"(?:\b(?:pays?|wins?|gets?|prize\s+of|receives?|gives?(?:\s+you)?)\s+(?:you\s+)?|\band\s+)"
    r"[£$€]?\s*(?P<prize>\d{1,4})"
    r"\s*(?:dollars?|pounds?|euros?)?\s+with\s+(?:a\s+)?"
    rf"(?:(?:probability|chance)\s*(?:of|=|is)?\s*(?P<chance>{_CHANCE})|(?P<before>{_CHANCE})\s+(?:chance|probability))",
    re.I,
)


def _chance(text: str) -> Fraction:
    text = text.replace(" ", "")
    if text.endswith("%"):
        return Fraction(text[:-1]) / 100
    return Fraction(text)


def chance_game(facts: ContextFacts) -> tuple[list[int], list[int], int] | None:
    """A game of chance the request describes by its prizes' probabilities ("pays 10 dollars with probability 0.2
    and costs 3 dollars to play"): the net amounts a player ends a game with, whole-number weights of their
    probabilities (nothing won takes what is left), and the cost; ``None`` when it describes no such game."""
    text = " ".join(facts.sentences)
    prizes: dict[int, Fraction] = {}
    read = list(_CHANCE_PRIZE.finditer(text))
    for found in read:
        prize = int(found.group("prize"))
        prizes[prize] = prizes.get(prize, Fraction(0)) + _chance(found.group("chance") or found.group("before"))
    # Every chance the request states must belong to a prize read: a prize missed would make the answer wrong.
    if len(read) != len(re.findall(r"\b(?:probability|chance)\b", text, re.I)):
        return None
    if not prizes or not 0 < sum(prizes.values()) <= 1:
        return None
    cost_found = _COST.search(text)
    cost = int(cost_found.group("cost")) if cost_found else 0
    chances: dict[int, Fraction] = {}
    for prize, chance in [*prizes.items(), (0, 1 - sum(prizes.values()))]:
        if chance:
            chances[prize - cost] = chances.get(prize - cost, Fraction(0)) + chance
    denominator = math.lcm(*(chance.denominator for chance in chances.values()))
    if denominator > 1000:
        return None
    amounts = sorted(chances)
    return amounts, [int(chances[a] * denominator) for a in amounts], cost


class ExpectationParams(Params):
    kind: ExpectationKind = "table"
    values: list[int] = Field(default_factory=lambda: [1, 2, 3, 4, 5, 6], min_length=2, max_length=6)
    weights: list[int] = Field(default_factory=lambda: [1, 1, 1, 1, 1, 1], min_length=2, max_length=6)
    rate: int = Field(default=2, ge=1, le=4, description="A Poisson mean, or a geometric 1 over p")


@demonstration("expected_value_table", ExpectationParams)
@voiced
def expected_value_table(params: ExpectationParams, facts: ContextFacts) -> list[Scene]:
    """A random variable's table built row by row, value times probability, summing to the mean; then the spread."""
    die_game = dice_game(facts) if params.kind == "table" else None
    game = die_game or (chance_game(facts) if params.kind == "table" else None)
    values, weights = (game[0], game[1]) if game else (params.values, params.weights)
    if params.kind == "table":
        if len(values) != len(weights) or min(weights) < 1:
            raise ValueError("one positive weight per value")
        total = sum(weights)
        xs = list(values)
        ps = [Fraction(w, total) for w in weights]
        if sum(ps) != 1:
            raise ValueError("probabilities must add to 1")
        mean = sum((x * q for x, q in zip(xs, ps, strict=True)), Fraction(0))
        second = sum((x * x * q for x, q in zip(xs, ps, strict=True)), Fraction(0))
    elif params.kind == "poisson":
        lam = params.rate
        xs = list(range(6))
        ps = [Fraction(lam**j, math.factorial(j)) * Fraction(math.exp(-lam)) for j in xs]
        mean, second = Fraction(lam), Fraction(lam + lam * lam)  # summed over every value, on to infinity
    else:
        p = Fraction(1, params.rate)
        xs = list(range(1, 7))
        ps = [(1 - p) ** (j - 1) * p for j in xs]
        mean, second = 1 / p, (2 - p) / p**2
    products = [x * q for x, q in zip(xs, ps, strict=True)]
    var = second - mean**2
    shown = [num(float(q)) for q in ps]
    rows = [[str(x), s, num(float(xp))] for x, s, xp in zip(xs, shown, products, strict=True)]
    half = (len(rows) + 1) // 2
    named = {
        "table": "a table",
        "poisson": f"a Poisson law with mean {params.rate}",
        "geometric": f"a geometric law with p equal to 1 over {params.rate}",
    }[params.kind]
    note = "" if params.kind == "table" else " (the first values, rounded)"
    # A negative mean is squared whole: (-0.667)^2, not -0.667^2.
    squared_mean = f"({num(float(mean))})^{{2}}" if mean < 0 else f"{num(float(mean))}^{{2}}"
    if game:
        paid = f", after the {game[2]} paid to play" if game[2] else ""
        each = "for each way a game can end" if die_game is None else "for each roll of the fair die"
        opening = f"What a player ends one game with{paid}, {each}, with its probability."
    else:
        opening = f"A random variable given by {named}: each value with its probability{note}."
    # A game of chance with a cost: each prize as won, less the cost, so that the request's own prizes are on screen.
    nets: list[str] = []
    if game and die_game is None and game[2]:
        nets = [f"{x + game[2]} - {game[2]} = {x}" for x in xs if x + game[2] > 0]
    opening_extra: list[Action] = [ShowEquation(id="net", latex=",\\quad ".join(nets), region="top")] if nets else []
    if nets:
        opening += " A win's prize less the cost is what the player ends with."
    draft = (
        SceneDraft("expect", "explanation", "The long-run average")
        .beat(
            opening,
            *opening_extra,
            BarChart(
                id="bars",
                categories=[str(x) for x in xs],
                values=[float(s) for s in shown],
                show_values=len(xs) <= 4,  # the table beside it gives every value
                region="left",
            ),
            ShowTable(id="t0", header=["x", "P(x)", "x P(x)"], rows=[[*r[:2], ""] for r in rows], region="right"),
        )
        .beat(
            f"Multiply each value by its probability: {rows[0][0]} times {rows[0][1]} is {rows[0][2]}, and so on.",
            Remove(targets=["t0"]),
            ShowTable(
                id="t1",
                header=["x", "P(x)", "x P(x)"],
                rows=rows[:half] + [[*r[:2], ""] for r in rows[half:]],
                region="right",
            ),
        )
        .beat(
            "Fill in the rest of the table.",
            Remove(targets=["t1"]),
            ShowTable(id="t2", header=["x", "P(x)", "x P(x)"], rows=rows, region="right"),
        )
        .beat(
            f"Add the last column{'' if params.kind == 'table' else ', on to infinity'}: the expected value is "
            f"{num(float(mean))}, the balance point of the bars.",
            *([Remove(targets=["net"])] if nets else []),
            ShowEquation(id="e", latex=f"E[X] = \\sum x P(x) = {num(float(mean))}", region="top"),
        )
        .beat(
            f"The variance is the mean of x squared, {num(float(second))}, minus the mean squared: {num(float(var))}, "
            f"and the standard deviation is {num(math.sqrt(var))}.",
            ShowEquation(
                id="v",
                latex=f"\\mathrm{{Var}}(X) = {num(float(second))} - {squared_mean} = {num(float(var))}, "
                f"\\quad \\sigma \\approx {num(math.sqrt(var))}",
                region="bottom",
            ),
        )
    )
    if game:
        # The question a game asks: is it worth playing? The sign of the expected amount answers it.
        outcome = "wins" if mean > 0 else "loses"
        verdict = f"On average a player {outcome} {num(abs(float(mean)))} a game, so in the long run the game is " + (
            "worth playing." if mean > 0 else "not worth playing." if mean < 0 else "fair: nobody gains."
        )
        draft.beat(verdict, Circumscribe(target="e"))
    return [draft.build()]


class CltParams(Params):
    seed: int = Field(default=11, ge=0, le=10_000)
    samples: int = Field(default=1000, ge=200, le=3000)


@demonstration("sample_mean_clt", CltParams)
@voiced
def sample_mean_clt(params: CltParams, facts: ContextFacts) -> list[Scene]:
    """Averages of more and more dice, simulated with a seed: their histogram narrows and turns bell-shaped."""
    rng = random.Random(params.seed)
    edges = [1 + i * 0.5 for i in range(11)]  # bins of width 0.5 from 1 to 6
    categories = [num(edges[i]) for i in range(10)]  # each bar is named by where its bin starts
    sizes = (1, 4, 16)
    charts: list[list[float]] = []
    spreads: list[float] = []
    for size in sizes:
        means = [sum(rng.randint(1, 6) for _ in range(size)) / size for _ in range(params.samples)]
        counts = [0] * 10
        for m in means:
            counts[min(9, int((m - 1) / 0.5))] += 1
        charts.append([round(c / params.samples, 3) for c in counts])
        centre = sum(means) / len(means)
        spreads.append(math.sqrt(sum((m - centre) ** 2 for m in means) / (len(means) - 1)))
    sigma = math.sqrt(35 / 12)
    for size, spread in zip(sizes, spreads, strict=True):
        if abs(spread - sigma / math.sqrt(size)) > 0.15:
            raise ValueError("simulated spread far from sigma over root n")
    y_max = max(max(c) for c in charts) * 1.1
    draft = SceneDraft("clt", "explanation", "Averages pile up in a bell").beat(
        f"Roll one die, {params.samples} times: every face is equally likely, so the bars are flat.",
        ShowEquation(
            id="n", latex=f"N = {params.samples}, \\quad n = 1, \\quad s \\approx {num(spreads[0])}", region="top"
        ),
        BarChart(id="bars", categories=categories, values=charts[0], y_max=y_max, show_values=False, region="center"),
    )
    for size, chart, spread in zip(sizes[1:], charts[1:], spreads[1:], strict=True):
        draft.beat(
            f"Now average {size} dice each time: the averages crowd toward 3.5, with spread {num(spread)}.",
            changed("n", f"n = {size}, \\quad \\bar x \\to 3.5, \\quad s \\approx {num(spread)}", num(spread)),
            BarsTo(target="bars", values=chart),
        )
    draft.beat(
        f"The spread shrinks like sigma over the square root of n: {num(sigma)} over 4 is {num(sigma / 4)}, "
        "and the shape becomes the normal curve.",
        ShowEquation(
            id="law",
            latex=f"\\frac{{\\sigma}}{{\\sqrt{{n}}}} = \\frac{{{num(sigma)}}}{{4}} \\approx {num(sigma / 4)}",
            region="bottom",
        ),
    )
    return [draft.build()]
