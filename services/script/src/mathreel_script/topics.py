"""Which library topic a user's topic names, robust to case, word order, filler words, plurals and typos."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

_FILLER = frozenset(
    "a an the of and or to in on for with what why how is are does do explain explained explaining intro "
    "introduction understanding understand proof prove proving visual visually simple basic basics lesson about "
    "s".split()
)
# Filler words that name a subject before these nouns: "simple interest" is not interest explained simply.
_SUBJECT_BEFORE = {"simple": frozenset({"interest", "harmonic"})}
_ABBREVIATIONS = {
    "thm": "theorem",
    "eqn": "equation",
    "eq": "equation",
    "prob": "probability",
    "stats": "statistics",
    "deriv": "derivative",
    "integ": "integral",
    "avg": "average",
    "fib": "fibonacci",
}
# Words that make a different subject of the noun they qualify: a harmonic mean is not the mean, a partial
# derivative not the derivative lesson, an inverse matrix not matrix multiplication. An alias that does not itself
# contain such a word of the topic does not match it, and the planner builds the lesson from the context instead.
_CHANGES_THE_SUBJECT = frozenset(
    "harmonic geometric weighted moving trimmed partial directional implicit inverse improper double "
    "triple complex hyperbolic spherical modular".split()
)
_WORD = re.compile(r"[a-z0-9]+")
# Typos are forgiven only in words long enough that a near miss is still unambiguous.
_MIN_FUZZY_LENGTH = 5
_FUZZY_CUTOFF = 84.0


def words(text: str) -> list[str]:
    """Lowercase ASCII words of ``text`` without filler, possessives and abbreviations."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    ascii_text = re.sub(r"'s\b|'", "", ascii_text)
    found = [_ABBREVIATIONS.get(w, w) for w in _WORD.findall(ascii_text)]
    following = [*found[1:], ""]
    return [w for at, w in enumerate(found) if w not in _FILLER or following[at] in _SUBJECT_BEFORE.get(w, frozenset())]


@dataclass(frozen=True)
class TopicMatch:
    key: str
    alias: str
    score: float


class TopicMatcher:
    """Matches free text to topic keys through alias phrases; every word of an alias must be present."""

    def __init__(self, aliases: Mapping[str, Iterable[str]]) -> None:
        self._aliases: list[tuple[str, str, tuple[str, ...]]] = [
            (key, alias, tuple(words(alias))) for key, phrases in aliases.items() for alias in phrases
        ]
        self._vocabulary = sorted({w for _, _, alias_words in self._aliases for w in alias_words})

    def _canonical(self, word: str) -> str:
        """The vocabulary word ``word`` is a spelling or plural of, or ``word`` itself."""
        if word in self._vocabulary or len(word) < _MIN_FUZZY_LENGTH:
            return word
        best = process.extractOne(word, self._vocabulary, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
        return best[0] if best else word

    def match(self, text: str) -> TopicMatch | None:
        """The best topic for ``text``: the alias covering most words wins, earlier aliases break ties."""
        query = {self._canonical(w) for w in words(text)}
        qualifiers = query & _CHANGES_THE_SUBJECT
        best: TopicMatch | None = None
        for key, alias, alias_words in self._aliases:
            if alias_words and all(w in query for w in alias_words) and qualifiers <= set(alias_words):
                # More matched words means a more specific alias: "chain rule derivative" is the chain rule.
                score = float(len(alias_words)) + sum(len(w) for w in alias_words) / 100
                if best is None or score > best.score:
                    best = TopicMatch(key=key, alias=alias, score=score)
        return best


@lru_cache(maxsize=1)
def default_matcher() -> TopicMatcher:
    from mathreel_script.lessons import TOPIC_ALIASES

    return TopicMatcher(TOPIC_ALIASES)
