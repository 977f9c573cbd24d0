"""The reader: a LaTeX node tree grouped into terms and read aloud with the conventions of spoken math."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from pylatexenc import macrospec
from pylatexenc.latexwalker import (
    LatexCharsNode,
    LatexCommentNode,
    LatexEnvironmentNode,
    LatexGroupNode,
    LatexMacroNode,
    LatexMathNode,
    LatexNode,
    LatexSpecialsNode,
    get_default_latex_context_db,
)

from mathreel_scenelang.mathspeech.words import (
    _ACCENTS_AFTER,
    _ACCENTS_BEFORE,
    _AS_SUBSCRIPT,
    _BARS,
    _BIG_OPERATORS,
    _BINOMIALS,
    _CLOSERS,
    _DENOMINATORS,
    _DIGIT_WORDS,
    _DOTS,
    _FONTS,
    _FRACTIONS,
    _FUNCTION_LETTERS,
    _FUNCTIONS,
    _FUNCTIONS_WITH_OF,
    _GREEK,
    _NORMS,
    _OPENERS,
    _OPERATORS,
    _OVER_SUBSCRIPT,
    _PLAIN_CHARACTERS,
    _PLAIN_FUNCTIONS,
    _RELATIONS,
    _ROOT_ORDINALS,
    _SILENT,
    _SUPERSCRIPT_DIGITS,
    _SYMBOLS,
    _TEXTS,
)

# A bracketed superscript on these letters counts derivatives: f^{(4)} is the fourth derivative of f.
_DERIVATIVE_BASES = frozenset("fghyFGH")
_ORDINALS = {
    "1": "first",
    "2": "second",
    "3": "third",
    "4": "fourth",
    "5": "fifth",
    "6": "sixth",
    "7": "seventh",
    "8": "eighth",
    "9": "ninth",
    "10": "tenth",
    "k": "k-th",
    "n": "n-th",
}

# --- the tree the reader works on -----------------------------------------------------------------------------
_Kind = Literal[
    "ident", "num", "op", "rel", "open", "close", "bar", "func", "bigop", "text", "prime", "punct", "postfix", "prefix"
]


@dataclass
class _Tok:
    kind: _Kind
    words: str
    # The source spelling, for decisions the words cannot make ("d" of a derivative, "e" of an exponential).
    raw: str = ""


@dataclass
class _Script:
    superscript: bool
    items: list[_Item]


@dataclass
class _Frac:
    numerator: list[_Item]
    denominator: list[_Item]
    binomial: bool = False


@dataclass
class _Root:
    index: list[_Item] | None
    body: list[_Item]


@dataclass
class _Accent:
    words: str
    body: list[_Item]
    before: bool


@dataclass
class _Table:
    environment: str
    rows: list[list[list[_Item]]]


@dataclass
class _Group:
    items: list[_Item]


_Item = _Tok | _Script | _Frac | _Root | _Accent | _Table | _Group


@dataclass
class _Paren:
    opener: _Tok
    items: list[_Item]


@dataclass
class _Term:
    base: _Item | _Paren
    sub: list[_Item] | None = None
    sup: list[_Item] | None = None
    primes: int = 0
    extra: list[_Script] = field(default_factory=list)


_ARROWS = frozenset({"to", "rightarrow", "longrightarrow"})


def _one_side(term: _Term, previous: _Term | None) -> str | None:
    """ "left" or "right" when ``term`` is the target of an arrow with a lone sign as its exponent (``\\to a^-``)."""
    if previous is None or not isinstance(previous.base, _Tok) or previous.base.raw not in _ARROWS:
        return None
    if term.sup is None or len(term.sup) != 1 or not isinstance(term.sup[0], _Tok):
        return None
    return {"-": "left", "+": "right"}.get(term.sup[0].raw)


# --- parsing ----------------------------------------------------------------------------------------------------
def _latex_context() -> macrospec.LatexContextDb:
    db = get_default_latex_context_db()
    one = macrospec.MacroStandardArgsParser("{")
    db.add_context_category(
        "mathreel-math",
        prepend=True,
        specials=[macrospec.SpecialsSpec("^", args_parser=one), macrospec.SpecialsSpec("_", args_parser=one)],
        macros=[
            macrospec.MacroSpec("sqrt", "[{"),
            *(macrospec.MacroSpec(name, "{{") for name in _FRACTIONS | _BINOMIALS),
            *(macrospec.MacroSpec(name, "{") for name in _FONTS | _TEXTS | set(_ACCENTS_BEFORE) | set(_ACCENTS_AFTER)),
            macrospec.MacroSpec("operatorname", "*{"),
            *(macrospec.MacroSpec(name, "{") for name in ("label", "phantom", "hphantom", "vphantom")),
        ],
        environments=[macrospec.EnvironmentSpec("array", "{"), macrospec.EnvironmentSpec("aligned", "[")],
    )
    return db


_CONTEXT = _latex_context()


class _Reader:
    """Turns pylatexenc nodes into the small item tree, then into words."""

    def __init__(self, letters: Mapping[str, str]) -> None:
        self._letters = letters
        self._in_limit = False  # reading a limit's subscript, where an arrow "tends to"

    # nodes -> items
    def items(self, nodes: Sequence[LatexNode | None]) -> list[_Item]:
        out: list[_Item] = []
        for node in nodes:
            if node is None or isinstance(node, LatexCommentNode):
                continue
            if isinstance(node, LatexCharsNode):
                out.extend(self._chars(node.chars))
            elif isinstance(node, LatexGroupNode):
                out.append(_Group(self.items(node.nodelist)))
            elif isinstance(node, LatexMathNode):
                out.extend(self.items(node.nodelist))
            elif isinstance(node, LatexSpecialsNode):
                out.extend(self._specials(node))
            elif isinstance(node, LatexMacroNode):
                out.extend(self._macro(node))
            elif isinstance(node, LatexEnvironmentNode):
                out.append(self._environment(node))
        return out

    def _args(self, node: LatexMacroNode | LatexSpecialsNode) -> list[LatexNode | None]:
        argd = node.nodeargd
        return list(argd.argnlist) if argd is not None and argd.argnlist else []

    def _arg_items(self, arg: LatexNode | None) -> list[_Item]:
        if arg is None:
            return []
        if isinstance(arg, LatexGroupNode):
            return self.items(arg.nodelist)
        return self.items([arg])

    def _letter(self, ch: str) -> _Tok:
        return _Tok("ident", self._letters.get(ch, ch), raw=ch)

    def _chars(self, chars: str) -> list[_Item]:
        out: list[_Item] = []
        i = 0
        while i < len(chars):
            ch = chars[i]
            if ch.isspace():
                i += 1
            elif ch in "0123456789" or (ch == "." and chars[i + 1 : i + 2] in tuple("0123456789")):
                match = re.match(r"[0-9]*\.?[0-9]+", chars[i:])
                assert match is not None
                out.append(_Tok("num", match.group(), raw=match.group()))
                i += match.end()
            elif ch.isascii() and ch.isalpha():
                word = re.match(r"[A-Za-z]+", chars[i:])
                assert word is not None
                name = word.group()
                # Unbackslashed "sin", "log"... are common in hand-written math; single letters are variables.
                if name in _PLAIN_FUNCTIONS:
                    out.append(_Tok("func", _PLAIN_FUNCTIONS[name], raw=name))
                    i += len(name)
                else:
                    out.append(self._letter(ch))
                    i += 1
            elif ch == "'":
                out.append(_Tok("prime", "prime"))
                i += 1
            elif ch in "([":
                out.append(_Tok("open", "", raw=ch))
                i += 1
            elif ch in ")]":
                out.append(_Tok("close", "", raw=ch))
                i += 1
            elif ch == "|":
                out.append(_Tok("bar", "", raw="|"))
                i += 1
            elif ch in _SUPERSCRIPT_DIGITS:
                out.append(_Script(True, [_Tok("num", _SUPERSCRIPT_DIGITS[ch], raw=_SUPERSCRIPT_DIGITS[ch])]))
                i += 1
            elif ch in _PLAIN_CHARACTERS:
                kind, words = _PLAIN_CHARACTERS[ch]
                out.append(_Tok(kind, words, raw=ch))  # type: ignore[arg-type]
                i += 1
            else:
                # Anything else (letters of other alphabets) is passed through for the engine to read.
                if ch.isalpha():
                    out.append(_Tok("ident", ch, raw=ch))
                i += 1
        return out

    def _specials(self, node: LatexSpecialsNode) -> list[_Item]:
        chars = node.specials_chars
        if chars in ("^", "_"):
            args = self._args(node)
            return [_Script(chars == "^", self._arg_items(args[0] if args else None))]
        if chars == "&":
            return [_Tok("punct", ",")]
        if chars == "~":
            return []
        return self._chars(chars)

    def _macro(self, node: LatexMacroNode) -> list[_Item]:
        name = node.macroname
        args = self._args(node)
        if name in _SILENT:
            return []
        if name in _GREEK:
            return [_Tok("ident", _GREEK[name], raw=name)]
        if name in _SYMBOLS:
            return [_Tok("ident", _SYMBOLS[name], raw=name)]
        if name == "prime":
            return [_Tok("prime", "prime")]
        if name in _OPERATORS:
            return [_Tok("op", _OPERATORS[name], raw=name)]
        if name in _RELATIONS:
            return [_Tok("rel", _RELATIONS[name], raw=name)]
        if name in _FUNCTIONS:
            return [_Tok("func", _FUNCTIONS[name], raw=name)]
        if name in _BIG_OPERATORS:
            return [_Tok("bigop", _BIG_OPERATORS[name], raw=name)]
        if name in _DOTS:
            return [_Tok("ident", "dot dot dot", raw=name)]
        if name in _FRACTIONS | _BINOMIALS:
            first, second = [*args, None, None][:2]
            return [_Frac(self._arg_items(first), self._arg_items(second), binomial=name in _BINOMIALS)]
        if name == "sqrt":
            index, body = [*args, None, None][:2]
            return [_Root(self._arg_items(index) if index is not None else None, self._arg_items(body))]
        if name in _ACCENTS_BEFORE:
            return [_Accent(_ACCENTS_BEFORE[name], self._arg_items(args[0] if args else None), before=True)]
        if name in _ACCENTS_AFTER:
            return [_Accent(_ACCENTS_AFTER[name], self._arg_items(args[0] if args else None), before=False)]
        if name in _TEXTS:
            words = " ".join(arg.latex_verbatim().strip("{} ") for arg in args if arg is not None)
            kind: _Kind = "func" if name == "operatorname" else "text"
            return [_Tok(kind, words, raw=name)]
        if name in _FONTS:
            return [_Group(self._arg_items(args[-1] if args else None))]
        if name in _OPENERS:
            return [_Tok("open", _OPENERS[name], raw=name)]
        if name in _CLOSERS:
            return [_Tok("close", "", raw=name)]
        if name in ("{", "}"):
            return [_Tok("open", "the set", raw=name) if name == "{" else _Tok("close", "", raw=name)]
        if name in _BARS:
            return [_Tok("bar", "", raw="|")]
        if name in _NORMS:
            return [_Tok("bar", "", raw="||")]
        if name in ("%", "$", "#", "_"):
            return self._chars("%" if name == "%" else "")
        # An unknown command is most likely a named symbol: its name is the best guess at how to say it.
        return [_Tok("ident", name, raw=name)]

    def _environment(self, node: LatexEnvironmentNode) -> _Table:
        rows: list[list[list[_Item]]] = [[[]]]
        for child in node.nodelist:
            if isinstance(child, LatexMacroNode) and child.macroname == "\\":
                rows.append([[]])
            elif isinstance(child, LatexSpecialsNode) and child.specials_chars == "&":
                rows[-1].append([])
            else:
                rows[-1][-1].extend(self.items([child]))
        rows = [row for row in rows if any(cell for cell in row)]
        return _Table(node.environmentname.rstrip("*"), rows)

    # items -> words
    def speak(self, items: list[_Item]) -> str:
        return _tidy(self._read(items)[0])

    def _read(self, items: list[_Item]) -> tuple[str, bool]:
        """Words for ``items`` and whether they are compound (several spoken terms, which need grouping)."""
        terms = _terms(items)
        pieces = self._speak_terms(terms)
        lone_structure = len(terms) == 1 and isinstance(terms[0].base, _Frac | _Root | _Table)
        return " ".join(pieces), len(pieces) > 1 or lone_structure

    def _speak_terms(self, terms: list[_Term]) -> list[str]:
        pieces: list[str] = []
        i = 0
        while i < len(terms):
            term = terms[i]
            following = terms[i + 1] if i + 1 < len(terms) else None
            consumed, words = self._speak_term(term, following, previous=terms[i - 1] if i else None)
            if pieces and pieces[-1] == "tends to":
                if _one_side(term, terms[i - 1]):
                    pieces[-1] = "approaches"
                elif not self._in_limit and not (isinstance(term.base, _Tok) and term.base.raw == "infty"):
                    # Outside a limit an arrow is a mapping, (x, y) -> (-y, x): a point goes somewhere.
                    pieces[-1] = "goes to"
            pieces.append(words)
            i += 1 + consumed
        return pieces

    def _speak_term(self, term: _Term, following: _Term | None, previous: _Term | None) -> tuple[int, str]:
        """Words for one term; the int says how many following terms were read with it (an argument)."""
        base = term.base
        more = following is not None
        if isinstance(base, _Tok) and base.kind == "bigop":
            return 0, self._big_operator(base, term, more)
        if isinstance(base, _Tok) and base.kind == "func":
            return self._function(base, term, following)
        if isinstance(base, _Paren):
            return 0, self._paren(base, term, previous, more)
        if isinstance(base, _Frac):
            words = self._fraction(base, more)
        elif isinstance(base, _Root):
            words = self._root(base, more)
        elif isinstance(base, _Accent):
            body = self.speak(base.body)
            words = f"{base.words} {body}" if base.before else f"{body} {base.words}"
        elif isinstance(base, _Table):
            words = self._table(base)
        elif isinstance(base, _Group):
            words, compound = self._read(base.items)
            if compound and term.sup is not None:
                words = f"the quantity {words},"
        elif isinstance(base, _Tok):
            words = base.words
        else:
            words = ""  # scripts are attached to a base by _terms and never stand as one
        # A function letter, or anything primed, followed by parentheses is an application: "f of x".
        applies = (
            isinstance(base, _Tok)
            and base.kind == "ident"
            and (base.raw in _FUNCTION_LETTERS or term.primes > 0)
            and following is not None
            and isinstance(following.base, _Paren)
            and following.base.opener.raw == "("
        )
        side = _one_side(term, previous)
        if side:
            # "x \to a^-": a one-sided approach, "x approaches a from the left", never "a to the power minus".
            return 0, f"{self._scripts(words, replace(term, sup=None), more)} from the {side}"
        words = self._scripts(words, term, more and not applies, base_raw=getattr(base, "raw", ""))
        if applies:
            assert following is not None
            assert isinstance(following.base, _Paren)
            argument = self._paren(following.base, following, previous=None, more=True, applied=True)
            # f^{(n)}(0) is the n-th derivative of f taken at 0, not a function applied to 0.
            joiner = "at" if _derivative_order(term, getattr(base, "raw", "")) else "of"
            return 1, f"{words} {joiner} {argument}"
        return 0, words

    def _scripts(self, words: str, term: _Term, more: bool, base_raw: str = "") -> str:
        if term.sub is not None:
            sub, compound = self._read(term.sub)
            single_digit = len(term.sub) == 1 and isinstance(term.sub[0], _Tok) and term.sub[0].raw.isdigit()
            if single_digit and len(sub) == 1:
                words = f"{words} {_DIGIT_WORDS[int(sub)]}"
            else:
                words = f"{words} sub {sub}" + ("," if compound and (more or term.sup) else "")
        if term.primes:
            words = f"{words} {('prime', 'double prime', 'triple prime')[min(term.primes, 3) - 1]}"
        order = _derivative_order(term, base_raw)
        if order:
            return f"the {order} derivative of {words}"
        if term.sup is not None:
            words = f"{words} {self._power(term.sup, more, base_raw)}"
        return words

    def _power(self, sup: list[_Item], more: bool, base_raw: str) -> str:
        raw = _raw(sup)
        if raw == "2":
            return "squared"
        if raw == "3":
            return "cubed"
        if raw in ("circ", "degree"):
            return "degrees"
        if raw in ("*", "ast", "star"):
            return "star"  # x_i^*: a chosen point, not a power
        if raw == "T" and base_raw.isupper():
            return "transpose"
        if raw == "-1" and base_raw in _FUNCTION_LETTERS:
            return "inverse"
        if all(isinstance(item, _Tok) and item.kind == "prime" for item in sup):
            return " ".join("prime" for _ in sup)
        words, compound = self._read(sup)
        lead = "to the" if base_raw == "e" else "to the power"
        return f"{lead} {words}" + ("," if more and compound else "")

    def _big_operator(self, token: _Tok, term: _Term, more: bool) -> str:
        words = f"the {token.words}"
        self._in_limit = token.raw in _AS_SUBSCRIPT
        try:
            lower = self.speak(term.sub) if term.sub is not None else None
        finally:
            self._in_limit = False
        upper = self.speak(term.sup) if term.sup is not None else None
        if token.raw in _AS_SUBSCRIPT:
            words += f" as {lower}" if lower else ""
        elif token.raw in _OVER_SUBSCRIPT:
            words += f" over {lower}" if lower else ""
        elif lower and upper:
            words += f" from {lower} to {upper}"
        elif lower:
            words += f" over {lower}"
        return words + (" of" if more else "")

    def _function(self, token: _Tok, term: _Term, following: _Term | None) -> tuple[int, str]:
        words = token.words
        name = words.removesuffix(" of")
        if term.sub is not None:
            words = f"{name} base {self.speak(term.sub)}"
        if term.sup is not None:
            raw = _raw(term.sup)
            if raw == "-1":
                words = f"inverse {words}"
            else:
                words = f"{words} {self._power(term.sup, True, token.raw)}"
        joiner = "" if token.raw in _FUNCTIONS_WITH_OF and term.sub is None and term.sup is None else " of"
        if following is None:
            return 0, words.removesuffix(" of")
        if token.raw in _FUNCTIONS_WITH_OF and not words.endswith(" of"):
            words = f"{words} of"
            joiner = ""
        if isinstance(following.base, _Paren) and following.sub is None and following.sup is None:
            return 1, f"{words}{joiner} {self._paren(following.base, following, None, True, applied=True)}"
        if _is_value(following) and not isinstance(following.base, _Paren):
            # "\sin x": the next value is the argument, read with the function so it groups as one term.
            _, argument = self._speak_term(following, None, previous=None)
            return 1, f"{words}{joiner} {argument}"
        return 0, f"{words}{joiner}"

    def _paren(self, paren: _Paren, term: _Term, previous: _Term | None, more: bool, applied: bool = False) -> str:
        content, compound = self._read(paren.items)
        opener = paren.opener
        if opener.raw == "|":
            words = f"the absolute value of {content}" + ("," if compound and more else "")
        elif opener.raw == "||":
            words = f"the norm of {content}" + ("," if compound and more else "")
        elif opener.words:
            words = f"{opener.words} {content}" + ("," if compound and more else "")
        elif compound and (term.sup is not None or term.sub is not None):
            words = f"the quantity {content},"
        elif compound and not applied and previous is not None and _is_value(previous):
            words = f"times the quantity {content}" + ("," if more else "")
        elif compound and applied and more:
            words = f"{content},"
        else:
            words = content
        return self._scripts(words, term, more)

    def _fraction(self, frac: _Frac, more: bool) -> str:
        (top, top_compound), (bottom, bottom_compound) = self._read(frac.numerator), self._read(frac.denominator)
        if frac.binomial:
            return f"{top} choose {bottom}"
        top_raw, bottom_raw = _raw(frac.numerator), _raw(frac.denominator)
        if _is_differential(frac.numerator) and _is_differential(frac.denominator):
            leibniz = f"{top} by {bottom}"
            return leibniz + (" of" if more and top_raw in ("d", "partial") else "")
        if top_raw.isdigit() and bottom_raw.isdigit() and 0 < int(top_raw) <= 10 and int(bottom_raw) in _DENOMINATORS:
            singular, plural = _DENOMINATORS[int(bottom_raw)]
            count = int(top_raw)
            return f"{_DIGIT_WORDS[count]} {singular if count == 1 else plural}"
        # A phrase that already opens with "the" ("the square root of x") only needs the pause.
        top_words = (f"{top}," if top.startswith("the ") else f"the quantity {top},") if top_compound else top
        bottom_words = f"the quantity {bottom}" + ("," if more else "") if bottom_compound else bottom
        return f"{top_words} over {bottom_words}"

    def _root(self, root: _Root, more: bool) -> str:
        body, compound = self._read(root.body)
        index = _raw(root.index) if root.index else "2"
        kind = _ROOT_ORDINALS.get(index) or f"{self.speak(root.index or [])}-th"
        return f"the {kind} root of {body}" + ("," if more and compound else "")

    def _table(self, table: _Table) -> str:
        rows = [", ".join(self.speak(cell) for cell in row if cell) for row in table.rows]
        if table.environment.endswith("matrix") or table.environment == "array":
            lead = "the determinant of the matrix" if table.environment == "vmatrix" else "the matrix"
            return f"{lead} with rows: " + "; ".join(rows) + ";"
        return "; ".join(rows) + ";"


def _derivative_order(term: _Term, base_raw: str) -> str:
    """The order of a derivative written as a bracketed superscript on a function ("f^{(n)}", "y^{(4)}"), as an
    ordinal ("n-th", "fourth"); "" when the superscript is a power."""
    found = re.fullmatch(r"\((\w{1,2})\)", _raw(term.sup))
    if found is None or base_raw not in _DERIVATIVE_BASES:
        return ""
    order = found.group(1)
    return _ORDINALS.get(order) or f"{order}-th"


def _raw(items: Sequence[_Item] | None) -> str:
    """The source spelling of a run of plain tokens ("" if it holds structure), e.g. "-1" or "dx"."""
    if not items:
        return ""
    parts: list[str] = []
    for item in items:
        if isinstance(item, _Group):
            parts.append(_raw(item.items))
        elif isinstance(item, _Tok):
            parts.append(item.raw)
        else:
            return ""
    return "".join(parts)


def _is_differential(items: list[_Item]) -> bool:
    first = items[0] if items else None
    if isinstance(first, _Script) or first is None:
        return False
    return isinstance(first, _Tok) and first.raw in ("d", "partial")


def _is_value(term: _Term) -> bool:
    base = term.base
    if isinstance(base, _Tok):
        return base.kind in ("ident", "num")
    return isinstance(base, _Paren | _Frac | _Root | _Accent | _Group)


def _terms(items: list[_Item]) -> list[_Term]:
    """Group items into terms: parentheses matched, scripts and primes attached to what they decorate."""
    terms: list[_Term] = []
    i = 0
    while i < len(items):
        item = items[i]
        if isinstance(item, _Tok) and item.kind in ("open", "bar"):
            end = _matching(items, i)
            terms.append(_Term(_Paren(item, items[i + 1 : end])))
            i = end + 1
            continue
        if isinstance(item, _Script) and terms:
            last = terms[-1]
            slot = "sup" if item.superscript else "sub"
            if getattr(last, slot) is None:
                setattr(last, slot, item.items)
            else:
                last.extra.append(item)
        elif isinstance(item, _Tok) and item.kind == "prime" and terms:
            terms[-1].primes += 1
        elif isinstance(item, _Script):
            # A script with nothing before it ("{}^{14}C") decorates an empty base.
            empty = _Term(_Group([]))
            empty.sup, empty.sub = (item.items, None) if item.superscript else (None, item.items)
            terms.append(empty)
        elif isinstance(item, _Tok) and item.kind == "close":
            pass  # an unmatched closer says nothing
        else:
            terms.append(_Term(item))
        i += 1
    return terms


def _matching(items: list[_Item], start: int) -> int:
    """Index of the closer of the group opened at ``start`` (or the end, if the LaTeX left it open)."""
    opener = items[start]
    assert isinstance(opener, _Tok)
    if opener.kind == "bar":
        for j in range(start + 1, len(items)):
            other = items[j]
            if isinstance(other, _Tok) and other.kind == "bar" and other.raw == opener.raw:
                return j
        return len(items)
    depth = 0
    for j in range(start, len(items)):
        other = items[j]
        if isinstance(other, _Tok) and other.kind == "open":
            depth += 1
        elif isinstance(other, _Tok) and other.kind == "close":
            depth -= 1
            if depth == 0:
                return j
    return len(items)


def _tidy(words: str) -> str:
    words = re.sub(r"\s+", " ", words)
    words = re.sub(r"\s+([,;:])", r"\1", words)
    words = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", words)
    return words.strip(" ,;:")


# --- public -------------------------------------------------------------------------------------------------------
