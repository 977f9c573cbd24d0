"""The demonstration actions built in-process through the real scene builder (Manim and LaTeX, no frames written):
shapes on axes, sweeps, morphing graphs, charts, intervals, dot arrays, plane maps, Venn diagrams and trees."""

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from manim import tempconfig

from mathreel_scenelang.layout import check_boxes
from mathreel_scenelang.render.config import configure
from mathreel_scenelang.storyboard import Storyboard, storyboard_adapter

from .scenes import even_timing
from .test_render_scene import low_quality_spec

pytestmark = pytest.mark.integration


def board(*beats: list[dict[str, Any]]) -> Storyboard:
    return storyboard_adapter.validate_python(
        {
            "title": "Demo",
            "scenes": [{"id": "s", "beats": [{"narration": f"Beat {i}.", "actions": a} for i, a in enumerate(beats)]}],
        }
    )


def play_instantly(storyboard: Storyboard, tmp_path: Path) -> Any:
    """Build and lay out every beat, jumping each step to its end state; return the scene."""
    spec = low_quality_spec(storyboard.scenes[0], even_timing(storyboard, 2.0), tmp_path)
    with tempconfig({}):
        configure(spec)
        from mathreel_scenelang.render.scene import StoryboardScene

        scene = StoryboardScene(spec)
        for index, beat in enumerate(spec.scene.beats):
            steps, report = scene.prepare_beat(index, beat)
            assert report["checks"]["passed"]
            scene.apply_instantly([a for s in steps for a in s.build()])
            scene.gather_parts()
            assert check_boxes(scene.measured_items(), scene.layout.safe, scene.layout.root) == []
        return scene


AXES = {"op": "axes", "id": "ax", "x_range": [-1, 5, 1], "y_range": [-1, 9, 1]}
PLOT = {"op": "plot", "id": "g", "axes": "ax", "expression": "x^2/2"}


def test_shapes_with_axes_are_drawn_in_the_axes_coordinates(tmp_path: Path) -> None:
    scene = play_instantly(
        board(
            [AXES, PLOT],
            [
                {"op": "point", "id": "p", "at": [2, 2], "axes": "ax"},
                {"op": "segment", "id": "drop", "start": [2, 0], "end": [2, 2], "dashed": True, "axes": "ax"},
                {"op": "arrow", "id": "v", "start": [0, 0], "end": [3, 4], "axes": "ax"},
                {"op": "polygon", "id": "tri", "vertices": [[3, 0], [4, 0], [4, 8]], "axes": "ax"},
            ],
        ),
        tmp_path,
    )
    axes = scene.entries["ax"].extra["axes"]
    assert not any(oid.startswith("_figure") for oid in scene.entries)  # no separate geometry figure
    assert np.allclose(scene.entries["p"].mob.get_center(), axes.c2p(2, 2), atol=1e-6)
    drop = scene.entries["drop"].mob[0]
    assert np.allclose(drop.get_start(), axes.c2p(2, 0), atol=1e-6)
    assert np.allclose(drop.get_end(), axes.c2p(2, 2), atol=1e-6)
    arrow = scene.entries["v"].mob[0]
    assert np.allclose(arrow.get_start(), axes.c2p(0, 0), atol=1e-6)
    assert np.allclose(arrow.get_end(), axes.c2p(3, 4), atol=1e-6)
    corners = scene.entries["tri"].mob[0].get_vertices()
    assert np.allclose(corners[2], axes.c2p(4, 8), atol=1e-6)
    assert {scene.layout.root(oid) for oid in ("p", "drop", "v", "tri")} == {"ax"}


def test_a_sweep_ends_where_it_is_sent_with_its_values_live(tmp_path: Path) -> None:
    from manim import DecimalNumber, Dot

    show = ["dot", "coordinates", "vertical", "horizontal", "tangent", "slope"]
    scene = play_instantly(
        board(
            [AXES, PLOT],
            [{"op": "sweep", "id": "sw", "graph": "g", "start": 0.5, "end": 2, "show": show}],
            [{"op": "sweep_to", "target": "sw", "end": 3}],
            [{"op": "sweep", "id": "sec", "graph": "g", "start": 3, "end": 1, "anchor": 2, "show": ["secant", "area"]}],
        ),
        tmp_path,
    )
    axes = scene.entries["ax"].extra["axes"]
    parts = scene.entries["sw"].mob.submobjects
    dots = [p for p in parts if isinstance(p, Dot)]
    assert np.allclose(dots[-1].get_center(), axes.c2p(3, 4.5), atol=1e-6)
    numbers = [round(m.get_value(), 2) for p in parts for m in p.get_family() if isinstance(m, DecimalNumber)]
    assert numbers == [3.0, 4.5, 3.0]  # the coordinates (3, 4.5) and the slope of x^2/2 at 3
    assert not scene.entries["sw"].mob.updaters  # frozen after its beat
    secant = scene.entries["sec"].mob
    assert secant.submobjects  # secant line, anchor dot and area from 1 to 2
    assert scene.layout.root("sec") == "ax"


