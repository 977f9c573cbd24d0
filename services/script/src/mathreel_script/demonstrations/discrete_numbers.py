"""Number theory drawn: a factor tree, Euclid's algorithm row by row, a clock for remainders, and a number written
in another base by repeated division."""

from __future__ import annotations

import math

import sympy
from pydantic import Field, model_validator

from mathreel_scenelang.storyboard import (
    Action,
    Circumscribe,
    Remove,
    Scene,
    ShowArrow,
    ShowCircle,
    ShowEquation,
    ShowPoint,
    ShowTable,
    ShowTree,
    TransformEquation,
    TreeBranch,
)
from mathreel_script.context import ContextFacts
from mathreel_script.demonstrations.registry import Params, demonstration
from mathreel_script.draft import SceneDraft


# --- factor tree ---------------------------------------------------------------------------------------------------
class FactorParams(Params):
    n: int = Field(default=360, ge=4, le=100000)

    @model_validator(mode="after")
    def _composite(self) -> FactorParams:
        if sympy.isprime(self.n):
            raise ValueError("a factor tree needs a composite number")
        return self


def _split(n: int) -> tuple[int, int]:
    """The smallest prime factor of n and what is left."""
    p = int(sympy.primefactors(n)[0])
    return p, n // p


@demonstration("factor_tree", FactorParams)
def factor_tree(params: FactorParams, facts: ContextFacts) -> list[Scene]:
    """Prime factorisation: divide by the smallest prime again and again (a table growing row by row), then the
    primes collected as powers; the first splits drawn as a tree."""
    n = params.n
    for found in facts.integers(4, 100000):
        if not sympy.isprime(found):
            n = found
            break
    rows: list[list[str]] = []
    left = n
    while left > 1:
        p, rest = _split(left)
        rows.append([str(left), str(p), str(rest)])
        left = rest
    factors = sympy.factorint(n)
    if math.prod(p**k for p, k in factors.items()) != n:
        raise ValueError("factorisation check failed")
    spoken_product = " times ".join(f"{p} to the power {k}" if k > 1 else str(p) for p, k in sorted(factors.items()))
    power_latex = " \\times ".join(f"{p}^{{{k}}}" if k > 1 else str(p) for p, k in sorted(factors.items()))
    first, rest = _split(n)
    shown = min(len(rows), 8)
    # A tree shows at most three splits (the table carries on). The last row divides a prime by itself, which is
    # no split: a factor tree ends at the prime, never at "p times 1".
    depth = min(3, len(rows) - 1)

    def ladder(level: int, until: int) -> list[TreeBranch]:
        _, prime, left = rows[level]
        below = ladder(level + 1, until) if level + 1 < until else []
        return [TreeBranch(label=prime), TreeBranch(label=left, children=below)]

    draft = SceneDraft("factor", "explanation", "Split until only primes are left").beat(
        f"Split {n}: its smallest prime factor is {first}, and {n} is {first} times {rest}; then split what is left.",
        ShowTree(id="tree", root=str(n), branches=ladder(0, depth), region="left"),
        ShowEquation(id="first", latex=f"{n} = {first} \\times {rest}", region="top_right"),
    )
    header = ["number", "prime", "what is left"]
    half = min(3, len(rows))
    draft.beat(
        f"Keep dividing by the smallest prime: {', '.join(r[1] for r in rows[:half])}.",
        ShowTable(id="t1", header=header, rows=rows[:half], region="right"),
    )
    draft.beat(
        f"Until 1 is left: {', '.join(r[1] for r in rows[half:shown])}." if shown > half else "Until 1 is left.",
        Remove(targets=["t1"]),
        ShowTable(id="t2", header=header, rows=rows[:shown], region="right"),
    )
    draft.beat(
        f"So {n} is {spoken_product}, and no other product of primes gives it.",
        ShowEquation(id="prod", latex=f"{n} = {power_latex}", region="bottom", color="yellow"),
        Circumscribe(target="prod"),
    )
    return [draft.build()]


# --- Euclid's algorithm -------------------------------------------------------------------------------------------
class GcdParams(Params):
    a: int = Field(default=252, ge=2, le=100000)
    b: int = Field(default=198, ge=1, le=100000)
    lcm: bool = False

    @model_validator(mode="after")
    def _order(self) -> GcdParams:
        if self.b >= self.a:
            raise ValueError("a is the larger number")
        steps, x, y = 0, self.a, self.b
        while y:
            x, y, steps = y, x % y, steps + 1
        if steps > 8:
            raise ValueError("at most eight division steps")
        return self


