"""The gate between storyboard text and LaTeX.

Storyboards come from an LLM or a user, so their formulas are untrusted input to a Turing-complete macro language
that can read and write files. Rather than listing what is dangerous, this module lists what is allowed: every
control sequence must be a known math command, every environment a known math environment, and the characters
that let TeX change its own rules (``#``, ``%``, ``^^``, ``$``) are refused outright. The render subprocess also
runs TeX with file access and shell escape turned off, as a second line of defence.
"""

from __future__ import annotations

import re

_GREEK = """
alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi rho varrho
sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega
"""
_SYMBOLS = """
infty partial nabla forall exists nexists emptyset varnothing in notin ni subset subseteq supset supseteq cup cap
setminus wedge vee neg lnot land lor top bot angle measuredangle triangle square circ bullet cdot cdots ldots dots
vdots ddots times div pm mp ast star oplus otimes leq le geq ge neq ne approx equiv sim simeq cong propto ll gg
prec succ perp parallel mid nmid to gets rightarrow leftarrow leftrightarrow Rightarrow Leftarrow Leftrightarrow
implies iff mapsto longrightarrow longleftarrow Longrightarrow Longleftarrow uparrow downarrow nearrow searrow
prime hbar ell Re Im aleph wp therefore because colon
sum prod coprod int iint iiint oint bigcup bigcap bigoplus bigotimes
"""
_FUNCTIONS = """
sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh log ln lg exp lim limsup liminf min max sup inf det dim
gcd deg arg ker Pr mod bmod pmod
"""
_STRUCTURE = """
frac dfrac tfrac cfrac sqrt binom dbinom tbinom overline underline overbrace underbrace overrightarrow
overleftarrow widehat widetilde hat bar vec dot ddot tilde check breve acute grave boxed
left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr
mathbb mathrm mathbf mathit mathsf mathtt mathcal mathfrak boldsymbol text textbf textit textrm operatorname
displaystyle textstyle scriptstyle limits nolimits quad qquad
lbrace rbrace langle rangle lfloor rfloor lceil rceil vert Vert lvert rvert lVert rVert backslash
begin end
"""

ALLOWED_COMMANDS: frozenset[str] = frozenset((_GREEK + _SYMBOLS + _FUNCTIONS + _STRUCTURE).split())
ALLOWED_ENVIRONMENTS: frozenset[str] = frozenset(
    {"matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "cases", "aligned", "array", "smallmatrix"}
)
# Control symbols: spacing, escaped specials and the row separator.
ALLOWED_SYMBOLS: frozenset[str] = frozenset({",", ";", ":", "!", " ", "{", "}", "|", "\\", "%", "&", "_", "#", "$"})

_COMMAND = re.compile(r"\\([A-Za-z]+|.)", re.DOTALL)
_ENV_ARG = re.compile(r"\s*\{([A-Za-z*]+)\}")
_MAX_LENGTH = 400


class UnsafeLatexError(ValueError):
    """The LaTeX source uses something outside the allowlist, or is malformed in a way TeX could exploit."""


def check_latex(src: str) -> str:
    """Return ``src`` stripped if it only uses allowlisted LaTeX; raise :class:`UnsafeLatexError` otherwise."""
    text = src.strip()
    if not text:
        raise UnsafeLatexError("empty formula")
    if len(text) > _MAX_LENGTH:
        raise UnsafeLatexError(f"formula longer than {_MAX_LENGTH} characters")
    # ^^ lets TeX spell any character (^^5c is a backslash), which would smuggle commands past the scan below.
    if "^^" in text:
        raise UnsafeLatexError("'^^' character codes are not allowed")
    for ch in text:
        if ord(ch) < 32 and ch not in "\n\t":
            raise UnsafeLatexError("control characters are not allowed")

    depth = 0
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == "\\":
            match = _COMMAND.match(text, pos)
            if match is None:  # a lone trailing backslash
                raise UnsafeLatexError("formula ends with a backslash")
            name = match.group(1)
            pos = match.end()
            if len(name) == 1 and not name.isalpha():
                if name not in ALLOWED_SYMBOLS:
                    raise UnsafeLatexError(f"control symbol '\\{name}' is not allowed")
                continue
            if name not in ALLOWED_COMMANDS:
                raise UnsafeLatexError(f"command '\\{name}' is not allowed")
            if name in {"begin", "end"}:
                env = _ENV_ARG.match(text, pos)
                if env is None or env.group(1) not in ALLOWED_ENVIRONMENTS:
                    shown = env.group(1) if env else "?"
                    raise UnsafeLatexError(f"environment '{shown}' is not allowed")
                pos = env.end()
            continue
        if ch in "%#$":
            raise UnsafeLatexError(f"character '{ch}' must be escaped as '\\{ch}'")
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                # An unmatched brace would close the group the template opened around the formula.
                raise UnsafeLatexError("unbalanced '}'")
        pos += 1
    if depth != 0:
        raise UnsafeLatexError("unbalanced '{'")
    return text
