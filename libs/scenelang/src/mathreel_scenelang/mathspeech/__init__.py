"""Math as spoken English: LaTeX and plain inline math turned into the words a teacher would say (used by the tts
service for narration and by the script service's planner when it writes a formula into a sentence).

``pylatexenc`` parses the LaTeX into a node tree (with ``^`` and ``_`` registered as specials taking one argument,
exactly like TeX), so notation is kept rather than evaluated: ``a^2 + b^2`` stays "a squared plus b squared" instead
of whatever a computer algebra system would simplify it to. The tree is then grouped into terms (a base with its
subscript, superscript and primes; parentheses matched) and each term is read with the conventions of spoken math:
"the quantity ..." for compound bases, "of" for function application, "d y by d x" for Leibniz derivatives.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pylatexenc.latexwalker import LatexWalker, LatexWalkerError

from mathreel_scenelang.mathspeech.reader import _CONTEXT, _Reader, _tidy
from mathreel_scenelang.mathspeech.words import _FUNCTIONS, _PLAIN_FUNCTIONS

__all__ = ["latex_to_speech", "narration_to_speech"]


# P(A), P(A \mid B), P(A \cap B): a probability, not P times a quantity. The argument is events (capital letters,
# words, a bar or set operations), which tells it from a product such as P(1 + r).
_PROBABILITY = re.compile(
    r"(?<![A-Za-z\\])P\s*\((?P<events>(?:\s*(?:[A-Z]'?|\\(?:mid|cap|cup|bar|overline)|\\text\{[^{}]*\}|[|,{}]|"
    r"\^c|\\neg|\\lnot|(?<=\\mid)\s*[+-]|(?<=\|)\s*[+-]))+\s*)\)"
)
_EVENT_WORDS = (
    (r"\mid", r"\text{ given }"),
    ("|", r"\text{ given }"),
    (r"\cap", r"\text{ and }"),
    (r"\cup", r"\text{ or }"),
)


# P(n, k), C(n, k): a count of arrangements or choices, a function of its arguments, not a letter times a list.
_COUNT = re.compile(r"(?<![A-Za-z\\])(?P<name>[PC])\s*\((?P<args>\s*[a-z0-9]+\s*(?:,\s*[a-z0-9]+\s*)+)\)")


# P(X = k), P(Z < 1.5), P(a \le X \le b): the probability that a random variable (a capital letter) meets a condition.
_RELATION = r"(?:=|<|>|\\(?:le|leq|ge|geq|lt|gt|ne|neq)(?![A-Za-z]))"
_CONDITION = re.compile(
    rf"(?<![A-Za-z\\])P\s*\((?P<condition>[^()]*?(?<![A-Za-z\\])[A-Z](?![A-Za-z])[^()]*?{_RELATION}[^()]*|"
    rf"[^()]*?{_RELATION}[^()]*?(?<![A-Za-z\\])[A-Z](?![A-Za-z])[^()]*)\)"
)
# E[X], E(X), \mathbb{E}[X] and Var(X) of a random variable: its expected value and its variance.
_EXPECTATION = re.compile(r"(?<![A-Za-z\\])(?:\\mathbb\{E\}|E)\s*[\[(]\s*(?P<arg>[A-Z][^\[\]()]*)[\])]")
_VARIANCE = re.compile(
    r"(?<![A-Za-z])(?:\\(?:mathrm|operatorname|text)\{Var\}|Var)\s*[\[(]\s*(?P<arg>[A-Z][^\[\]()]*)[\])]"
)


# \mathrm{gcd}(a, b), \operatorname{lcm}(4, 6): a function written in upright letters is that function.
_UPRIGHT_FUNCTION = re.compile(
    rf"\\(?:mathrm|operatorname|text)\s*\{{\s*(?P<name>{'|'.join(sorted(_FUNCTIONS, key=len, reverse=True))})\s*\}}"
)


# a \equiv b \pmod{n}, a \equiv b \ (\mathrm{mod}\ n), n \mid a - b: congruence and divisibility.
_MODULO = re.compile(
    r"\\pmod\s*\{(?P<a>[^{}]*)\}|\\bmod\s*(?P<b>\w+)"
    r"|\(\s*(?:\\mathrm\{mod\}|\\text\{mod\}|\\operatorname\{mod\}|mod)\s*(?:\\[ ,;:]|~|\s)*(?P<c>[^()]*?)\s*\)"
)


def _congruences(latex: str) -> str:
    """Read "mod n" as "modulo n"; where a formula works modulo n, an equivalence sign is "is congruent to" and a
    vertical bar "divides"."""
    if not _MODULO.search(latex):
        return latex
    latex = _MODULO.sub(lambda m: rf"\text{{ modulo }} {m.group('a') or m.group('b') or m.group('c')}", latex)
    latex = latex.replace(r"\equiv", r"\text{ is congruent to }")
    return re.sub(r"\\mid(?![A-Za-z])", lambda _: r"\text{ divides }", latex)


def _probabilities(latex: str) -> str:
    def spell(match: re.Match[str]) -> str:
        events = match.group("events")
        for symbol, words in _EVENT_WORDS:
            events = events.replace(symbol, words)
        return rf"\text{{the probability of }} {events}"

    def count(match: re.Match[str]) -> str:
        return rf"\text{{{match.group('name')} of }} {match.group('args')}"

    latex = _UPRIGHT_FUNCTION.sub(lambda m: f"\\{m.group('name')} ", latex)
    latex = _CONDITION.sub(lambda m: rf"\text{{the probability that }} {m.group('condition')} \text{{,}}", latex)
    latex = _EXPECTATION.sub(lambda m: rf"\text{{the expected value of }} {m.group('arg')}", latex)
    latex = _VARIANCE.sub(lambda m: rf"\text{{the variance of }} {m.group('arg')}", latex)
    return _COUNT.sub(count, _PROBABILITY.sub(spell, latex))


def latex_to_speech(latex: str, *, letters: Mapping[str, str] | None = None) -> str:
    """Read a LaTeX math expression aloud: ``a^2 + b^2 = c^2`` → "a squared plus b squared equals c squared".

    ``letters`` respells single-letter variables for an engine that would misread them (espeak-based voices
    read a lone "a" as the article); the default keeps letters as written.
    """
    text = _probabilities(_congruences(latex.strip().strip("$").strip()))
    try:
        nodes, _, _ = LatexWalker(text, latex_context=_CONTEXT, tolerant_parsing=True).get_latex_nodes()
        reader = _Reader(letters or {})
        return _probability_products(reader.speak(reader.items(nodes)))
    except (LatexWalkerError, RecursionError):
        # Broken LaTeX, or nested deeper than the parser recurses, is still mostly readable once its markup is
        # dropped.
        reader = _Reader(letters or {})
        return _tidy(reader.speak(reader._chars(re.sub(r"\\[A-Za-z]+|[{}^_]", " ", text))))


_AFTER_OPERATOR = frozenset("equals plus minus over of is times and or by given quantity to".split())


def _probability_products(spoken: str) -> str:
    """Probabilities written side by side multiply: "... given A times the probability of A"."""
    spoken = spoken.replace("the quantity the probability of", "the probability of")
    words = spoken.split(" ")
    out: list[str] = []
    for index, word in enumerate(words):
        starts = word == "the" and words[index + 1 : index + 3] == ["probability", "of"]
        if starts and out and out[-1].rstrip(",") not in _AFTER_OPERATOR:
            out.append("times")
        out.append(word)
    return " ".join(out)


# Inline "$...$" follows Pandoc's rule so prices are not math: no space inside either dollar, no digit after the
# closing one ("$5 and $10" stays prose).
_DELIMITED_MATH = re.compile(
    r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\\\((.+?)\\\)|(?<![\\\w])\$(?=\S)(.+?)(?<=\S)\$(?!\d)", re.DOTALL
)

_SCRIPT_ARG = r"(?:\{[^{}]*\}|\([^()]*\)|\\[A-Za-z]+|-?[A-Za-z0-9]+)"
# Two or three letters written together in plain math are a product ("mx", "4ac"), unless they are a word.
_SHORT_WORDS = (
    "a an as at be by do go he if in is it me my no of on or so to up us we am and are but can did for had has her "
    "him his how its let may not now one our out per put say see set she the too two use was who why yes yet you"
).split()
_PLAIN_TERM = (
    rf"(?:(?<![\w'])(?:[A-Za-z]'*|log_[A-Za-z0-9]|{'|'.join(sorted(_PLAIN_FUNCTIONS, key=len, reverse=True))})"
    r"\((?:[^()]|\([^()]*\))*\)"  # f(x), f'(x), sin(x)
    r"|\([^()]*\)(?=[\^_²³])"  # (a+b)^2: parentheses only when raised or indexed
    # a coefficient and its letters, 5x or 4ac (not a unit: 5km, 10am)
    r"|(?<![\w'.])\d+(?:\.\d+)?(?!(?:km|cm|mm|kg|mg|ml|am|pm|mph|kph)\b)[A-Za-z]{1,3}(?![A-Za-z0-9(])"
    rf"|(?<![\w'])(?!(?i:{'|'.join(_SHORT_WORDS)})\b)[A-Za-z]{{2,3}}(?![A-Za-z0-9(])"  # letters multiplied: mx
    r"|(?<![\w'])(?:[A-Za-z]|\d+(?:\.\d+)?|[πθαβλ∞])(?![A-Za-z0-9(]))"  # a lone letter or a number
    # Primes, not the apostrophe of "Let's" or of a possessive ("the sum's arrow" is prose, f'(x) is not).
    rf"(?:'(?![A-Za-z]))*(?:[\^_]{_SCRIPT_ARG}|[²³])*"
)
_PLAIN_OPERATOR = r"(?:\s*(?:<=|>=|!=|[=<>+*/×·÷±≤≥≠≈−])\s*|\s*-\s*)"
_PLAIN_MATH = re.compile(rf"(?:√\s*)?{_PLAIN_TERM}(?:{_PLAIN_OPERATOR}(?:√\s*)?{_PLAIN_TERM})*")
# "/" alone is no sign of math: "A/B testing", "and/or".
_PLAIN_SIGNAL = re.compile(r"[\^_²³'√]|[=<>+*×·÷±≤≥≠≈−]|\w\(")
_PLAIN_RELATIONS = {"<=": r"\le ", ">=": r"\ge ", "!=": r"\ne "}


def _plain_math_to_speech(text: str, letters: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        run = match.group()
        # A run needs a sign of math beyond a hyphen: "3-4 pages" or a lone "a" are prose, "x^2" is not.
        if not _PLAIN_SIGNAL.search(run):
            return run
        for ascii_relation, latex in _PLAIN_RELATIONS.items():
            run = run.replace(ascii_relation, latex)
        return latex_to_speech(run, letters=letters)

    return _PLAIN_MATH.sub(replace, text)


def narration_to_speech(text: str, *, letters: Mapping[str, str] | None = None) -> str:
    """Narration with its inline math read out: ``$...$``, ``\\(...\\)``, ``\\[...\\]`` and plain ``a^2``-style
    math become words ("the area is $\\pi r^2$" → "the area is pi r squared"); prose is left as written.

    ``letters`` is passed to :func:`latex_to_speech` for the math parts only, so the article "a" in prose stays.
    """
    letters = letters or {}
    pieces: list[str] = []
    last = 0
    for match in _DELIMITED_MATH.finditer(text):
        pieces.append(_plain_math_to_speech(text[last : match.start()], letters))
        latex = next(group for group in match.groups() if group is not None)
        pieces.append(latex_to_speech(latex, letters=letters))
        last = match.end()
    pieces.append(_plain_math_to_speech(text[last:], letters))
    spoken = "".join(pieces)
    spoken = re.sub(r"[ \t]+", " ", spoken)
    return re.sub(r"\s+([,.;:!?])", r"\1", spoken).strip()