@demonstration("euclid_gcd_table", GcdParams)
def euclid_gcd_table(params: GcdParams, facts: ContextFacts) -> list[Scene]:
    """Euclid's algorithm: replace the pair by the smaller number and the remainder, row by row, until the remainder
    is 0; the last divisor is the greatest common divisor (and the least common multiple follows)."""
    a, b = params.a, params.b
    found = facts.integers(2, 100000)
    if len(found) >= 2 and found[0] != found[1]:
        a, b = max(found[:2]), min(found[:2])
    rows: list[list[str]] = []
    x, y = a, b
    while y and len(rows) < 8:
        q, r = divmod(x, y)
        rows.append([str(x), str(y), str(q), str(r)])
        x, y = y, r
    if y:
        return euclid_gcd_table(params, ContextFacts())
    g = x
    if g != math.gcd(a, b):
        raise ValueError("gcd check failed")
    header = ["a", "b", "quotient", "remainder"]
    draft = SceneDraft("euclid", "example", "Euclid's algorithm").beat(
        f"To find the greatest common divisor of {a} and {b}, divide {a} by {b}: "
        f"{rows[0][2]} times, remainder {rows[0][3]}.",
        ShowEquation(id="step", latex=f"{a} = {rows[0][2]} \\cdot {b} + {rows[0][3]}", region="top"),
        ShowTable(id="t0", header=header, rows=rows[:1], region="center"),
    )
    if len(rows) > 1:
        middle = rows[1 : len(rows) - 1] if len(rows) > 2 else []
        if middle:
            draft.beat(
                "Every divisor of both numbers also divides the remainder, so replace the pair by "
                f"{rows[1][0]} and {rows[1][1]} and divide again.",
                TransformEquation(
                    target="step", latex=f"{rows[1][0]} = {rows[1][2]} \\cdot {rows[1][1]} + {rows[1][3]}"
                ),
                Remove(targets=["t0"]),
                ShowTable(id="t1", header=header, rows=rows[: len(rows) - 1], region="center"),
            )
            last_table = "t1"
        else:
            last_table = "t0"
        final = rows[-1]
        draft.beat(
            f"Finally {final[0]} divided by {final[1]} leaves remainder 0.",
            TransformEquation(target="step", latex=f"{final[0]} = {final[2]} \\cdot {final[1]} + 0"),
            Remove(targets=[last_table]),
            ShowTable(id="t2", header=header, rows=rows, region="center"),
        )
    draft.beat(
        f"The last divisor, {g}, is the greatest common divisor.",
        ShowEquation(id="gcd", latex=f"\\mathrm{{gcd}}({a}, {b}) = {g}", region="bottom", color="yellow"),
    )
    if params.lcm:
        lcm = a * b // g
        if lcm != math.lcm(a, b):
            raise ValueError("lcm check failed")
        draft.beat(
            f"And the least common multiple is {a} times {b} divided by {g}, which is {lcm}.",
            ShowEquation(
                id="lcm",
                latex=f"\\mathrm{{lcm}} = \\frac{{{a} \\cdot {b}}}{{{g}}} = {lcm}",
                region="bottom_right",
            ),
        )
    return [draft.build()]


# --- remainders on a clock ---------------------------------------------------------------------------------------
class ClockParams(Params):
    modulus: int = Field(default=7, ge=3, le=12)
    start: int = Field(default=5, ge=0, le=1000)
    step: int = Field(default=4, ge=1, le=1000)
    count: int = Field(default=3, ge=1, le=4)


def _on_clock(k: int, n: int) -> tuple[float, float]:
    angle = math.pi / 2 - 2 * math.pi * k / n
    return (round(3 * math.cos(angle), 3), round(3 * math.sin(angle), 3))


