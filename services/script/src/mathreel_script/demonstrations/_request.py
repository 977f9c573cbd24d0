"""What a request says in its own words that the general context facts do not hold: points written as pairs, an
interval, how often interest is compounded, money and units of length, and which way each percentage changes an
amount ("25% off, then 8% tax"). Every reader is bounded: it looks at the request's kept sentences only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import sympy

from mathreel_script.context import ContextFacts
from mathreel_script.latex import parse_plain
from mathreel_script.safe_math import UnsafeExpression, check_size

_NUMBER = r"-?\d{1,6}(?:\.\d{1,4})?"
_PAIR = re.compile(rf"\(\s*({_NUMBER})\s*,\s*({_NUMBER})\s*\)")
# "from 0 to 1", "from x = 0 to x = 1", "[0, 2]", "between x = 1 and x = 3", "on the interval 0 <= x <= 2".
_INTERVALS = (
    re.compile(rf"\bfrom\s+(?:x\s*=\s*)?({_NUMBER})\s+to\s+(?:x\s*=\s*)?({_NUMBER})", re.I),
    re.compile(rf"\[\s*({_NUMBER})\s*,\s*({_NUMBER})\s*\]"),
    re.compile(rf"\bbetween\s+x\s*=\s*({_NUMBER})\s+and\s+x\s*=\s*({_NUMBER})", re.I),
    re.compile(rf"({_NUMBER})\s*(?:<=|≤|<)\s*x\s*(?:<=|≤|<)\s*({_NUMBER})"),
)
# How many times a year interest is added, by the word a request uses for it.
COMPOUNDINGS: dict[str, int] = {
    "annually": 1,
    "yearly": 1,
    "semiannually": 2,
    "semi-annually": 2,
    "half-yearly": 2,
    "quarterly": 4,
    "monthly": 12,
    "weekly": 52,
    "daily": 365,
}
_COMPOUNDING = re.compile(
    r"\bcompound(?:ed|ing)?\s+(" + "|".join(re.escape(word) for word in COMPOUNDINGS) + r")\b"
    r"|\b(" + "|".join(re.escape(word) for word in COMPOUNDINGS) + r")\s+compound(?:ed|ing)?\b",
    re.I,
)
_MONEY = re.compile(r"\$\s?\d|\b\d[\d,.]*\s*(?:dollars?|bucks)\b|\bdollars?\b", re.I)
_LENGTH_UNIT = re.compile(r"(?<=\d)\s*(mm|cm|km|m|in|inches|ft|feet|yd)\b", re.I)
_UNIT_NAMES = {"inches": "in", "feet": "ft"}
# A unit of length as said.
UNIT_WORDS = {
    "mm": "millimetres",
    "cm": "centimetres",
    "m": "metres",
    "km": "kilometres",
    "in": "inches",
    "ft": "feet",
    "yd": "yards",
}
_PERCENT = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3})?)\s*(?:%|percent\b|per\s?cent\b)", re.I)
# Words that say a percentage is taken away from, or added to, the amount before it.
_DOWN = frozenset(
    "off discount discounted decrease decreased decreases less reduced reduction reduce cut sale drop drops dropped "
    "fall falls fell lower down markdown loss lose loses lost".split()
)
_UP = frozenset(
    "tax taxes vat tip increase increased increases more raise raised rise rises rose markup up gain gains added "
    "surcharge interest fee grow grows grew growth".split()
)
_WORD = re.compile(r"[a-z]+")
_NEAR_WORDS = 3


def _text(facts: ContextFacts) -> str:
    return " ".join(facts.sentences)


def points(facts: ContextFacts) -> list[tuple[Fraction, Fraction]]:
    """The points the request writes as pairs, "(1, 2) and (4, 11)", in order, repeats left out."""
    found: list[tuple[Fraction, Fraction]] = []
    for x, y in _PAIR.findall(_text(facts)):
        pair = (Fraction(x), Fraction(y))
        if pair not in found:
            found.append(pair)
    return found


def interval(facts: ContextFacts) -> tuple[Fraction, Fraction] | None:
    """The interval the request names ("from 0 to 1", "[0, 2]"), left end first; ``None`` if it names none."""
    text = _text(facts)
    for pattern in _INTERVALS:
        found = pattern.search(text)
        if found:
            low, high = Fraction(found.group(1)), Fraction(found.group(2))
            if low != high:
                return (min(low, high), max(low, high))
    return None


def compounding(facts: ContextFacts) -> int | None:
    """How many times a year the request's interest is compounded ("compounded monthly" is 12), if it says."""
    found = _COMPOUNDING.search(_text(facts))
    if not found:
        return None
    return COMPOUNDINGS[(found.group(1) or found.group(2)).lower()]


