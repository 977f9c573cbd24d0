"""Real services for a benchmark run, each resource unique to the run and removed at its end.

The same helpers as the integration tests (``tests/support``): a new PostgreSQL database (migrated), a broker
namespace, a Redis key prefix, an S3 bucket and a JWKS served over HTTP. Shared by the gateway and pipeline
benchmarks.
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402

from mathreel_orchestrator.migrate import upgrade  # noqa: E402
from mathreel_shared.settings import Mode, Settings  # noqa: E402
from tests.e2e import stack as e2e_stack  # noqa: E402
from tests.support import postgres, rabbitmq, redis_keys  # noqa: E402
from tests.support import s3 as s3_support  # noqa: E402
from tests.support.aio import run_async  # noqa: E402
from tests.support.endpoints import (  # noqa: E402
    S3_ACCESS_KEY_ID,
    S3_REGION,
    S3_SECRET_ACCESS_KEY,
    ServiceEndpoints,
    unique_name,
)
from tests.support.jwks import JwksServer  # noqa: E402

_settings_env = e2e_stack.settings_env


def process_env(settings: Settings) -> dict[str, str]:
    """The ``MATHREEL_*`` variables that reproduce ``settings`` in another process.

    ``tests.e2e.stack.settings_env``, with dict-valued fields written as JSON (which is how pydantic-settings reads
    them back); that function writes them with ``str()``, which a child process cannot parse.
    """
    env = _settings_env(settings)
    for name, value in settings.model_dump(mode="json").items():
        if isinstance(value, dict):
            env[f"MATHREEL_{name.upper()}"] = json.dumps(value)
    return env


@dataclass
class BenchServices:
    """Settings wired to this run's resources, and the JWKS server whose key signs the run's tokens."""

    settings: Settings
    jwks: JwksServer
    work: Path

    def mint(self, user_id: str) -> str:
        """A token for ``user_id`` that the gateway accepts for the next hour."""
        return self.jwks.key.mint(user_id, issuer=self.settings.jwt_issuer, ttl_seconds=3600)


@contextlib.contextmanager
def bench_services(**overrides: Any) -> Iterator[BenchServices]:
    """Create the run's database (migrated), namespace, prefix, bucket and JWKS; remove them all afterwards.

    ``overrides`` are ``Settings`` fields (``rate_limit_per_minute=...``). A missing server raises the same clear
    failure as in the tests, naming the address and how to start it.
    """
    endpoints = ServiceEndpoints.from_environment()
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="mathreel-bench-")))

        database = unique_name("mathreel_bench_")
        run_async(postgres.create_database(endpoints.postgres_admin_url, database))
        stack.callback(lambda: run_async(postgres.drop_database(endpoints.postgres_admin_url, database)))
        database_url = postgres.database_url(endpoints.postgres_admin_url, database)
        run_async(upgrade(database_url))

        run_async(rabbitmq.check_broker(endpoints.amqp_url))
        namespace = unique_name("mathreel-bench-")
        stack.callback(lambda: run_async(rabbitmq.delete_namespace(endpoints.amqp_url, namespace)))

        redis_keys.check_redis(endpoints.redis_url)
        prefix = unique_name("mathreel-bench-") + ":"
        stack.callback(redis_keys.delete_prefixed, endpoints.redis_url, prefix)

        s3 = s3_support.S3TestSettings(
            endpoint_url=endpoints.s3_endpoint_url,
            access_key_id=S3_ACCESS_KEY_ID,
            secret_access_key=S3_SECRET_ACCESS_KEY,
            region=S3_REGION,
            bucket=unique_name("mathreel-bench-"),
        )
        s3_support.create_bucket(s3)
        stack.callback(s3_support.delete_bucket, s3)

        jwks = stack.enter_context(JwksServer(work / "jwks"))
        fields: dict[str, Any] = {
            "environment": "test",
            "mode": Mode.DISTRIBUTED,
            "database_url": database_url,
            "amqp_url": endpoints.amqp_url,
            "broker_namespace": namespace,
            "redis_url": endpoints.redis_url,
            "redis_key_prefix": prefix,
            "s3_endpoint_url": s3.endpoint_url,
            "s3_public_endpoint_url": None,
            "s3_bucket": s3.bucket,
            "s3_region": s3.region,
            "s3_access_key_id": s3.access_key_id,
            "s3_secret_access_key": SecretStr(s3.secret_access_key),
            "jwks_url": jwks.url,
            "jwt_issuer": "mathreel-dev",
            "authorized_parties": [],
            "media_dir": work / "media",
            "work_dir": work / "work",
            "dev_signing_key_path": work / "dev-signing-key.pem",
        }
        settings = Settings(_env_file=None, **(fields | overrides))  # type: ignore[call-arg]
        yield BenchServices(settings, jwks, work)
