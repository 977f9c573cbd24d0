"""Which part of a formula a highlight colours: the term itself, once, never a piece of a larger one.

A transform that highlights ``4`` in ``x^2 - 4 = 0,\\ x = 4`` means the answer, not the 4 of the equation, and ``10``
in ``\\sqrt{100} = 10`` means the result, not the start of 100. So a highlight colours the last occurrence of the
term that stands alone (no letter, digit or decimal point joined to it on either side, no script before it): the
value the step has just produced, which a formula writes last.
"""

from __future__ import annotations

import re

_JOINED = r"A-Za-z0-9."


def highlight_spans(latex: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where in ``latex`` each term's highlighted occurrence stands (terms with none, or overlapping an earlier
    term's, are left out)."""
    spans: list[tuple[int, int]] = []
    for term in terms:
        pattern = re.compile(rf"(?<![{_JOINED}^_\\]){re.escape(term)}(?![{_JOINED}])")
        found = [m.span() for m in pattern.finditer(latex)]
        if found and all(found[-1][1] <= start or end <= found[-1][0] for start, end in spans):
            spans.append(found[-1])
    return spans


def isolated_parts(latex: str, terms: list[str]) -> tuple[list[str], list[int]]:
    """``latex`` cut into consecutive parts so that each highlighted occurrence is a part of its own, and the
    indices of those parts. A term with no standalone occurrence is not highlighted."""
    spans = highlight_spans(latex, terms)
    parts: list[str] = []
    highlighted: list[int] = []
    position = 0
    for start, end in sorted(spans):
        if start > position:
            parts.append(latex[position:start])
        highlighted.append(len(parts))
        parts.append(latex[start:end])
        position = end
    if position < len(latex):
        parts.append(latex[position:])
    return parts, highlighted
