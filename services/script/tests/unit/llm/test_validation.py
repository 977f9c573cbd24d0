import json
from typing import Any

import pytest

from mathreel_script.exemplars.library import ExemplarLibrary
from mathreel_script.llm.prompts import instruction_text
from mathreel_script.llm.validation import check_answer, narration_limits, plot_expression_problem, shingles
from mathreel_shared.domain import Quality

LOW = narration_limits(Quality.LOW)


def exemplar_data(topic: str = "pythagorean theorem") -> dict[str, Any]:
    storyboard = ExemplarLibrary.load().nearest(topic, 1)[0].storyboard
    data: dict[str, Any] = json.loads(storyboard.model_dump_json(exclude={"author", "sources"}))
    return data


def paths(data: Any) -> list[str]:
    return [p.path for p in check_answer(json.dumps(data), limits=LOW, secret_shingles=set()).problems]


def test_narration_limits_grow_with_quality() -> None:
    low, medium, high = (narration_limits(q) for q in (Quality.LOW, Quality.MEDIUM, Quality.HIGH))
    assert (low.target_seconds, medium.target_seconds, high.target_seconds) == (60, 90, 120)
    assert low.target_words == 150
    assert low.min_words < low.target_words < low.max_words < medium.max_words < high.max_words


def test_a_good_storyboard_passes_and_cannot_claim_author_or_sources() -> None:
    data = {**exemplar_data(), "author": "a human, honest", "sources": [{"title": "Invented", "uri": "http://x"}]}
    result = check_answer(json.dumps(data), limits=LOW, secret_shingles=set())
    assert result.ok
    assert result.storyboard is not None
    assert result.storyboard.author == "offline-planner"
    assert result.storyboard.sources == []


def test_a_fenced_answer_is_read() -> None:
    result = check_answer("```json\n" + json.dumps(exemplar_data()) + "\n```", limits=LOW, secret_shingles=set())
    assert result.ok


@pytest.mark.parametrize("text", ["", "[1, 2]", "<storyboard/>", '{"title": "x", '])
def test_non_objects_are_refused(text: str) -> None:
    result = check_answer(text, limits=LOW, secret_shingles=set())
    assert not result.ok
    assert result.problems[0].path == "$"


def test_schema_errors_name_their_field_path() -> None:
    data = exemplar_data()
    data["scenes"][0]["beats"][0]["narration"] = ""
    assert "scenes[0].beats[0].narration" in paths(data)


@pytest.mark.parametrize("count", [0, 61, "eight"])
def test_riemann_rectangles_out_of_range_are_refused_at_their_field(count: object) -> None:
    data = exemplar_data()
    actions = data["scenes"][1]["beats"][0]["actions"]
    actions.append({"op": "axes", "id": "ax"})
    actions.append({"op": "plot", "id": "g", "axes": "ax", "expression": "x**2"})
    actions.append({"op": "area", "id": "r", "graph": "g", "x_range": [0, 1], "rectangles": count})
    found = paths(data)
    assert any(p.startswith("scenes[1].beats[0].actions[") and p.endswith(".rectangles") for p in found), found


def test_unsafe_latex_is_refused_where_it_is() -> None:
    data = exemplar_data()
    data["scenes"][1]["beats"][0]["actions"].append({"op": "equation", "id": "evil", "latex": r"\write18{rm -rf /}"})
    assert "scenes[1].beats[0].actions[" in " ".join(paths(data))
    assert any(p.endswith(".latex") for p in paths(data))


@pytest.mark.parametrize(
    ("expression", "ok"),
    [("x**2 - 1", True), ("sin(x) + e^x", True), ("__import__('os')", False), ("x.real", False), ("y + 1", False)],
)
def test_plot_expressions(expression: str, ok: bool) -> None:
    assert (plot_expression_problem(expression) is None) is ok


def test_crowded_scenes_and_long_beats_are_problems() -> None:
    data = exemplar_data()
    data["scenes"][1]["beats"][0]["actions"] = [{"op": "text", "id": f"t{i}", "text": "x"} for i in range(7)]
    data["scenes"][1]["beats"][1]["narration"] = " ".join(["word"] * 45) + "."
    found = check_answer(json.dumps(data), limits=LOW, secret_shingles=set()).problems
    messages = " ".join(str(p) for p in found)
    assert "7 objects on screen" in messages
    assert "45 words" in messages


def test_quoting_the_instructions_is_a_problem() -> None:
    data = exemplar_data()
    leaked = " ".join(instruction_text(LOW).split()[10:30])
    data["scenes"][0]["beats"][0]["narration"] = f"My orders: {leaked}."
    secret = shingles(instruction_text(LOW))
    found = check_answer(json.dumps(data), limits=LOW, secret_shingles=secret).problems
    assert any("quotes its instructions" in p.message for p in found)
    # The same storyboard without the quote is fine: ordinary narration shares no 8-word run with the prompt.
    assert check_answer(json.dumps(exemplar_data()), limits=LOW, secret_shingles=secret).ok


def test_what_is_drawn_on_a_graph_does_not_crowd_the_screen_and_morph_expressions_are_checked() -> None:
    data = exemplar_data()
    data["scenes"][1]["beats"][0]["actions"] = [
        {"op": "axes", "id": "ax"},
        {"op": "plot", "id": "g", "axes": "ax", "expression": "x^2"},
        {"op": "sweep", "id": "s", "graph": "g", "start": 0, "end": 1},
        {"op": "point", "id": "p", "at": [1, 1], "axes": "ax"},
        {"op": "segment", "id": "d", "start": [1, 0], "end": [1, 1], "axes": "ax"},
        {"op": "morph_plot", "id": "m", "axes": "ax", "expressions": ["x", "import(x)"]},
        {"op": "text", "id": "t", "text": "x"},
    ]
    found = check_answer(json.dumps(data), limits=LOW, secret_shingles=set()).problems
    assert "objects on screen" not in " ".join(str(p) for p in found)
    assert [p.path for p in found if "expressions" in p.path] == ["scenes[1].beats[0].actions[5].expressions[1]"]
