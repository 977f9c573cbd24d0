"""Charts: bars over categories (their values changing over a beat) and an array of dots (drawn by
``render.demos.charts``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mathreel_scenelang.actions.charts import BarChart, BarsTo, ShowDots
from mathreel_scenelang.render import style
from mathreel_scenelang.render.builders.blocks import block_item, block_room
from mathreel_scenelang.render.demos import charts
from mathreel_scenelang.render.objects import Built

if TYPE_CHECKING:
    from mathreel_scenelang.render.scene import StoryboardScene


def build_bar_chart(scene: StoryboardScene, action: BarChart) -> Built:
    width, height, area = block_room(scene, action.region)
    # The axis is scaled once for every value the bars will reach in this scene.
    later = [
        value
        for beat in scene.spec.scene.beats
        for other in beat.actions
        if isinstance(other, BarsTo) and other.target == action.id
        for value in other.values
    ]
    chart = charts.bar_chart(action, later, width, height, scene.color_of(action))
    return Built(
        lambda: charts.chart_appears(chart),
        chart.mob,
        [(block_item(scene, action, chart.mob, area), chart.mob)],
        {"chart": chart},
    )


def build_bars_to(scene: StoryboardScene, action: BarsTo) -> Built:
    chart: charts.Chart = scene.entries[action.target].extra["chart"]
    values = [*action.values[: len(chart.values)], *chart.values[len(action.values) :]]
    return Built(lambda: [chart.change(values)])


def build_dots(scene: StoryboardScene, action: ShowDots) -> Built:
    width, height, area = block_room(scene, action.region)
    highlight = style.PALETTE[action.highlight_color]
    mob = charts.dot_array(action, scene.color_of(action), highlight, width, height * 0.8)
    return Built(lambda: charts.dots_appear(mob), mob, [(block_item(scene, action, mob, area), mob)])
