"""What the planner can use from the user's context: formulas, definitions, steps, numbers, sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypedDict

from sympy import Symbol

from mathreel_script.equation_steps import money_latex
from mathreel_script.formula_prose import formulas_in_words, inline_formulas_in_words, is_money
from mathreel_script.latex import (
    FUNCTIONS,
    GREEK,
    format_number,
    parse_plain,
    plain_to_latex,
    plain_tokens,
    safe_latex,
    spoken,
)
from mathreel_script.text import MAX_CONTEXT_CHARS, MAX_TOPIC_CHARS, clean_text, clip, one_line, sentences

MAX_FORMULAS = 3
MAX_DEFINITIONS = 3
MAX_STEPS = 4
MAX_NUMBERS = 8
MAX_SENTENCES = 8

_DELIMITED_LATEX = re.compile(r"\$\$(.{1,400}?)\$\$|\$(.{1,400}?)\$|\\\((.{1,400}?)\\\)|\\\[(.{1,400}?)\\\]", re.S)
_UNICODE_MATH = str.maketrans({"−": "-", "×": "*", "·": "*", "÷": "/", "π": "pi", "√": "sqrt"})
_WORD_OR_SYMBOL = re.compile(r"\d+(?:\.\d+)?|[A-Za-z]+|\S")
_OPERATORS = frozenset("+-*/^=()")
_UNREADABLE_MATH = frozenset("_{}\\|")
_DEFINITION = re.compile(
    r"^(?:(?:an?|the)\s+)?(?P<term>[A-Za-z][A-Za-z0-9' -]{1,48}?)\s+"
    r"(?P<verb>is defined as|is called|refers to|means|is|are)\s+(?P<meaning>.{3,})$",
    re.I,
)
_NOT_TERMS = frozenset({"it", "this", "that", "there", "which", "what", "here", "he", "she", "they", "these", "those"})
_STEP_LINE = re.compile(r"^\s*(?:(?:step\s*)?\d{1,2}\s*[.):]|[-*•–]|step\s+\d{1,2}\s*[-:.]?)\s+(?P<step>\S.*)$", re.I)
_ORDINAL_SENTENCE = re.compile(
    r"^(?:first|second|third|then|next|after that|finally|lastly)\b[,:]?\s*(?P<step>.+)$", re.I
)
_NUMBER = re.compile(r"(?<![\w.^])-?\d{1,6}(?:\.\d{1,4})?(?![\w^]|\.\d)")
# Units that follow a number ("60km/h") are not letters to multiply.
_UNITS = frozenset("km cm mm nm kg mg ml ms kw kwh mph kph hz khz mhz ghz kb mb gb tb min hr".split())
# "where P is the principal, r the annual rate and t the years"
_LEGEND = re.compile(r"\b(?:where|in which|here)\s+(?P<body>[A-Za-z]\s+(?:is|are|=|stands for|denotes|the)\b.+)$", re.I)
_LEGEND_SPLIT = re.compile(r",\s*(?:and\s+)?|;\s*|\s+and\s+(?=[A-Za-z]\s+(?:is|are|=|stands|denotes|the)\b)")
_LEGEND_ITEM = re.compile(
    r"^(?P<symbol>[A-Za-z])\s+(?:is\s+|are\s+|=\s*|stands for\s+|denotes\s+)?(?P<meaning>\S.{1,80})$"
)
# "a = 7", "A = 30 degrees": a letter given a value, not a formula ("y = 2x", "c = a + b").
_ASSIGNMENT = re.compile(
    r"(?<![\w^.])([A-Za-z])\s*=\s*(-?\d{1,6}(?:\.\d{1,4})?)"
    r"(?![\w^(]|\.\d)(?!\s*(?:[-+*/^(]|(?:sin|cos|tan|log|ln|exp|sqrt|pi)\b|[A-Za-z]\b))"
)
_ASSIGNMENT_ONLY = re.compile(r"^[A-Za-z] = -?[\d.]+$")
# A value given with its unit: "k = 40 N/m", "x = 0.3 m", "v = 8 m/s", "I = 2 A".
_VALUE_WITH_UNIT = re.compile(
    r"(?<![\w^.])(?P<given>[A-Za-z]\s*=\s*-?\d{1,6}(?:\.\d{1,4})?)\s*"
    r"(?P<unit>[A-Za-z\u03a9\u00b0%]{1,9}(?:\s*/\s*[A-Za-z]{1,4})?(?:\^\d)?)(?=$|[\s,.;:!?)])"
)
# Unit symbols and names, as written after a value. A one-letter symbol that is also a letter of the context's
# formulas ("F = 2 m" beside "E = m c^2") is read as a product, not a unit.
_UNIT_SYMBOLS = frozenset(
    "m s g kg mg N J W V A K L h Pa Hz kHz MHz GHz mol cm mm km nm mL ml kJ kW kWh MW mA kV mV min hr hrs "
    "mph kph ohm ohms \u03a9 \u00b0 % lb lbs oz ft yd mi gal".split()
)
_UNIT_WORDS = re.compile(
    r"^(?:metres?|meters?|seconds?|minutes?|hours?|days?|weeks?|months?|years?|grams?|kilograms?|tonnes?|newtons?|"
    r"joules?|watts?|volts?|amps?|amperes?|ohms?|litres?|liters?|kelvins?|degrees?|dollars?|euros?|pounds?|cents?|"
    r"percent|miles?|feet|foot|inch(?:es)?|units?|people|items?|cm|km|mm)$",
    re.I,
)

# Two costs, heights or distances written in one letter ("20 + 0.1m", "5 + 0.25m"), and a question when they are
# equal: the equation the context asks to solve, though it never writes the = sign.
_LINEAR_EXPRESSION = re.compile(
    r"(?<![A-Za-z\d.])(?:\d+(?:\.\d+)?\s*[+-]\s*(?:\d+(?:\.\d+)?\s*\*?\s*)?[a-z]"
    r"|(?:\d+(?:\.\d+)?\s*\*?\s*)?[a-z]\s*[+-]\s*\d+(?:\.\d+)?)(?![A-Za-z\d]|\.\d)"
)
_SAME = re.compile(r"\b(?:the same|equal|equally|break even|as much as)\b", re.I)

# "4%", "4 percent", "4.5 per cent": a rate, not a quantity.
_PERCENT = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3})?)\s*(?:%|percent\b|per\s?cent\b)", re.I)
# "6 years", "12 months", "5 steps": how many times a change repeats.
_PERIODS = re.compile(r"(?<![\w.])(\d{1,3})\s+(?:years?|months?|quarters?|weeks?|days?|steps?|periods?)\b", re.I)
# Polygons by name, so that "a regular pentagon" gives its 5 sides (a triangle is the polygon of another lesson).
_POLYGON_SIDES = {
    "quadrilateral": 4,
    "pentagon": 5,
    "hexagon": 6,
    "heptagon": 7,
    "octagon": 8,
    "nonagon": 9,
    "decagon": 10,
    "dodecagon": 12,
}
_POLYGON = re.compile(r"\b(" + "|".join(_POLYGON_SIDES) + r")s?\b", re.I)

# Amounts of money: "$20", "$ 4.50", "€5", "12 dollars".
_MONEY = re.compile(
    r"[$€£]\s?(\d{1,6}(?:\.\d{1,2})?)(?!\d|\.\d)|(?<![\w.])(\d{1,6}(?:\.\d{1,2})?)\s*(?:dollars?|euros?)\b", re.I
)
# What a rate is per, and how an answer in it is written: one, many ("$0.10 per minute": the minutes it multiplies).
_PER_UNITS: dict[str, tuple[str, str]] = {
    **{word: (word, word + "s") for word in "second minute hour day week month year mile litre liter".split()},
    **{symbol: (symbol, symbol) for symbol in "km m cm kg g".split()},
    "min": ("minute", "minutes"),
    "hr": ("hour", "hours"),
    "h": ("hour", "hours"),
    "kilometre": ("km", "km"),
    "kilometer": ("km", "km"),
    "metre": ("m", "m"),
    "meter": ("m", "m"),
    "kilogram": ("kg", "kg"),
}
_PLURAL_UNITS = {many: pair for pair in _PER_UNITS.values() for many in pair[1:]}
# "$0.10 per minute", "4.50 a day", "$2.25 per km": a number and what it is per.
_RATE = re.compile(
    r"(?<![\w.])(\d{1,6}(?:\.\d{1,4})?)\s*(?:dollars?|euros?|[A-Za-z]{1,3})?\s*(?:per|a|an|each|every|/)\s*"
    r"([A-Za-z]{1,10})\b",
    re.I,
)
# "How many minutes ...": the unit the answer is asked in.
_ASKED = re.compile(r"\bhow many ([A-Za-z]{1,10})\b", re.I)
# A number with the unit it measures in ("30 cm", "7.5 cm"); not a rate ("60 km/h", "2 km per hour").
_MEASURE = re.compile(r"(?<![\w.])(\d{1,6}(?:\.\d{1,4})?)\s*([A-Za-z]{1,6})\b(?!\s*(?:/|per\b|\^))", re.I)

_EXAMPLE = re.compile(r"^(?:for example|example|for instance|e\.g\.)\b[,:]?\s*", re.I)


@dataclass(frozen=True)
class Definition:
    term: str
    verb: str
    meaning: str

    @property
    def sentence(self) -> str:
        return f"{self.term} {self.verb} {self.meaning}"

    @property
    def caption(self) -> str:
        return f"{self.term}: {self.meaning}"


@dataclass(frozen=True)
class ContextFacts:
    """The usable parts of a context, each already sanitised and bounded."""

    formulas: tuple[str, ...] = ()
    plain_formulas: tuple[str, ...] = ()
    definitions: tuple[Definition, ...] = ()
    steps: tuple[str, ...] = ()
    numbers: tuple[float, ...] = ()
    sentences: tuple[str, ...] = ()
    # What the letters of the first formula stand for, when the context says ("where P is the principal, ...").
    legend: tuple[tuple[str, str], ...] = ()
    # Values the context gives letters ("a = 7"), in order of appearance.
    assignments: tuple[tuple[str, float], ...] = ()
    # Inequalities in one sentence each, as (left side, relation, right side): ("2 x + 3", "<", "11").
    inequalities: tuple[tuple[str, str, str], ...] = ()
    # The sentence that starts "Example:" / "For example", if any.
    example: str | None = None
    # Rates given in per cent ("4%"), counts of repeated periods ("6 years"), sides of polygons named ("pentagon").
    percents: tuple[float, ...] = ()
    periods: tuple[int, ...] = ()
    polygon_sides: tuple[int, ...] = ()
    # Amounts the context states as money ("$20", "$0.10"): equations in them are written to the cent.
    money: tuple[float, ...] = ()
    # Rates and what they are per, as (rate, unit one, unit many): (0.1, "minute", "minutes") from "$0.10 per minute".
    rates: tuple[tuple[float, str, str], ...] = ()
    # Numbers stated with a unit of length, mass, time...: (30.0, "cm") from "perimeter 30 cm".
    measures: tuple[tuple[float, str], ...] = ()
    # The unit the question asks the answer in, as (one, many): ("minute", "minutes") from "How many minutes?".
    asked_unit: tuple[str, str] | None = None
    # How the first equation was set up from a word problem, when the context states it in words only.
    word_problem: str | None = None
    word_parts: tuple[str, ...] = ()

    def quantities(self) -> list[float]:
        """The numbers of the context that are neither a rate in per cent nor a count of periods, in order."""
        rest = list(self.numbers)
        for given in (*self.percents, *self.periods):
            if given in rest:
                rest.remove(given)
        return rest

    def integers(self, low: int, high: int) -> list[int]:
        """The whole numbers of the context that lie in ``[low, high]``, in order."""
        return [int(n) for n in self.numbers if n == int(n) and low <= n <= high]


def find_plain_formulas(sentence: str) -> list[str]:
    """Runs of math tokens in prose that form an equation, e.g. ``a^2 + b^2 = c^2`` in "we know a^2 + b^2 = c^2."."""
    spans = list(_WORD_OR_SYMBOL.finditer(sentence.translate(_UNICODE_MATH)))
    tokens = [match.group() for match in spans]
    runs: list[list[str]] = [[]]
    # Runs touching math this parser cannot read (a subscript, a brace: "log_b(x) = y") are dropped whole: the part
    # after it would otherwise pass for a formula of its own ("b(x) = y") and state something false. So is a run
    # that prose interrupts right after an operator ("P(1 + r/n)^(rate)"): what is left would be a different formula.
    unreadable: set[int] = set()
    for index, token in enumerate(tokens):
        before = tokens[index - 1] if index else ""
        after = tokens[index + 1] if index + 1 < len(tokens) else ""
        if before[:1].isdigit() and spans[index - 1].end() != spans[index].start():
            before = " "  # "48 km": a number and then a word, not a coefficient ("2ab")
        is_math = (
            token in _OPERATORS
            or token[0].isdigit()
            or (token.isalpha() and (len(token) == 1 or token in FUNCTIONS or token in GREEK or token == "pi"))
        )
        if _is_letter_product(token, before, after):
            runs[-1].extend(token)  # "(nt)" is n times t
        elif is_math:
            runs[-1].append(token)
        elif token in _UNREADABLE_MATH:
            unreadable.update({len(runs) - 1, len(runs)})
            runs.append([])
        elif runs[-1]:
            if runs[-1][-1] in "+-*/^=(":
                unreadable.add(len(runs) - 1)
            runs.append([])
    found: list[str] = []
    for index, run in enumerate(runs):
        if index in unreadable:
            continue
        # An article in front of a formula ("a A = pi r^2") is prose, not a factor.
        while len(run) > 1 and run[0] in {"a", "A", "I"} and run[1] not in _OPERATORS:
            run = run[1:]
        while run and run[-1] in "+-*/^=(":
            run = run[:-1]
        if "=" not in run or len(run) < 3 or run[0] == "=" or run[-1] == "=":
            continue
        candidate = " ".join(run).replace(" ^ ", "^").replace("( ", "(").replace(" )", ")")
        if plain_tokens(candidate) is not None:
            found.append(candidate)
    return found


_RELATION = re.compile(r"<=|>=|<|>")


def find_inequalities(sentence: str) -> list[tuple[str, str, str]]:
    """The inequality of a sentence that states one (``2x + 3 < 11``, ``5 - 2x >= 1``): its sides and relation."""
    text = sentence.replace("≤", "<=").replace("≥", ">=")
    relations = _RELATION.findall(text)
    if len(relations) != 1 or "=" in _RELATION.sub("", text):
        return []
    found = []
    for candidate in find_plain_formulas(_RELATION.sub(" = ", text)):
        left, _, right = candidate.partition(" = ")
        if left and right and "=" not in right:
            found.append((left, relations[0], right))
    return found


def compared_expressions(text: str) -> str | None:
    """``e1 = e2`` when the text writes two different expressions in the same one letter and asks when they are
    equal ("Plan A costs 20 + 0.1m, plan B 5 + 0.25m; when do they cost the same?"), else ``None``."""
    if not _SAME.search(text):
        return None
    found = list(dict.fromkeys(" ".join(m.group().split()) for m in _LINEAR_EXPRESSION.finditer(text)))
    if len(found) != 2:
        return None
    letters = [set(re.findall(r"[a-z]", expression)) for expression in found]
    if len(letters[0]) != 1 or letters[0] != letters[1]:
        return None
    candidate = f"{found[0]} = {found[1]}"
    sides = parse_plain(candidate)
    if not sides or len(sides) != 2 or len((sides[0] - sides[1]).free_symbols) != 1:
        return None
    return candidate


# Word problems of the commonest shapes, read into an equation only when the reading is unambiguous.
_AMOUNT = r"(\d{1,6}(?:\.\d{1,2})?)"
_SPEED = re.compile(r"(?<![\w.])" + _AMOUNT + r"\s*(km/h|kph|mph|m/s)(?![\w/])")
_SPEED_DISTANCE = {"km/h": "km", "kph": "km", "mph": "miles", "m/s": "m"}
_SPEED_TIME = {"km/h": "hours", "kph": "hours", "mph": "hours", "m/s": "seconds"}
_DISTANCE = re.compile(r"(?<![\w.])" + _AMOUNT + r"\s*(km|miles|m)\b(?!\s*/|\s*per\b)")
_TOWARD = re.compile(r"\btowards? each other\b|\bapproach(?:ing)? each other\b", re.I)
_CHASE = re.compile(r"\bsame direction\b|\bcatch(?:es)? up\b|\bovertakes?\b", re.I)
_WHEN = re.compile(r"\bwhen\b|\bhow long\b|\bafter how\b|\bhow many (?:hours|minutes|seconds)\b", re.I)
# "$20 plus $0.10 per minute", "20 dollars plus 0.10 per minute": a fixed amount and a rate per unit. The fixed
# amount says it is money ("$" or the currency's name); the rate may leave it said.
_CURRENCY = r"(?:dollars?|euros?|pounds?)"
_FIXED_PLUS_RATE = re.compile(
    r"(?:\$\s?" + _AMOUNT + r"|(?<![\w.])" + _AMOUNT + r"\s*" + _CURRENCY + r")"
    r"\s*(?:plus|and|\+)\s*"
    r"(?:\$\s?" + _AMOUNT + r"|(?<![\w.])" + _AMOUNT + r"(?:\s*" + _CURRENCY + r")?)"
    r"\s*(?:per|a|an|for each|each)\s+([A-Za-z]{1,10})\b",
    re.I,
)
_DOLLARS = re.compile(r"\$\s?" + _AMOUNT + r"(?!\d|\.\d)|(?<![\w.])" + _AMOUNT + r"\s*" + _CURRENCY + r"\b", re.I)
_HOW_MANY = re.compile(r"\bhow (?:many|long|far)\b", re.I)


@dataclass(frozen=True)
class WordEquation:
    """An equation read from a word problem: the sentence that says how it was set up, and what each side
    stands for, one line each."""

    equation: str
    reading: str
    parts: tuple[str, ...] = ()


def _number(text: str) -> str:
    return format_number(float(text))


def _dollars(text: str) -> str:
    """An amount of money as said: whole dollars as they are, cents to two places."""
    value = float(text)
    return format_number(value) if value == int(value) else f"{value:.2f}"


def word_equation(text: str) -> WordEquation | None:
    """The equation of a word problem of one of the commonest shapes, when the text reads one way only:

    - two movers a distance apart at two speeds, toward each other (``60 t + 90 t = 300``) or one catching the
      other up (``90 t - 60 t = 30``), asked when: the speeds' units must match the distance's;
    - a fixed amount plus a rate per unit, with a total ("$20 plus $0.10 per minute; the bill was $30":
      ``20 + 0.1 m = 30``), or two such plans and a question when they are the same
      (``20 + 0.1 m = 5 + 0.25 m``), asked how many units.

    ``None`` for anything else, or when the numbers could be read more than one way."""
    one_line_text = one_line(text)
    return _meeting(one_line_text) or _fixed_plus_rate(one_line_text)


def _meeting(text: str) -> WordEquation | None:
    speeds = _SPEED.findall(text)
    toward, chase = bool(_TOWARD.search(text)), bool(_CHASE.search(text))
    if len(speeds) != 2 or toward == chase or not _WHEN.search(text):
        return None
    units = {unit for _, unit in speeds}
    if len(units) != 1:
        return None
    (unit,) = units
    distances = [value for value, length in _DISTANCE.findall(_SPEED.sub(" ", text)) if length == _SPEED_DISTANCE[unit]]
    if len(distances) != 1:
        return None
    (v1, v2), distance, hours = (_number(v) for v, _ in speeds), _number(distances[0]), _SPEED_TIME[unit]
    length = _SPEED_DISTANCE[unit]
    if toward:
        return WordEquation(
            f"{v1} t + {v2} t = {distance}",
            f"In t {hours} one covers {v1} t {length} and the other {v2} t {length}; they meet when together "
            f"they have covered the {distance} {length} between them.",
            (
                f"in t {hours}, one: {v1} t {length}",
                f"the other: {v2} t {length}",
                f"together: {distance} {length}",
            ),
        )
    fast, slow = sorted((v1, v2), key=float, reverse=True)
    if fast == slow:
        return None
    return WordEquation(
        f"{fast} t - {slow} t = {distance}",
        f"In t {hours} the faster covers {fast} t {length} and the slower {slow} t {length}; the faster catches "
        f"up when it has gained the {distance} {length} between them.",
        (
            f"in t {hours}, the faster: {fast} t {length}",
            f"the slower: {slow} t {length}",
            f"the gap closed: {distance} {length}",
        ),
    )


def _fixed_plus_rate(text: str) -> WordEquation | None:
    plans = [
        (fixed or fixed_said, rate or rate_said, per)
        for fixed, fixed_said, rate, rate_said, per in _FIXED_PLUS_RATE.findall(text)
    ]
    if not plans or len(plans) > 2 or (not _HOW_MANY.search(text) and not _SAME.search(text)):
        return None
    units = {_PER_UNITS.get(per.lower()) for _, _, per in plans}
    if len(units) != 1 or None in units:
        return None
    ((one, many),) = units  # type: ignore[misc]
    letter = many[0].lower()
    sides = [f"{_number(fixed)} + {_number(rate)} {letter}" for fixed, rate, _ in plans]
    shown = [f"{_dollars(fixed)} + {_dollars(rate)} {letter}" for fixed, rate, _ in plans]
    said = [f"{_dollars(fixed)} dollars plus {_dollars(rate)} dollars for each {one}" for fixed, rate, _ in plans]
    if len(plans) == 2:
        if not _SAME.search(text) or sides[0] == sides[1]:
            return None
        return WordEquation(
            f"{sides[0]} = {sides[1]}",
            f"For {letter} {many}, one costs {said[0]}, the other {said[1]}; they cost the same when the two are "
            "equal.",
            (f"for {letter} {many}, one: {shown[0]}", f"the other: {shown[1]}", "the same cost"),
        )
    stated = {_number(fixed) for fixed, _, _ in plans} | {_number(rate) for _, rate, _ in plans}
    amounts = [sign or said for sign, said in _DOLLARS.findall(text)]
    totals = [amount for amount in dict.fromkeys(_number(a) for a in amounts) if amount not in stated]
    if len(totals) != 1 or not _HOW_MANY.search(text):
        return None
    return WordEquation(
        f"{sides[0]} = {totals[0]}",
        f"For {letter} {many} the cost is {said[0]}; that comes to {_dollars(totals[0])} dollars.",
        (f"for {letter} {many}: {shown[0]}", f"the total: {_dollars(totals[0])}"),
    )


def same_value(plain: list[str], text: str) -> str | None:
    """``e1 = e2`` when the first two formulas give one letter by two rules in the same other letter
    ("C = 20 + 0.1m", "C = 5 + 0.25m") and the text asks when they are the same; else ``None``."""
    if len(plain) < 2 or not _SAME.search(text):
        return None
    rules = [parse_plain(candidate) for candidate in plain[:2]]
    if any(rule is None or len(rule) != 2 for rule in rules):
        return None
    (name_1, rule_1), (name_2, rule_2) = (rule for rule in rules if rule is not None)
    if not (isinstance(name_1, Symbol) and name_1 == name_2) or rule_1 == rule_2:
        return None
    letters = rule_1.free_symbols | rule_2.free_symbols
    if len(letters) != 1 or name_1 in letters:
        return None
    return f"{plain[0].partition('=')[2].strip()} = {plain[1].partition('=')[2].strip()}"


def _is_letter_product(token: str, before: str, after: str) -> bool:
    """A short run of lowercase letters written as a product inside math: the ``nt`` of ``^(nt)``, the ``ab`` of
    ``2ab``."""
    return (
        2 <= len(token) <= 3
        and token.isalpha()
        and token.islower()
        and token not in FUNCTIONS
        and token != "pi"
        and token not in _UNITS
        and (before in {"(", "^", "*", "/"} or before[:1].isdigit())
        and after in {")", "^", "*", "/", "+", "-", "="}
    )


def symbol_legend(sentence: str, formula: str) -> tuple[tuple[str, str], ...]:
    """What each letter of ``formula`` stands for, from a "..., where P is the principal, r the rate and t the
    years" clause of ``sentence``; empty unless at least two letters of the formula are explained."""
    found = _LEGEND.search(one_line(sentence))
    if not found:
        return ()
    letters = set(re.findall(r"(?<![A-Za-z\\])[A-Za-z](?![A-Za-z])", formula))
    legend: list[tuple[str, str]] = []
    for part in _LEGEND_SPLIT.split(found.group("body").rstrip(".!? ")):
        item = _LEGEND_ITEM.match(part.strip())
        if item and item.group("symbol") in letters and item.group("symbol") not in dict(legend):
            legend.append((item.group("symbol"), clip(item.group("meaning").strip(), 60)))
    return tuple(legend) if len(legend) >= 2 else ()


