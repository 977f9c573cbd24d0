"""The context's prose with its delimited formulas (``$...$``, ``\\(...\\)``) read as words, or left out.

The prose becomes narration and on-screen text. A formula the LaTeX door accepts and that reads in a few words is
said in words ("the area is pi r squared"); one that is refused, or too long to say, takes its sentence with it,
so that neither a placeholder ("use this formula and this formula") nor raw LaTeX reaches the video. A dollar
"formula" with no markup in it is money ("$5 and $10"), and stays as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mathreel_script.text import sentences

# The most words a formula may take when read aloud inside a sentence of the narration.
MAX_SPOKEN_WORDS = 14

# Format characters never survive clean_text, so this one cannot come from the user: it marks what to drop.
_DROP = "\u2063"
_MARKUP = re.compile(r"[\\{}^_]")
# LaTeX left in the prose: a command, or a delimiter the formula pattern could not pair within its length bound.
_RAW_LATEX = re.compile(r"\\[A-Za-z]+|\\[()\[\]]|\$\$|\$(?=[^\s\d])")
# A command with its brace arguments ("\\input{x}"), and what markup is left once commands are gone.
_COMMAND_WITH_ARGUMENTS = re.compile(r"\\[A-Za-z]+\s*(?:\{[^{}]{0,200}\}\s*)*")
_LEFTOVER_MARKUP = re.compile(r"[{}]|\$(?=[^\s\d])")
_SPACE_BEFORE_MARK = re.compile(r"\s+([.,;:!?])")
# A word of prose between two dollar signs: "$5 and $10" is prices, not a formula.
_PROSE_WORD = re.compile(r"[A-Za-z]{2,}")
_MATH_WORDS = frozenset("sin cos tan cot sec csc log ln exp sqrt pi lim max min det".split())


def formulas_in_words(
    text: str, pattern: re.Pattern[str], accept: Callable[[str], str | None], speak: Callable[[str], str]
) -> str:
    """``text`` with each match of ``pattern`` replaced by ``speak`` of what ``accept`` makes of its body, and
    every sentence whose formula cannot be said, or that still holds LaTeX, left out."""

    def replace(match: re.Match[str]) -> str:
        if is_money(match):
            return match.group(0)
        body = next(group for group in match.groups() if group is not None)
        latex = accept(body)
        reading = " ".join(speak(latex).split()) if latex else ""
        if not reading or len(reading.split()) > MAX_SPOKEN_WORDS:
            return f" {_DROP} "
        return f" {reading} "

    replaced = pattern.sub(replace, text)
    lines: list[str] = []
    for line in replaced.split("\n"):
        if _DROP in line or _RAW_LATEX.search(line):
            kept = [s for s in sentences(line) if _DROP not in s and not _RAW_LATEX.search(s)]
            line = " ".join(kept)
        line = _SPACE_BEFORE_MARK.sub(r"\1", " ".join(line.split()))
        if any(char.isalnum() for char in line):  # a line of data ("2, 4, 4, 5") is kept too
            lines.append(line)
    return "\n".join(lines)


def is_money(match: re.Match[str]) -> bool:
    """Whether a single-dollar match is prices in prose ("$5 and $10"): no markup, and a word that is not math."""
    whole = match.group(0)
    if not whole.startswith("$") or whole.startswith("$$"):
        return False
    body = whole[1:-1]
    return not _MARKUP.search(body) and any(word.lower() not in _MATH_WORDS for word in _PROSE_WORD.findall(body))


def inline_formulas_in_words(
    text: str, pattern: re.Pattern[str], accept: Callable[[str], str | None], speak: Callable[[str], str]
) -> str:
    """One line (a topic, a title) with each formula said in words when ``accept`` takes it and it is short, left
    out otherwise, and any other LaTeX command or delimiter dropped."""

    def replace(match: re.Match[str]) -> str:
        if is_money(match):
            return match.group(0)
        body = next(group for group in match.groups() if group is not None)
        latex = accept(body)
        reading = " ".join(speak(latex).split()) if latex else ""
        return f" {reading} " if reading and len(reading.split()) <= MAX_SPOKEN_WORDS else " "

    line = _RAW_LATEX.sub(" ", _COMMAND_WITH_ARGUMENTS.sub(" ", pattern.sub(replace, text)))
    line = _LEFTOVER_MARKUP.sub(" ", line)
    return _SPACE_BEFORE_MARK.sub(r"\1", " ".join(line.split()))