def is_money(facts: ContextFacts) -> bool:
    """Whether the request's amounts are money ("$80", "1000 dollars")."""
    return _MONEY.search(_text(facts)) is not None


def money(value: Fraction | Decimal | float) -> str:
    """An amount of money to the cent, as shown: "\\$1647.01" (LaTeX)."""
    return f"\\${float(value):.2f}"


def money_said(value: Fraction | Decimal | float) -> str:
    """An amount of money to the cent, as said: "1647.01 dollars", "80 dollars"."""
    text = f"{float(value):.2f}"
    return f"{text.removesuffix('.00')} dollars"


def article(number: str) -> str:
    """ "a" or "an" before a number said aloud: "an 8 per cent", "an 18", "a 25"."""
    return "an" if number.startswith("8") or number.split(".")[0] in {"11", "18"} else "a"


def length_unit(facts: ContextFacts) -> str | None:
    """The unit of length the request's measurements carry ("radius 3 cm" gives "cm"), when it names one."""
    found = _LENGTH_UNIT.search(_text(facts))
    if not found:
        return None
    unit = found.group(1).lower()
    return _UNIT_NAMES.get(unit, unit)


@dataclass(frozen=True)
class PercentChange:
    percent: Fraction
    up: bool

    @property
    def factor(self) -> Fraction:
        return 1 + self.percent / 100 if self.up else 1 - self.percent / 100


def percent_changes(facts: ContextFacts) -> list[PercentChange]:
    """Each percentage of the request with the way it changes the amount, read from the words beside it ("25% off"
    is down, "8% tax" is up): the words after it first, then the words before it. A percentage with no such word
    gives no change, and then none is returned: the request's own words decide, never a guess."""
    changes: list[PercentChange] = []
    for sentence in facts.sentences:
        lowered = sentence.lower()
        for found in _PERCENT.finditer(lowered):
            after = _WORD.findall(lowered[found.end() :])[:_NEAR_WORDS]
            before = _WORD.findall(lowered[: found.start()])[-_NEAR_WORDS:]
            direction = _direction(after) if _direction(after) is not None else _direction(list(reversed(before)))
            if direction is None:
                return []
            changes.append(PercentChange(Fraction(found.group(1)), direction))
    return changes


def _direction(near: list[str]) -> bool | None:
    for word in near:
        if word in _DOWN:
            return False
        if word in _UP:
            return True
    return None


_X = sympy.Symbol("x")
_MAX_DEGREE = 4


def polynomial_in(facts: ContextFacts, *, low_degree: int = 2) -> sympy.Expr | None:
    """The first function the request gives as "f(x) = ..." or "y = ...", when it is a polynomial in x of degree
    ``low_degree`` to 4 with rational coefficients (bounded before SymPy works it)."""
    for text in facts.plain_formulas:
        sides = parse_plain(text)
        if not sides or len(sides) != 2:
            continue
        left, right = sides
        if _X in left.free_symbols and left.free_symbols == {_X}:
            continue  # "x = 3" gives no function
        try:
            check_size(right)
        except UnsafeExpression:
            continue
        if right.free_symbols != {_X} or not right.is_polynomial(_X):
            continue
        poly = sympy.Poly(right, _X)
        if low_degree <= poly.degree() <= _MAX_DEGREE and all(c.is_Rational for c in poly.all_coeffs()):
            return sympy.expand(right)
    return None


# Words that name the long side of a right triangle in a problem: "a 10 m ladder", "the hypotenuse is 13".
_HYPOTENUSE_WORDS = frozenset("hypotenuse ladder diagonal rope wire cable slant ramp".split())
_QUANTITY = re.compile(r"(?<![\w.])(\d{1,4}(?:\.\d{1,3})?)(?![\w.]|\.\d)")


def hypotenuse_and_leg(facts: ContextFacts) -> tuple[Fraction, Fraction] | None:
    """The hypotenuse and one leg of a right triangle the request describes in words ("A 10 m ladder leans against
    a wall with its foot 6 m from the wall"): the number a hypotenuse word stands beside (within two words) is the
    hypotenuse, the next other number a leg; ``None`` unless there are exactly these two and the leg is shorter."""
    hypotenuse: Fraction | None = None
    others: list[Fraction] = []
    for sentence in facts.sentences:
        lowered = sentence.lower()
        for found in _QUANTITY.finditer(lowered):
            value = Fraction(found.group(1))
            near = [
                *_WORD.findall(lowered[: found.start()])[-2:],
                *_WORD.findall(lowered[found.end() :])[:2],
            ]
            if hypotenuse is None and any(word in _HYPOTENUSE_WORDS for word in near):
                hypotenuse = value
            else:
                others.append(value)
    if hypotenuse is None or len(others) != 1 or not 0 < others[0] < hypotenuse:
        return None
    return hypotenuse, others[0]


