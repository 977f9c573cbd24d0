"""The benchmark storyboard's four scenes written by hand in plain Manim: the baseline ``bench/render`` compares to.

Same objects, same 2-second beats and roughly the same animation lengths (half of each beat, then a wait), on the
same background; no layout engine, no checks, no timing plan.
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    UP,
    Animation,
    Axes,
    Circle,
    Create,
    FadeIn,
    FadeOut,
    Line,
    MathTex,
    Polygon,
    RightAngle,
    Scene,
    Text,
    TransformMatchingTex,
    VGroup,
    Write,
    config,
)

BEAT = 2.0
ANIMATE = 1.0
config.background_color = "#1B1F27"


class _Beats(Scene):  # type: ignore[misc]
    def beat(self, *animations: Animation) -> None:
        self.play(*animations, run_time=ANIMATE)
        self.wait(BEAT - ANIMATE)


class FormulaScene(_Beats):
    def construct(self) -> None:
        title = Text("Squares", font_size=54).to_edge(UP)
        self.beat(Write(title))
        eq = MathTex("(a+b)^2", font_size=60)
        self.beat(Write(eq))
        expanded = MathTex("a^2 + ", "2ab", " + b^2", font_size=60)
        expanded[1].set_color("#F5D76E")
        self.beat(TransformMatchingTex(eq, expanded))


class GraphScene(_Beats):
    def construct(self) -> None:
        axes = Axes(x_range=[-3, 3, 1], y_range=[-1, 9, 1], x_length=7, y_length=4.4, tips=False)
        axes.add_coordinates()
        self.beat(Create(axes))
        graph = axes.plot(lambda x: x**2, x_range=[-3, 3], color="#F5D76E")
        self.beat(Create(graph))
        area = axes.get_area(graph, x_range=(0, 2), opacity=0.35)
        self.beat(FadeIn(area))


class GeometryScene(_Beats):
    def construct(self) -> None:
        a, b, c = (-2.0, -1.5, 0.0), (2.0, -1.5, 0.0), (-2.0, 1.5, 0.0)
        tri = Polygon(a, b, c, color="#6CB4EE", fill_opacity=0.3)
        self.beat(Create(tri))
        mark = RightAngle(Line(a, b), Line(a, c), length=0.32, quadrant=(1, 1))
        self.beat(Create(mark))
        circle = Circle(radius=2.5, color="#5CC8BE")
        self.beat(Create(circle))


class TextScene(_Beats):
    def construct(self) -> None:
        rows = VGroup(*(Text(f"• {t}", font_size=36) for t in ("one idea", "another idea", "a third")))
        rows.arrange(DOWN, aligned_edge=LEFT).to_edge(UP)
        self.beat(FadeIn(rows))
        self.beat(FadeOut(rows))
        total = MathTex(r"\sum_{k=1}^{n} k = \frac{n(n+1)}{2}", font_size=60)
        self.beat(Write(total))
