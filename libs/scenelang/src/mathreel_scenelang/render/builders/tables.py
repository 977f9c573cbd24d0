"""Tables and matrices: cells are plain text unless written as ``$...$`` (tables) or always LaTeX (matrices); boxes
round their rows and columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from manim import Create, FadeIn, MathTex, Matrix, MobjectTable, SurroundingRectangle, Text, VGroup, VMobject

from mathreel_scenelang.actions.tables import ShowCells, ShowMatrix, ShowTable
from mathreel_scenelang.errors import SceneError
from mathreel_scenelang.figure import region_room
from mathreel_scenelang.latex import check_latex
from mathreel_scenelang.layout import Kind, LayoutItem
from mathreel_scenelang.render import style
from mathreel_scenelang.render.objects import Built, box_of, glyph_px

if TYPE_CHECKING:
    from mathreel_scenelang.render.scene import StoryboardScene

# How far a table in a named region is set above its normal size to fill the room the region gives it.
MAX_TABLE_GROWTH = 1.4


def cell(src: str, font_size: float) -> VMobject:
    """A table cell: plain text unless it is wholly ``$...$``, which is set as a formula."""
    if len(src) > 2 and src.startswith("$") and src.endswith("$"):
        return MathTex(check_latex(src[1:-1]), font_size=font_size * 1.35, color=style.TEXT_COLOR)
    return Text(src or " ", font=style.FONT, font_size=font_size, color=style.TEXT_COLOR)


def build_matrix(scene: StoryboardScene, action: ShowMatrix) -> Built:
    color = scene.color_of(action)
    rows = [[check_latex(c) if c.strip() else r"\," for c in row] for row in action.rows]
    mob = Matrix(rows, element_to_mobject=lambda s: MathTex(s, font_size=style.MATRIX_SIZE, color=color))
    mob.get_brackets().set_color(color)
    return Built(
        lambda: [Create(mob.get_brackets()), FadeIn(mob.get_entries())],
        mob,
        [(scene.text_item(action.id, mob, action.region), mob)],
    )


def build_table(scene: StoryboardScene, action: ShowTable) -> Built:
    header = [cell(h, style.TABLE_SIZE).set_color(scene.color_of(action)) for h in action.header]
    body = [[cell(c, style.TABLE_SIZE) for c in row] for row in action.rows]
    mob = MobjectTable(
        body,
        col_labels=header,
        include_outer_lines=True,
        v_buff=0.3,
        h_buff=0.6,
        line_config={"stroke_width": 1.5, "color": style.MUTED_COLOR},
    )
    item = scene.text_item(action.id, mob, action.region)
    if action.region is not None:
        # Beside a chart or a graph a table fills its side as they do, rather than standing small in its middle.
        room = region_room(scene.layout, action.region, scene.figure_plan().text_regions)
        grow = min(MAX_TABLE_GROWTH, room.width * 0.9 / mob.width, room.height * 0.9 / mob.height)
        if grow > 1.0:
            mob.scale(grow)
            item = scene.text_item(action.id, mob, action.region)
            item.area = room
    return Built(lambda: [FadeIn(mob)], mob, [(item, mob)])


def build_cells(scene: StoryboardScene, action: ShowCells) -> Built:
    target = scene.mob_of(action.target)
    if isinstance(target, Matrix):
        rows, columns = list(target.get_rows()), list(target.get_columns())
    elif isinstance(target, MobjectTable):
        # The header row is the table's first row; the storyboard counts the rows of data.
        rows, columns = list(target.get_rows())[1:], list(target.get_columns())
    else:
        raise SceneError("invalid_scene", f"cells of '{action.target}': it is not a matrix or a table")
    if any(i >= len(rows) for i in action.rows) or any(j >= len(columns) for j in action.columns):
        raise SceneError(
            "invalid_scene",
            f"cells of '{action.target}': it has {len(rows)} rows and {len(columns)} columns (counted from 0)",
        )
    color = scene.color_of(action)
    boxes = [
        SurroundingRectangle(part, color=color, buff=0.1, corner_radius=0.08, stroke_width=3)
        for part in [*(rows[i] for i in action.rows), *(columns[j] for j in action.columns)]
    ]
    mob = VGroup(*boxes)
    root = scene.entries[action.target].layout_ids[0]
    item = LayoutItem(
        id=action.id, kind=Kind.ANNOTATION, box=box_of(mob), glyph_px=glyph_px(mob), anchor=root, movable=False
    )
    return Built(lambda: [Create(box) for box in boxes], mob, [(item, mob)])