def test_a_morph_plot_passes_through_each_expression_and_ends_on_the_last(tmp_path: Path) -> None:
    from manim import MathTex

    expressions = ["x", "x - x^3/6", "x - x^3/6 + x^5/120"]
    labels = ["n=1", "n=3", "n=5"]
    scene = play_instantly(
        board(
            [{"op": "axes", "id": "ax", "x_range": [-4, 4, 1], "y_range": [-3, 3, 1]}],
            [
                {
                    "op": "morph_plot",
                    "id": "m",
                    "axes": "ax",
                    "expressions": expressions,
                    "labels": ["n=1", "n=3", "n=5"],
                }
            ],
            [{"op": "sweep", "id": "s", "graph": "m", "start": 0, "end": 1}],
        ),
        tmp_path,
    )
    axes = scene.entries["ax"].extra["axes"]
    mob = scene.entries["m"].mob
    curves = [p for p in mob.submobjects if not isinstance(p, MathTex)]
    labels = [p for p in mob.submobjects if isinstance(p, MathTex)]
    assert [lab.get_tex_string() for lab in labels] == ["n=5"]
    for curve in curves:
        for point in curve.get_anchors()[::15]:
            x, y = axes.p2c(point)
            assert y == pytest.approx(x - x**3 / 6 + x**5 / 120, abs=1e-3)
    # Half-way through the changes the curve is exactly the second expression, with its label alone.
    from mathreel_scenelang.render.demos import morph

    middle = scene.entries["m"].extra["morph"].draw(morph._REVEAL + (1 - morph._REVEAL) * 0.5)
    assert [p.get_tex_string() for p in middle if isinstance(p, MathTex)] == ["n=3"]
    for curve in (p for p in middle if not isinstance(p, MathTex)):
        for point in curve.get_anchors()[::15]:
            x, y = axes.p2c(point)
            assert y == pytest.approx(x - x**3 / 6, abs=1e-3)
    dot = scene.entries["s"].mob.submobjects[-1]  # a sweep follows the final graph
    assert np.allclose(dot.get_center(), axes.c2p(1, 1 - 1 / 6 + 1 / 120), atol=1e-6)


def test_a_dot_array_highlights_its_first_dots_row_by_row(tmp_path: Path) -> None:
    scene = play_instantly(board([{"op": "dots", "id": "d", "rows": 3, "cols": 4, "highlight": 5}]), tmp_path)
    dots = scene.entries["d"].mob[0]
    assert len(dots) == 12
    yellow = [i for i, d in enumerate(dots) if d.get_color().to_hex().upper() == "#F5D76E"]
    assert yellow == [0, 1, 2, 3, 4]
    assert dots[4].get_center()[1] < dots[3].get_center()[1]  # the fifth starts the second row


