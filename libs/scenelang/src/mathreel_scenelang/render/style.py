"""The look of every clip: one dark background, a restrained palette, font sizes chosen for 480p.

Font sizes are Manim font sizes. Text (Pango) and formulas (LaTeX) of the same font size differ in glyph height,
so readability is judged on the measured cap height, not the font size (see ``layout``).
"""

from __future__ import annotations

from typing import Final

BACKGROUND: Final = "#1B1F27"
FONT: Final = "DejaVu Sans"

# Storyboard colour names → soft tones that read well on the dark background without glaring. Each action's
# default colour is one of these names, in its registry entry (``mathreel_scenelang.registry``).
PALETTE: Final[dict[str, str]] = {
    "white": "#ECEFF4",
    "yellow": "#F5D76E",
    "blue": "#6CB4EE",
    "green": "#7BD389",
    "red": "#F07C7C",
    "orange": "#F5A25D",
    "purple": "#B39DDB",
    "teal": "#5CC8BE",
    "gold": "#E6C36A",
    "pink": "#F4A6C6",
    "grey": "#9AA3AE",
}
TEXT_COLOR: Final = PALETTE["white"]
MUTED_COLOR: Final = PALETTE["grey"]
ACCENT_COLOR: Final = PALETTE["yellow"]
HIGHLIGHT_COLOR: Final = PALETTE["yellow"]

TITLE_SIZE: Final = 54
# The scene's heading, in the strip the layout keeps free at the top: small, quiet, always the same place.
HEADING_SIZE: Final = 24
HEADING_HEIGHT: Final = 0.42
SUBTITLE_SIZE: Final = 34
TEXT_SIZE: Final = 36
BULLET_SIZE: Final = 36
EQUATION_SIZE: Final = 60
LABEL_SIZE: Final = 38
TABLE_SIZE: Final = 32
MATRIX_SIZE: Final = 50
TICK_SIZE: Final = 24
# A line of working: the note beside it, the gap to the next line (scene units at full size), how far the lines
# above fade back.
NOTE_SIZE: Final = 30
NOTE_COLOR: Final = PALETTE["teal"]
STEP_GAP: Final = 0.3
NOTE_GAP: Final = 0.7
DIMMED_OPACITY: Final = 0.45

STROKE_WIDTH: Final = 4
