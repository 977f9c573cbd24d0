"""Where the LaTeX of a scene is: the paths the script service's validation and the preflight report."""

from __future__ import annotations

from mathreel_scenelang.fields import action_latex_fields, latex_fields
from mathreel_scenelang.storyboard import Scene, ShowMatrix, ShowTable, ShowText


def test_each_latex_string_is_named_by_its_own_path() -> None:
    matrix = ShowMatrix(id="m", rows=[["a", " "], ["c", "d"]])
    assert list(action_latex_fields(matrix)) == [("rows[0][0]", "a"), ("rows[1][0]", "c"), ("rows[1][1]", "d")]
    table = ShowTable(id="t", header=["$x$", "y"], rows=[["1", "$x^2$"]])
    assert list(action_latex_fields(table)) == [("header[0]", "x"), ("rows[0][1]", "x^2")]
    assert list(action_latex_fields(ShowText(id="s", text="$not latex$"))) == []


def test_scene_paths_prefix_the_beat_and_action() -> None:
    scene = Scene.model_validate(
        {
            "id": "s",
            "beats": [
                {"narration": "One.", "actions": []},
                {"narration": "Two.", "actions": [{"op": "equation", "id": "e", "latex": "a^2"}]},
            ],
        }
    )
    assert list(latex_fields(scene)) == [("beats[1].actions[0].latex", "a^2")]
