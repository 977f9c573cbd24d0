import pytest

from mathreel_scenelang.latex import UnsafeLatexError, check_latex


@pytest.mark.parametrize(
    "src",
    [
        r"a^2 + b^2 = c^2",
        r"\frac{d}{dx} x^n = n x^{n-1}",
        r"\int_0^1 x^2 \, dx = \frac{1}{3}",
        r"\sum_{k=1}^{n} k = \frac{n(n+1)}{2}",
        r"\lim_{h \to 0} \frac{f(x+h) - f(x)}{h}",
        r"\sqrt{2} \approx 1.414",
        r"\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}",
        r"f(x) = \begin{cases} x & x \geq 0 \\ -x & x < 0 \end{cases}",
        r"\alpha + \beta = \pi - \gamma",
        r"\left( \frac{a}{b} \right)^2 \neq \mathbb{R}",
        r"\text{area} = \pi r^2",
        r"50\% \text{ of } 10",
        r"\angle ABC = 90^\circ",
    ],
)
def test_accepts_common_math(src: str) -> None:
    assert check_latex(f"  {src} ") == src


@pytest.mark.parametrize(
    ("src", "reason"),
    [
        (r"\input{/etc/passwd}", "input"),
        (r"\include{secret}", "include"),
        (r"\openin5=/etc/passwd", "openin"),
        (r"\openout1=x.tex", "openout"),
        (r"\write18{rm -rf /}", "write"),
        (r"\immediate\write18{id}", "immediate"),
        (r"\read5 to \x", "read"),
        (r"\catcode`\^=7", "catcode"),
        (r"\def\x{1}", "def"),
        (r"\let\x\relax", "let"),
        (r"\csname input\endcsname", "csname"),
        (r"\newcommand{\x}{1}", "newcommand"),
        (r"\usepackage{shellesc}", "usepackage"),
        (r"\special{sh rm}", "special"),
        (r"\directlua{os.execute('id')}", "directlua"),
        (r"\expandafter\x", "expandafter"),
        (r"^^5cinput{/etc/passwd}", "^^"),
        (r"x % \end{align*}", "%"),
        (r"#1", "#"),
        (r"$x$", "$"),
        (r"x} \input{a} {", "unbalanced"),
        (r"\frac{1}{2", "unbalanced"),
        (r"\begin{verbatim}x\end{verbatim}", "verbatim"),
        (r"\begin {filecontents}", "filecontents"),
        ("x\\", "backslash"),
        ("a\x00b", "control"),
        ("", "empty"),
    ],
)
def test_rejects_injection(src: str, reason: str) -> None:
    with pytest.raises(UnsafeLatexError, match=r"not allowed|escaped|unbalanced|ends with|empty") as excinfo:
        check_latex(src)
    assert reason in str(excinfo.value)


def test_rejects_overlong_formula() -> None:
    with pytest.raises(UnsafeLatexError, match="longer"):
        check_latex("x+" * 300)


@pytest.mark.parametrize(
    ("typed", "latex"),
    [
        ("πr", r"\pi r"),
        ("60°", r"60^\circ"),
        ("x² + y²", "x^{2} + y^{2}"),
        ("a ≤ b", r"a \leq  b"),
        ("cos θ", r"\cos  \theta"),
        (r"\text{min value} = min x", r"\text{min value} = \min  x"),
    ],
)
def test_unicode_math_is_spelled_as_latex(typed: str, latex: str) -> None:
    assert check_latex(typed) == latex


def test_other_non_ascii_is_refused_before_latex_sees_it() -> None:
    with pytest.raises(UnsafeLatexError, match="cannot be set in a formula"):
        check_latex("x ∝ y ⊕ ℵ")
    assert check_latex(r"\text{café}") == r"\text{café}"


# --- one allowlist for both doors ------------------------------------------------------------------------------
# Commands that only make sense with what follows them; every other allowlisted command is tried on its own.
_NEEDS_CONTEXT = {"begin", "end", "left", "right", "middle"}


def test_the_script_door_and_the_renderer_accept_the_same_commands() -> None:
    from mathreel_scenelang.latex import ALLOWED_COMMANDS, safe_latex

    for name in sorted(ALLOWED_COMMANDS - _NEEDS_CONTEXT):
        formula = f"x \\{name} y"
        assert safe_latex(formula) == formula, name
        check_latex(formula)
    for name in ("input", "write", "catcode", "def", "immediate", "openout", "usepackage", "newcommand"):
        assert safe_latex(f"\\{name} x") is None
        with pytest.raises(UnsafeLatexError):
            check_latex(f"\\{name} x")


@pytest.mark.parametrize(
    "formula",
    [
        r"x \in \mathbb{R}",  # refused by the script service's former copy
        r"\varpi r^2",  # likewise
        r"\binom{n}{k} = {n \choose k}",  # refused by the renderer's former copy
        r"\left( \frac{a}{b} \right)",
        r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}",
        r"\sum_{i=1}^{n} i = \frac{n(n+1)}{2}",
    ],
)
def test_formulas_the_two_former_copies_disagreed_on_now_pass_both(formula: str) -> None:
    from mathreel_scenelang.latex import safe_latex

    assert safe_latex(formula) == formula
    assert check_latex(formula)


def test_whatever_the_script_door_accepts_the_renderer_accepts() -> None:
    from mathreel_scenelang.latex import safe_latex

    candidates = [r"a^2 + b^2 = c^2", r"\frac{1}{2}", r"\left[ x \right]", r"x \mapsto x^2", r"\text{area} = \pi r^2"]
    for formula in candidates:
        if safe_latex(formula) is not None:
            check_latex(formula)


def test_a_price_typesets_but_a_bare_dollar_sign_does_not() -> None:
    from mathreel_scenelang.latex import safe_latex

    assert safe_latex(r"\$80.00 \times 0.75 = \$60.00") == r"\$80.00 \times 0.75 = \$60.00"
    check_latex(r"\$80.00 \times 0.75 = \$60.00")
    # A bare one would leave math mode; an escaped backslash before it does not escape it.
    assert safe_latex(r"x $ \input{secret}") is None
    assert safe_latex(r"x = 5$") is None
    assert safe_latex(r"x \\$ y") is None
