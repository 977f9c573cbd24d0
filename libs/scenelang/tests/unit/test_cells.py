"""Boxes round rows and columns of a matrix or a table (``cells``): what the schema and the static checks accept."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from mathreel_scenelang.checks import storyboard_problems
from mathreel_scenelang.storyboard import ShowCells, storyboard_adapter


def _board(*actions: dict[str, Any]) -> Any:
    beats = [{"narration": "Look.", "actions": list(actions)}]
    return storyboard_adapter.validate_python({"title": "Cells", "scenes": [{"id": "s", "beats": beats}]})


MATRIX = {"op": "matrix", "id": "a", "rows": [["1", "2", "3"], ["4", "5", "6"]]}
TABLE = {"op": "table", "id": "t", "header": ["n", "n^2"], "rows": [["1", "1"], ["2", "4"], ["3", "9"]]}


def test_a_box_names_at_least_one_row_or_column() -> None:
    with pytest.raises(ValidationError, match="at least one row or column"):
        ShowCells(id="c", target="a")
    with pytest.raises(ValidationError):
        ShowCells(id="c", target="a", rows=[-1])
    assert ShowCells(id="c", target="a", rows=[1], columns=[0, 2]).columns == [0, 2]


def test_rows_and_columns_inside_the_matrix_or_table_pass() -> None:
    board = _board(
        MATRIX,
        TABLE,
        {"op": "cells", "id": "r", "target": "a", "rows": [1], "columns": [2]},
        {"op": "cells", "id": "last", "target": "t", "rows": [2], "columns": [1]},  # the header row is not counted
    )
    assert list(storyboard_problems(board)) == []


def test_a_row_or_column_outside_it_is_named_by_its_path() -> None:
    board = _board(MATRIX, {"op": "cells", "id": "r", "target": "a", "columns": [3]})
    (problem,) = storyboard_problems(board)
    assert problem.path == "scenes[0].beats[0].actions[1]"
    assert "2 rows and 3 columns" in problem.message

    board = _board(TABLE, {"op": "cells", "id": "r", "target": "t", "rows": [3]})
    assert [p.path for p in storyboard_problems(board)] == ["scenes[0].beats[0].actions[1]"]


def test_only_a_matrix_or_table_has_cells() -> None:
    board = _board(
        {"op": "equation", "id": "e", "latex": "x = 1"}, {"op": "cells", "id": "r", "target": "e", "rows": [0]}
    )
    (problem,) = storyboard_problems(board)
    assert problem.path == "scenes[0].beats[0].actions[1].target"
    assert "not a matrix or table" in problem.message
