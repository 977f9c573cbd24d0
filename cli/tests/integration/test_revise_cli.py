"""``mathreel render`` and ``mathreel revise`` refuse what they cannot send, before starting anything. Rendering a
valid storyboard is tested end to end in ``tests/e2e/test_revision.py``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mathreel_cli.main import app

pytestmark = pytest.mark.integration

BROKEN = {
    "title": "Broken",
    "scenes": [
        {"id": "one", "beats": [{"narration": "Look.", "actions": [{"op": "equation", "id": "e", "latex": "a^2"}]}]},
        {"id": "two", "beats": [{"actions": []}]},
    ],
}


def test_render_and_revise_refuse_what_they_cannot_send(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.json").write_text(json.dumps(BROKEN), encoding="utf-8")
    (tmp_path / "list.json").write_text("[1, 2]", encoding="utf-8")
    runner = CliRunner()
    job = "00000000-0000-0000-0000-000000000000"

    broken = runner.invoke(app, ["render", "broken.json", "-o", "out.mp4"], env={"COLUMNS": "200"})
    not_an_object = runner.invoke(app, ["revise", job, "list.json"])
    missing = runner.invoke(app, ["revise", job, "missing.json"])

    assert broken.exit_code == 1, broken.output
    assert "storyboard.scenes[1].beats[0].narration" in broken.stderr
    assert not (tmp_path / "out.mp4").exists()
    assert not (tmp_path / ".mathreel").exists()  # no standalone stack was started for a storyboard that cannot render
    assert (not_an_object.exit_code, missing.exit_code) == (2, 2)
    assert "a JSON object is expected" in not_an_object.stderr
    assert "cannot read a storyboard" in missing.stderr