def _accepted(body: str) -> str | None:
    return safe_latex(body) or plain_to_latex(body)


def topic_in_words(topic: str) -> str:
    """``topic`` with its formulas said in words and any other LaTeX left out: it is the title on screen."""
    return inline_formulas_in_words(topic, _DELIMITED_LATEX, _accepted, spoken)


def parse_context(raw: str) -> ContextFacts:
    """Sanitise ``raw`` and pull out formulas, definitions, numbered or bulleted steps, numbers and sentences."""
    text = clean_text(raw, limit=MAX_CONTEXT_CHARS)
    formulas: list[str] = []
    plain: list[str] = []
    for match in _DELIMITED_LATEX.finditer(text):
        if is_money(match):
            continue
        body = next(group for group in match.groups() if group is not None)
        latex = safe_latex(body) or plain_to_latex(body)
        if latex and latex not in formulas:
            formulas.append(latex)
    prose = formulas_in_words(text, _DELIMITED_LATEX, _accepted, spoken)

    letters = _formula_letters(prose)
    steps: list[str] = []
    prose_lines: list[str] = []
    # Step numbering ("1.", "2)") is not an example number: read numbers from the lines without it.
    number_lines: list[str] = []
    for line in prose.split("\n"):
        step = _STEP_LINE.match(line)
        if step:
            steps.append(clip(step.group("step"), 110))
            number_lines.append(step.group("step"))
        else:
            prose_lines.append(line)
            number_lines.append(line)
    explicit_steps = bool(steps)

    for step_text in steps:
        for candidate in find_plain_formulas(_without_units(step_text, letters)):
            if _ASSIGNMENT_ONLY.match(candidate):
                continue  # a value given to a letter, not a formula
            latex = plain_to_latex(candidate)
            if latex and latex not in formulas:
                formulas.append(latex)
                plain.append(candidate)
    all_sentences = sentences("\n".join(prose_lines))
    inequalities = [found for sentence in all_sentences for found in find_inequalities(sentence)]
    definitions: list[Definition] = []
    kept_sentences: list[str] = []
    for sentence in all_sentences:
        for candidate in find_plain_formulas(_without_units(sentence, letters)):
            if _ASSIGNMENT_ONLY.match(candidate):
                continue
            latex = plain_to_latex(candidate)
            if latex and latex not in formulas:
                formulas.append(latex)
                plain.append(candidate)
        definition = _definition(sentence)
        if definition and len(definitions) < MAX_DEFINITIONS:
            definitions.append(definition)
        ordinal = _ORDINAL_SENTENCE.match(sentence)
        if ordinal and not explicit_steps:
            steps.append(clip(ordinal.group("step"), 110))
        kept_sentences.append(clip(sentence, 240))

    if not plain and (compared := compared_expressions(prose)) is not None:
        latex = plain_to_latex(compared)
        if latex:
            formulas.append(latex)
            plain.append(compared)
    if (same := same_value(plain, prose)) is not None and (latex := plain_to_latex(same)):
        # The two rules become the equation the question asks for; the graphs of its sides show both rules.
        plain[:2] = [same]
        formulas.insert(0, latex)
    worded = word_equation(text) if not plain and not inequalities else None
    if worded is not None and (latex := plain_to_latex(worded.equation)):
        formulas.append(latex)
        plain.append(worded.equation)
    else:
        worded = None
    numbers = [float(n) for n in _NUMBER.findall(" ".join(number_lines))]
    legend: tuple[tuple[str, str], ...] = ()
    if formulas:
        legend = next((found for found in (symbol_legend(x, formulas[0]) for x in all_sentences) if found), ())
    assignments: dict[str, float] = {}
    given_text = _without_units(" ".join(number_lines), letters)
    for match in _ASSIGNMENT.finditer(given_text):
        # The end of a formula is not a value given ("2/3 x = 8" solves for x): a number or an operator before it.
        before = given_text[: match.start()].rstrip()[-1:]
        if before and (before.isdigit() or before in "+-*/^=("):
            continue
        assignments.setdefault(match.group(1), float(match.group(2)))
    example = next((clip(x, 240) for x in all_sentences if _EXAMPLE.match(x)), None)
    numbers_text = " ".join(number_lines)
    units = _units(text)
    # Amounts of money in a formula are written to the cent, as in its working: 20 + 0.10 m = 30.
    for candidate in plain:
        cents = money_latex(candidate, units["money"])
        latex = plain_to_latex(candidate)
        if cents and latex in formulas:
            formulas[formulas.index(latex)] = cents
    return ContextFacts(
        formulas=tuple(formulas[:MAX_FORMULAS]),
        plain_formulas=tuple(plain[:MAX_FORMULAS]),
        definitions=tuple(definitions),
        steps=tuple(s for s in steps[:MAX_STEPS] if s),
        numbers=tuple(n for n in numbers if abs(n) <= 1_000_000)[:MAX_NUMBERS],
        sentences=tuple(kept_sentences[:MAX_SENTENCES]),
        legend=legend,
        assignments=tuple(assignments.items()),
        inequalities=tuple(inequalities[:MAX_FORMULAS]),
        example=example,
        percents=tuple(float(n) for n in _PERCENT.findall(numbers_text))[:MAX_NUMBERS],
        periods=tuple(int(n) for n in _PERIODS.findall(numbers_text))[:MAX_NUMBERS],
        polygon_sides=tuple(_POLYGON_SIDES[name.lower()] for name in _POLYGON.findall(numbers_text))[:MAX_NUMBERS],
        money=units["money"],
        rates=units["rates"],
        measures=units["measures"],
        asked_unit=units["asked_unit"],
        word_problem=worded.reading if worded else None,
        word_parts=worded.parts if worded else (),
    )


