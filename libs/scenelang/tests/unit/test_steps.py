"""The step action: a line of working must have a relation symbol to align on, and goes under an equation."""

from typing import Any

import pytest
from pydantic import ValidationError

from mathreel_scenelang.checks import action_problems
from mathreel_scenelang.render.builders.equations import line_parts
from mathreel_scenelang.storyboard import Scene, WriteStep, split_relation


def _scene(*actions: dict[str, Any]) -> Scene:
    return Scene.model_validate(
        {"id": "s", "beats": [{"narration": f"Beat {n}.", "actions": [a]} for n, a in enumerate(actions)]}
    )


@pytest.mark.parametrize(
    ("latex", "parts"),
    [
        ("3x + 5 = 20", ("3x + 5", "=", "20")),
        (r"\frac{1}{f} = \frac{1}{u} + \frac{1}{v}", (r"\frac{1}{f}", "=", r"\frac{1}{u} + \frac{1}{v}")),
        (r"2k \le 22", ("2k", r"\le", "22")),
        (r"x \leq 3", ("x", r"\leq", "3")),
        (r"\left( x + 1 \right) \ge 2", (r"\left( x + 1 \right)", r"\ge", "2")),
        (r"v \approx 2.5", ("v", r"\approx", "2.5")),
        ("x_{a=b} < 2", ("x_{a=b}", "<", "2")),  # not the = inside braces
        ("3 + 2(10) = 23 < 25", ("3 + 2(10)", "=", "23 < 25")),  # the first one
        ("x + 1", None),
        ("= 4", None),
        (r"\lambda + \leftarrow", None),  # command names are not relations
    ],
)
def test_the_relation_a_line_is_aligned_on(latex: str, parts: tuple[str, str, str] | None) -> None:
    assert split_relation(latex) == parts


def test_a_step_without_a_relation_is_refused_with_the_reason() -> None:
    with pytest.raises(ValidationError, match="relation symbol"):
        WriteStep(target="eq", latex="3x + 5")
    with pytest.raises(ValidationError):
        WriteStep(target="eq", latex="x = 5", note="a note far too long to sit beside a line of working")


def test_a_step_goes_under_an_equation_with_a_relation() -> None:
    equation = {"op": "equation", "id": "eq", "latex": "3x + 5 = 20"}
    scene = _scene(equation, {"op": "step", "target": "eq", "latex": "3x = 15", "note": "− 5"})
    assert isinstance(scene.beats[1].actions[0], WriteStep)
    with pytest.raises(ValidationError, match="'t' is not one"):
        _scene({"op": "text", "id": "t", "text": "Hello"}, {"op": "step", "target": "t", "latex": "x = 1"})
    with pytest.raises(ValidationError, match="no relation symbol"):
        _scene({"op": "equation", "id": "eq", "latex": "x^2 + 1"}, {"op": "step", "target": "eq", "latex": "x = 1"})
    step = {"op": "step", "target": "eq", "latex": "x = 5"}
    # A transform that leaves no relation counts too; one that brings a relation back makes room for steps again.
    with pytest.raises(ValidationError, match="no relation symbol"):
        _scene(equation, {"op": "transform", "target": "eq", "latex": "3x"}, step)
    _scene(equation, {"op": "transform", "target": "eq", "latex": "3x = 15"}, step)
    # An id freed and taken by something that is not an equation is not written under.
    with pytest.raises(ValidationError, match="'eq' is not one"):
        _scene(
            equation,
            {"op": "remove", "targets": ["eq"]},
            {"op": "text", "id": "eq", "text": "Now words"},
            {"op": "step", "target": "eq", "latex": "x = 5"},
        )


def test_a_steps_latex_passes_the_same_allowlist_as_any_formula() -> None:
    problems = list(action_problems(WriteStep(target="eq", latex=r"x = \input{secret}"), "a"))
    assert [p.path for p in problems] == ["a.latex"]
    problems = list(action_problems(WriteStep(target="eq", latex="x = 5", highlight=[r"\write"]), "a"))
    assert [p.path for p in problems] == ["a.highlight[0]"]


def test_a_line_is_cut_at_its_relation_its_highlights_and_its_terms() -> None:
    parts, relation, marked = line_parts("-0.15 m + 20 = 5 - x", ["5"])
    assert "".join(parts).replace(" ", "") == "-0.15m+20=5-x"  # nothing lost (spaces mean nothing in maths)
    assert parts[relation] == "="
    assert [parts[i] for i in marked] == ["5"]
    assert [p.strip() for p in parts] == ["-0.15 m", "+ 20", "=", "5", "- x"]
    # A highlight that would swallow the relation is dropped; brackets and braces are not cut inside.
    parts, relation, marked = line_parts(r"\frac{a - b}{2} = (x + 1)", ["2} = (x"])
    assert [p.strip() for p in parts] == [r"\frac{a - b}{2}", "=", "(x + 1)"]
    assert marked == []
    with pytest.raises(ValueError, match="no relation"):
        line_parts("x + 1", [])