_RATIO = re.compile(r"(?<![\w.])(\d{1,3})\s*(?::|\bto\b)\s*(\d{1,3})(?![\w.:])", re.I)


def ratio_and_total(facts: ContextFacts) -> tuple[int, int, int] | None:
    """A ratio written "3:5" (or "3 to 5") and the one other whole number of the request, the total to share:
    "Share 120 dollars in the ratio 3:5" gives (3, 5, 120), whichever comes first."""
    for sentence in facts.sentences:
        found = _RATIO.search(sentence)
        if not found:
            continue
        a, b = int(found.group(1)), int(found.group(2))
        rest = _RATIO.sub(" ", " ".join(facts.sentences))
        totals = [int(n) for n in _QUANTITY.findall(rest) if "." not in n]
        if len(totals) == 1 and a > 0 and b > 0:
            return a, b, totals[0]
        return None
    return None


_INTEGRAL_OF = re.compile(r"\bintegra(?:l|te)\s+(?:of\s+)?(.{1,40}?)\s*(?:d\s?x\s*)?(?:from|between|on)\b", re.I)


def integrand_in(facts: ContextFacts) -> sympy.Expr | None:
    """The polynomial a request integrates, written "integral of x^2 from 1 to 3" or given as "f(x) = ..."."""
    for sentence in facts.sentences:
        found = _INTEGRAL_OF.search(sentence)
        if found:
            own = polynomial_in(ContextFacts(plain_formulas=(f"y = {found.group(1).strip()}",)), low_degree=1)
            if own is not None:
                return own
    return polynomial_in(facts, low_degree=1)


_TRIALS = re.compile(
    r"(?<![\w.])(\d{1,2})\s+(?:coin\s+|fair\s+coin\s+)?(?:flips?|tosses|toss|rolls?|trials?|times|questions?|shots?|"
    r"free\s+throws?|births?|games?|patients?|seeds?)\b",
    re.I,
)
_EXACTLY = re.compile(r"\bexactly\s+(\d{1,2})\b", re.I)


def repeated_trials(facts: ContextFacts) -> tuple[int, int, Fraction] | None:
    """A binomial question in words: how many trials ("10 coin flips"), how many successes ("exactly 3 heads"),
    and the chance of one (a coin's one half, a die's one sixth, a percentage, or p = 0.3), when all three are
    said."""
    text = " ".join(facts.sentences)
    trials, exactly = _TRIALS.search(text), _EXACTLY.search(text)
    if not trials or not exactly:
        return None
    lowered = text.lower()
    chance: Fraction | None = None
    if "coin" in lowered:
        chance = Fraction(1, 2)
    elif re.search(r"\bdi(?:e|ce)\b", lowered):
        chance = Fraction(1, 6)
    elif facts.percents:
        chance = Fraction(str(facts.percents[0])) / 100
    elif "p" in dict(facts.assignments):
        chance = Fraction(str(dict(facts.assignments)["p"])).limit_denominator(100)
    n, k = int(trials.group(1)), int(exactly.group(1))
    if chance is None or not 0 < chance < 1 or not 0 <= k <= n:
        return None
    return n, k, chance


_TIME_UNIT = r"(years?|days?|hours?|minutes?|seconds?|weeks?|months?)"
_HALF_LIFE = re.compile(
    rf"\bhalf[- ]?life\s*(?:of|is|=|:)?\s*(?:about\s+)?(\d{{1,6}}(?:\.\d{{1,4}})?)\s*{_TIME_UNIT}", re.I
)
_AFTER = re.compile(rf"\bafter\s+(\d{{1,6}}(?:\.\d{{1,4}})?)\s*{_TIME_UNIT}", re.I)
_AMOUNT = re.compile(
    r"(?<![\w.])(\d{1,7}(?:\.\d{1,4})?)\s*(mg|kg|g|grams?|milligrams?|kilograms?|atoms|cells|units)?\b", re.I
)


@dataclass(frozen=True)
class HalfLife:
    """A half-life question: ``initial`` (with its ``unit``, possibly empty) halves every ``period`` ``time_unit``;
    ``after`` is the time the request asks about, if it asks."""

    initial: Fraction
    unit: str
    period: Fraction
    time_unit: str
    after: Fraction | None


