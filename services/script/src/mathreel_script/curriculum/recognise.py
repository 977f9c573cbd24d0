"""Which curriculum topic a request is about, from its topic and context; or, honestly, none.

Every name of a topic (its title, aliases and key) is a phrase. A request matches a topic as well as the two cover
each other, word by word, weighted by how rare each word is among all the names (so "theorem" or "rule" decide
little and "harmonic" decides a lot): how much of the topic's best phrase the request contains, and how much of the
request the topic's names and keywords account for, combined as an F1 score. A one-word alias therefore cannot
claim a multi-word topic that names a different subject ("central limit theorem" is not "limits"), a request may
describe its topic in more words ("derivatives as the slope of the tangent line"), and plurals, word order, filler
words and typos do not matter. Words of the context that a topic lists as its keywords add a
little, enough to separate near ties and to confirm a match made on a short name. Below ``ACCEPT`` nothing is
chosen, and the closest topics are reported instead.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from rapidfuzz import fuzz, process

from mathreel_script.curriculum.loader import Curriculum, load_curriculum
from mathreel_script.curriculum.model import TopicEntry
from mathreel_script.topics import words

ACCEPT = 0.74
_CONTEXT_WEIGHT = 0.12
_EXACT_NAME = 0.01
_MIN_FUZZY_LENGTH = 5
_FUZZY_CUTOFF = 82.0
# A typo changes a letter or two, not the length: "lineer" is "linear", "tetration" is not "integration".
_MAX_LENGTH_CHANGE = 1
_MAX_QUERY_WORDS = 24
# Words a request wraps its topic in ("a short video on prime numbers for beginners"): they name no subject, so
# they must not count as the unknown words of a subject we do not teach. A word some name uses still counts.
_REQUEST_FILLER = frozenset(
    "short quick gentle brief overview tutorial guide video videos explainer animation animated introductory primer "
    "beginner beginners student students kid kids class please show teach me us our my your".split()
)


@dataclass(frozen=True)
class Candidate:
    entry: TopicEntry
    score: float
    phrase: str


@dataclass(frozen=True)
class Recognition:
    """The chosen topic (``None`` when nothing fits well) and the closest candidates, best first."""

    entry: TopicEntry | None
    candidates: tuple[Candidate, ...]


# Plurals no suffix rule gets right.
_IRREGULAR = {"matrices": "matrix", "vertices": "vertex", "indices": "index", "radii": "radius", "axes": "axis"}


def _stem(word: str) -> str:
    """A crude singular: enough for the plurals people type; names and requests are stemmed alike."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


class Recogniser:
    def __init__(self, curriculum: Curriculum) -> None:
        self._phrases: list[tuple[TopicEntry, str, tuple[str, ...]]] = []
        for entry in curriculum:
            names = {entry.title, entry.key.replace("_", " "), *entry.aliases}
            for name in sorted(names):
                tokens = tuple(dict.fromkeys(_stem(w) for w in words(name)))
                if tokens:
                    self._phrases.append((entry, name, tokens))
        frequency = Counter(w for _, _, tokens in self._phrases for w in set(tokens))
        total = len(self._phrases)
        self._weight = {w: math.log(1 + total / count) for w, count in frequency.items()}
        self._vocabulary = sorted(self._weight)
        # The words as names spell them: a typo is of the word typed ("serie"), not of its stem ("sery").
        self._adjacent = {
            (_stem(a), _stem(b)) for _, name, _ in self._phrases for a, b in itertools.pairwise(words(name))
        }
        self._surface = sorted({w for _, name, _ in self._phrases for w in words(name)} | set(self._weight))
        self._keywords = {
            entry.key: {_stem(w) for keyword in entry.keywords for w in words(keyword)} for entry in curriculum
        }
        self._vocabulary_of: dict[str, set[str]] = {entry.key: set(self._keywords[entry.key]) for entry in curriculum}
        for entry, _, tokens in self._phrases:
            self._vocabulary_of[entry.key].update(tokens)

    def _canonical(self, word: str) -> str:
        word = _stem(word)
        if word in self._weight or len(word) < _MIN_FUZZY_LENGTH:
            return word
        near = [w for w in self._surface if abs(len(w) - len(word)) <= _MAX_LENGTH_CHANGE]
        best = process.extractOne(word, near, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
        return _stem(best[0]) if best else word

    def _weight_of(self, word: str) -> float:
        # A word no topic name uses is as telling as the rarest: it may name a subject we do not teach.
        return self._weight.get(word, math.log(1 + len(self._phrases)))

    def _query(self, text: str) -> set[str]:
        typed = [w for w in words(text) if w not in _REQUEST_FILLER or _stem(w) in self._weight][:_MAX_QUERY_WORDS]
        query: set[str] = set()
        index = 0
        while index < len(typed):
            # A name typed in two words ("eigen values") is the one word names use, unless a name has the two.
            if index + 1 < len(typed):
                first, second = typed[index], typed[index + 1]
                joined = _stem(first + second)
                if joined in self._weight and (_stem(first), _stem(second)) not in self._adjacent:
                    query.add(joined)
                    index += 2
                    continue
            query.add(self._canonical(typed[index]))
            index += 1
        return query

    def recognise(self, topic: str, context: str = "", *, top: int = 3) -> Recognition:
        query = self._query(topic)
        if not query:
            return Recognition(None, ())
        context_words = {_stem(w) for w in words(context)[:2000]}
        query_weight = sum(self._weight_of(w) for w in query)
        best: dict[str, Candidate] = {}
        exact: set[str] = set()
        for entry, name, tokens in self._phrases:
            if set(tokens) == query:
                exact.add(entry.key)
            shared = sum(self._weight_of(w) for w in tokens if w in query)
            if shared == 0:
                continue
            precision = shared / sum(self._weight_of(w) for w in tokens)
            known = best.get(entry.key)
            if known is None or precision > known.score:
                best[entry.key] = Candidate(entry, precision, name)
        scored: list[Candidate] = []
        for key, candidate in best.items():
            covered = sum(self._weight_of(w) for w in query if w in self._vocabulary_of[key])
            recall = covered / query_weight
            precision = candidate.score
            score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            if key in exact:
                score += _EXACT_NAME  # a name said exactly beats a name it merely contains
            keywords = self._keywords[key]
            if keywords and context_words:
                score += _CONTEXT_WEIGHT * len(keywords & context_words) / len(keywords)
            scored.append(Candidate(candidate.entry, round(score, 4), candidate.phrase))
        ranked = tuple(sorted(scored, key=lambda c: (-c.score, c.entry.key))[:top])
        chosen = ranked[0].entry if ranked and ranked[0].score >= ACCEPT else None
        return Recognition(chosen, ranked)


@cache
def default_recogniser() -> Recogniser:
    return Recogniser(load_curriculum())


def closest_titles(candidates: Iterable[Candidate], count: int = 3) -> list[str]:
    return [candidate.entry.title for candidate in candidates][:count]
