"""Storyboards shared by the visuals tests."""

from mathreel_scenelang.storyboard import Storyboard, storyboard_adapter
from mathreel_shared.timing import BeatTiming, SceneTiming

VOCABULARY: Storyboard = storyboard_adapter.validate_python(
    {
        "title": "Every action",
        "scenes": [
            {
                "id": "all",
                "beats": [
                    {
                        "narration": "Titles and text.",
                        "actions": [
                            {"op": "title", "id": "t", "text": "Derivatives", "subtitle": "the slope of a curve"},
                            {
                                "op": "text",
                                "id": "intro",
                                "text": "A derivative measures how fast a function "
                                "changes at a point, and it is the slope of the tangent line there.",
                                "region": "left",
                            },
                            {
                                "op": "bullets",
                                "id": "list",
                                "items": ["slope", "rate of change", "limit"],
                                "region": "right",
                            },
                        ],
                    },
                    {
                        "narration": "Formulas change.",
                        "actions": [
                            {"op": "remove", "targets": ["intro", "list"]},
                            {"op": "equation", "id": "eq", "latex": r"f'(x) = \lim_{h \to 0} \frac{f(x+h)-f(x)}{h}"},
                            {"op": "transform", "target": "eq", "latex": r"f'(x) = 2x", "highlight": ["2x"]},
                            {"op": "step", "target": "eq", "latex": r"f'(3) = 6", "note": "x = 3", "box": True},
                            {"op": "brace", "id": "br", "target": "eq", "direction": "down", "label": r"\text{slope}"},
                            {"op": "indicate", "target": "eq"},
                            {"op": "circumscribe", "target": "t"},
                            {"op": "color", "target": "t", "color": "teal"},
                        ],
                    },
                    {
                        "narration": "A graph.",
                        "actions": [
                            {"op": "clear"},
                            {"op": "axes", "id": "ax", "x_range": [-3, 3, 1], "y_range": [-1, 9, 1]},
                            {"op": "plot", "id": "g", "axes": "ax", "expression": "x^2", "label": "x^2"},
                            {"op": "area", "id": "ar", "graph": "g", "x_range": [0, 2]},
                            {"op": "tangent", "id": "tg", "graph": "g", "x": 1},
                            {"op": "plot", "id": "h", "axes": "ax", "expression": "1/x", "color": "green"},
                        ],
                    },
                    {
                        "narration": "Geometry.",
                        "actions": [
                            {"op": "clear"},
                            {
                                "op": "polygon",
                                "id": "tri",
                                "vertices": [[0, 0], [4, 0], [4, 3]],
                                "labels": ["A", "B", "C"],
                            },
                            {"op": "angle", "id": "ab", "vertex": [4, 0], "a": [0, 0], "b": [4, 3], "right": True},
                            {"op": "angle", "id": "aa", "vertex": [0, 0], "a": [4, 0], "b": [4, 3], "label": r"\alpha"},
                            {"op": "segment", "id": "s", "start": [0, 0], "end": [4, 3], "label": "5"},
                            {"op": "circle", "id": "c", "center": [6.5, 1.5], "radius": 1, "show_radius": True},
                            {"op": "point", "id": "p", "at": [6.5, 1.5], "label": "O"},
                        ],
                    },
                    {
                        "narration": "Arrows.",
                        "actions": [
                            {"op": "arrow", "id": "a1", "start": [2, -1], "end": [4, -0.2]},
                            {"op": "text", "id": "hyp", "text": "hypotenuse", "region": "top_right"},
                            {"op": "arrow", "id": "a2", "from_id": "hyp", "to_id": "s", "label": "c"},
                        ],
                    },
                    {
                        "narration": "A point slides along a changing graph.",
                        "actions": [
                            {"op": "clear"},
                            {"op": "axes", "id": "ax2", "x_range": [-1, 4, 1], "y_range": [-1, 9, 1]},
                            {
                                "op": "morph_plot",
                                "id": "mp",
                                "axes": "ax2",
                                "expressions": ["x", "x^2/2", "x^2"],
                                "labels": ["n=1", "n=2", "n=3"],
                            },
                            {
                                "op": "sweep",
                                "id": "sw",
                                "graph": "mp",
                                "start": 0.5,
                                "end": 2,
                                "show": ["dot", "coordinates", "vertical", "horizontal", "tangent", "slope"],
                            },
                            {"op": "sweep_to", "target": "sw", "end": 1.5},
                            {
                                "op": "sweep",
                                "id": "sc",
                                "graph": "mp",
                                "start": 2.5,
                                "end": 1.5,
                                "anchor": 1,
                                "show": ["secant", "area"],
                            },
                            {"op": "point", "id": "pa", "at": [1, 1], "label": "P", "axes": "ax2"},
                            {
                                "op": "segment",
                                "id": "sa",
                                "start": [1, 0],
                                "end": [1, 1],
                                "dashed": True,
                                "axes": "ax2",
                            },
                        ],
                    },
                    {
                        "narration": "Charts and sets.",
                        "actions": [
                            {"op": "clear"},
                            {
                                "op": "bar_chart",
                                "id": "bc",
                                "categories": ["a", "b", "c"],
                                "values": [1, 2, 0],
                                "region": "left",
                            },
                            {"op": "bars_to", "target": "bc", "values": [3, 1, 2]},
                            {
                                "op": "venn",
                                "id": "vn",
                                "labels": ["A", "B", "C"],
                                "regions": {"ABC": "1"},
                                "region": "right",
                            },
                        ],
                    },
                    {
                        "narration": "Intervals, arrays and trees.",
                        "actions": [
                            {"op": "clear"},
                            {"op": "number_line", "id": "nl0", "x_range": [-3, 3, 1], "region": "top"},
                            {"op": "interval", "id": "iv", "number_line": "nl0", "start": -1, "include_start": False},
                            {"op": "dots", "id": "ds", "rows": 2, "cols": 5, "highlight": 3, "region": "bottom_left"},
                            {
                                "op": "tree",
                                "id": "tr",
                                "root": "s",
                                "region": "bottom_right",
                                "branches": [{"label": "a", "edge": "p"}, {"label": "b", "edge": "q"}],
                            },
                        ],
                    },
                    {
                        "narration": "A matrix acts on the plane.",
                        "actions": [
                            {"op": "clear"},
                            {"op": "plane", "id": "pl"},
                            {"op": "arrow", "id": "va", "start": [0, 0], "end": [1, 1], "axes": "pl"},
                            {"op": "polygon", "id": "pg", "vertices": [[0, 0], [1, 0], [0, 1]], "axes": "pl"},
                            {"op": "apply_matrix", "target": "pl", "matrix": [[1, 1], [0, 1]]},
                        ],
                    },
                    {
                        "narration": "Lines and tables.",
                        "actions": [
                            {"op": "clear"},
                            {
                                "op": "number_line",
                                "id": "nl",
                                "x_range": [-4, 4, 1],
                                "marks": [-2, 1.5],
                                "region": "top",
                            },
                            {"op": "matrix", "id": "m", "rows": [["1", "2"], ["3", r"\sqrt{4}"]], "region": "left"},
                            {
                                "op": "table",
                                "id": "tb",
                                "header": ["x", "$x^2$"],
                                "rows": [["1", "1"], ["2", "4"], ["3", "9"]],
                                "region": "right",
                            },
                        ],
                    },
                    {
                        "narration": "A row of the matrix and a column of the table.",
                        "actions": [
                            {"op": "cells", "id": "row", "target": "m", "rows": [1]},
                            {"op": "cells", "id": "column", "target": "tb", "columns": [1]},
                        ],
                    },
                    {
                        "narration": "Moving things.",
                        "actions": [
                            {"op": "remove", "targets": ["row", "column"]},
                            {"op": "move", "target": "m", "region": "bottom_left"},
                            {"op": "move", "target": "tb", "shift": [-0.5, 0], "scale": 0.9, "rotate_degrees": 5},
                            {"op": "remove", "targets": ["nl"]},
                        ],
                    },
                ],
            }
        ],
    }
)


def even_timing(storyboard: Storyboard, beat_seconds: float, lead_in: float = 0.0, scene_index: int = 0) -> SceneTiming:
    """Timing as tts would measure it: beats back to back, ``beat_seconds`` each, after ``lead_in``."""
    beats = storyboard.scenes[scene_index].beats
    return SceneTiming(
        scene_index=scene_index,
        duration=lead_in + beat_seconds * len(beats),
        beats=[
            BeatTiming(start=lead_in + i * beat_seconds, duration=beat_seconds, text=b.narration)
            for i, b in enumerate(beats)
        ],
    )