def test_bars_grow_to_new_values_on_their_axis(tmp_path: Path) -> None:
    from manim import Arrow, Circle, Dot, Polygon, Text

    scene = play_instantly(
        board(
            [{"op": "bar_chart", "id": "c", "categories": ["a", "b", "c"], "values": [1, 0, 2], "region": "left"}],
            [{"op": "bars_to", "target": "c", "values": [3, 2]}],
            [
                {"op": "number_line", "id": "nl", "x_range": [-4, 4, 1], "region": "right"},
                {"op": "interval", "id": "i", "number_line": "nl", "start": -1, "end": 2, "include_end": False},
                {"op": "interval", "id": "ray", "number_line": "nl", "start": 1, "include_start": False},
            ],
        ),
        tmp_path,
    )
    chart = scene.entries["c"].extra["chart"]
    axes = chart.mob[1]
    bars = [p for p in chart.bars if isinstance(p, Polygon)]
    tops = [round(axes.p2c(bar.get_top())[1], 6) for bar in bars]
    assert tops == [3, 2, 2]  # bars_to gave two values; the third bar kept its own
    assert axes.y_range[1] >= 3  # the value axis was fitted to the values bars_to brings
    assert [t.text for t in chart.bars if isinstance(t, Text)] == ["3", "2", "2"]
    # Whole counts stay whole while the bars grow.
    assert [t.text for t in chart.draw([1.4, 2.6, 2.0], 0) if isinstance(t, Text)] == ["1", "3", "2"]
    line = scene.entries["nl"].extra["line"]
    closed, hollow = scene.entries["i"].mob[1], scene.entries["i"].mob[2]
    assert isinstance(closed, Dot)
    assert isinstance(hollow, Circle)
    assert np.allclose(closed.get_center(), line.n2p(-1))
    assert np.allclose(hollow.get_center(), line.n2p(2))
    ray = scene.entries["ray"].mob[0]
    assert isinstance(ray, Arrow)
    assert ray.get_end()[0] > line.n2p(4)[0]  # runs off the end of the line: to infinity


def test_a_matrix_carries_the_grid_the_basis_and_the_shapes_on_the_plane(tmp_path: Path) -> None:
    from manim import Arrow

    scene = play_instantly(
        board(
            [
                {"op": "plane", "id": "pl"},
                {"op": "arrow", "id": "v", "start": [0, 0], "end": [1, 2], "axes": "pl"},
                {"op": "point", "id": "p", "at": [1, 1], "axes": "pl"},
            ],
            [{"op": "apply_matrix", "target": "pl", "matrix": [[1, 1], [0, 1]]}],
            [{"op": "apply_matrix", "target": "pl", "matrix": [[0, -1], [1, 0]]}],
        ),
        tmp_path,
    )
    plane = scene.entries["pl"].extra["axes"]
    drawing = scene.entries["pl"].extra["plane"]
    assert drawing.matrix == ((0, -1), (1, 1))  # the rotation after the shear
    i_hat, j_hat = (m for m in drawing.grid if isinstance(m, Arrow))
    assert np.allclose(i_hat.get_end(), plane.c2p(0, 1), atol=1e-6)  # (1, 0) → (1, 0) → (0, 1)
    assert np.allclose(j_hat.get_end(), plane.c2p(-1, 1), atol=1e-6)  # (0, 1) → (1, 1) → (-1, 1)
    v = scene.entries["v"].mob[0]
    assert np.allclose(v.get_end(), plane.c2p(-2, 3), atol=1e-6)  # (1, 2) → (3, 2) → (-2, 3)
    assert np.allclose(scene.entries["p"].mob[0].get_center(), plane.c2p(-1, 2), atol=1e-6)
    box = scene.entries["pl"].mob[0]
    for line in drawing.grid:  # the moved grid stays inside the plane's place
        assert line.get_left()[0] >= box.get_left()[0] - 0.3
        assert line.get_right()[0] <= box.get_right()[0] + 0.3


def test_venn_diagrams_and_trees(tmp_path: Path) -> None:
    from manim import Circle, Line, Rectangle, Text

    regions = {"A": "4, 6", "AB": "2", "B": "3, 5", "outside": "1"}
    branches = [
        {"label": "H", "edge": "1/2", "children": [{"label": "HH", "edge": "1/2"}, {"label": "HT", "edge": "1/2"}]},
        {"label": "T", "edge": "1/2"},
    ]
    scene = play_instantly(
        board(
            [{"op": "venn", "id": "v", "labels": ["Even", "Prime"], "regions": regions, "region": "left"}],
            [{"op": "tree", "id": "t", "root": "start", "branches": branches, "region": "right"}],
        ),
        tmp_path,
    )
    venn = scene.entries["v"].mob
    circles = [m for m in venn if isinstance(m, Circle)]
    assert len(circles) == 2
    assert len([m for m in venn if isinstance(m, Rectangle)]) == 1  # the universe, since "outside" has a text
    texts = {m.text: m.get_center() for m in venn if isinstance(m, Text)}
    inside = [int(np.linalg.norm(texts["2"] - c.get_center()) < c.width / 2) for c in circles]
    assert inside == [1, 1]
    assert [int(np.linalg.norm(texts["4,6"] - c.get_center()) < c.width / 2) for c in circles] == [1, 0]
    tree = scene.entries["t"].mob
    assert len([m for m in tree if isinstance(m, Line)]) == 4
    labels = {m.text: m.get_center() for m in tree if isinstance(m, Text)}
    assert labels["start"][0] < labels["H"][0] < labels["HH"][0]  # left to right
    assert labels["HH"][1] > labels["HT"][1] > labels["T"][1]  # leaves in rows, top down
    assert labels["H"][1] == pytest.approx((labels["HH"][1] + labels["HT"][1]) / 2, abs=1e-6)


