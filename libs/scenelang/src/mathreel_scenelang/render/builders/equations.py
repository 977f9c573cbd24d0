"""Equations: a formula, and its morph into another formula with parts highlighted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from manim import MathTex, ReplacementTransform, TransformMatchingTex, Write
from manim.animation.animation import Animation

from mathreel_scenelang.actions.equations import ShowEquation, TransformEquation
from mathreel_scenelang.latex import check_latex
from mathreel_scenelang.render import style
from mathreel_scenelang.render.highlight import isolated_parts
from mathreel_scenelang.render.objects import Built, box_of, glyph_px

if TYPE_CHECKING:
    from mathreel_scenelang.render.scene import StoryboardScene


def build_equation(scene: StoryboardScene, action: ShowEquation) -> Built:
    mob = MathTex(check_latex(action.latex), font_size=style.EQUATION_SIZE, color=scene.color_of(action))
    return Built(lambda: [Write(mob)], mob, [(scene.text_item(action.id, mob, action.region), mob)])


def build_transform(scene: StoryboardScene, action: TransformEquation) -> Built:
    entry = scene.entries[action.target]
    old = entry.mob
    latex = check_latex(action.latex)
    highlights = [check_latex(h) for h in action.highlight]
    color = old.get_color()
    parts, marked = isolated_parts(latex, highlights)
    try:
        new = MathTex(*parts, font_size=style.EQUATION_SIZE, color=color)
        for index in marked:
            new[index].set_color(style.HIGHLIGHT_COLOR)
    except Exception:
        # A highlight that splits the formula where LaTeX cannot be split: show it whole, unhighlighted.
        scene.report["warnings"].append(f"transform of '{action.target}': highlights could not be isolated")
        new = MathTex(latex, font_size=style.EQUATION_SIZE, color=color)
    item = scene.layout.items[action.target]
    new.scale(item.scale)
    new.move_to(old.get_center())
    item.box = box_of(new)
    item.glyph_px = glyph_px(new)
    scene.beat.copies.pop(action.target, None)
    scene.mobs[action.target] = new
    scene.beat.fresh.add(action.target)
    entry.mob = new

    def animate() -> list[Animation]:
        try:
            anim: Animation = TransformMatchingTex(old, new)
        except Exception:
            anim = ReplacementTransform(old, new)
        return [anim]

    return Built(animate)