@demonstration("mod_clock", ClockParams)
def mod_clock(params: ClockParams, facts: ContextFacts) -> list[Scene]:
    """Arithmetic modulo n on a clock of n hours: adding wraps around, and only the remainder matters."""
    n, start, step = params.modulus, params.start, params.step
    given = dict(facts.assignments)
    if 3 <= given.get("n", 0) <= 12:
        n = int(given["n"])
    marks: list[Action] = [ShowCircle(id="clock", center=(0, 0), radius=3, fill_opacity=0.05, region="left")]
    marks += [ShowPoint(id=f"h{k}", at=_on_clock(k, n), label=str(k), color="white") for k in range(min(n, 7))]
    draft = SceneDraft("clock", "explanation", f"Counting modulo {n}").beat(
        f"On a clock with {n} hours, the numbers run from 0 to {n - 1} and then start again."
        if n <= 7
        else f"On a clock with {n} hours, the numbers start at 0.",
        *marks,
    )
    if n > 7:
        draft.beat(
            f"They run up to {n - 1}, and after {n - 1} comes 0 again.",
            *[ShowPoint(id=f"h{k}", at=_on_clock(k, n), label=str(k), color="white") for k in range(7, n)],
        )
    position = start % n
    total = start
    if position != start:
        draft.beat(
            f"{start} leaves remainder {position} when divided by {n}, so it sits at {position}.",
            ShowEquation(
                id="start",
                latex=f"{start} = {start // n} \\cdot {n} + {position},\\quad \\text{{hops of }} {step}",
                region="top_right",
            ),
            ShowPoint(id="at0", at=_on_clock(position, n), color="red"),
        )
    else:
        draft.beat(
            f"Start at {start}.",
            ShowPoint(id="at0", at=_on_clock(position, n), color="red"),
            ShowEquation(
                id="start", latex=f"\\text{{start}}\\ {start},\\quad \\text{{hops of }} {step}", region="top_right"
            ),
        )
    for index in range(1, params.count + 1):
        before = position
        position = (position + step) % n
        total += step
        draft.beat(
            f"Add {step}: go round {step} hours and land on {position}.",
            ShowArrow(id=f"hop{index}", start=_on_clock(before, n), end=_on_clock(position, n), color="blue"),
            ShowPoint(id=f"at{index}", at=_on_clock(position, n), color="red"),
        )
    if total % n != position:
        raise ValueError("clock arithmetic check failed")
    draft.beat(
        f"So {total} is congruent to {position} modulo {n}: they leave the same remainder.",
        ShowEquation(
            id="cong", latex=f"{total} \\equiv {position} \\ (\\mathrm{{mod}}\\ {n})", region="right", color="yellow"
        ),
    )
    return [draft.build()]


# --- another base ------------------------------------------------------------------------------------------------
class BaseParams(Params):
    n: int = Field(default=45, ge=2, le=4095)
    base: int = Field(default=2, ge=2, le=16)

    @model_validator(mode="after")
    def _digits(self) -> BaseParams:
        if len(_digits(self.n, self.base)) > 8:
            raise ValueError("at most eight digits")
        return self


def _digits(n: int, base: int) -> list[int]:
    digits: list[int] = []
    while n:
        n, r = divmod(n, base)
        digits.append(r)
    return digits[::-1]


_GLYPHS = "0123456789ABCDEF"


@demonstration("base_conversion", BaseParams)
def base_conversion(params: BaseParams, facts: ContextFacts) -> list[Scene]:
    """A number written in another base: divide by the base again and again, the remainders read from the bottom up
    are the digits; each digit counts a power of the base."""
    n, base = params.n, params.base
    for found in facts.integers(2, 4095):
        if len(_digits(found, base)) <= 8:
            n = found
            break
    digits = _digits(n, base)
    if int("".join(_GLYPHS[d] for d in digits), base) != n:
        raise ValueError("base conversion check failed")
    rows: list[list[str]] = []
    x = n
    while x:
        q, r = divmod(x, base)
        rows.append([f"{x} ÷ {base}", str(q), str(r)])
        x = q
    written = "".join(_GLYPHS[d] for d in digits)
    header = ["division", "quotient", "remainder"]
    half = max(1, len(rows) // 2)
    powers = [base ** (len(digits) - 1 - i) for i in range(len(digits))]
    draft = (
        SceneDraft("base", "explanation", f"Writing {n} in base {base}")
        .beat(
            f"Divide {n} by {base}, and again the quotient, writing down each remainder.",
            ShowTable(id="t1", header=header, rows=rows[:half], region="left"),
        )
        .beat(
            "Stop when the quotient reaches 0.",
            Remove(targets=["t1"]),
            ShowTable(id="t2", header=header, rows=rows, region="left"),
        )
        .beat(
            f"Read the remainders from the bottom up: {' '.join(_GLYPHS[d] for d in digits)}.",
            ShowEquation(id="res", latex=f"{n} = {written}_{{{base}}}", region="top_right", color="yellow"),
        )
        .beat(
            "Each digit counts a power of the base: "
            + ", ".join(f"{_GLYPHS[d]} times {p}" for d, p in zip(digits, powers, strict=True) if d)
            + f", which add to {n}.",
            ShowTable(
                id="powers",
                header=["digit", "power", "value"],
                rows=[[_GLYPHS[d], str(p), str(d * p)] for d, p in zip(digits, powers, strict=True) if d][:8],
                region="right",
            ),
        )
    )
    return [draft.build()]