def test_two_curves_ending_together_get_labels_that_do_not_overlap(tmp_path: Path) -> None:
    from mathreel_scenelang.render.builders.graphs import _overlap

    axes = {"op": "axes", "id": "ax", "x_range": [4, 16, 2], "y_range": [0, 0.2, 0.05]}
    scene = play_instantly(
        board(
            [
                axes,
                {"op": "plot", "id": "left", "axes": "ax", "expression": "1/x", "label": "y = \\frac{1}{f}"},
                {"op": "plot", "id": "right", "axes": "ax", "expression": "0.1", "label": "y = 0.1"},
            ]
        ),
        tmp_path,
    )
    first, second = scene.curve_labels["ax"]
    assert not _overlap(first, second)


def test_curve_labels_meeting_at_the_right_edge_stay_clear_of_each_other_the_curves_and_the_meeting_point(
    tmp_path: Path,
) -> None:
    """Two lines that end side by side (y = 3x + 5 reaching y = 20 near the right edge): each label keeps clear of
    the other label, of the other curve, of the label of the point where they meet, and stays on the axes."""
    from mathreel_scenelang.render.objects import box_of

    scene = play_instantly(
        board(
            [
                {"op": "axes", "id": "ax", "x_range": [-8, 8, 2], "y_range": [-40, 40, 10], "region": "center"},
                {"op": "plot", "id": "left", "axes": "ax", "expression": "3*x + 5", "label": "y = 3x + 5"},
            ],
            [{"op": "plot", "id": "right", "axes": "ax", "expression": "20", "color": "blue", "label": "y = 20"}],
            [{"op": "point", "id": "meet", "at": [5, 20], "axes": "ax", "label": "(5, 20)", "color": "red"}],
        ),
        tmp_path,
    )
    axes = scene.entries["ax"].extra["axes"]
    first, second = scene.curve_labels["ax"]
    meet_label = scene.entries["meet"].mob[1]
    boxes = {"left": box_of(first), "right": box_of(second), "meet": box_of(meet_label)}
    assert not boxes["left"].overlaps(boxes["right"])
    assert not boxes["left"].overlaps(boxes["meet"])
    assert not boxes["right"].overlaps(boxes["meet"])
    on_axes = box_of(axes)
    assert all(on_axes.contains(b) for b in boxes.values())

    def crosses(box: Any, f: Any) -> bool:
        points = [axes.c2p(x, f(x)) for x in np.linspace(-8, 8, 400) if -40 <= f(x) <= 40]
        return any(box.x0 < p[0] < box.x1 and box.y0 < p[1] < box.y1 for p in points)

    assert not crosses(boxes["left"], lambda x: 20.0)
    assert not crosses(boxes["right"], lambda x: 3 * x + 5)
    assert not crosses(boxes["meet"], lambda x: 20.0)
    assert not crosses(boxes["meet"], lambda x: 3 * x + 5)


def test_a_graph_or_chart_in_the_centre_fills_the_frame_below_its_formula(tmp_path: Path) -> None:
    """A single main visual in the centre under a formula uses most of the frame: at least 60 % of its width and
    most of the height the formula leaves, clear of the formula and inside the safe area."""
    from mathreel_scenelang.render.objects import box_of

    formula = {"op": "equation", "id": "eq", "latex": "y = 3x + 5", "region": "top"}
    for visual in (
        {"op": "axes", "id": "ax", "x_range": [-8, 8, 2], "y_range": [-40, 40, 10], "region": "center"},
        {"op": "bar_chart", "id": "ax", "categories": list("ABCDEF"), "values": [1, 2, 3, 2, 1, 4], "region": "center"},
    ):
        scene = play_instantly(board([formula, visual]), tmp_path)
        frame_width = scene.layout.frame.width
        drawn = box_of(scene.entries["ax"].mob)
        formula_box = box_of(scene.entries["eq"].mob)
        assert drawn.width >= 0.6 * frame_width, visual["op"]
        assert drawn.height >= 0.75 * (formula_box.y0 - scene.layout.safe.y0), visual["op"]
        assert not drawn.overlaps(formula_box)
        assert scene.layout.safe.contains(drawn)


