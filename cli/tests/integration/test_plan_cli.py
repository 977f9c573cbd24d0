"""``mathreel plan`` as a user runs it: a real process, a standalone SQLite database in its own folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mathreel_scenelang.storyboard import storyboard_adapter

pytestmark = pytest.mark.integration


def _plan(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATHREEL_")}
    return subprocess.run(
        [sys.executable, "-m", "mathreel_cli.main", "plan", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_plan_prints_the_storyboard_of_the_recognised_lesson(tmp_path: Path) -> None:
    done = _plan(tmp_path, "Solving linear equations", "--context", "Solve 4x - 7 = 13.")

    assert done.returncode == 0, done.stderr
    storyboard = storyboard_adapter.validate_json(done.stdout)
    assert storyboard.title == "Solving linear equations"
    narration = " ".join(scene.narration for scene in storyboard.scenes)
    assert "So x equals 5." in narration


def test_plan_exits_3_with_the_reason_when_there_is_no_lesson(tmp_path: Path) -> None:
    done = _plan(tmp_path, "Galois theory", "--context", "Field extensions and their symmetry groups.")

    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr.startswith("topic_not_supported: There is no lesson for 'Galois theory'")
