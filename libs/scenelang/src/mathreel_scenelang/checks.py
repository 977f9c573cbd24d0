"""Checks on a storyboard that need no renderer: the LaTeX allowlist on every string LaTeX will set, plot
expressions, and the actions that parse but cannot be drawn. Every problem names its field path.

Whoever accepts a storyboard runs them after the schema: the script service on a model's answer, the gateway on a
storyboard a user sends (a revision). The layout preflight (``mathreel_scenelang.render.preflight``) comes after, where
the renderer is installed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from mathreel_scenelang import expressions
from mathreel_scenelang.fields import action_latex_fields
from mathreel_scenelang.latex import safe_latex
from mathreel_scenelang.registry import ACTIONS
from mathreel_scenelang.storyboard import (
    ActionModel,
    PlotFunction,
    Scene,
    ShowAngle,
    ShowArrow,
    ShowCells,
    ShowMatrix,
    ShowTable,
    Storyboard,
)

# The names plot expressions may use: what the renderer's evaluator knows.
PLOT_FUNCTIONS = frozenset(expressions.FUNCTIONS)
_PLOT_NAMES = frozenset({"x", *expressions.CONSTANTS})
_PLOT_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Call, ast.Name, ast.Constant, ast.Load)
_PLOT_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd)

LATEX_REFUSED = (
    "is refused: use math-mode LaTeX with common commands only (\\frac, \\sqrt, \\cdot, Greek letters, \\sum, "
    "\\int, pmatrix...), balanced braces, no text-mode or file commands, at most 160 characters"
)


@dataclass(frozen=True)
class Problem:
    """One reason a storyboard cannot be used, at a field path like ``scenes[1].beats[0].narration``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def plot_expression_problem(expression: str) -> str | None:
    """Why ``expression`` is not a plain arithmetic expression in x that visuals can plot, or ``None``."""
    try:
        tree = ast.parse(expression.replace("^", "**"), mode="eval")
    except SyntaxError:
        return f"cannot parse {expression!r}; write plain arithmetic in x such as 'x**2 - 1' or 'sin(x)'"
    for node in ast.walk(tree):
        if not isinstance(node, _PLOT_NODES + _PLOT_OPERATORS):
            return f"{expression!r} uses {type(node).__name__}; only + - * / ** and function calls are allowed"
        if isinstance(node, ast.Name) and node.id not in _PLOT_NAMES | PLOT_FUNCTIONS:
            return f"unknown name {node.id!r}; use x, pi, e and {', '.join(sorted(PLOT_FUNCTIONS))}"
        if isinstance(node, ast.Call) and (
            not isinstance(node.func, ast.Name) or node.func.id not in PLOT_FUNCTIONS or len(node.args) != 1
        ):
            return f"only one-argument calls of {', '.join(sorted(PLOT_FUNCTIONS))} are allowed"
        if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
            return "only numbers are allowed as constants"
    return None


def action_problems(action: ActionModel, at: str) -> Iterator[Problem]:
    """What is wrong with one action that sits at path ``at`` (``scenes[0].beats[1].actions[2]``)."""
    for field, latex in action_latex_fields(action):
        if safe_latex(latex) is None:
            yield Problem(f"{at}.{field}", f"LaTeX {latex!r} {LATEX_REFUSED}")
    if isinstance(action, PlotFunction) and (reason := plot_expression_problem(action.expression)):
        yield Problem(f"{at}.expression", reason)
    for n, expression in enumerate(getattr(action, "expressions", [])):
        if reason := plot_expression_problem(expression):
            yield Problem(f"{at}.expressions[{n}]", reason)
    if isinstance(action, ShowAngle) and action.vertex in (action.a, action.b):
        yield Problem(at, "an angle's rays must not start and end at the vertex")
    if isinstance(action, ShowArrow) and action.start is not None and action.start == action.end:
        yield Problem(at, "the arrow starts where it ends")


def cell_problems(scene: Scene, at: str) -> Iterator[Problem]:
    """Boxes round rows or columns (``cells``) of something that is not a matrix or table of the scene, or outside
    it; ``at`` is the scene's path."""
    shapes: dict[str, tuple[int, int]] = {}
    for b, beat in enumerate(scene.beats):
        for a, action in enumerate(beat.actions):
            if isinstance(action, ShowMatrix):
                shapes[action.id] = (len(action.rows), len(action.rows[0]))
            elif isinstance(action, ShowTable):
                shapes[action.id] = (len(action.rows), len(action.header))
            elif isinstance(action, ShowCells):
                where = f"{at}.beats[{b}].actions[{a}]"
                shape = shapes.get(action.target)
                if shape is None:
                    yield Problem(f"{where}.target", f"'{action.target}' is not a matrix or table shown before it")
                elif any(i >= shape[0] for i in action.rows) or any(j >= shape[1] for j in action.columns):
                    yield Problem(
                        where, f"'{action.target}' has {shape[0]} rows and {shape[1]} columns, counted from 0"
                    )


def storyboard_problems(storyboard: Storyboard) -> Iterator[Problem]:
    """Every problem of every action of a schema-valid storyboard, in order."""
    for s, scene in enumerate(storyboard.scenes):
        for b, beat in enumerate(scene.beats):
            for a, action in enumerate(beat.actions):
                yield from action_problems(action, f"scenes[{s}].beats[{b}].actions[{a}]")
        yield from cell_problems(scene, f"scenes[{s}]")


def path_of(loc: tuple[int | str, ...] | list[int | str]) -> str:
    """A pydantic error location as a field path: ``("scenes", 2, "beats", 0)`` → ``scenes[2].beats[0]``.

    The ``op`` tag pydantic puts after an action's index (``actions[1].show_equation.latex``) is left out: the path
    names fields of the document, and the tag is the value of its ``op`` field.
    """
    out = ""
    for n, part in enumerate(loc):
        if isinstance(part, str) and n >= 2 and loc[n - 2] == "actions" and isinstance(loc[n - 1], int):
            if part in ACTIONS:
                continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
