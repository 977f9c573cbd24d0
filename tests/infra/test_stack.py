"""The process harness of the end-to-end tests: ports of their own, and ready only when a process answers itself."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.stack import Process, _ephemeral_start, _worker_share, free_port

# A readiness endpoint that answers 200 on the port given as its argument.
_SERVER = """
import http.server, sys
class Ready(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Ready).serve_forever()
"""


@pytest.fixture
def spawned() -> Iterator[list[subprocess.Popen[bytes]]]:
    children: list[subprocess.Popen[bytes]] = []
    yield children
    for child in children:
        child.kill()
        child.wait()


def test_free_port_never_repeats_and_stays_below_the_ephemeral_range() -> None:
    ports = [free_port() for _ in range(300)]
    assert len(set(ports)) == len(ports)
    assert all(1024 <= port < _ephemeral_start() for port in ports)


def test_two_xdist_workers_hand_out_disjoint_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    ports = range(20000, 20100)
    monkeypatch.setenv("PYTEST_XDIST_WORKER_COUNT", "2")
    shares = []
    for worker in ("gw0", "gw1"):
        monkeypatch.setenv("PYTEST_XDIST_WORKER", worker)
        shares.append(set(_worker_share(ports)))
    assert shares[0].isdisjoint(shares[1])
    assert shares[0] | shares[1] == set(ports)
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert _worker_share(ports) == ports  # outside xdist: the whole range


def test_the_files_that_share_a_session_fixture_are_one_xdist_scope(
    pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import pytest_xdist_make_scheduler

    monkeypatch.setattr(pytestconfig.option, "dist", "loadfile")
    monkeypatch.setattr(pytestconfig.option, "tx", ["popen", "popen"])
    monkeypatch.setattr(pytestconfig.option, "loadscopereorder", True)
    scope = pytest_xdist_make_scheduler(pytestconfig, log=None)._split_scope
    assert scope("tests/chaos/test_faults.py::test_a") == scope("tests/chaos/test_shutdown.py::test_b") == "chaos"
    assert scope("tests/contract/test_contract.py::t[distributed]") == scope("tests/realtime/test_events.py::t")
    assert scope("tests/e2e/test_cache.py::test_a") == scope("tests/e2e/test_cache.py::test_b")
    assert scope("tests/e2e/test_cache.py::test_a") != scope("tests/e2e/test_topics.py::test_a")
    # Handed out in the order the workers collected them, which puts the groups first.
    assert pytestconfig.option.loadscopereorder is False
    monkeypatch.setattr(pytestconfig.option, "dist", "load")
    assert pytest_xdist_make_scheduler(pytestconfig, log=None) is None  # another mode: xdist's own scheduler


def test_a_process_is_ready_only_when_the_answer_on_its_port_is_its_own(
    spawned: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/readyz"
    owner = subprocess.Popen([sys.executable, "-c", _SERVER, str(port)])
    spawned.append(owner)
    # Given the same port, another process that never bound it: the owner answers its probes with 200.
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    spawned.append(other)
    owning = Process("owner", owner, tmp_path / "owner.log", url)
    not_owning = Process("other", other, tmp_path / "other.log", url)

    deadline = time.monotonic() + 30
    while not owning.ready():
        assert owner.poll() is None, "the readiness server exited"
        assert time.monotonic() < deadline, "the readiness server did not start"
        time.sleep(0.1)
    assert not not_owning.ready()

    owner.kill()
    owner.wait()
    assert not owning.ready()
