"""The vocabulary of spoken math: how each symbol, operator, relation, function and accent is said."""

from __future__ import annotations

# --- vocabulary ------------------------------------------------------------------------------------------------
_GREEK = {
    name: name
    for name in (
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau "
        "upsilon phi chi psi omega"
    ).split()
}
_GREEK.update(
    {
        "varepsilon": "epsilon",
        "vartheta": "theta",
        "varpi": "pi",
        "varrho": "rho",
        "varsigma": "sigma",
        "varphi": "phi",
        "varkappa": "kappa",
    }
)
_GREEK.update(
    {name: f"capital {name.lower()}" for name in "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()}
)

_SYMBOLS = {
    "infty": "infinity",
    "partial": "partial",
    "nabla": "del",
    "emptyset": "the empty set",
    "varnothing": "the empty set",
    "ell": "l",
    "hbar": "h bar",
    "angle": "angle",
    "triangle": "triangle",
    "degree": "degrees",
    "forall": "for all",
    "exists": "there exists",
    "therefore": "therefore",
    "because": "because",
    "aleph": "aleph",
    "Re": "the real part of",
    "Im": "the imaginary part of",
}
_OPERATORS = {
    "pm": "plus or minus",
    "mp": "minus or plus",
    "times": "times",
    "cdot": "times",
    "ast": "times",
    "div": "divided by",
    "circ": "composed with",
    "cup": "union",
    "cap": "intersection",
    "setminus": "minus",
    "oplus": "direct sum",
    "otimes": "tensor",
    "wedge": "and",
    "land": "and",
    "vee": "or",
    "lor": "or",
    "neg": "not",
    "lnot": "not",
    "mid": "such that",
    "bmod": "mod",
    "mod": "mod",
}
_RELATIONS = {
    "le": "is less than or equal to",
    "leq": "is less than or equal to",
    "leqslant": "is less than or equal to",
    "ge": "is greater than or equal to",
    "geq": "is greater than or equal to",
    "geqslant": "is greater than or equal to",
    "ne": "is not equal to",
    "neq": "is not equal to",
    "approx": "is approximately equal to",
    "equiv": "is equivalent to",
    "sim": "is similar to",
    "simeq": "is approximately equal to",
    "cong": "is congruent to",
    "propto": "is proportional to",
    "in": "in",
    "notin": "is not in",
    "ni": "contains",
    "subset": "is a subset of",
    "subseteq": "is a subset of",
    "supset": "is a superset of",
    "supseteq": "is a superset of",
    "to": "tends to",
    "rightarrow": "tends to",
    "longrightarrow": "tends to",
    "mapsto": "maps to",
    "Rightarrow": "implies",
    "implies": "implies",
    "Longrightarrow": "implies",
    "iff": "if and only if",
    "Leftrightarrow": "if and only if",
    "Longleftrightarrow": "if and only if",
    "perp": "is perpendicular to",
    "parallel": "is parallel to",
    "ll": "is much less than",
    "gg": "is much greater than",
    "lt": "is less than",
    "gt": "is greater than",
    "coloneqq": "is defined as",
    "triangleq": "is defined as",
}
_FUNCTIONS = {
    "sin": "sine",
    "cos": "cosine",
    "tan": "tangent",
    "sec": "secant",
    "csc": "cosecant",
    "cot": "cotangent",
    "arcsin": "arc sine",
    "arccos": "arc cosine",
    "arctan": "arc tangent",
    "sinh": "hyperbolic sine",
    "cosh": "hyperbolic cosine",
    "tanh": "hyperbolic tangent",
    "log": "log",
    "lg": "log",
    "ln": "natural log",
    "exp": "the exponential of",
    "det": "the determinant of",
    "gcd": "the greatest common divisor of",
    "lcm": "the least common multiple of",
    "deg": "the degree of",
    "dim": "the dimension of",
    "ker": "the kernel of",
    "Pr": "the probability of",
    "arg": "the argument of",
}
# Hand-written math spells functions without a backslash: "sin(x)", "sqrt(2)".
_PLAIN_FUNCTIONS = {**_FUNCTIONS, "sqrt": "the square root of"}
# Function names that already end in "of" take their argument directly: "the determinant of A".
_FUNCTIONS_WITH_OF = frozenset(name for name, words in _PLAIN_FUNCTIONS.items() if words.endswith(" of"))
_BIG_OPERATORS = {
    "int": "integral",
    "iint": "double integral",
    "iiint": "triple integral",
    "oint": "contour integral",
    "sum": "sum",
    "prod": "product",
    "coprod": "coproduct",
    "bigcup": "union",
    "bigcap": "intersection",
    "lim": "limit",
    "limsup": "limit superior",
    "liminf": "limit inferior",
    "max": "maximum",
    "min": "minimum",
    "sup": "supremum",
    "inf": "infimum",
    "argmax": "arg max",
    "argmin": "arg min",
}
_OVER_SUBSCRIPT = frozenset({"max", "min", "sup", "inf", "argmax", "argmin", "bigcup", "bigcap"})
_AS_SUBSCRIPT = frozenset({"lim", "limsup", "liminf"})
_ACCENTS_BEFORE = {"vec": "vector", "overrightarrow": "vector"}
_ACCENTS_AFTER = {
    "hat": "hat",
    "widehat": "hat",
    "bar": "bar",
    "overline": "bar",
    "dot": "dot",
    "ddot": "double dot",
    "tilde": "tilde",
    "widetilde": "tilde",
}
_FONTS = frozenset(
    "mathbb mathbf mathrm mathit mathcal mathsf mathfrak mathscr boldsymbol bm underline textbf textit emph".split()
)
_TEXTS = frozenset({"text", "textrm", "mbox", "textnormal", "operatorname"})
_FRACTIONS = frozenset({"frac", "dfrac", "tfrac", "cfrac"})
_BINOMIALS = frozenset({"binom", "dbinom", "tbinom"})
_DOTS = frozenset({"ldots", "cdots", "dots", "vdots", "ddots", "dotsc", "dotsb"})
# Spacing, sizing and bookkeeping commands: nothing to say. (Their arguments, if any, are parsed and dropped.)
_SILENT = frozenset(
    {",", ";", ":", "!", " ", "\\", "cr"}
    | set(
        "quad qquad left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr middle displaystyle textstyle "
        "scriptstyle limits nolimits label nonumber notag mathstrut strut phantom hphantom vphantom hfill".split()
    )
)
_OPENERS = {"(": "", "[": "", "langle": "", "lfloor": "the floor of", "lceil": "the ceiling of"}
_CLOSERS = frozenset({")", "]", "}", "rangle", "rfloor", "rceil"})
_BARS = frozenset({"vert", "lvert", "rvert"})
_NORMS = frozenset({"Vert", "lVert", "rVert", "|"})
_FUNCTION_LETTERS = frozenset("fghFGH")
_DIGIT_WORDS = "zero one two three four five six seven eight nine ten".split()
_DENOMINATORS = {
    2: ("half", "halves"),
    3: ("third", "thirds"),
    4: ("quarter", "quarters"),
    5: ("fifth", "fifths"),
    6: ("sixth", "sixths"),
    7: ("seventh", "sevenths"),
    8: ("eighth", "eighths"),
    9: ("ninth", "ninths"),
    10: ("tenth", "tenths"),
}
_ROOT_ORDINALS = {"2": "square", "3": "cube", "4": "fourth", "5": "fifth", "6": "sixth", "n": "n-th"}

_PLAIN_CHARACTERS = {
    "+": ("op", "plus"),
    "-": ("op", "minus"),
    "−": ("op", "minus"),
    "*": ("op", "times"),
    "×": ("op", "times"),
    "·": ("op", "times"),
    "÷": ("op", "divided by"),
    "/": ("op", "over"),
    "±": ("op", "plus or minus"),
    "=": ("rel", "equals"),
    "<": ("rel", "is less than"),
    ">": ("rel", "is greater than"),
    "≤": ("rel", "is less than or equal to"),
    "≥": ("rel", "is greater than or equal to"),
    "≠": ("rel", "is not equal to"),
    "≈": ("rel", "is approximately equal to"),
    "→": ("rel", "tends to"),
    "∈": ("rel", "in"),
    "!": ("postfix", "factorial"),
    "%": ("postfix", "percent"),
    ",": ("punct", ","),
    ";": ("punct", ","),
    ":": ("punct", ","),
    "∞": ("ident", "infinity"),
    "π": ("ident", "pi"),
    "θ": ("ident", "theta"),
    "α": ("ident", "alpha"),
    "β": ("ident", "beta"),
    "λ": ("ident", "lambda"),
    "Δ": ("ident", "capital delta"),
    "√": ("prefix", "the square root of"),
    "∑": ("bigop", "sum"),
    "∫": ("bigop", "integral"),
}
_SUPERSCRIPT_DIGITS = {"²": "2", "³": "3", "¹": "1", "⁰": "0", "⁴": "4", "ⁿ": "n"}
