"""``mathreel plan`` as a user runs it: a real process, a standalone SQLite database in its own folder.

Each run is a process of its own that spends most of its time importing the planner, once in itself and once in its
computation's fork server, one core at a time. The module's runs are started together, so that on a machine with two
cores they import side by side instead of one after the other; each test then checks its own run's exit status and
output.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

import pytest

from mathreel_scenelang.storyboard import storyboard_adapter

pytestmark = pytest.mark.integration

RUNS = {
    "recognised": ("Solving linear equations", "--context", "Solve 4x - 7 = 13."),
    "no_lesson": ("Galois theory", "--context", "Field extensions and their symmetry groups."),
}


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Done]:
    """Every run of ``RUNS``, each in a folder of its own (its own database), started at once and waited for."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATHREEL_")}
    running: dict[str, subprocess.Popen[str]] = {}
    try:
        for name, args in RUNS.items():
            running[name] = subprocess.Popen(
                [sys.executable, "-m", "mathreel_cli.main", "plan", *args],
                cwd=tmp_path_factory.mktemp(name),
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        done: dict[str, Done] = {}
        for name, process in running.items():
            stdout, stderr = process.communicate(timeout=180)
            done[name] = Done(process.returncode, stdout, stderr)
        return done
    finally:
        for process in running.values():
            if process.poll() is None:
                process.kill()
                process.wait()


def test_plan_prints_the_storyboard_of_the_recognised_lesson(plans: dict[str, Done]) -> None:
    done = plans["recognised"]

    assert done.returncode == 0, done.stderr
    storyboard = storyboard_adapter.validate_json(done.stdout)
    assert storyboard.title == "Solving linear equations"
    narration = " ".join(scene.narration for scene in storyboard.scenes)
    assert "So x equals 5." in narration


def test_plan_exits_3_with_the_reason_when_there_is_no_lesson(plans: dict[str, Done]) -> None:
    done = plans["no_lesson"]

    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr.startswith("topic_not_supported: There is no lesson for 'Galois theory'")
