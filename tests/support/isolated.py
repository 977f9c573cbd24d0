"""A database, broker namespace and Redis key prefix of a stack's own.

A stack that runs the orchestrator and the workers must not share them with other tests. Gateways started without
workers leave queued jobs in the shared database and their messages in the shared queues. An orchestrator on that
database re-drives those jobs once they have been silent long enough, and workers on those queues take the
messages: the stack would render other tests' jobs, and its own would wait behind them.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from mathreel_orchestrator.migrate import upgrade
from mathreel_shared.settings import Settings
from tests.support import postgres, rabbitmq
from tests.support.endpoints import unique_name


@contextlib.asynccontextmanager
async def own_resources(settings: Settings, admin_url: str, label: str) -> AsyncIterator[Settings]:
    """``settings`` on a new, migrated database of the server of ``admin_url``, the broker namespace
    ``{namespace}-{label}`` and the Redis key prefix ``{prefix}{label}:``; the database and the namespace's queues
    are removed afterwards."""
    database = unique_name(f"mathreel_{label}_")
    await postgres.create_database(admin_url, database)
    own = settings.model_copy(
        update={
            "database_url": postgres.database_url(admin_url, database),
            "broker_namespace": f"{settings.broker_namespace}-{label}",
            "redis_key_prefix": f"{settings.redis_key_prefix}{label}:",
        }
    )
    try:
        await upgrade(own.database_url)
        yield own
    finally:
        await rabbitmq.delete_namespace(settings.amqp_url, own.broker_namespace)
        await postgres.drop_database(admin_url, database)
