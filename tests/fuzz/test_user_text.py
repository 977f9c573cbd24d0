"""Property-based fuzzing of everything that computes on user text: the context parser, the planner, both LaTeX
gates, the math-to-speech reader and storyboard validation.

Each case runs in a child process (``IsolatedRunner``) within ``CASE_BUDGET_SECONDS``: a case past it is a hang
(the child is killed and the case fails), and any exception other than the target's documented refusal is a crash.
``@example`` keeps the cases found so far (and the known hostile ones) as regression tests. ``MATHREEL_FUZZ_SCALE``
multiplies the number of cases (default 1: about 1,800 cases, some seconds). The figures are in
``docs/reliability.md``.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mathreel_script.lessons import TOPIC_ALIASES
from mathreel_shared.isolation import InputTooComplex, IsolatedRunner
from tests.fuzz import targets

Test = TypeVar("Test", bound=Callable[..., None])

CASE_BUDGET_SECONDS = 3.0
FUZZ_SCALE = float(os.environ.get("MATHREEL_FUZZ_SCALE", "1"))
EXEMPLAR = Path(__file__).parents[2] / "services/script/src/mathreel_script/exemplars/data/pythagorean-theorem.json"

# Pieces of math, LaTeX, markup and prose that user text is made of, hostile ones included.
FRAGMENTS = [
    *"0123456789xyabcnrtPV^*/+-=()., !",
    "9^",
    "1.05",
    "1000",
    "999999",
    "sqrt(",
    "exp(",
    "sin(",
    "log(",
    "pi",
    " = ",
    "^(",
    ")^",
    "$",
    "$$",
    "\\(",
    "\\)",
    "\\[",
    "\\]",
    "\\frac{",
    "}{",
    "}",
    "{",
    "\\sqrt",
    "\\left(",
    "\\right)",
    "_",
    "^^5c",
    "\\input{/etc/passwd}",
    "\\write18{ls}",
    "\\catcode",
    "\\def\\x",
    "\\text{",
    "\\begin{pmatrix}",
    "&",
    "\\\\",
    "\\end{pmatrix}",
    "\\begin{verbatim}",
    "\\cdot",
    "\\pi",
    "\\int_0^1",
    "\\sum_{i=1}^{n}",
    "\\lim_{x \\to 0}",
    "cos ",
    "θ",
    "²",
    "√",
    "π",
    "−",
    "×",
    "÷",
    "≤",
    "\u202e",
    "\u200b",
    "\x00",
    "\n",
    "\n1. ",
    "\n- ",
    "Example: ",
    "For example, ",
    " is defined as ",
    " where x is the length and y the width",
    "a = 3",
    "b = 4",
    "First, ",
    "Then ",
    "Finally, ",
    "Compute ",
    " now.",
    "$5 and $10",
]
fragment_text = st.lists(st.sampled_from(FRAGMENTS), max_size=80).map("".join)
user_text = st.one_of(st.text(max_size=400), fragment_text)
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.floats(), user_text)


@dataclass
class Figures:
    cases: int = 0
    hangs: int = 0
    crashes: int = 0
    slowest: float = 0.0
    per_target: dict[str, int] = field(default_factory=dict)


class BudgetedRunner:
    """Runs each case in a warm child process on an event loop of its own; counts cases, hangs and crashes."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        # The first call imports and warms what the targets use (a minute on a busy machine): not a fuzz case.
        self.runner = IsolatedRunner(
            workers=1, timeout_seconds=120.0, memory_bytes=1024 * 2**20, preload=["tests.fuzz.targets"]
        )
        self.loop.run_until_complete(self.runner.run(targets.planner, "Warm up", "a^2 + b^2 = c^2. Example: 3 = 3."))
        self.runner.timeout_seconds = CASE_BUDGET_SECONDS
        self.figures = Figures()

    def __call__(self, target: Callable[..., None], *args: Any) -> None:
        figures = self.figures
        figures.cases += 1
        figures.per_target[target.__name__] = figures.per_target.get(target.__name__, 0) + 1
        started = time.monotonic()
        try:
            self.loop.run_until_complete(self.runner.run(target, *args))
        except InputTooComplex as exc:
            figures.hangs += 1
            raise AssertionError(f"{target.__name__} ran past its {CASE_BUDGET_SECONDS} s budget: {exc}") from exc
        except Exception as exc:
            figures.crashes += 1
            exc.add_note(f"{target.__name__} case: {args!r:.300}")
            raise
        finally:
            figures.slowest = max(figures.slowest, time.monotonic() - started)

    def close(self) -> None:
        self.loop.run_until_complete(self.runner.close())
        self.loop.close()


