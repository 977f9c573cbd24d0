"""A real standalone server process (``mathreel serve``) under a hostile job: its event loop keeps answering.

Finding 1: a context stating ``9^9^9^9 = 5`` froze the whole server (the planner's SymPy check held the
interpreter in a GMP power), so ``/health`` and every other user's request timed out, again after each restart.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from mathreel_shared.auth import DevSigningKey
from tests.e2e.stack import free_port

HOSTILE_CONTEXT = "Compute 9^9^9^9 = 5 now. Then 2^2^2^2^2^2 = 7 and exp(exp(exp(9))) = 1."
HEALTH_BUDGET_SECONDS = 2.0


def test_health_answers_while_a_hostile_job_is_planned(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    key_path = tmp_path / "dev-signing-key.pem"
    token = DevSigningKey.load_or_create(key_path).mint("hostile_user", issuer="mathreel-dev", ttl_seconds=900)
    env = {name: value for name, value in os.environ.items() if not name.startswith("MATHREEL_")}
    env |= {
        "MATHREEL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'mathreel.db'}",
        "MATHREEL_MEDIA_DIR": str(tmp_path / "media"),
        "MATHREEL_WORK_DIR": str(tmp_path / "work"),
        "MATHREEL_DEV_SIGNING_KEY_PATH": str(key_path),
        "MATHREEL_LOG_LEVEL": "WARNING",
    }
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "mathreel_cli.main", "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,  # no .env of the repository
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        with httpx.Client(base_url=base, timeout=HEALTH_BUDGET_SECONDS) as client:
            deadline = time.monotonic() + 120
            while True:
                assert server.poll() is None, log_path.read_text()
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.3)

            headers = {"Authorization": f"Bearer {token}"}
            body = {"configuration": {"topic": "Big powers", "context": HOSTILE_CONTEXT, "quality": "low"}}
            created = client.post("/api/v1/videos/generate", json=body, headers=headers)
            assert created.status_code == 201, created.text
            job_id = created.json()["job_id"]

            # Until the script stage is over, /health must answer every time, and quickly.
            slowest = 0.0
            stage = "generating_script"
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                started = time.monotonic()
                try:
                    health = client.get("/health")
                except httpx.TimeoutException as exc:
                    raise AssertionError(f"/health did not answer within {HEALTH_BUDGET_SECONDS} s") from exc
                slowest = max(slowest, time.monotonic() - started)
                assert health.status_code == 200
                status = client.get(f"/api/v1/videos/jobs/{job_id}/status", headers=headers).json()
                stage = status["progress"]["current_stage"]
                if status["status"] in {"failed", "completed"} or stage not in {"initializing", "generating_script"}:
                    break
                time.sleep(0.25)
            assert stage not in {"initializing", "generating_script"}, f"script stage still running: {status}"
            assert slowest < HEALTH_BUDGET_SECONDS
            # The rest of the pipeline (a real render) is not this test's subject.
            client.post(f"/api/v1/videos/jobs/{job_id}/cancel", headers=headers)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
