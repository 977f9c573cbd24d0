"""A real standalone server process (``mathreel serve``) under hostile jobs: its event loop keeps answering, and a
computation past its limit fails the job at once with ``input_too_complex``.

Finding 1: a context stating ``9^9^9^9 = 5`` froze the whole server (the planner's SymPy check held the
interpreter in a GMP power), so ``/health`` and every other user's request timed out, again after each restart.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from mathreel_shared.auth import DevSigningKey
from tests.e2e.stack import free_port

HOSTILE_CONTEXT = "Compute 9^9^9^9 = 5 now. Then 2^2^2^2^2^2 = 7 and exp(exp(exp(9))) = 1."
HEALTH_BUDGET_SECONDS = 2.0


@dataclass
class Server:
    client: httpx.Client
    headers: dict[str, str]
    log_path: Path

    def submit(self, context: str) -> str:
        body = {"configuration": {"topic": "Laws of exponents", "context": context, "quality": "low"}}
        created = self.client.post("/api/v1/videos/generate", json=body, headers=self.headers)
        assert created.status_code == 201, created.text
        job_id: str = created.json()["job_id"]
        return job_id

    def status(self, job_id: str) -> dict[str, object]:
        answer: dict[str, object] = self.client.get(f"/api/v1/videos/jobs/{job_id}/status", headers=self.headers).json()
        return answer


@dataclass
class Started:
    """A ``mathreel serve`` process on its way up."""

    process: subprocess.Popen[bytes]
    port: int
    token: str
    log_path: Path


def _start(folder: Path, **settings: str) -> Started:
    """``mathreel serve`` in a process of its own on SQLite and a media folder under ``folder``."""
    port = free_port()
    key_path = folder / "dev-signing-key.pem"
    token = DevSigningKey.load_or_create(key_path).mint("hostile_user", issuer="mathreel-dev", ttl_seconds=900)
    env = {name: value for name, value in os.environ.items() if not name.startswith("MATHREEL_")}
    env |= {
        "MATHREEL_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'mathreel.db'}",
        "MATHREEL_MEDIA_DIR": str(folder / "media"),
        "MATHREEL_WORK_DIR": str(folder / "work"),
        "MATHREEL_DEV_SIGNING_KEY_PATH": str(key_path),
        "MATHREEL_LOG_LEVEL": "WARNING",
        **{f"MATHREEL_{name.upper()}": value for name, value in settings.items()},
    }
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "mathreel_cli.main", "serve", "--port", str(port)],
            env=env,
            cwd=folder,  # no .env of the repository
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return Started(process, port, token, log_path)


def _healthy(started: Started, client: httpx.Client) -> Server:
    """Wait (up to three minutes: two servers start side by side) until the server answers ``/health``."""
    deadline = time.monotonic() + 180
    while True:
        assert started.process.poll() is None, started.log_path.read_text()
        try:
            if client.get("/health").status_code == 200:
                return Server(client, {"Authorization": f"Bearer {started.token}"}, started.log_path)
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, started.log_path.read_text()
        time.sleep(0.3)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# Each test's server: its folder's name and the settings it runs with.
SERVERS: dict[str, dict[str, str]] = {
    "default_limits": {},
    # A limit no plan can meet (the round trip to the child alone takes longer): the stopped computation's path.
    "tiny_compute_limit": {"compute_timeout_seconds": "0.001"},
}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """One server per test, each with its own settings, database and media folder. They are started together, so
    that their start-ups (the whole platform's imports) share the machine's cores instead of following each other;
    each test drives only its own server, and both are up and idle before the first test begins."""
    started: dict[str, Started] = {}
    try:
        for name, settings in SERVERS.items():
            started[name] = _start(tmp_path_factory.mktemp(name), **settings)
        with ExitStack() as clients:
            ready = {}
            for name, one in started.items():
                client = clients.enter_context(
                    httpx.Client(base_url=f"http://127.0.0.1:{one.port}", timeout=HEALTH_BUDGET_SECONDS)
                )
                ready[name] = _healthy(one, client)
            yield ready
    finally:
        for one in started.values():
            _stop(one.process)


def test_health_answers_while_a_hostile_job_is_planned(servers: dict[str, Server]) -> None:
    server = servers["default_limits"]
    job_id = server.submit(HOSTILE_CONTEXT)
    # Until the script stage is over, /health must answer every time, and quickly.
    slowest = 0.0
    status: dict[str, object] = {}
    stage = "generating_script"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            health = server.client.get("/health")
        except httpx.TimeoutException as exc:
            raise AssertionError(f"/health did not answer within {HEALTH_BUDGET_SECONDS} s") from exc
        slowest = max(slowest, time.monotonic() - started)
        assert health.status_code == 200
        status = server.status(job_id)
        stage = status["progress"]["current_stage"]  # type: ignore[index]
        if status["status"] in {"failed", "completed"} or stage not in {"initializing", "generating_script"}:
            break
        time.sleep(0.25)
    assert stage not in {"initializing", "generating_script"}, f"script stage still running: {status}"
    assert slowest < HEALTH_BUDGET_SECONDS
    # The rest of the pipeline (a real render) is not this test's subject.
    server.client.post(f"/api/v1/videos/jobs/{job_id}/cancel", headers=server.headers)


def test_a_plan_past_its_time_limit_fails_the_job_with_input_too_complex(servers: dict[str, Server]) -> None:
    server = servers["tiny_compute_limit"]
    job_id = server.submit("A sum: 2 + 3 = 5.")
    deadline = time.monotonic() + 60
    status = server.status(job_id)
    while status["status"] not in {"failed", "completed"} and time.monotonic() < deadline:
        assert server.client.get("/health").status_code == 200
        time.sleep(0.25)
        status = server.status(job_id)
    assert status["status"] == "failed", status
    error = status["error"]
    assert isinstance(error, dict)
    assert error["code"] == "input_too_complex"
    assert "0.001 s of computation" in error["message"]
    assert error["stage"] == "generating_script"
