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
from mathreel_scenelang.mathspeech.words import _PLAIN_FUNCTIONS

__all__ = ["latex_to_speech", "narration_to_speech"]


def latex_to_speech(latex: str, *, letters: Mapping[str, str] | None = None) -> str:
    """Read a LaTeX math expression aloud: ``a^2 + b^2 = c^2`` → "a squared plus b squared equals c squared".

    ``letters`` respells single-letter variables for an engine that would misread them (espeak-based voices
    read a lone "a" as the article); the default keeps letters as written.
    """
    reader = _Reader(letters or {})
    text = latex.strip().strip("$").strip()
    try:
        nodes, _, _ = LatexWalker(text, latex_context=_CONTEXT, tolerant_parsing=True).get_latex_nodes()
    except LatexWalkerError:
        # Broken LaTeX is still mostly readable once its markup is dropped.
        return _tidy(reader.speak(reader._chars(re.sub(r"\\[A-Za-z]+|[{}^_]", " ", text))))
    return reader.speak(reader.items(nodes))


# Inline "$...$" follows Pandoc's rule so prices are not math: no space inside either dollar, no digit after the
# closing one ("$5 and $10" stays prose).
_DELIMITED_MATH = re.compile(
    r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\\\((.+?)\\\)|(?<![\\\w])\$(?=\S)(.+?)(?<=\S)\$(?!\d)", re.DOTALL
)

_SCRIPT_ARG = r"(?:\{[^{}]*\}|\([^()]*\)|\\[A-Za-z]+|-?[A-Za-z0-9]+)"
_PLAIN_TERM = (
    rf"(?:(?<![\w'])(?:[A-Za-z]'*|{'|'.join(sorted(_PLAIN_FUNCTIONS, key=len, reverse=True))})"
    r"\((?:[^()]|\([^()]*\))*\)"  # f(x), f'(x), sin(x)
    r"|\([^()]*\)(?=[\^_²³])"  # (a+b)^2: parentheses only when raised or indexed
    # a coefficient and its letters, 5x or 4ac (not a unit: 5km, 10am)
    r"|(?<![\w'.])\d+(?:\.\d+)?(?!(?:km|cm|mm|kg|mg|ml|am|pm|mph|kph)\b)[A-Za-z]{1,3}(?![A-Za-z0-9(])"
    r"|(?<![\w'])(?:[A-Za-z]|\d+(?:\.\d+)?|[πθαβλ∞])(?![A-Za-z0-9(]))"  # a lone letter or a number
    rf"'*(?:[\^_]{_SCRIPT_ARG}|[²³])*"
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