def test_a_formula_alone_in_the_centre_is_set_large(tmp_path: Path) -> None:
    """The formula of an idea scene (one formula in the centre, another in the bottom band) is set larger than the
    normal size and stays centred, inside its band, clear of the other; a formula that shares the centre is not."""
    from manim import MathTex

    from mathreel_scenelang.render import style
    from mathreel_scenelang.render.objects import box_of

    scene = play_instantly(
        board(
            [
                {"op": "equation", "id": "f0", "latex": "a x + b = c", "region": "center"},
                {"op": "equation", "id": "f1", "latex": r"x = \frac{c - b}{a}", "region": "bottom"},
            ]
        ),
        tmp_path,
    )
    normal = MathTex("a x + b = c", font_size=style.EQUATION_SIZE)
    big, other = box_of(scene.entries["f0"].mob), box_of(scene.entries["f1"].mob)
    assert big.height >= 1.4 * normal.height
    assert abs(big.center[0]) < 0.05
    assert scene.layout.region_box("center").contains(big)
    assert not big.overlaps(other)
    shared = play_instantly(
        board(
            [
                {"op": "equation", "id": "f0", "latex": "a x + b = c", "region": "center"},
                {"op": "text", "id": "t", "text": "Undo each operation.", "region": "left"},
            ]
        ),
        tmp_path,
    )
    assert box_of(shared.entries["f0"].mob).height == pytest.approx(normal.height, rel=0.02)


def test_a_curve_label_keeps_clear_of_a_curve_drawn_after_it(tmp_path: Path) -> None:
    """Two plans' costs plotted one after the other in one beat: the first line's label, set before the second line
    is drawn, is not crossed by it."""
    from mathreel_scenelang.render.objects import box_of

    scene = play_instantly(
        board(
            [
                {"op": "axes", "id": "ax", "x_range": [40, 160, 20], "y_range": [0, 50, 10], "region": "center"},
                {"op": "plot", "id": "a", "axes": "ax", "expression": "x/10 + 20", "label": "y = 20 + 0.1 m"},
                {"op": "plot", "id": "b", "axes": "ax", "expression": "x/4 + 5", "label": "y = 5 + 0.25 m"},
            ]
        ),
        tmp_path,
    )
    axes = scene.entries["ax"].extra["axes"]
    first, second = (box_of(label) for label in scene.curve_labels["ax"])
    assert not first.overlaps(second)
    for box, g in ((first, lambda x: x / 4 + 5), (second, lambda x: x / 10 + 20)):
        points = [axes.c2p(x, g(x)) for x in np.linspace(40, 160, 400)]
        assert not any(box.x0 < p[0] < box.x1 and box.y0 < p[1] < box.y1 for p in points)


def test_a_table_beside_a_chart_fills_its_half(tmp_path: Path) -> None:
    """A chart on the left and its table on the right: the table is set larger than its normal size to fill its
    half (as the chart fills the other), clear of the chart and the formula above, inside the safe area."""
    from mathreel_scenelang.figure import region_room
    from mathreel_scenelang.render.objects import box_of

    rows = [[str(x), "0.167", ""] for x in range(1, 7)]
    scene = play_instantly(
        board(
            [
                {"op": "equation", "id": "e", "latex": r"E[X] = \sum x P(x)", "region": "top"},
                {"op": "bar_chart", "id": "bars", "categories": list("123456"), "values": [1] * 6, "region": "left"},
                {"op": "table", "id": "t", "header": ["x", "P(x)", "x P(x)"], "rows": rows, "region": "right"},
            ]
        ),
        tmp_path,
    )
    table, chart, formula = (box_of(scene.entries[i].mob) for i in ("t", "bars", "e"))
    room = region_room(scene.layout, "right", ["top", "left", "right"])
    assert table.height >= 0.8 * room.height or table.width >= 0.8 * room.width
    assert not table.overlaps(chart)
    assert not table.overlaps(formula)
    assert scene.layout.safe.contains(table)
