"""Which curriculum topic a request is about, from its topic and context; or, honestly, none.

Every name of a topic (its title, aliases and key) is a phrase. A request matches a topic as well as the two cover
each other, word by word, weighted by how rare each word is among all the names (so "theorem" or "rule" decide
little and "harmonic" decides a lot): how much of the topic's best phrase the request contains, and how much of the
request the topic's names and keywords account for, combined as an F1 score. A one-word alias therefore cannot
claim a multi-word topic that names a different subject ("central limit theorem" is not "limits"), a request may
describe its topic in more words ("derivatives as the slope of the tangent line"), and plurals, word order, filler
words and typos do not matter. Words of the context that a topic lists as its keywords add a
little, enough to separate near ties and to confirm a match made on a short name.

A teacher's request is often a question rather than a name ("Is this dice game worth playing?", "How my savings
grow at 4% a year"): the words that name no subject (question words, numbers, the letters of a formula, "this",
"each") are left out of the query, and a word form ("compounded", "growth", "yearly") counts as the word a name
uses. When the topic alone is not enough, a name the context says in full chooses its entry, provided the topic
shares a word with that entry's names or keywords: "Angle between two arrows" with "use the dot product to find the
angle" is the dot product, while "Galois theory" stays unknown whatever its context says. Below ``ACCEPT`` nothing
is chosen, and the closest topics are reported instead.
"""

from __future__ import annotations

import itertools
import math
import re
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
    "beginner beginners student students kid kids class please show teach me us our my your explanation".split()
)
# Words of a question or a sentence that name no subject: "How my savings grow", "Why each angle of a pentagon is".
_FUNCTION_WORDS = frozenset(
    "this that these those it its each every all some any which who whom whose when where there here than then "
    "at by from into onto out up down over under near between using use via as be been being was were will would "
    "can could should may might must has have had get gets got find finding work works working worked out "
    "i you we they he she one ones much many more most very really just also only still even ever not no yes "
    "so if whether way ways".split()
)
# An equation typed in a topic ("between y = x and y = x^2") names no subject: its letters and numbers would
# otherwise match names that hold an x or a 2 ("2 to the x"). It is the run of maths tokens around an equals sign.
_TOKEN = re.compile(r"[A-Za-z]+|\d+(?:\.\d+)?|\S")
_MATH_WORDS = frozenset("sin cos tan ln log exp sqrt pi".split())
_SIGNS = frozenset("+-*/^()")
# Verbs that say what to do, not what about: a topic of these alone names no subject.
_TASK_WORDS = frozenset(
    "solve solving calculate calculating compute computing evaluate evaluating simplify simplifying work answer "
    "help check show explain question problem problems word exercise homework".split()
)
# Word endings that make another form of the same word: "compounded", "compounding", "growth", "yearly".
_FORM_ENDINGS = ("ing", "ed", "th", "ly")
_MIN_ROOT = 4
# A topic named by the context as well as the topic: a name of at least this many words.
_MIN_NAMED_WORDS = 2
_MAX_NAMING_WORDS = 400
# Closest topics worth suggesting when nothing is chosen: below this they share little more than a generic word.
SUGGEST = 0.4
# Words that make a name one particular result ("the remainder theorem", "the midpoint rule"): a request that says
# one is about that result, so an entry whose names and keywords never say the word is not it, however close.
_RESULT_WORDS = frozenset("theorem rule law formula identity test method principle lemma".split())
# Words that turn a name into an operation on its subject: "derivative of a composite function" is the chain rule,
# not composite functions; "derivative slope" is not the slope of a line. A name matched without its operation word
# is not chosen.
_OPERATION_WORDS = frozenset("derivative integral antiderivative".split())
# Two entries a short topic scores this close are both what it may mean ("standard form": of a circle, of an
# ellipse); unless one is named exactly or the context separates them, neither is chosen. A longer topic describes
# its subject ("derivative as slope of the tangent line"), and its best match stands.
_AMBIGUOUS_MARGIN = 0.05
# Numbers in words say which example, not which subject ("two dice", "three vectors").
_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten hundred thousand first second".split())
_SHORT_TOPIC_WORDS = 2


@dataclass(frozen=True)
class Candidate:
    entry: TopicEntry
    score: float
    phrase: str
    # The words of the request the entry's names and keywords account for.
    shared: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Recognition:
    """The chosen topic (``None`` when nothing fits well) and the closest candidates, best first."""

    entry: TopicEntry | None
    candidates: tuple[Candidate, ...]


# Plurals no suffix rule gets right.
_IRREGULAR = {
    "matrices": "matrix",
    "vertices": "vertex",
    "indices": "index",
    "radii": "radius",
    "axes": "axis",
    "dice": "die",
}


