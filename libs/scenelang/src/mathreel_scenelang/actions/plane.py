"""Linear-map actions: a coordinate plane with its basis vectors, and a 2 by 2 matrix acting on it over a beat."""

from __future__ import annotations

from typing import Literal

from mathreel_scenelang.base import ActionModel, CreatingAction, ObjectId


class ShowPlane(CreatingAction):
    """A coordinate grid with the basis vectors i and j drawn, ready for ``apply_matrix``."""

    op: Literal["plane"] = "plane"
    x_range: tuple[float, float, float] = (-4, 4, 1)
    y_range: tuple[float, float, float] = (-3, 3, 1)
    basis: bool = True


class ApplyMatrix(ActionModel):
    """Transform plane ``target`` (its grid, basis vectors and every arrow, point and polygon drawn on it) by the
    2 by 2 ``matrix`` over the beat."""

    op: Literal["apply_matrix"] = "apply_matrix"
    target: ObjectId
    matrix: tuple[tuple[float, float], tuple[float, float]]
