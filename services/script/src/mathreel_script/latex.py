"""The only door from user text into LaTeX.

A formula reaches a storyboard's ``latex`` field only if it is written by the topic library, or if it passes
``safe_latex`` (LaTeX from the context, checked against the storyboard language's one allowlist in
``mathreel_scenelang.latex``) or ``plain_to_latex`` (plain math such as ``a^2 + b^2 = c^2``, tokenised against an
allowlist, parsed by SymPy, printed back as LaTeX).
Anything else, ``\\input``, ``\\write18``, ``\\catcode``, ``^^5c`` escapes, stays out.
"""

from __future__ import annotations

import re
from functools import lru_cache
from tokenize import TokenError

import sympy
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_multiplication_application,
    parse_expr,
    standard_transformations,
)

from mathreel_scenelang.latex import SAFE_LATEX_MAX_CHARS as MAX_FORMULA_CHARS
from mathreel_scenelang.latex import safe_latex as safe_latex  # the door context formulas go through
from mathreel_scenelang.mathspeech import latex_to_speech

# --- plain formulas ----------------------------------------------------------------------------------------------
FUNCTIONS = frozenset({"sin", "cos", "tan", "log", "ln", "exp", "sqrt"})
_CONSTANTS = frozenset({"pi"})
# Greek letters written as words are letters of a formula ("rho = m / V"); ``lambda`` is left out, a Python keyword
# that the parser cannot take as a name.
GREEK = frozenset("alpha beta gamma delta epsilon theta mu rho sigma tau phi omega".split())
_PLAIN_TOKEN = re.compile(r"\s*(?:(\d{1,6}(?:\.\d{1,4})?)|([A-Za-z]+)|([+\-*/^=()]))")
_TRANSFORMATIONS = (*standard_transformations, implicit_multiplication_application, convert_xor)


def plain_tokens(text: str) -> list[str] | None:
    """Tokens of a plain formula, or ``None`` if any part of it is not a number, variable, function or operator."""
    tokens: list[str] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _PLAIN_TOKEN.match(text, position)
        if not match:
            return None
        word = match.group(2)
        if (
            word is not None
            and len(word) > 1
            and word not in FUNCTIONS
            and word not in _CONSTANTS
            and word not in GREEK
        ):
            return None
        tokens.append(match.group(1) or word or match.group(3))
        position = match.end()
    return tokens


@lru_cache(maxsize=256)
def _parse_side(side: str) -> sympy.Expr | None:
    if not side:
        return None  # "= 1": SymPy's parser fails with an IndexError on an empty side
    # Every single letter is a plain symbol: otherwise SymPy reads E, I, N, S, O, Q as its own objects.
    names: dict[str, object] = {chr(c): sympy.Symbol(chr(c)) for c in (*range(65, 91), *range(97, 123))}
    names.update({"pi": sympy.pi, "ln": sympy.log})
    names.update({letter: sympy.Symbol(letter) for letter in GREEK})
    try:
        # Safe to hand to parse_expr (which evaluates Python): the text is already reduced to the token allowlist.
        expr = parse_expr(side, local_dict=names, transformations=_TRANSFORMATIONS, evaluate=False)
    except (SyntaxError, TypeError, ValueError, AttributeError, sympy.SympifyError, TokenError):
        return None
    return expr if isinstance(expr, sympy.Expr) and _applied_functions_only(expr) else None


def _applied_functions_only(expr: sympy.Basic) -> bool:
    """Whether every part of ``expr`` is an expression: "cos cos" parses to cos applied to the function itself."""
    stack: list[object] = [expr]
    while stack:
        node = stack.pop()
        if not isinstance(node, sympy.Basic):
            return False
        stack.extend(node.args)
    return True


def parse_plain(text: str) -> list[sympy.Expr] | None:
    """The sides of a plain formula (``lhs = rhs`` gives two), or ``None`` when it is not one."""
    tokens = plain_tokens(text)
    if not tokens or len(text) > MAX_FORMULA_CHARS or tokens.count("=") > 2:
        return None
    if tokens.count("(") != tokens.count(")"):
        return None
    sides = " ".join(tokens).split("=")
    parsed = [_parse_side(side.strip()) for side in sides]
    if any(p is None for p in parsed):
        return None
    return [p for p in parsed if p is not None]


# Two numbers side by side in a product ("1000 {1.05}^{3}") read as one number: SymPy puts a dot between plain
# numbers, but not before a number it has braced as a base. The same for a number after a closing bracket or a
# one-letter variable (not a command such as \\sin): a product with values put in ("I 4" from I R with R = 4).
_ADJACENT_NUMBERS = re.compile(r"(?:(?<=\d)|(?<=\))|(?<=(?<![\\A-Za-z])[A-Za-z])) (?=\{?-?\d)")


def to_latex(expr: sympy.Expr) -> str:
    """SymPy's LaTeX for ``expr``, terms kept in the order they were written, numbers in a product dotted."""
    if not expr.free_symbols:
        expr = _numbers_as_symbols(expr)
    expr = _one_fraction(expr)
    return _ADJACENT_NUMBERS.sub(r" \\cdot ", str(sympy.latex(expr, order="none")))


def _one_fraction(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` as written, except that a product with a divisor is one fraction: "1 / f" is read as the product
    1 * f^-1, which prints as "1 \\frac{1}{f}", and "m / V" as "m \\frac{1}{V}"."""
    if not expr.args or not isinstance(expr, sympy.Expr):
        return expr
    args = [_one_fraction(arg) for arg in expr.args]
    if expr.is_Mul and any(arg.is_Pow and arg.exp.is_negative for arg in args):
        return sympy.Mul(*args)
    try:
        return expr.func(*args, evaluate=False)  # type: ignore[no-any-return]
    except TypeError:
        return expr.func(*args)  # type: ignore[no-any-return]


def _numbers_as_symbols(expr: sympy.Expr) -> sympy.Expr:
    """A computation with its positive numbers turned into symbols of the same name (exponents left alone).

    SymPy sets a product of plain numbers factor by factor (``2 \\cdot 60 \\cdot 40 \\frac{1}{60 + 40}``) where a person
    writes one fraction, as SymPy itself does for letters; rebuilt unevaluated, so nothing is reordered.
    """
    if expr.is_Number and expr.is_positive:
        return sympy.Symbol(format_number(float(expr)))
    if expr.is_Pow:
        return sympy.Pow(_numbers_as_symbols(expr.base), expr.exp, evaluate=False)
    if expr.args:
        return expr.func(*(_numbers_as_symbols(arg) for arg in expr.args), evaluate=False)  # type: ignore[no-any-return]
    return expr


def plain_to_latex(text: str) -> str | None:
    """LaTeX for a plain formula like ``a^2 + b^2 = c^2`` or ``A = pi r^2``; ``None`` if it is not one."""
    sides = parse_plain(text)
    if sides is None:
        return None
    return safe_latex(" = ".join(to_latex(side) for side in sides))


def format_number(value: float) -> str:
    """A number as a person would say or write it: no trailing ``.0``, at most three decimals."""
    if abs(value - round(value)) < 1e-9:
        return str(round(value))
    return f"{value:.3f}".rstrip("0").rstrip(".")


def spoken(formula: str) -> str:
    """A formula read as words, the way the narration's voice will say it (``a^2 + b^2 = c^2`` → "a squared plus
    b squared equals c squared")."""
    return latex_to_speech(formula)
