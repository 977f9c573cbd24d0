"""Money that changes by percentages: a balance growing under compound interest (compounded n times a year, for t
years) to the cent, and an amount changed by one percentage after another ("25% off, then 8% tax")."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from pydantic import Field

from mathreel_scenelang.storyboard import (
    Action,
    BarChart,
    BarsTo,
    Circumscribe,
    PlotFunction,
    Remove,
    Scene,
    ShowAxes,
    ShowEquation,
    ShowPoint,
    ShowSegment,
    WriteStep,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations._calculus_common import fit_range
from mathreel_script.demonstrations._request import (
    PercentChange,
    article,
    compounding,
    is_money,
    money,
    money_said,
    percent_changes,
)
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft
from mathreel_script.latex import format_number as num

_YEARS = re.compile(r"(?<![\w.])(\d{1,3})\s+years?\b", re.I)
_MONTHS = re.compile(r"(?<![\w.])(\d{1,3})\s+months?\b", re.I)
_MAX_YEARS = 100
_MAX_PRINCIPAL = 10_000_000
# Words for how often interest is added, as said.
_HOW_OFTEN = {1: "once a year", 2: "twice a year", 4: "every quarter", 12: "every month", 52: "every week"}
_CENT = Decimal("0.01")


class CompoundParams(Params):
    principal: int = Field(default=1000, ge=1, le=_MAX_PRINCIPAL)
    percent: float = Field(default=5, gt=0, le=100, description="Yearly rate, in per cent")
    per_year: int = Field(default=1, ge=1, le=365, description="Times a year interest is added")
    years: int = Field(default=10, ge=1, le=_MAX_YEARS)


def compound_in(facts: ContextFacts, params: CompoundParams) -> CompoundParams:
    """The request's own principal, yearly rate, compounding and whole years, each where it says it; else the
    parameters'."""
    found, years = _given(facts, params)
    return found.model_copy(update={"years": int(years) if years.denominator == 1 else params.years})


def _given(facts: ContextFacts, params: CompoundParams) -> tuple[CompoundParams, Fraction]:
    """The request's principal, rate and compounding, and its time in years (18 months is 1.5 years)."""
    given = dict(facts.assignments)
    text = " ".join(facts.sentences)
    principal = next((q for q in facts.quantities() if 1 <= q <= _MAX_PRINCIPAL), None)
    if 1 <= given.get("P", 0) <= _MAX_PRINCIPAL:
        principal = given["P"]
    rate = next((p for p in facts.percents if 0 < p <= 100), None)
    if rate is None and 0 < given.get("r", 0) < 1:
        rate = round(given["r"] * 100, 6)  # "r = 0.04" is 4 per cent
    years_found = _YEARS.search(text)
    months_found = _MONTHS.search(text)
    years: Fraction | None = None
    if years_found:
        years = Fraction(int(years_found.group(1)))
    elif months_found and int(months_found.group(1)) > 0:
        years = Fraction(int(months_found.group(1)), 12)
    if 1 <= given.get("t", 0) <= _MAX_YEARS and given["t"] == int(given["t"]):
        years = Fraction(int(given["t"]))
    found = CompoundParams(
        principal=int(principal) if principal is not None and principal == int(principal) else params.principal,
        percent=rate if rate is not None else params.percent,
        per_year=compounding(facts) or params.per_year,
        years=params.years,
    )
    return found, years if years is not None and 0 < years <= _MAX_YEARS else Fraction(params.years)


def balance(principal: int, percent: float, per_year: int, periods: int) -> Decimal:
    """The balance after ``periods`` compoundings, exact to 40 digits (rounded to the cent only when shown)."""
    with localcontext() as context:
        context.prec = 40
        factor = 1 + Decimal(str(percent)) / 100 / per_year
        return Decimal(principal) * factor**periods


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


