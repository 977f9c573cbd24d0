"""The gate between storyboard text and LaTeX: the one allowlist the script service and the renderer share.

Storyboards come from an LLM or a user, so their formulas are untrusted input to a Turing-complete macro language
that can read and write files. Rather than listing what is dangerous, this module lists what is allowed: every
control sequence must be a known math command, every environment a known math environment, and the characters
that let TeX change its own rules (``#``, ``%``, ``^^``, ``$``) are refused outright. The render subprocess also
runs TeX with file access and shell escape turned off, as a second line of defence.

Two doors use the same allowlist. :func:`check_latex` is the renderer's: it takes what a storyboard holds (Unicode
math spelled as commands first) and raises :class:`UnsafeLatexError` with the reason. :func:`safe_latex` is the
script service's, for formulas found in a user's context: stricter (short, ASCII, only matrix environments,
``\\left``/``\\right`` paired with delimiters), it returns ``None`` rather than a reason, and anything it accepts
:func:`check_latex` accepts too.
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
displaystyle textstyle scriptstyle limits nolimits quad qquad choose
lbrace rbrace langle rangle lfloor rfloor lceil rceil vert Vert lvert rvert lVert rVert backslash
begin end
"""

ALLOWED_COMMANDS: frozenset[str] = frozenset((_GREEK + _SYMBOLS + _FUNCTIONS + _STRUCTURE).split())
ALLOWED_ENVIRONMENTS: frozenset[str] = frozenset(
    {"matrix", "pmatrix", "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "cases", "aligned", "array", "smallmatrix"}
)
# Control symbols: spacing, escaped specials and the row separator.
ALLOWED_SYMBOLS: frozenset[str] = frozenset({",", ";", ":", "!", " ", "{", "}", "|", "\\", "%", "&", "_", "#", "$"})

# Unicode an author types for math (an LLM often does) → the LaTeX for it. The template's font encoding cannot set
# these characters in math mode, so without this they would fail late, inside LaTeX, with an unreadable log.
_GREEK_LETTERS = {
    chr(0x3B1 + i): name
    for i, name in enumerate(
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi o pi rho varsigma sigma tau upsilon "
        "phi chi psi omega".split()
    )
}
UNICODE_MATH: dict[str, str] = {
    **{ch: ("o" if name == "o" else f"\\{name} ") for ch, name in _GREEK_LETTERS.items()},
    "Γ": "\\Gamma ",
    "Δ": "\\Delta ",
    "Θ": "\\Theta ",
    "Λ": "\\Lambda ",
    "Ξ": "\\Xi ",
    "Π": "\\Pi ",
    "Σ": "\\Sigma ",
    "Φ": "\\Phi ",
    "Ψ": "\\Psi ",
    "Ω": "\\Omega ",
    "°": "^\\circ ",
    "×": "\\times ",
    "·": "\\cdot ",
    "⋅": "\\cdot ",
    "÷": "\\div ",
    "−": "-",
    "–": "-",
    "±": "\\pm ",
    "∓": "\\mp ",
    "≤": "\\leq ",
    "≥": "\\geq ",
    "≠": "\\neq ",
    "≈": "\\approx ",
    "≡": "\\equiv ",
    "∞": "\\infty ",
    "→": "\\to ",
    "⇒": "\\Rightarrow ",
    "⇔": "\\Leftrightarrow ",
    "∈": "\\in ",
    "∉": "\\notin ",
    "⊂": "\\subset ",
    "∪": "\\cup ",
    "∩": "\\cap ",
    "∅": "\\emptyset ",
    "∑": "\\sum ",
    "∏": "\\prod ",
    "∫": "\\int ",
    "∂": "\\partial ",
    "∇": "\\nabla ",
    "∠": "\\angle ",
    "⊥": "\\perp ",
    "∥": "\\parallel ",
    "√": "\\sqrt ",
    "…": "\\ldots ",
    "′": "'",
    "″": "''",
    "²": "^{2}",
    "³": "^{3}",
    "¹": "^{1}",
    "⁰": "^{0}",
    "ⁿ": "^{n}",
    "½": "\\tfrac{1}{2}",
    "¼": "\\tfrac{1}{4}",
}
_UNICODE = re.compile("|".join(re.escape(ch) for ch in sorted(UNICODE_MATH, key=len, reverse=True)))
# Function names an author writes as plain words ("cos θ"): set upright, as \cos, not as italic c·o·s.
_FUNCTION_WORD = re.compile(r"(?<![\\A-Za-z])(sin|cos|tan|log|ln|exp|lim|max|min)(?![A-Za-z])")

_COMMAND = re.compile(r"\\([A-Za-z]+|.)", re.DOTALL)
_ENV_ARG = re.compile(r"\s*\{([A-Za-z*]+)\}")
_MAX_LENGTH = 400


class UnsafeLatexError(ValueError):
    """The LaTeX source uses something outside the allowlist, or is malformed in a way TeX could exploit."""


def normalize_unicode(src: str) -> str:
    """``src`` with the Unicode math characters an author may type (θ, π, °, ², ≤ …) spelled as LaTeX, and bare
    function names (``cos``) as their commands; anything else outside ASCII is left for :func:`check_latex`."""
    text = _UNICODE.sub(lambda m: UNICODE_MATH[m.group(0)], src)
    return _FUNCTION_WORD.sub(
        lambda m: m.group(0) if _in_text_argument(text, m.start()) else "\\" + m.group(1) + " ", text
    ).strip()


def check_latex(src: str) -> str:
    """The LaTeX to typeset for ``src`` (stripped, Unicode math spelled as commands, see
    :func:`normalize_unicode`) if it only uses allowlisted LaTeX; raise :class:`UnsafeLatexError` otherwise."""
    # Spelling Unicode out only lengthens a formula, and its cost grows faster than its length: refuse first.
    if len(src.strip()) > _MAX_LENGTH:
        raise UnsafeLatexError(f"formula longer than {_MAX_LENGTH} characters")
    text = normalize_unicode(src)
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
        if ord(ch) > 127 and not _in_text_argument(text, pos):
            raise UnsafeLatexError(f"character '{ch}' cannot be set in a formula; write it as a LaTeX command")
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


def _in_text_argument(text: str, pos: int) -> bool:
    """Whether ``pos`` lies inside the braces of a ``\\text{...}`` (where accented letters are fine)."""
    for match in re.finditer(r"\\text(?:bf|it|rm)?\s*\{", text[:pos]):
        depth = 1
        for ch in text[match.end() : pos]:
            depth += {"{": 1, "}": -1}.get(ch, 0)
            if depth == 0:
                break
        if depth > 0:
            return True
    return False


# --- the script service's door: formulas from a user's context --------------------------------------------------
SAFE_LATEX_MAX_CHARS = 160
# Environments a context formula may open: matrices only.
SAFE_LATEX_ENVIRONMENTS = frozenset({"pmatrix", "bmatrix", "matrix"})
_SAFE_CHARS = re.compile(r"^[A-Za-z0-9\s+\-*/=<>()\[\]{}^_,.|!?':;&%$\\]*$")
# A percent sign typesets only escaped; a bare one starts a TeX comment that would swallow the rest. A dollar sign
# too: escaped it is a price ("\\$64.80"), bare it would leave math mode.
_BARE_PERCENT = re.compile(r"(?<!\\)(?:\\\\)*%")
_BARE_DOLLAR = re.compile(r"(?<!\\)(?:\\\\)*\$")
_ENVIRONMENT = re.compile(r"\\(?:begin|end)\s*\{([^}]*)\}")
_LEFT = re.compile(r"\\left(?![A-Za-z])")
_RIGHT = re.compile(r"\\right(?![A-Za-z])")
# \left and \right must each be followed by a delimiter, or TeX stops with an error.
_DELIMITED = re.compile(r"\\(?:left|right)\s*(?:[()\[\].|]|\\[{}|]|\\(?:langle|rangle|lfloor|rfloor|lceil|rceil|vert))")
_SAFE_SYMBOLS = frozenset({",", ";", "!", " ", "{", "}", "|", "\\", "%", "$"})


def safe_latex(candidate: str) -> str | None:
    """``candidate`` stripped, if it is short math-mode LaTeX that only typesets; ``None`` otherwise."""
    latex = " ".join(candidate.split())
    if not latex or len(latex) > SAFE_LATEX_MAX_CHARS or not _SAFE_CHARS.match(latex):
        return None
    # TeX reads ^^5c as a backslash: the classic way around a command filter.
    if "^^" in latex or latex.endswith(("^", "_", "\\")) or _BARE_PERCENT.search(latex) or _BARE_DOLLAR.search(latex):
        return None
    for match in _COMMAND.finditer(latex):
        name = match.group(1)
        if name not in ALLOWED_COMMANDS and name not in _SAFE_SYMBOLS:
            return None
    if any(env not in SAFE_LATEX_ENVIRONMENTS for env in _ENVIRONMENT.findall(latex)):
        return None
    if "&" in latex and "\\begin" not in latex:
        return None
    depth = 0
    for char in latex.replace("\\{", "").replace("\\}", ""):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return None
    if depth != 0 or len(_LEFT.findall(latex)) != len(_RIGHT.findall(latex)):
        return None
    if len(_DELIMITED.findall(latex)) != len(_LEFT.findall(latex)) * 2:
        return None
    if latex.count("\\begin") != latex.count("\\end"):
        return None
    try:
        check_latex(latex)
    except UnsafeLatexError:
        return None
    return latex
