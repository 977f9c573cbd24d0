"""Text: a title (with an optional subtitle), a line of text, a bulleted list; long lines are re-wrapped to fit."""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING

from manim import DOWN, LEFT, RIGHT, UP, FadeIn, LaggedStart, Text, VGroup, VMobject, Write

from mathreel_scenelang.actions.text import ShowBullets, ShowText, ShowTitle
from mathreel_scenelang.layout import Fix
from mathreel_scenelang.render import style
from mathreel_scenelang.render.objects import Built, centered_lines

if TYPE_CHECKING:
    from mathreel_scenelang.render.scene import StoryboardScene


def wrapped_text(
    scene: StoryboardScene, object_id: str, text: str, font_size: float, color: str, max_width: float
) -> Text:
    """A Text no wider than ``max_width``, re-wrapped onto more lines when it would be (the reflow fix)."""
    mob = Text(text, font=style.FONT, font_size=font_size, color=color)
    if mob.width <= max_width:
        return mob
    longest = max(len(line) for line in text.splitlines() or [text])
    chars = max(10, int(longest * max_width / mob.width))
    for _ in range(5):
        wrapped = "\n".join(textwrap.fill(line, chars) for line in text.splitlines())
        mob = Text(wrapped, font=style.FONT, font_size=font_size, color=color)
        if mob.width <= max_width or chars <= 10:
            break
        chars = max(10, int(chars * 0.85))
    if "\n" not in text:
        mob, chars = balanced(text, font_size, color, mob, chars)
    scene.beat.fixes.append(Fix("reflow", object_id, f"re-wrapped at {chars} characters to fit {max_width:.1f} units"))
    return mob


def balanced(text: str, font_size: float, color: str, wrapped: Text, chars: int) -> tuple[Text, int]:
    """The same number of lines as ``wrapped`` (which fits), with their lengths evened out: no lone last word."""
    lines = len(textwrap.wrap(text, chars))
    for even in range(math.ceil(len(text) / lines), chars):
        if len(textwrap.wrap(text, even)) == lines:
            return Text(textwrap.fill(text, even), font=style.FONT, font_size=font_size, color=color), even
    return wrapped, chars


def build_title(scene: StoryboardScene, action: ShowTitle) -> Built:
    color = scene.color_of(action)
    # A title spans the frame unless it is put in a half or a quarter: the centre region's margins are for
    # bodies of text, and would break a short title onto two lines.
    full = action.region is None or action.region in ("center", "top", "bottom")
    width = scene.layout.safe.width * 0.9 if full else scene.max_width(action.region)
    title = centered_lines(wrapped_text(scene, action.id, action.text, style.TITLE_SIZE, color, width))
    parts: list[VMobject] = [title]
    if action.subtitle:
        subtitle = wrapped_text(scene, action.id, action.subtitle, style.SUBTITLE_SIZE, style.MUTED_COLOR, width)
        parts.append(centered_lines(subtitle))
    mob = VGroup(*parts).arrange(DOWN, buff=0.32)
    return Built(
        lambda: [Write(title), *(FadeIn(p, shift=0.1 * UP) for p in parts[1:])],
        mob,
        [(scene.text_item(action.id, mob, action.region or "top"), mob)],
    )


def build_text(scene: StoryboardScene, action: ShowText) -> Built:
    width = scene.max_width(action.region)
    mob = wrapped_text(scene, action.id, action.text, style.TEXT_SIZE, scene.color_of(action), width)
    return Built(lambda: [FadeIn(mob, shift=0.15 * UP)], mob, [(scene.text_item(action.id, mob, action.region), mob)])


def build_bullets(scene: StoryboardScene, action: ShowBullets) -> Built:
    color = scene.color_of(action)
    width = scene.max_width(action.region) - 0.5
    rows = []
    for item in action.items:
        dot = Text("•", font=style.FONT, font_size=style.BULLET_SIZE, color=style.ACCENT_COLOR)
        body = wrapped_text(scene, action.id, item, style.BULLET_SIZE, color, width)
        row = VGroup(dot, body).arrange(RIGHT, buff=0.22, aligned_edge=UP)
        rows.append(row)
    mob = VGroup(*rows).arrange(DOWN, buff=0.28, aligned_edge=LEFT)
    return Built(
        lambda: [LaggedStart(*(FadeIn(r, shift=0.15 * RIGHT) for r in rows), lag_ratio=0.4)],
        mob,
        [(scene.text_item(action.id, mob, action.region), mob)],
    )
