import pytest

from mathreel_scenelang.mathspeech import latex_to_speech, narration_to_speech

LATEX_CASES = [
    (r"a^2 + b^2 = c^2", "a squared plus b squared equals c squared"),
    (r"\frac{a}{b}", "a over b"),
    (r"\sqrt{x}", "the square root of x"),
    (r"\sqrt[3]{8} = 2", "the cube root of 8 equals 2"),
    (r"x^3", "x cubed"),
    (r"x^n", "x to the power n"),
    (r"x^{n+1} - 1", "x to the power n plus 1, minus 1"),
    (r"\int_a^b f(x)\,dx", "the integral from a to b of f of x d x"),
    (r"\sum_{k=1}^{n} k^2", "the sum from k equals 1 to n of k squared"),
    (r"\lim_{x \to 0} \frac{\sin x}{x} = 1", "the limit as x tends to 0 of sine of x over x equals 1"),
    (r"\lim_{x \to 2^-} f(x) = 3", "the limit as x approaches 2 from the left of f of x equals 3"),
    (r"\lim_{x \to 0^{+}} \frac{1}{x}", "the limit as x approaches 0 from the right of 1 over x"),
    (r"x \rightarrow a^-", "x approaches a from the left"),
    # Working modulo n: congruent, modulo, divides (not "equivalent", "m o d", "such that").
    (
        r"a \equiv b \ (\mathrm{mod}\ n) \iff n \mid a - b",
        "a is congruent to b modulo n if and only if n divides a minus b",
    ),
    (r"17 \equiv 3 \pmod{7}", "17 is congruent to 3 modulo 7"),
    # A function in upright letters is that function, not a word times a quantity.
    (
        r"\mathrm{gcd}(a, b) = \mathrm{gcd}(b, r)",
        "the greatest common divisor of a, b, equals the greatest common divisor of b, r",
    ),
    (r"f(x_i^*) = x_i^{\ast}", "f of x sub i star equals x sub i star"),  # a chosen point, not a power
    # Outside a limit an arrow maps one thing to another: "tends to" is for limits and infinity.
    (r"(x, y) \to (-y, x)", "x, y goes to minus y, x"),
    (r"\alpha + \beta = \gamma", "alpha plus beta equals gamma"),
    (r"\Delta x", "capital delta x"),
    (r"\pi r^2", "pi r squared"),
    (r"x \to \infty", "x tends to infinity"),
    (r"a \le b", "a is less than or equal to b"),
    (r"a \ge b", "a is greater than or equal to b"),
    (r"a \ne b", "a is not equal to b"),
    (r"a \cdot b = a \times b", "a times b equals a times b"),
    (r"x_1 + x_2", "x one plus x two"),
    (r"a_{n+1} = 2 a_n", "a sub n plus 1, equals 2 a sub n"),
    (r"f'(x)", "f prime of x"),
    (r"f''(x)", "f double prime of x"),
    (r"\frac{dy}{dx}", "d y by d x"),
    (r"\frac{d}{dx} x^n = n x^{n-1}", "d by d x of x to the power n equals n x to the power n minus 1"),
    (r"\frac{\partial f}{\partial x}", "partial f by partial x"),
    (r"e^{i\pi}", "e to the i pi"),
    (r"e^{i\pi} + 1 = 0", "e to the i pi, plus 1 equals 0"),
    (r"\frac{1}{2}", "one half"),
    (r"\frac{3}{4}", "three quarters"),
    (r"\frac{a+b}{2}", "the quantity a plus b, over 2"),
    (r"\frac{1}{x+1} + 1", "1 over the quantity x plus 1, plus 1"),
    (r"(a+b)^2 = a^2 + 2ab + b^2", "the quantity a plus b, squared equals a squared plus 2 a b plus b squared"),
    (r"\left( \frac{a}{b} \right)^2", "the quantity a over b, squared"),
    (r"2(x+1)", "2 times the quantity x plus 1"),
    (r"\sin^2 x + \cos^2 x = 1", "sine squared of x plus cosine squared of x equals 1"),
    (r"\log_2 8 = 3", "log base 2 of 8 equals 3"),
    (r"|x|", "the absolute value of x"),
    (r"\binom{n}{k}", "n choose k"),
    (r"\vec{v} \cdot \vec{w}", "vector v times vector w"),
    (r"\bar{x}", "x bar"),
    (r"f^{-1}(x)", "f inverse of x"),
    (r"90^\circ", "90 degrees"),
    (r"n!", "n factorial"),
    (r"A^T", "A transpose"),
    (r"x \in \mathbb{R}", "x in R"),
    (r"\text{area} = \pi r^2", "area equals pi r squared"),
    (r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", "the matrix with rows: 1, 2; 3, 4"),
    (
        r"\int_0^\infty e^{-x^2}\,dx = \frac{\sqrt{\pi}}{2}",
        "the integral from 0 to infinity of e to the minus x squared, d x equals the square root of pi, over 2",
    ),
]


@pytest.mark.parametrize(("latex", "spoken"), LATEX_CASES)
def test_latex_is_read_as_words(latex: str, spoken: str) -> None:
    assert latex_to_speech(latex) == spoken


def test_dollar_delimiters_are_ignored() -> None:
    assert latex_to_speech("$x^2$") == "x squared"


def test_broken_latex_still_gives_words() -> None:
    spoken = latex_to_speech(r"\frac{a}{")
    assert "a" in spoken
    assert "\\" not in spoken
    assert "{" not in spoken


def test_letters_are_respelled_only_where_asked() -> None:
    assert latex_to_speech("a^2", letters={"a": "eh"}) == "eh squared"
    assert latex_to_speech("a^2") == "a squared"


NARRATION_CASES = [
    # A possessive's apostrophe is prose, not a prime: "the sum's arrow" was read "s u m primes".
    (
        "Walk to where the sum's arrow points; f'(x) is the slope.",
        "Walk to where the sum's arrow points; f prime of x is the slope.",
    ),
    ("The area is $\\pi r^2$.", "The area is pi r squared."),
    ("By Pythagoras, a^2 + b^2 = c^2 always.", "By Pythagoras, a squared plus b squared equals c squared always."),
    ("Then \\(x_1 + x_2 = 5\\).", "Then x one plus x two equals 5."),
    ("Display math: \\[\\frac{a}{b}\\] done.", "Display math: a over b done."),
    ("We know f(x) = x^2 + 1 here.", "We know f of x equals x squared plus 1 here."),
    ("So x² + y² = r² on the circle.", "So x squared plus y squared equals r squared on the circle."),
    ("Its derivative f'(x) is positive.", "Its derivative f prime of x is positive."),
    ("If x <= 3 we stop.", "If x is less than or equal to 3 we stop."),
    ("A 3-4 page x-axis proof, with a lemma.", "A 3-4 page x-axis proof, with a lemma."),
    ("Take sin(x) and sqrt(2).", "Take sine of x and the square root of 2."),
    ("So √2 is irrational.", "So the square root of 2 is irrational."),
    ("Cost is $5 and $10 each.", "Cost is $5 and $10 each."),
    ("About 50% of A/B tests and/or function(s).", "About 50% of A/B tests and/or function(s)."),
    ("Plain prose stays exactly as written.", "Plain prose stays exactly as written."),
    # A coefficient written against its letters is part of the math, not where it stops.
    ("Solve x^2 - 5x + 6 = 0.", "Solve x squared minus 5 x plus 6 equals 0."),
    ("Then b^2 - 4ac decides.", "Then b squared minus 4 a c decides."),
    ("At 10am we drove 5km + 3km.", "At 10am we drove 5km + 3km."),
]


@pytest.mark.parametrize(("narration", "spoken"), NARRATION_CASES)
def test_inline_math_in_narration_is_read_out(narration: str, spoken: str) -> None:
    assert narration_to_speech(narration) == spoken


def test_narration_respells_math_letters_but_not_the_article() -> None:
    spoken = narration_to_speech("Take a triangle where $a^2 + b^2 = c^2$.", letters={"a": "eh"})
    assert spoken == "Take a triangle where eh squared plus b squared equals c squared."


@pytest.mark.parametrize(
    ("narration", "spoken"),
    [
        ("The rule y = mx + b gives lines.", "The rule y equals m x plus b gives lines."),
        (
            "Note that log_b(xy) = log_b(x) + log_b(y).",
            "Note that log base b of x y, equals log base b of x plus log base b of y.",
        ),
        ("Use E = mc^2 today.", "Use E equals m c squared today."),
        # Short words beside an operator stay words.
        ("He said it is so, and/or not.", "He said it is so, and/or not."),
    ],
)
def test_letters_written_together_and_log_bases_in_narration_are_read_out(narration: str, spoken: str) -> None:
    assert narration_to_speech(narration) == spoken


@pytest.mark.parametrize(
    ("latex", "spoken"),
    [
        (
            r"P(A \mid B) = \frac{P(B \mid A)\,P(A)}{P(B)}",
            "the probability of A given B equals the probability of B given A times the probability of A, over the "
            "probability of B",
        ),
        (
            r"P(A \cap B) = P(A)\,P(B)",
            "the probability of A and B equals the probability of A times the probability of B",
        ),
        # A principal times a quantity is not a probability.
        ("A = P(1 + r)^n", "A equals P the quantity 1 plus r, to the power n"),
        # A random variable meeting a condition, its expected value and its variance.
        (r"P(X = 2) = \frac{15}{64}", "the probability that X equals 2, equals 15 over 64"),
        (
            r"P(Z \le 1.5) \approx 0.93",
            "the probability that Z is less than or equal to 1.5, is approximately equal to 0.93",
        ),
        (
            r"E[X] = np, \quad \mathrm{Var}(X) = np(1-p)",
            "the expected value of X equals n p, the variance of X equals n p times the quantity 1 minus p",
        ),
    ],
)
def test_probabilities_are_read_as_probabilities(latex: str, spoken: str) -> None:
    assert latex_to_speech(latex) == spoken


@pytest.mark.parametrize(
    ("latex", "spoken"),
    [
        (
            r"P(n, k) = \frac{n!}{(n-k)!}",
            "P of n, k equals the quantity n factorial, over the quantity n minus k factorial",
        ),
        ("C(5, 2) = 10", "C of 5, 2 equals 10"),
    ],
)
def test_counts_of_arrangements_are_functions_of_their_arguments(latex: str, spoken: str) -> None:
    assert latex_to_speech(latex) == spoken


@pytest.mark.parametrize(
    ("narration", "spoken"),
    [
        ("Let's work through it.", "Let's work through it."),
        ("It's 20 + 0.1 m.", "It's 20 plus 0.1 m."),
        ("Then f'(x) = 2x.", "Then f prime of x equals 2 x."),
        ("Now y' = 3.", "Now y prime equals 3."),
    ],
)
def test_an_apostrophe_in_a_word_is_not_a_prime(narration: str, spoken: str) -> None:
    assert narration_to_speech(narration) == spoken


@pytest.mark.parametrize(
    ("latex", "spoken"),
    [
        (r"f^{(n)}(a)", "the n-th derivative of f at a"),
        (r"f^{(4)}(x)", "the fourth derivative of f at x"),
        (r"y^{(3)}", "the third derivative of y"),
        (
            r"\frac{f^{(n)}(0)}{n!} x^n",
            "the n-th derivative of f at 0 over the quantity n factorial, x to the power n",
        ),
        # A bracketed exponent on a variable, and a power of a function, stay powers.
        (r"x^{(2)}", "x to the power 2"),
        (r"f^{2}(x)", "f squared of x"),
    ],
)
def test_a_bracketed_superscript_on_a_function_counts_derivatives(latex: str, spoken: str) -> None:
    assert latex_to_speech(latex) == spoken