class _Units(TypedDict):
    money: tuple[float, ...]
    rates: tuple[tuple[float, str, str], ...]
    measures: tuple[tuple[float, str], ...]
    asked_unit: tuple[str, str] | None


def _units(text: str) -> _Units:
    """What the numbers of ``text`` are in: money, rates per a unit, lengths and the like, the unit asked for."""
    money = [float(a or b) for a, b in _MONEY.findall(text)]
    rates: list[tuple[float, str, str]] = []
    for number, per in _RATE.findall(text):
        unit = _PER_UNITS.get(per.lower() if len(per) > 1 else per) or _PLURAL_UNITS.get(per.lower())
        if unit and (float(number), *unit) not in rates:
            rates.append((float(number), *unit))
    measures: list[tuple[float, str]] = []
    for number, unit in _MEASURE.findall(text):
        if unit in _UNIT_SYMBOLS and unit.isalpha() and (float(number), unit) not in measures:
            measures.append((float(number), unit))
    asked = next(
        (
            _PLURAL_UNITS.get(word.lower()) or _PER_UNITS.get(word.lower())
            for word in _ASKED.findall(text)
            if word.lower() in _PLURAL_UNITS or word.lower() in _PER_UNITS
        ),
        None,
    )
    return {
        "money": tuple(money[:MAX_NUMBERS]),
        "rates": tuple(rates[:MAX_NUMBERS]),
        "measures": tuple(measures[:MAX_NUMBERS]),
        "asked_unit": asked,
    }


