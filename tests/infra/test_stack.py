"""The process harness of the end-to-end tests: ports of their own, and ready only when a process answers itself."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.stack import Process, _ephemeral_start, free_port

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
