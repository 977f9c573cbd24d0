"""Run the distributed stack as real processes (gateway, orchestrator, five workers) for end-to-end tests."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psutil
from pydantic import SecretStr

from mathreel_shared.settings import Settings

SERVICES = ("orchestrator", "script", "tts", "visuals", "render", "webhooks")


_HANDED_OUT: set[int] = set()


def _ephemeral_start() -> int:
    """The first port of the kernel's ephemeral range, from which ``bind(0)`` and outgoing connections take theirs."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _worker_share(ports: range) -> range:
    """This pytest-xdist worker's slice of ``ports`` (all of them outside xdist): two workers, which are two test
    sessions, never hand out the same port."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if not worker.startswith("gw") or count <= 1:
        return ports
    return ports[int(worker[2:]) :: count]


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on, for a server another process will bind to a little later.

    Never the same port twice in a test session, nor in two xdist workers of one run, and taken from below the
    kernel's ephemeral range when there is room: a port from ``bind(0)`` stays free only until the next ``bind(0)``
    or outgoing connection anywhere on the machine takes it, and a server process needs seconds (imports,
    connections) before it binds. Two processes given one port would both look ready, since the one that binds
    answers the other's probes.
    """
    start = _ephemeral_start()
    below = _worker_share(range(max(1024, start - 12000), start))
    for _ in range(200):
        candidate = random.choice(below) if len(below) >= 1000 else 0
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            port: int = sock.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port
    raise RuntimeError("no free port found on 127.0.0.1")


def listens_on(pid: int, port: int) -> bool:
    """Whether process ``pid`` itself holds a listening TCP socket on ``port``."""
    try:
        connections = psutil.Process(pid).net_connections(kind="tcp")
    except psutil.Error:
        return False
    return any(c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port for c in connections)


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment variables that reproduce ``settings`` in another process."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, dict):
            value = json.dumps(value)
        elif isinstance(value, list):
            value = ",".join(str(v) for v in value)
        elif isinstance(value, dict):
            # pydantic-settings reads complex fields back as JSON; str() of a dict is not JSON.
            value = json.dumps(value)
        elif hasattr(value, "value"):
            value = value.value
        env[f"MATHREEL_{name.upper()}"] = str(value)
    return env


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    health_url: str

    def alive(self) -> bool:
        return self.popen.poll() is None

    def ready(self) -> bool:
        """Alive, its readiness probe answers 200, and the answer is its own (it holds the probe's port)."""
        if not self.alive():
            return False
        try:
            if httpx.get(self.health_url, timeout=2).status_code != 200:
                return False
        except httpx.HTTPError:
            return False
        port = urlsplit(self.health_url).port
        return port is not None and listens_on(self.popen.pid, port)

    def signal(self, sig: int) -> None:
        if self.alive():
            self.popen.send_signal(sig)

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class DistributedStack:
    settings: Settings
    log_dir: Path
    # Variables every process gets beside the settings' own, such as where to export its telemetry; None removes
    # one that the test run's own environment has.
    environment: dict[str, str | None] = field(default_factory=dict)
    base_url: str = ""
    processes: dict[str, Process] = field(default_factory=dict)

    def start(self, *, workers: dict[str, int] | None = None) -> None:
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        env = self.process_env()
        env["MATHREEL_PORT"] = str(port)
        env["MATHREEL_PUBLIC_BASE_URL"] = self.base_url
        self._spawn("gateway", [sys.executable, "-m", "mathreel_gateway.main"], env, f"{self.base_url}/ready")
        counts = dict.fromkeys(SERVICES, 1) | (workers or {})
        try:
            for name in SERVICES:
                for replica in range(counts[name]):
                    self.start_service(name, replica, env)
            self.wait_ready()
        except BaseException:
            self.stop()  # never leave half a stack running behind a failed start
            raise

    def process_env(self) -> dict[str, str]:
        """The environment of the stack's processes: this one's, ``environment`` applied, and the settings."""
        merged: dict[str, str | None] = {**os.environ, **self.environment}
        return {name: value for name, value in merged.items() if value is not None} | settings_env(self.settings)

    def start_service(self, name: str, replica: int = 0, env: dict[str, str] | None = None) -> Process:
        env = dict(env or self.process_env())
        health = free_port()
        env["MATHREEL_HEALTH_PORT"] = str(health)
        env["MATHREEL_HEALTH_HOST"] = "127.0.0.1"
        label = name if replica == 0 else f"{name}-{replica}"
        return self._spawn(
            label, [sys.executable, "-m", f"mathreel_{name}.main"], env, f"http://127.0.0.1:{health}/readyz"
        )

    def _spawn(self, label: str, argv: list[str], env: dict[str, str], health_url: str) -> Process:
        log_path = self.log_dir / f"{label}.log"
        handle = log_path.open("ab")
        popen = subprocess.Popen(argv, env=env, stdout=handle, stderr=subprocess.STDOUT)
        process = Process(label, popen, log_path, health_url)
        self.processes[label] = process
        return process

    def wait_ready(self, timeout: float = 240.0) -> None:
        deadline = time.monotonic() + timeout
        pending = dict(self.processes)
        while pending:
            for label, process in list(pending.items()):
                if not process.alive():
                    raise RuntimeError(f"{label} exited during start-up:\n{process.log_tail()}")
                if process.ready():
                    del pending[label]
            if time.monotonic() > deadline:
                details = "\n\n".join(f"--- {label}\n{p.log_tail()}" for label, p in pending.items())
                raise RuntimeError(f"not ready after {timeout:.0f} s: {sorted(pending)}\n{details}")
            time.sleep(0.3)

    def stop(self) -> None:
        for process in self.processes.values():
            process.signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait()

    def logs(self) -> str:
        return "\n\n".join(f"--- {label}\n{p.log_tail(60)}" for label, p in self.processes.items())