@pytest.fixture(scope="module")
def budgeted() -> Iterator[BudgetedRunner]:
    runner = BudgetedRunner()
    yield runner
    runner.close()
    f = runner.figures
    print(  # noqa: T201 - the figures docs/reliability.md records
        f"\nfuzz: {f.cases} cases {f.per_target}, budget {CASE_BUDGET_SECONDS} s per case, hangs {f.hangs}, "
        f"crashes {f.crashes}, slowest {f.slowest:.3f} s"
    )


def cases(count: int) -> Callable[[Test], Test]:
    return settings(  # type: ignore[no-any-return]
        max_examples=max(1, int(count * FUZZ_SCALE)),
        deadline=None,  # the child's budget is the deadline, and it also stops what never returns
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    )


@cases(300)
@given(text=user_text)
@example(text="Compute 9^9^9^9 = 5 now.")
@example(text="Use $\\input{/etc/passwd}$ and $\\write18{ls}$ here.")
@example(text="$" + "x+" * 300 + "x$ and \\(" * 300)
@example(text="$" * 3000)
@example(text="a = 999999, b = 999999 and c = a^b^a^b. Example: c = 1.")
def test_context_parser(budgeted: BudgetedRunner, text: str) -> None:
    budgeted(targets.context_parser, text)


# Every lesson of the library, so that their parameter handling meets hostile contexts too.
LIBRARY_TOPICS = sorted(next(iter(aliases)) for aliases in TOPIC_ALIASES.values())


@cases(120)
@given(topic=st.one_of(st.sampled_from(LIBRARY_TOPICS), st.text(max_size=120), fragment_text), context=user_text)
@example(topic="prime factorization", context="Factor 999999 and 1000000, and 999983.")
@example(topic="Big powers", context="Compute 9^9^9^9 = 5 now.")
@example(topic="Ohm's law", context="V = I R where V is the voltage and I the current. Example: 9^99^9 = 2.")
@example(topic="$\\input{x}$", context="exp(exp(exp(9))) = 1 and 2^2^2^2^2^2 = 3")
def test_planner(budgeted: BudgetedRunner, topic: str, context: str) -> None:
    budgeted(targets.planner, topic, context)


@cases(400)
@given(text=user_text)
@example(text="9^9^9^9 = 5")
@example(text="=")  # found: SymPy's parser raised IndexError on an empty side
@example(text="cos cos")  # found: cos applied to the function cos broke the LaTeX printer's walk
@example(text="(" * 500 + "x" + ")" * 500)
@example(text="\\left(" * 100 + "x" + "\\right)" * 100)
def test_script_latex(budgeted: BudgetedRunner, text: str) -> None:
    budgeted(targets.script_latex, text)


@cases(400)
@given(text=user_text)
@example(text="\\text{" + "cos θ " * 3000 + "}")  # found: quadratic Unicode spelling before the length check
@example(text="{" * 5000)
@example(text="^^5c input")
def test_visuals_latex(budgeted: BudgetedRunner, text: str) -> None:
    budgeted(targets.visuals_latex, text)


@cases(400)
@given(text=user_text)
@example(text="{" * 5000 + "x" + "}" * 5000)  # found: RecursionError in the LaTeX walker
@example(text="\\frac{" * 300 + "1" + "}{2}" * 300)
@example(text="x^" * 2000 + "2")
def test_math_speech(budgeted: BudgetedRunner, text: str) -> None:
    budgeted(targets.math_speech, text)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path


def _mutated(base: dict[str, Any], mutations: list[tuple[int, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(json.dumps(base))
    paths = list(_leaves(data))
    for index, value in mutations:
        *parents, last = paths[index % len(paths)]
        node: Any = data
        for key in parents:
            node = node[key]
        node[last] = value
    return data


_BASE_STORYBOARD: dict[str, Any] = json.loads(EXEMPLAR.read_text(encoding="utf-8"))
storyboards = st.one_of(
    st.lists(st.tuples(st.integers(0, 10_000), json_leaf), min_size=1, max_size=6).map(
        lambda mutations: _mutated(_BASE_STORYBOARD, mutations)
    ),
    st.recursive(json_leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner)),
)


@cases(200)
@given(data=storyboards)
@example(data=_BASE_STORYBOARD)
def test_storyboard_validation(budgeted: BudgetedRunner, data: Any) -> None:
    budgeted(targets.storyboard_validation, data)
