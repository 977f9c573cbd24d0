"""The planner's unit tests solve each differential equation once per run.

A lesson on a differential equation (logistic growth, Euler's method) asks SymPy's ``dsolve`` for the exact solution
it draws and checks; for the logistic equation that takes seconds, and many tests plan that lesson (every topic, every
entry, every exemplar). ``dsolve`` is a pure function of its arguments and SymPy's expressions are immutable, so the
first call solves the equation for real and later calls with the same arguments get that same solution back: every
storyboard is exactly the one the planner writes in production.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sympy


@pytest.fixture(scope="session", autouse=True)
def each_equation_solved_once() -> Iterator[dict[str, Any]]:
    solve = sympy.dsolve
    solved: dict[str, Any] = {}

    def dsolve(*args: Any, **kwargs: Any) -> Any:
        # srepr names every symbol, function and number exactly, so two calls share a key only if they ask the same.
        key = sympy.srepr((args, sorted(kwargs.items(), key=lambda item: item[0])))
        if key not in solved:
            solved[key] = solve(*args, **kwargs)
        return solved[key]

    patch = pytest.MonkeyPatch()
    patch.setattr(sympy, "dsolve", dsolve)
    try:
        yield solved
    finally:
        patch.undo()
