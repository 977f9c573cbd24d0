"""RabbitMQ reachability, and removal of everything one broker namespace declared."""

from __future__ import annotations

import json
import shutil
import subprocess

import aio_pika
from aio_pika.exceptions import AMQPError

from mathreel_shared.contracts import WORK_QUEUES
from tests.support.endpoints import service_unavailable


async def check_broker(amqp_url: str) -> None:
    """Open and close one connection; fail the test clearly when the broker does not answer."""
    try:
        connection = await aio_pika.connect(amqp_url, timeout=5)
    except (OSError, AMQPError, TimeoutError) as exc:
        raise service_unavailable("RabbitMQ", amqp_url, exc) from None
    await connection.close()


def topology_names(namespace: str) -> tuple[list[str], list[str]]:
    """The queues and exchanges ``mathreel_shared.bus.RabbitBus`` declares under ``namespace``."""
    queues = [f"{namespace}.{name}" for name in WORK_QUEUES] + [f"{namespace}.dead"]
    exchanges = [namespace, f"{namespace}.dlx", f"{namespace}.control", f"{namespace}.events"]
    return queues, exchanges


def _listed(kind: str, namespace: str) -> list[str]:
    """Names of ``kind`` (queues or exchanges) under ``namespace``, as the broker lists them.

    AMQP cannot list a broker's queues, so this asks ``rabbitmqctl`` when the broker runs on this machine and we may
    talk to it; it catches queues that services add beyond the shared topology (retry queues, for instance).
    """
    rabbitmqctl = shutil.which("rabbitmqctl")
    if rabbitmqctl is None:
        return []
    try:
        result = subprocess.run(
            [rabbitmqctl, "-q", f"list_{kind}", "name", "--formatter", "json"],
            capture_output=True,
            check=True,
            text=True,
            timeout=30,
        )
        rows = json.loads(result.stdout or "[]")
    except (OSError, subprocess.SubprocessError, ValueError):
        return []
    names = [str(row.get("name", "")) for row in rows if isinstance(row, dict)]
    return [name for name in names if name == namespace or name.startswith(f"{namespace}.")]


async def delete_namespace(amqp_url: str, namespace: str) -> list[str]:
    """Delete every queue and exchange named ``namespace`` or ``namespace.*``; return the names deleted."""
    queues, exchanges = topology_names(namespace)
    queues = sorted(set(queues) | set(_listed("queues", namespace)))
    exchanges = sorted(set(exchanges) | set(_listed("exchanges", namespace)))
    deleted: list[str] = []
    connection = await aio_pika.connect(amqp_url, timeout=5)
    try:
        for name, is_queue in [(q, True) for q in queues] + [(e, False) for e in exchanges]:
            # A failed delete closes the channel, so each gets its own.
            channel = await connection.channel()
            try:
                if is_queue:
                    await channel.queue_delete(name)
                else:
                    await channel.exchange_delete(name)
                deleted.append(name)
            except AMQPError:
                pass
            finally:
                if not channel.is_closed:
                    await channel.close()
    finally:
        await connection.close()
    return deleted
