"""Plain-text hygiene for user text: control characters out, lengths bounded, sentences found.

Everything a user typed passes through here before it reaches a storyboard, so the storyboard's field limits hold
by construction and nothing invisible (bidi overrides, NULs, escape sequences) reaches the narration or the screen.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pysbd

# Bounds on what is read at all: the planner needs a few lines of context, and pysbd's cost grows with the input.
MAX_TOPIC_CHARS = 200
MAX_CONTEXT_CHARS = 6000

_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?…]$")
_SUPERSCRIPTS = str.maketrans({sup: f"^{digit}" for digit, sup in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")})


def clean_text(raw: str, *, limit: int | None = None) -> str:
    """Normalise ``raw`` (NFKC), replace control and format characters by spaces, collapse whitespace.

    Newlines are kept as single ``\\n`` because numbered steps and bullets are line-based.
    """
    # Superscript digits would become plain digits under NFKC ("a²" → "a2"); keep them as powers instead.
    text = unicodedata.normalize("NFKC", (raw[: limit * 2] if limit else raw).translate(_SUPERSCRIPTS))
    kept: list[str] = []
    for char in text:
        if char == "\n":
            kept.append("\n")
        elif unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
            kept.append(" ")
        else:
            kept.append(char)
    lines = [_SPACE.sub(" ", line).strip() for line in "".join(kept).split("\n")]
    cleaned = "\n".join(line for line in lines if line)
    return cleaned[:limit] if limit else cleaned


def one_line(text: str) -> str:
    """``text`` with every run of whitespace, newlines included, folded into one space."""
    return _SPACE.sub(" ", text).strip()


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary where there is one, with an ellipsis."""
    text = one_line(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "…"


# Words a cut sentence must not end on: "... per year and." reads as broken.
_DANGLING = frozenset("and or but nor the a an of to with for in on at by from where which that as is are".split())


def clip_words(text: str, max_words: int) -> str:
    """``text`` cut to at most ``max_words`` words: at the last clause boundary (comma, semicolon, colon) in the
    second half of what fits when there is one, and never on a dangling "and", "the", "where"..."""
    words = one_line(text).split(" ")
    if len(words) <= max_words:
        return " ".join(words)
    kept = words[:max_words]
    for end in range(len(kept) - 1, max_words // 2 - 1, -1):
        if kept[end].endswith((",", ";", ":")):
            kept = kept[: end + 1]
            break
    while len(kept) > 1 and kept[-1].lower().strip(",;:") in _DANGLING:
        kept.pop()
    return " ".join(kept).rstrip(" ,;:-")


def as_sentence(text: str, *, max_words: int = 28) -> str:
    """One spoken sentence: bounded, capitalised, closed with a full stop when it has no end mark."""
    text = clip_words(text, max_words).strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if _SENTENCE_END.search(text) else text.rstrip(" ,;:-") + "."


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False)


def sentences(text: str) -> list[str]:
    """Sentences of ``text`` (pysbd handles abbreviations and decimals that a regex would split on)."""
    found: list[str] = []
    for line in text.split("\n"):
        found.extend(s.strip() for s in _segmenter().segment(line) if s.strip())
    return found


def word_count(text: str) -> int:
    return len(text.split())