def half_life(facts: ContextFacts) -> HalfLife | None:
    """The half-life, the starting amount and the time asked about, from "half-life 5 years; 80 g initially. How
    much after 12 years?"; ``None`` unless a half-life and a starting amount are both said."""
    text = _text(facts)
    period = _HALF_LIFE.search(text)
    if not period:
        return None
    after = _AFTER.search(text)
    taken = {period.span(1)} | ({after.span(1)} if after else set())
    amounts = [m for m in _AMOUNT.finditer(text) if m.span(1) not in taken and Fraction(m.group(1)) > 0]
    if not amounts:
        return None
    # The amount with a unit of quantity, else the first number that is neither the half-life nor the time.
    amount = next((m for m in amounts if m.group(2)), amounts[0])
    time_unit = period.group(2).lower()
    if not time_unit.endswith("s"):
        time_unit += "s"
    return HalfLife(
        initial=Fraction(amount.group(1)),
        unit=(amount.group(2) or "").lower(),
        period=Fraction(period.group(1)),
        time_unit=time_unit,
        after=Fraction(after.group(1)) if after else None,
    )


_DEGREES = re.compile(r"(?<![\w.])(\d{1,2}(?:\.\d{1,2})?)\s*(?:°|\^\\circ|degrees?\b|deg\b)", re.I)
_SIDE = r"\b{name}(?:\s+(?:side|leg))?\s*(?:of|is|=|:)?\s*(?:length\s+)?(\d{{1,4}}(?:\.\d{{1,3}})?)"
_SIDE_NAMES = ("hypotenuse", "opposite", "adjacent")
_FIND = re.compile(
    r"\b(?:find|what is|how long is|work out|calculate)\b[^.?!]*?\b(hypotenuse|opposite|adjacent)\b", re.I
)


def angle_in_degrees(facts: ContextFacts) -> float | None:
    """The first angle the request gives in degrees ("angle 30 degrees", "30°"), strictly between 0 and 90."""
    for found in _DEGREES.finditer(_text(facts)):
        value = float(found.group(1))
        if 0 < value < 90:
            return value
    return None


def right_triangle_sides(facts: ContextFacts) -> dict[str, float]:
    """The sides of a right triangle the request names with a length ("hypotenuse 10", "the adjacent side is 4")."""
    text = _text(facts)
    sides: dict[str, float] = {}
    for name in _SIDE_NAMES:
        found = re.search(_SIDE.format(name=name), text, re.I)
        if found and float(found.group(1)) > 0:
            sides[name] = float(found.group(1))
    return sides


def side_asked(facts: ContextFacts) -> str | None:
    """The side of a right triangle the request asks to find ("find the opposite side"), if it asks for one."""
    found = _FIND.search(_text(facts))
    return found.group(1).lower() if found else None


_PERCENT_AT = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,2})?)\s*(?:%|percent\b|per\s?cent\b)", re.I)
_GIVEN = re.compile(r"\bP\s*\(\s*([A-Za-z][A-Za-z ]{0,11}?)\s*(?:\||given|\\mid)\s*([A-Za-z][A-Za-z ]{0,11}?)\s*\)")


@dataclass(frozen=True)
class Overlap:
    """A conditional question on two events: the share ``given`` in the condition, the share ``both`` in both
    (per cent), and the events' names when the request writes P(asked given condition)."""

    given: Fraction
    both: Fraction
    asked_name: str
    given_name: str


def overlap(facts: ContextFacts) -> Overlap | None:
    """ "60% play football and 30% play both football and tennis. Find P(tennis given football)": the share of the
    condition, the share of both, and the names; ``None`` unless exactly one percentage is said to be "both" and one
    other is the condition's, with the overlap no larger than the condition."""
    text = _text(facts)
    found = list(_PERCENT_AT.finditer(text))
    if len(found) != 2:
        return None
    following = [text[m.end() : found[n + 1].start() if n + 1 < len(found) else len(text)] for n, m in enumerate(found)]
    both = [n for n, after in enumerate(following) if re.search(r"\bboth\b", after, re.I)]
    if len(both) != 1:
        return None
    share_both = Fraction(found[both[0]].group(1))
    share_given = Fraction(found[1 - both[0]].group(1))
    if not 0 < share_both <= share_given <= 100:
        return None
    names = _GIVEN.search(text)
    asked, given = (names.group(1).strip(), names.group(2).strip()) if names else ("A", "B")
    return Overlap(given=share_given, both=share_both, asked_name=asked, given_name=given)