def _root(word: str) -> str:
    """``word`` without an ending that makes another form of it, when enough is left: "compounded" is "compound"."""
    for ending in _FORM_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_ROOT:
            return word[: -len(ending)]
    return word


def _is_math_token(token: str) -> bool:
    return (
        len(token) == 1 or token[0].isdigit() or token.lower() in _MATH_WORDS or bool(re.fullmatch(r"\d*[a-z]", token))
    )


def _without_formulas(text: str) -> str:
    """``text`` with the formulas it types left out: every maths token joined to an equals sign, and the numbers of
    an expression ("the square for x^2 + 6x + 5"); a name made of numbers ("the 68-95-99.7 rule") stays."""
    tokens = [token.group() for token in _TOKEN.finditer(text)]
    dropped: set[int] = set()
    for index, token in enumerate(tokens):
        if token != "=":
            continue
        for step in (-1, 1):
            at = index + step
            while 0 <= at < len(tokens) and (_is_math_token(tokens[at]) or tokens[at] in _SIGNS):
                dropped.add(at)
                at += step
        dropped.add(index)
    start = 0
    while start < len(tokens):
        end = start
        while end < len(tokens) and (_is_math_token(tokens[end]) or tokens[end] in _SIGNS):
            end += 1
        run = tokens[start:end]
        has_letter = any(token.isalpha() for token in run)
        if any(token in "+*/^" for token in run) or (has_letter and "-" in run):
            dropped.update(i for i in range(start, end) if tokens[i][0].isdigit())
        start = max(end, start + 1)
    if not dropped:
        return text
    return " ".join(token for index, token in enumerate(tokens) if index not in dropped)


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
        self._name_words: dict[str, set[str]] = {entry.key: set() for entry in curriculum}
        for entry, _, tokens in self._phrases:
            self._vocabulary_of[entry.key].update(tokens)
            self._name_words[entry.key].update(tokens)
        known = set(self._weight) | {w for vocabulary in self._vocabulary_of.values() for w in vocabulary}
        # A form stands for the word that is its root ("compounding" for "compound"), else for the one word of that
        # root; a root shared by two other words ("grower", "growth") decides nothing.
        roots: dict[str, set[str]] = {}
        for word in known:
            roots.setdefault(_root(word), set()).add(word)
        self._by_root = {
            root: root if root in found else next(iter(found))
            for root, found in roots.items()
            if root in found or len(found) == 1
        }
        self._known = known

    def _canonical(self, word: str) -> str:
        word = _stem(word)
        if word in self._known:
            return word
        form = self._by_root.get(_root(word))
        if form is not None:
            return form
        if len(word) < _MIN_FUZZY_LENGTH:
            return word
        near = [w for w in self._surface if abs(len(w) - len(word)) <= _MAX_LENGTH_CHANGE]
        best = process.extractOne(word, near, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
        return _stem(best[0]) if best else word

    def _weight_of(self, word: str) -> float:
        # A word no topic name uses is as telling as the rarest: it may name a subject we do not teach.
        return self._weight.get(word, math.log(1 + len(self._phrases)))

    def _names_a_subject(self, word: str) -> bool:
        """Whether a typed word may name a subject: not a function word, number or lone letter no name uses."""
        if _stem(word) in self._weight:
            return True
        return word not in _REQUEST_FILLER and word not in _FUNCTION_WORDS and not word.isdigit() and len(word) > 1

    def _query(self, text: str) -> set[str]:
        typed = [w for w in words(_without_formulas(text)) if self._names_a_subject(w)][:_MAX_QUERY_WORDS]
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
        if not query or query <= _TASK_WORDS:
            # "Solve this for me" names a task, not a subject: the context's mathematics decides the lesson.
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
            covered_words = frozenset(query & self._vocabulary_of[key])
            scored.append(Candidate(candidate.entry, round(score, 4), candidate.phrase, covered_words))
        ranked = tuple(sorted(scored, key=lambda c: (-c.score, c.entry.key)))
        chosen = self._best(query, ranked, exact)
        if chosen is not None and context and chosen.key in exact and len(query) <= _SHORT_TOPIC_WORDS:
            # A subject named in a word or two ("vectors") is its first lesson, unless the context asks for another
            # of the entries it names ("add (3, 4) and (1, -2)").
            support = self._context_support(query, context, ranked)
            member = self._most_supported(ranked, support)
            if member is not None and support[member.key] > support.get(chosen.key, 0.0):
                chosen = member
                ranked = (
                    *(c for c in ranked if c.entry.key == chosen.key),
                    *(c for c in ranked if c.entry.key != chosen.key),
                )
        elif chosen is None and context:
            chosen = self._named_in_request(query, context, {c.entry.key: c.score for c in scored})
            if chosen is None:
                chosen = self._most_supported(ranked, self._context_support(query, context, ranked))
            if chosen is not None:
                others = tuple(c for c in ranked if c.entry.key != chosen.key)
                named = Candidate(chosen, ACCEPT, chosen.title, frozenset(query & self._vocabulary_of[chosen.key]))
                ranked = (named, *others)
        return Recognition(chosen, ranked[:top])

    def _says_the_result(self, query: set[str], candidate: Candidate) -> bool:
        """Whether the entry's names or keywords say every result word of the request ("theorem", "rule"), and the
        request says the operation its matched name applies ("derivative")."""
        if (query & _RESULT_WORDS) - self._vocabulary_of[candidate.entry.key]:
            return False
        operations = {_stem(w) for w in words(candidate.phrase)} & _OPERATION_WORDS
        return operations <= query

    def _best(self, query: set[str], ranked: tuple[Candidate, ...], exact: set[str]) -> TopicEntry | None:
        """The best candidate, when it scores ``ACCEPT``, names the result the request names, and, for a short
        topic, no other entry scores within ``_AMBIGUOUS_MARGIN`` of it (an exact name is never ambiguous)."""
        if not ranked or ranked[0].score < ACCEPT:
            return None
        best = ranked[0]
        if not self._says_the_result(query, best):
            return None
        close = len(ranked) > 1 and ranked[1].score > best.score - _AMBIGUOUS_MARGIN
        if close and best.entry.key not in exact and len(query) <= _SHORT_TOPIC_WORDS:
            return None
        return best.entry

    def _context_support(self, query: set[str], context: str, ranked: tuple[Candidate, ...]) -> dict[str, float]:
        """A topic that names a family of entries ("matrices", "area", "standard form") whose context says which:
        among the entries whose names hold every word of the topic, the one whose names and keywords hold
        the most (by weight) of the context's other subject words ("add", "magnitude"); the topic's own score breaks
        a tie (``_most_supported``). By entry key, the weight of the context's words each such entry names."""
        typed = [
            w
            for w in words(_without_formulas(context))[:_MAX_NAMING_WORDS]
            if self._names_a_subject(w) and not w.isdigit() and len(w) > 1 and w not in _NUMBER_WORDS
        ]
        # As typed and as read (a typo mended: "multiply" is also near "multiple"), each with its root.
        said = {form for w in typed for word in (_stem(w), self._canonical(w)) for form in (word, _root(word))}
        said -= {form for w in query | _FUNCTION_WORDS | _TASK_WORDS for form in (w, _root(w))}
        support: dict[str, float] = {}
        for candidate in ranked:
            key = candidate.entry.key
            names_it = query <= self._name_words[key]
            if names_it and candidate.score >= SUGGEST and self._says_the_result(query, candidate):
                # A word or its root: the context's "multiply" is the name's "multiplying".
                support[key] = sum(self._weight_of(w) for w in self._vocabulary_of[key] if said & {w, _root(w)})
        return support

    @staticmethod
    def _most_supported(ranked: tuple[Candidate, ...], support: dict[str, float]) -> TopicEntry | None:
        """The entry the context supports most, its topic score breaking a tie; None when it supports none."""
        members = [c for c in ranked if support.get(c.entry.key, 0.0) > 0]
        if not members:
            return None
        return max(members, key=lambda c: (support[c.entry.key], c.score)).entry

    def _named_in_request(self, query: set[str], context: str, scores: dict[str, float]) -> TopicEntry | None:
        """The entry the context names in full (a name of two words or more, its words side by side in any order:
        "interest compounded" says "compound interest", "standard ... scores" says no "standard score"), among those
        whose names or keywords share a word with the topic; the best scored by the topic when several are named."""
        said = [_root(self._canonical(w)) for w in words(context)[:_MAX_NAMING_WORDS] if self._names_a_subject(w)]
        subject = query - _FUNCTION_WORDS
        named: list[tuple[float, str, TopicEntry]] = []
        for entry, _, tokens in self._phrases:
            name = {_root(w) for w in tokens}
            if len(tokens) < _MIN_NAMED_WORDS or not subject & self._vocabulary_of[entry.key]:
                continue
            size = len(tokens)
            if any(set(said[start : start + size]) == name for start in range(len(said) - size + 1)):
                named.append((scores.get(entry.key, 0.0), entry.key, entry))
        if not named:
            return None
        return max(named, key=lambda found: (found[0], found[1]))[2]


@cache
def default_recogniser() -> Recogniser:
    return Recogniser(load_curriculum())


def closest_titles(candidates: Iterable[Candidate], count: int = 3) -> list[str]:
    """The titles worth suggesting: candidates close enough that share a word naming a subject with the request
    (not only "between" or "problem")."""
    return [
        candidate.entry.title
        for candidate in candidates
        if candidate.score >= SUGGEST and candidate.shared - _FUNCTION_WORDS - _TASK_WORDS
    ][:count]