@demonstration("compound_interest_balance", CompoundParams)
def compound_interest_balance(params: CompoundParams, facts: ContextFacts) -> list[Scene]:
    """A balance under compound interest: the formula with the request's principal, rate, compounding and years put
    in, the balance year by year on a graph that starts at the principal, and the final balance to the cent, with
    what the same money earns compounded once a year and with simple interest."""
    p = compound_in(facts, params)
    n, t, rate = p.per_year, p.years, Decimal(str(p.percent)) / 100
    final = _cents(balance(p.principal, p.percent, n, n * t))
    # Checked against an independent float computation of the same formula.
    check = p.principal * (1 + p.percent / 100 / n) ** (n * t)
    if abs(float(final) - check) > 0.01:
        raise ValueError("compound interest check failed")
    one_year = _cents(balance(p.principal, p.percent, n, n))
    rate_text = num(float(rate))
    often = _HOW_OFTEN.get(n, f"{n} times a year")
    principal = money(p.principal)
    draft = SceneDraft("compound", "example", "Compound interest, period by period")
    draft.beat(
        f"Invest {money_said(p.principal)} at {num(p.percent)} per cent a year, with interest added {often}, for "
        f"{t} years.",
        ShowEquation(id="rule", latex="A = P\\left(1 + \\frac{r}{n}\\right)^{nt}", region="top"),
        ShowEquation(
            id="given",
            latex=f"P = {principal},\\; r = {num(p.percent)}\\% = {rate_text},\\; n = {n},\\; t = {t}",
            region="bottom",
        ),
    )
    factor_latex = f"\\left(1 + \\frac{{{rate_text}}}{{{n}}}\\right)" if n > 1 else f"(1 + {rate_text})"
    draft.beat(
        f"Each time interest is added, the balance is multiplied by 1 plus {rate_text} over {n}; that happens "
        f"{n} times {t}, which is {n * t} times."
        if n > 1
        else f"Each year the balance is multiplied by 1 plus {rate_text}, {t} times over.",
        WriteStep(target="rule", latex=f"A = {num(p.principal)}{factor_latex}^{{{n * t}}}"),
    )
    # The balance at the end of each year, on axes that start at the principal, not at 0: the growth is the story.
    every = max(1, -(-t // 4))  # at most three years between the first and the last marked (a beat holds 8)
    years = list(range(0, t + 1, every))
    if years[-1] != t:
        years.append(t)
    values = [float(_cents(balance(p.principal, p.percent, n, n * year))) for year in years]
    y_axis = fit_range(float(p.principal), float(final))
    dots: list[Action] = [
        ShowPoint(id=f"y{year}", axes="ax", at=(float(year), value), color="yellow")
        for year, value in zip(years, values, strict=True)
        if year not in (0, 1, t)
    ]
    draft.beat(
        f"Year by year: after a year the balance is {money_said(one_year)}, and each year adds more than the year "
        "before, because interest earns interest.",
        # The working gives the screen to the graph; the answer comes with the last point.
        Remove(targets=["rule", "given"]),
        ShowAxes(
            id="ax",
            x_range=fit_range(0, float(t)),
            y_range=y_axis,
            x_label="t",
            y_label="A",
            region="center",
        ),
        PlotFunction(
            id="curve",
            axes="ax",
            expression=f"{p.principal}*(1 + {float(rate)}/{n})**({n}*x)",
            x_range=(0.0, float(t)),
            color="blue",
        ),
        ShowPoint(id="y0", axes="ax", at=(0.0, float(p.principal)), label=principal, color="green"),
        ShowPoint(id="y1", axes="ax", at=(1.0, float(one_year)), label=money(one_year), color="yellow"),
        *dots,
    )
    interest = final - p.principal
    draft.beat(
        f"After {t} years the balance is {money_said(final)}: {money_said(interest)} of it is interest.",
        ShowPoint(id="end", axes="ax", at=(float(t), float(final)), label=money(final), color="red"),
        ShowEquation(
            id="answer",
            latex=f"A({t}) \\approx {money(final)},\\quad \\text{{interest }} {money(interest)}",
            region="bottom",
            color="yellow",
        ),
    )
    yearly = _cents(balance(p.principal, p.percent, 1, t))
    simple = _cents(Decimal(p.principal) * (1 + rate * t))
    compare: list[str] = []
    if n > 1:
        compare.append(f"\\text{{once a year: }} {money(yearly)}")
    compare.append(f"\\text{{simple interest: }} {money(simple)}")
    said_compare = (
        f"Compounded once a year it would be {money_said(yearly)}, and with simple interest only {money_said(simple)}."
        if n > 1
        else f"With simple interest, interest on the {money_said(p.principal)} alone, it would be only "
        f"{money_said(simple)}."
    )
    draft.beat(
        said_compare,
        ShowEquation(id="compare", latex=",\\quad ".join(compare), region="top", color="orange"),
        Circumscribe(target="end"),
    )
    return [draft.build()]


@demonstration("simple_interest_balance", CompoundParams)
def simple_interest_balance(params: CompoundParams, facts: ContextFacts) -> list[Scene]:
    """Simple interest: the same interest, P r, every year on the principal alone, so the balance climbs in a
    straight line; the request's principal, rate and years put in, the interest and the balance to the cent, and
    what compounding once a year would have given."""
    p, years = _given(facts, params)
    rate = Decimal(str(p.percent)) / 100
    t = num(float(years))
    yearly = _cents(Decimal(p.principal) * rate)
    interest = _cents(Decimal(p.principal) * rate * years.numerator / years.denominator)
    final = p.principal + interest
    if abs(float(interest) - p.principal * p.percent / 100 * float(years)) > 0.01:
        raise ValueError("simple interest check failed")
    principal, rate_text = money(p.principal), num(float(rate))
    draft = SceneDraft("simple", "example", "Simple interest, year by year")
    draft.beat(
        f"Invest {money_said(p.principal)} at {num(p.percent)} per cent a year, simple interest, for {t} years.",
        ShowEquation(id="rule", latex="I = P r t", region="top"),
        ShowEquation(
            id="given", latex=f"P = {principal},\\; r = {num(p.percent)}\\% = {rate_text},\\; t = {t}", region="bottom"
        ),
    )
    draft.beat(
        f"Each year earns the same interest, on the principal alone: {money_said(p.principal)} times {rate_text} is "
        f"{money_said(yearly)}.",
        WriteStep(target="rule", latex=f"P r = {num(p.principal)} \\times {rate_text} = {money(yearly)}"),
    )
    x_axis = fit_range(0, float(years))
    draft.beat(
        f"So the balance climbs by the same {money_said(yearly)} every year: a straight line.",
        Remove(targets=["rule", "given"]),
        ShowAxes(
            id="ax",
            x_range=x_axis,
            y_range=fit_range(float(p.principal), float(final)),
            x_label="t",
            y_label="A",
            region="center",
        ),
        PlotFunction(
            id="line",
            axes="ax",
            expression=f"{p.principal} + {float(yearly)}*x",
            x_range=(0.0, float(years)),
            color="blue",
        ),
        ShowPoint(id="y0", axes="ax", at=(0.0, float(p.principal)), label=principal, color="green"),
        # One year's step, as tall as one year's interest.
        ShowSegment(
            id="step",
            axes="ax",
            start=(min(1.0, float(years)), float(p.principal)),
            end=(min(1.0, float(years)), float(p.principal) + float(yearly) * min(1.0, float(years))),
            label=f"+{money(yearly * min(Decimal(1), Decimal(years.numerator) / years.denominator))}",
            dashed=True,
            color="green",
        ),
    )
    draft.beat(
        f"After {t} years the interest is {money_said(interest)}, and the balance {money_said(final)}.",
        ShowPoint(id="end", axes="ax", at=(float(years), float(final)), label=money(final), color="red"),
        ShowEquation(
            id="answer",
            latex=f"I = {num(p.principal)} \\times {rate_text} \\times {t} = {money(interest)},"
            f"\\quad A = {money(final)}",
            region="bottom",
            color="yellow",
        ),
    )
    if years.denominator == 1:
        compound = _cents(balance(p.principal, p.percent, 1, years.numerator))
        draft.beat(
            f"Compounded once a year instead, interest would earn interest: {money_said(compound)}.",
            ShowEquation(id="compare", latex=f"\\text{{compound: }} {money(compound)}", region="top", color="orange"),
            Circumscribe(target="end"),
        )
    return [draft.build()]


# --- one percentage after another -----------------------------------------------------------------------------------
class ChainParams(Params):
    amount: int = Field(default=200, ge=1, le=_MAX_PRINCIPAL)
    first: int = Field(default=10, ge=-99, le=200, description="First change in per cent; negative is a decrease")
    second: int = Field(default=-10, ge=-99, le=200, description="Second change in per cent")


def chain_in(facts: ContextFacts, params: ChainParams) -> tuple[Fraction, list[PercentChange]]:
    """The request's amount and its percentage changes in order, when it gives an amount and at least two changes
    whose direction its words say; else the parameters'."""
    changes = percent_changes(facts)
    amount = next((q for q in facts.quantities() if 0 < q <= _MAX_PRINCIPAL), None)
    if len(changes) >= 2 and amount is not None and all(c.up or c.percent < 100 for c in changes):
        return Fraction(str(amount)), changes[:4]
    defaults = [
        PercentChange(Fraction(abs(change)), change > 0) for change in (params.first, params.second) if change != 0
    ]
    return Fraction(params.amount), defaults


@demonstration("percent_change_chain", ChainParams)
def percent_change_chain(params: ChainParams, facts: ContextFacts) -> list[Scene]:
    """One percentage change after another: each is a multiplier (1 minus 25 per cent is 0.75, 1 plus 8 per cent is
    1.08) applied to the amount the change before left, worked line by line to the final amount, and the single
    multiplier the changes make together (not the sum of the percentages)."""
    amount, changes = chain_in(facts, params)
    cash = is_money(facts) or amount.denominator != 1

    def show(value: Fraction) -> str:
        return money(value) if cash else num(float(value))

    def say(value: Fraction) -> str:
        return money_said(value) if cash else num(float(value))

    draft = SceneDraft("chain", "example", "One change after another")
    # The amount after each change as a bar beside the working: each bar grows from the one before.
    labels = ["start", *(f"{'+' if c.up else '-'}{num(float(c.percent))}%" for c in changes)]
    heights = [round(float(amount), 2)] + [0.0] * len(changes)
    draft.beat(
        f"Start with {say(amount)}.",
        ShowEquation(id="work", latex=f"\\text{{start}} = {show(amount)}", region="left"),
        BarChart(id="bars", categories=labels, values=list(heights), region="right", color="blue"),
    )
    current = amount
    for index, change in enumerate(changes):
        factor = change.factor
        after = current * factor
        if after != current + (1 if change.up else -1) * current * change.percent / 100:
            raise ValueError("percent change check failed")
        word = "increase" if change.up else "decrease"
        heights[index + 1] = round(float(after), 2)
        sign = "+" if change.up else "-"
        draft.beat(
            f"{article(num(float(change.percent))).capitalize()} {num(float(change.percent))} per cent {word} "
            f"multiplies by {num(float(factor))}: {say(current)} "
            f"times {num(float(factor))} is {say(after)}.",
            WriteStep(
                target="work",
                latex=f"{show(current)} \\times {num(float(factor))} = {show(after)}",
                note=f"{sign}{num(float(change.percent))}%",
                box=index == len(changes) - 1,
            ),
            BarsTo(target="bars", values=list(heights)),
        )
        current = after
    total = current / amount
    overall = (total - 1) * 100
    draft.beat(
        f"Together the changes multiply by {num(float(total))}: the final amount is {say(current)}, "
        + (
            f"a change of {num(float(overall))} per cent, not the sum of the percentages."
            if overall >= 0
            else f"a fall of {num(float(-overall))} per cent, not the sum of the percentages."
        ),
        ShowEquation(
            id="together",
            latex=" \\times ".join(num(float(c.factor)) for c in changes)
            + f" = {num(float(total))}"
            + f"\\;({'+' if overall >= 0 else '-'}{num(float(abs(overall)))}\\%),\\quad {show(current)}",
            region="bottom",
            color="yellow",
        ),
    )
    return [draft.build()]