def parse_request(topic: str, context: str) -> ContextFacts:
    """The facts of a whole request: its topic ("Compound interest at 4% for 6 years", "angles of a pentagon") is
    read as the context's first line, so the numbers and shapes it names reach the demonstrations too."""
    topic_line = one_line(clean_text(topic, limit=MAX_TOPIC_CHARS)).rstrip(" .!?")
    return parse_context(f"{topic_line}.\n{context}" if topic_line else context)


def _is_unit(unit: str) -> bool:
    parts = re.split(r"\s*/\s*", unit.rstrip("^0123456789"))
    return all(part in _UNIT_SYMBOLS or _UNIT_WORDS.match(part) for part in parts)


def _formula_letters(text: str) -> set[str]:
    """The one-letter names in the formulas of ``text``, values given with units left out."""
    rest = _VALUE_WITH_UNIT.sub(lambda match: " ; " if _is_unit(match.group("unit")) else match.group(), text)
    return {
        token
        for formula in find_plain_formulas(rest)
        for token in re.findall(r"(?<![A-Za-z])[A-Za-z](?![A-Za-z])", formula)
    }


def _without_units(text: str, letters: set[str]) -> str:
    """``text`` with the units after given values dropped ("k = 40 N/m" → "k = 40"), so that the value is read as
    given, not as a formula in the unit's letters. A one-letter unit that is also a letter of a formula in ``text``
    stays: "F = 2 m" beside "E = m c^2" is a product."""
    found = [match for match in _VALUE_WITH_UNIT.finditer(text) if _is_unit(match.group("unit"))]
    if not found:
        return text
    pieces: list[str] = []
    position = 0
    for match in found:
        unit = match.group("unit")
        if len(unit) == 1 and unit in letters:
            continue
        pieces.append(text[position : match.start()] + match.group("given"))
        position = match.end()
    return "".join(pieces) + text[position:]


def _definition(sentence: str) -> Definition | None:
    match = _DEFINITION.match(one_line(sentence))
    if not match:
        return None
    term = match.group("term").strip()
    if term.lower() in _NOT_TERMS or len(term.split()) > 5 or "=" in sentence:
        return None
    meaning = clip(match.group("meaning").rstrip(".!? "), 150)
    return Definition(term=clip(term, 40), verb=match.group("verb").lower(), meaning=meaning)
