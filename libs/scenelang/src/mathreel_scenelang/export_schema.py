"""Write the storyboard JSON Schema to ``docs/storyboard.schema.json``.

Run ``uv run python -m mathreel_scenelang.export_schema [path]`` after changing the storyboard language; a unit test
fails while the committed file differs from what this writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from mathreel_scenelang.storyboard import storyboard_json_schema

DEFAULT_PATH = Path(__file__).resolve().parents[4] / "docs" / "storyboard.schema.json"


def render_schema() -> str:
    """The schema exactly as it is committed: indented, key order kept, newline-terminated."""
    return json.dumps(storyboard_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_schema(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
