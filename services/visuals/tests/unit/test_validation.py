from pathlib import Path

import pytest

from mathreel_scenelang.fields import latex_sources
from mathreel_scenelang.storyboard import storyboard_adapter
from mathreel_shared.domain import Quality
from mathreel_shared.timing import BeatTiming, SceneTiming
from mathreel_visuals import VisualsError, render_scene
from mathreel_visuals.validation import validate_scene


def _board(actions: list[dict[str, object]], beats: int = 1):  # type: ignore[no-untyped-def]
    return storyboard_adapter.validate_python(
        {
            "title": "t",
            "scenes": [
                {"id": "s", "beats": [{"narration": "x.", "actions": actions if i == 0 else []} for i in range(beats)]}
            ],
        }
    )


def _timing(beats: int) -> SceneTiming:
    return SceneTiming(
        scene_index=0, duration=beats * 1.0, beats=[BeatTiming(start=i, duration=1, text="x.") for i in range(beats)]
    )


def test_every_latex_string_is_collected() -> None:
    board = _board(
        [
            {"op": "axes", "id": "ax", "x_label": "t", "y_label": "v"},
            {"op": "plot", "id": "g", "axes": "ax", "expression": "x", "label": "f"},
            {"op": "polygon", "id": "p", "vertices": [[0, 0], [1, 0], [0, 1]], "labels": ["A", "", "C"]},
            {"op": "table", "id": "tb", "header": ["n", "$n^2$"], "rows": [["1", "1"]]},
            {"op": "matrix", "id": "m", "rows": [["a", ""]]},
        ]
    )
    assert sorted(latex_sources(board.scenes[0])) == sorted(["t", "v", "f", "A", "C", "n^2", "a"])


def test_timing_must_match_the_beats() -> None:
    with pytest.raises(VisualsError) as excinfo:
        validate_scene(_board([], beats=2).scenes[0], _timing(3))
    assert excinfo.value.code == "timing_mismatch"


def test_unsafe_label_is_rejected_before_rendering() -> None:
    board = _board([{"op": "point", "id": "p", "at": [0, 0], "label": r"\input{x}"}])
    with pytest.raises(VisualsError) as excinfo:
        validate_scene(board.scenes[0], _timing(1))
    assert excinfo.value.code == "latex_rejected"
    assert "input" in excinfo.value.message
    assert not excinfo.value.retryable


def test_bad_expression_is_rejected_before_rendering() -> None:
    board = _board(
        [{"op": "axes", "id": "ax"}, {"op": "plot", "id": "g", "axes": "ax", "expression": "__import__('os')"}]
    )
    with pytest.raises(VisualsError) as excinfo:
        validate_scene(board.scenes[0], _timing(1))
    assert excinfo.value.code == "invalid_expression"


async def test_scene_index_out_of_range(tmp_path: Path) -> None:
    with pytest.raises(VisualsError) as excinfo:
        await render_scene(_board([]), 3, _timing(1), Quality.LOW, tmp_path / "x.mp4", tmp_path / "w")
    assert excinfo.value.code == "invalid_scene"


@pytest.mark.parametrize(
    "action",
    [
        {"op": "angle", "id": "a", "vertex": [0, 0], "a": [0, 0], "b": [1, 1]},
        {"op": "arrow", "id": "a", "start": [1, 1], "end": [1, 1]},
    ],
)
def test_degenerate_geometry_is_rejected(action: dict[str, object]) -> None:
    with pytest.raises(VisualsError) as excinfo:
        validate_scene(_board([action]).scenes[0], _timing(1))
    assert excinfo.value.code == "invalid_scene"
