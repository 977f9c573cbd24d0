"""The arithmetic of graphs and figures, without Manim."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mathreel_scenelang.render.graph_math import (
    angle_sweep,
    area_base,
    bisector,
    clip_line,
    clipped_height,
    curve_runs,
    decimals,
    derivative,
    exit_point,
    outward,
    riemann_corners,
    tick_values,
)


def test_tick_labels_have_the_decimals_their_step_needs() -> None:
    assert decimals((1.5, 1.7, 0.05)) == 2  # 1.50, 1.55, 1.60: never "1.6" three times
    assert decimals((0, 10, 1)) == 0
    assert decimals((-1.0, 1.0, 0.5)) == 1
    assert decimals((0, 1, 1 / 3)) == 3  # at most three


def test_ticks_are_thinned_to_about_eight_and_leave_out_zero() -> None:
    assert tick_values((-5, 5, 1)) == [-5, -3, -1, 1, 3, 5]
    assert tick_values((0, 4, 1)) == [1, 2, 3, 4]
    assert tick_values((1, 0, 1)) == []
    assert tick_values((0, 1, 0)) == []


def test_a_curve_breaks_where_it_is_undefined_or_off_the_axes() -> None:
    runs = curve_runs(lambda x: 1 / x if x else math.nan, -1, 1, (-5, 5), samples=201)
    assert len(runs) == 2  # the pole at 0 splits the hyperbola
    assert all(-5 <= y <= 5 for run in runs for _, y in run)
    assert curve_runs(lambda x: 100.0, -1, 1, (-5, 5)) == []


def test_area_heights_are_clipped_to_the_axes_and_start_at_zero() -> None:
    assert area_base((-2, 3)) == 0.0
    assert area_base((1, 3)) == 1.0
    assert area_base((-3, -1)) == -1.0
    height = clipped_height(lambda x: x * 10, (-2, 3), 0.0)
    assert height(1) == 3
    assert height(-1) == -2
    assert clipped_height(lambda x: math.nan, (-2, 3), 0.5)(1) == 0.5


def test_riemann_rectangles_take_the_height_at_their_midpoints() -> None:
    rectangles = riemann_corners(lambda x: x, (0, 2), 2, 0.0)
    assert rectangles == [
        [(0, 0.0), (1, 0.0), (1, 0.5), (0, 0.5)],
        [(1, 0.0), (2, 0.0), (2, 1.5), (1, 1.5)],
    ]


def test_a_tangent_is_cut_to_the_axes_box() -> None:
    value, slope = derivative(lambda x: x * x, 1.0)
    assert value == 1.0
    assert slope == pytest.approx(2.0)
    ends = clip_line((-5, 5), (-1, 4), 1.0, 1.0, 2.0)
    assert ends[0] == pytest.approx((0.0, -1.0))
    assert ends[1] == pytest.approx((2.5, 4.0))
    flat = clip_line((-5, 5), (-5, 5), 0.0, 1.0, 0.0)
    assert flat == [(-3.5, 1.0), (3.5, 1.0)]  # 35 % of the span either side


def test_angle_marks_sweep_the_smaller_angle_and_labels_sit_on_the_bisector() -> None:
    east, north = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    assert angle_sweep(east, north) == pytest.approx((0.0, math.pi / 2))
    assert angle_sweep(north, east) == pytest.approx((math.pi / 2, -math.pi / 2))
    assert bisector(east, north) == pytest.approx(np.array([math.sqrt(0.5), math.sqrt(0.5), 0.0]))
    assert bisector(east, -east) == pytest.approx(np.array([0.0, 1.0, 0.0]))


def test_outward_and_box_exits() -> None:
    assert outward((2, 0), (0, 0)) == pytest.approx(np.array([1.0, 0.0, 0.0]))
    assert outward((0, 0), (0, 0)) == pytest.approx(np.array([0.7071, 0.7071, 0.0]))
    center = np.array([0.0, 0.0, 0.0])
    assert exit_point(center, (1.0, 0.5), np.array([10.0, 0.0, 0.0])) == pytest.approx(np.array([1.12, 0.0, 0.0]))
    assert exit_point(center, (1.0, 0.5), np.array([0.5, 0.0, 0.0])) == pytest.approx(np.array([0.5, 0.0, 0.0]))
