"""The fork server's report of a render that ended: which request, how, and the CPU it cost.

The worker is not the parent of a warm render, so what the fork server measures when it reaps the child is the only
place that render's CPU time can come from (the per-job resource report).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import time

import pytest

from mathreel_visuals import scene_runner


def _busy_child(cpu_seconds: float, exit_status: int) -> int:
    """Fork a child that spins for ``cpu_seconds`` of its own CPU time, then exits with ``exit_status``."""
    pid = os.fork()
    if pid == 0:
        try:
            while resource.getrusage(resource.RUSAGE_SELF).ru_utime < cpu_seconds:
                pass
        finally:
            os._exit(exit_status)
    return pid


def _reap_all(children: dict[int, int], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while children:
        assert time.monotonic() < deadline, f"children still running: {children}"
        scene_runner._reap(children)
        time.sleep(0.01)


def _events(capsys: pytest.CaptureFixture[str]) -> dict[int, dict[str, object]]:
    lines = capsys.readouterr().out.splitlines()
    return {event["id"]: event for event in map(json.loads, lines)}


def test_an_ended_render_is_reported_with_its_status_and_cpu_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    children = {_busy_child(0.3, 0): 1, _busy_child(0.0, 3): 2}
    _reap_all(children)
    events = _events(capsys)
    assert {request_id: (e["event"], e["status"], e["signal"]) for request_id, e in events.items()} == {
        1: ("exited", 0, 0),
        2: ("exited", 3, 0),
    }
    # What the child spent, not what the server did meanwhile (it only waited).
    assert 0.3 <= float(events[1]["cpu_seconds"]) < 5  # type: ignore[arg-type]
    assert float(events[2]["cpu_seconds"]) < 0.3  # type: ignore[arg-type]


def test_a_killed_render_is_reported_with_its_signal(capsys: pytest.CaptureFixture[str]) -> None:
    pid = _busy_child(60.0, 0)
    os.kill(pid, signal.SIGKILL)
    _reap_all({pid: 7})
    event = _events(capsys)[7]
    assert (event["status"], event["signal"]) == (-signal.SIGKILL, signal.SIGKILL)
    assert float(event["cpu_seconds"]) >= 0  # type: ignore[arg-type]
