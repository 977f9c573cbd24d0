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
                        "narration": "Moving things.",
                        "actions": [
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
