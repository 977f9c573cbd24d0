"""Where the test services live, and a clear failure when one of them does not answer.

Defaults match ``scripts/services.sh`` and the machine's services. Each can be moved with an environment variable:
``MATHREEL_TEST_POSTGRES_URL`` (an administrative DSN), ``MATHREEL_TEST_AMQP_URL``, ``MATHREEL_TEST_REDIS_URL``
and ``MATHREEL_TEST_S3_PORT`` (read by ``scripts/services.sh`` too, so both agree on where SeaweedFS listens).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

# The development credentials scripts/services.sh gives SeaweedFS (also Settings' defaults).
S3_ACCESS_KEY_ID = "mathreel"
S3_SECRET_ACCESS_KEY = "mathreel-dev-secret"
S3_REGION = "us-east-1"

START_HINT = "Start the services with `scripts/services.sh up` (or run `make test`, which does)."


@dataclass(frozen=True)
class ServiceEndpoints:
    """Addresses of the services the integration tests talk to."""

    postgres_admin_url: str
    amqp_url: str
    redis_url: str
    s3_endpoint_url: str

    @classmethod
    def from_environment(cls) -> ServiceEndpoints:
        s3_port = int(os.environ.get("MATHREEL_TEST_S3_PORT", "8333"))
        return cls(
            postgres_admin_url=os.environ.get(
                "MATHREEL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
            ),
            amqp_url=os.environ.get("MATHREEL_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/"),
            redis_url=os.environ.get("MATHREEL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
            s3_endpoint_url=f"http://127.0.0.1:{s3_port}",
        )


def unique_name(prefix: str) -> str:
    """A name no other test session uses: ``prefix`` + 12 hex digits (valid for databases, queues and buckets)."""
    return f"{prefix}{uuid.uuid4().hex[:12]}"


def service_unavailable(service: str, url: str, error: BaseException | str) -> BaseException:
    """The failure to raise when a service a test needs is missing: an error, never a skip."""
    where = urlsplit(url)
    detail = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    message = f"{service} is not reachable at {where.hostname}:{where.port} ({detail}). {START_HINT}"
    return pytest.fail.Exception(message, pytrace=False)
