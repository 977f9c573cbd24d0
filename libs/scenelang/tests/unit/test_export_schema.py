import json
from pathlib import Path

from mathreel_scenelang.export_schema import DEFAULT_PATH, main, render_schema


def test_committed_schema_is_current() -> None:
    assert DEFAULT_PATH.read_text(encoding="utf-8") == render_schema(), (
        "docs/storyboard.schema.json is stale: run `uv run python -m mathreel_scenelang.export_schema`"
    )


def test_export_writes_valid_json(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    assert main([str(target)]) == 0
    schema = json.loads(target.read_text(encoding="utf-8"))
    assert schema["title"] == "Storyboard"
    assert "ShowEquation" in schema["$defs"]
