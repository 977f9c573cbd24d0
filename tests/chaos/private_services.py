"""A RabbitMQ node and a PostgreSQL cluster of our own, which a chaos test may stop and start at will.

The machine's broker (5672) and database (5432) are shared with everyone else's test runs: restarting them would
break those. These instances live in a temporary folder, listen on free loopback ports, start in a few seconds and
are removed when the context exits, even when the test fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from tests.e2e.stack import free_port
from tests.support.aio import run_async

RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")
POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")
# Seconds for a server to start (or stop); a busy two-core machine needs more than the 10-20 s they take alone.
START_TIMEOUT = 120.0


@dataclass
class PrivateRabbitMQ:
    """One RabbitMQ node (``chaos-<hex>@localhost``) with no plugins, so it opens no port but AMQP and its own
    distribution port. Its queues live in ``base``: a restart keeps durable queues and persistent messages."""

    base: Path
    node: str
    amqp_port: int
    dist_port: int

    @property
    def amqp_url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.amqp_port}/"

    def _env(self) -> dict[str, str]:
        return {
            **os.environ,
            # The CLI and the node find the same Erlang cookie in this HOME; the machine's cookie is left alone.
            "HOME": str(self.base),
            "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }

    def _ctl(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.node, *args],
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self) -> None:
        """Boot the node and wait until it accepts AMQP connections."""
        subprocess.run(
            [str(RABBITMQ_BIN / "rabbitmq-server"), "-detached"],
            env=self._env(),
            cwd=self.base,
            check=True,
            timeout=30,
            capture_output=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            # -detached returns before the node registers with epmd; await_startup fails until it has. rabbitmqctl is
            # an Erlang VM of its own: on a busy machine it may not even answer within its bound, which is a "not
            # yet" like any other.
            try:
                if self._ctl("await_startup", "--timeout", "10", timeout=30).returncode == 0:
                    return
            except subprocess.TimeoutExpired:
                continue
            time.sleep(0.5)
        raise RuntimeError(f"RabbitMQ node {self.node} did not start:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the node (and its Erlang VM); returns once it is down."""
        self._ctl("stop", timeout=60)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log_tail(self, lines: int = 30) -> str:
        logs = sorted((self.base / "log").glob("*.log"))
        if not logs:
            return "(no log)"
        return "\n".join(logs[0].read_text(errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def private_rabbitmq() -> Iterator[PrivateRabbitMQ]:
    """A running private RabbitMQ node, stopped and deleted on exit."""
    base = Path(tempfile.mkdtemp(prefix="mathreel-chaos-rabbitmq-"))
    node = PrivateRabbitMQ(base, f"chaos-{uuid.uuid4().hex[:8]}@localhost", free_port(), free_port())
    (base / "rabbitmq-env.conf").write_text("")
    (base / "enabled_plugins").write_text("[].\n")
    (base / "rabbitmq.conf").write_text(
        f"listeners.tcp.1 = 127.0.0.1:{node.amqp_port}\n"
        # Disk alarms on a crowded test machine would block publishers and look like a bug of ours.
        "disk_free_limit.absolute = 1MB\n"
    )
    try:
        node.start()
        yield node
    finally:
        node.stop()
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class PrivatePostgres:
    """A PostgreSQL 15 cluster in ``data``, run by the ``postgres`` user on a loopback port, trust authentication."""

    data: Path
    port: int

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def database_url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*_as_postgres(), str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            timeout=START_TIMEOUT,
            capture_output=True,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c max_connections=300"
        self._pg_ctl("-l", str(self.data / "server.log"), "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """``immediate`` is a crash as far as clients see: connections are cut, recovery runs at the next start."""
        self._pg_ctl("-m", mode, "-w", "-t", "60", "stop")

    def restart(self, mode: str = "immediate") -> None:
        self.stop(mode)
        self.start()

    def create_database(self, name: str) -> str:
        async def create() -> None:
            connection = await asyncpg.connect(self.admin_url, timeout=10)
            try:
                await connection.execute(f'CREATE DATABASE "{name}"')
            finally:
                await connection.close()

        run_async(create())
        return self.database_url(name)


def _as_postgres() -> list[str]:
    """PostgreSQL refuses to run as root; as any other user it runs as that user."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A running private PostgreSQL cluster, stopped and deleted on exit."""
    base = Path(tempfile.mkdtemp(prefix="mathreel-chaos-postgres-"))
    data = base / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
        shutil.chown(data, "postgres")
    subprocess.run(
        [*_as_postgres(), str(POSTGRES_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync"],
        check=True,
        timeout=120,
        capture_output=True,
    )
    cluster = PrivatePostgres(data, free_port())
    try:
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(Exception):
            cluster.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)
