"""Session fixtures for integration tests: real PostgreSQL, RabbitMQ, Redis, S3 (SeaweedFS) and a JWKS over HTTP.

Every resource is unique to the test session (a database, a broker namespace, a key prefix, a bucket) and removed
at its end, so sessions can share the servers. When a server does not answer, the test that needs it FAILS with the
address and how to start it: a skipped integration test would pass for a missing service. ``make test`` starts the
services first (``scripts/services.sh up``). A test that requests any of these fixtures is marked ``integration``,
so ``pytest -m "not integration"`` runs without services.

The helpers live in ``tests/support/`` (``JwksServer`` can be built directly where a test needs a server of its own).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# pytest's importlib import mode leaves sys.path alone, so the repository root must be added for `tests.support`.
_ROOT = str(Path(__file__).resolve().parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.support.endpoints import (  # noqa: E402
    S3_ACCESS_KEY_ID,
    S3_REGION,
    S3_SECRET_ACCESS_KEY,
    ServiceEndpoints,
    unique_name,
)

if TYPE_CHECKING:
    from mathreel_shared.settings import Settings
    from tests.support.jwks import JwksServer
    from tests.support.s3 import S3TestSettings

# The service clients (SQLAlchemy, asyncpg, aio-pika, boto3, redis) are imported inside the fixtures: this file is
# loaded by every pytest run, and a unit-test run should not pay seconds of imports it never uses.

INTEGRATION_FIXTURES = frozenset(
    {
        "pg_database_url",
        "amqp_url",
        "broker_namespace",
        "redis_url",
        "redis_key_prefix",
        "s3_settings",
        "distributed_settings",
    }
)


# ``make test`` runs the suite in two pytest-xdist workers, each a test session of its own. Every test file goes to
# one worker whole (its module fixtures are built once), and the files that share an expensive session fixture go
# to one worker together (it is built once): the chaos suite's private servers and stack, and the deployments of the
# contract, observability, realtime, webhook and pipeline tests. The groups are handed out first, the longest first:
# the worker that takes the chaos suite (a third of the run) starts with it. A file that starts using one of these
# fixtures must be added here: the workers refuse to run otherwise (``_check_groups``).
XDIST_GROUPS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    # The load test follows the chaos suite in its worker (it uses none of its fixtures): its latency bounds do not
    # hold beside the chaos suite's restarts or a stack's start-up.
    "chaos": (
        frozenset({"chaos_environment"}),
        ("tests/chaos/test_faults.py", "tests/chaos/test_shutdown.py", "tests/load/test_two_gateways.py"),
    ),
    "deployments": (
        frozenset({"distributed_stack", "standalone", "deployment"}),
        (
            "tests/clients/test_web_app.py",
            "tests/contract/test_contract.py",
            "tests/e2e/test_distributed_pipeline.py",
            "tests/observability/test_readiness.py",
            "tests/observability/test_trace.py",
            "tests/realtime/test_events.py",
            "tests/webhooks/test_modes.py",
        ),
    ),
}
_GROUP_OF_FILE = {path: group for group, (_, paths) in XDIST_GROUPS.items() for path in paths}
_GROUP_RANK = {group: rank for rank, group in enumerate(XDIST_GROUPS)}


def _file(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _check_groups(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        for group, (uses, _) in XDIST_GROUPS.items():
            if uses & fixtures and _GROUP_OF_FILE.get(_file(item.nodeid)) != group:
                raise pytest.UsageError(
                    f"{_file(item.nodeid)} uses {sorted(uses & fixtures)}: add it to XDIST_GROUPS[{group!r}] in "
                    "conftest.py, or each worker builds that fixture again"
                )


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """For ``--dist loadfile``: xdist's load-by-scope scheduler, the scope of a test being its file or its file's
    group, handed out in the order the workers collected them (groups first)."""
    from xdist.scheduler import LoadScopeScheduling

    if config.getvalue("dist") != "loadfile":
        return None  # xdist's own
    config.option.loadscopereorder = False

    class FileGroupScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            path = _file(nodeid)
            return _GROUP_OF_FILE.get(path, path)

    return FileGroupScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that uses a real service ``integration``; leave full-size soaks out unless asked for; in an
    xdist worker, check the groups and put them first.

    A soak deselected is reported as such, never as a skipped test that a green run would hide.
    """
    import os

    if "MATHREEL_CHAOS_JOBS" not in os.environ:
        soaks = [item for item in items if item.get_closest_marker("soak")]
        if soaks:
            config.hook.pytest_deselected(items=soaks)
            items[:] = [item for item in items if not item.get_closest_marker("soak")]
    for item in items:
        if INTEGRATION_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        _check_groups(items)
        # The controller hands out the scopes in the order the workers collected them.
        last = len(_GROUP_RANK)
        items.sort(key=lambda item: _GROUP_RANK.get(_GROUP_OF_FILE.get(_file(item.nodeid), ""), last))  # stable


@pytest.fixture(scope="session")
def service_endpoints() -> ServiceEndpoints:
    """Addresses of the test services (defaults, or the ``MATHREEL_TEST_*`` environment variables)."""
    return ServiceEndpoints.from_environment()


@pytest.fixture(scope="session")
def pg_database_url(service_endpoints: ServiceEndpoints) -> Iterator[str]:
    """A new, empty PostgreSQL database for this session, dropped at its end.

    Returns ``postgresql+asyncpg://postgres@127.0.0.1:5432/mathreel_test_<hex>``, ready for SQLAlchemy's
    ``create_async_engine`` or ``Settings.database_url``. The schema is not created here: run the migrations (or
    ``SQLModel.metadata.create_all``) in the fixture that needs them.
    """
    from tests.support import postgres
    from tests.support.aio import run_async

    admin_url = service_endpoints.postgres_admin_url
    database = unique_name("mathreel_test_")
    run_async(postgres.create_database(admin_url, database))
    yield postgres.database_url(admin_url, database)
    run_async(postgres.drop_database(admin_url, database))


@pytest.fixture(scope="session")
def amqp_url(service_endpoints: ServiceEndpoints) -> str:
    """The RabbitMQ URL (``amqp://guest:guest@127.0.0.1:5672/``), checked with a real connection."""
    from tests.support import rabbitmq
    from tests.support.aio import run_async

    url = service_endpoints.amqp_url
    run_async(rabbitmq.check_broker(url))
    return url


@pytest.fixture(scope="session")
def broker_namespace(amqp_url: str) -> Iterator[str]:
    """A broker namespace (``mathreel-test-<hex>``) no other session uses, for ``Settings.broker_namespace``.

    At the end of the session every queue and exchange named ``<namespace>`` or ``<namespace>.*`` is deleted: the
    shared bus topology, plus whatever else the broker lists under that prefix.
    """
    from tests.support import rabbitmq
    from tests.support.aio import run_async

    namespace = unique_name("mathreel-test-")
    yield namespace
    run_async(rabbitmq.delete_namespace(amqp_url, namespace))


@pytest.fixture(scope="session")
def redis_url(service_endpoints: ServiceEndpoints) -> str:
    """The Redis URL (``redis://127.0.0.1:6379/0``), checked with PING. Use ``redis_key_prefix`` for key names."""
    from tests.support import redis_keys

    url = service_endpoints.redis_url
    redis_keys.check_redis(url)
    return url


@pytest.fixture(scope="session")
def redis_key_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix (``mathreel-test-<hex>:``) unique to this session; its keys are deleted at the end."""
    from tests.support import redis_keys

    prefix = unique_name("mathreel-test-") + ":"
    yield prefix
    redis_keys.delete_prefixed(redis_url, prefix)


@pytest.fixture(scope="session")
def s3_settings(service_endpoints: ServiceEndpoints) -> Iterator[S3TestSettings]:
    """The S3 server (``http://127.0.0.1:8333``), its credentials and a new bucket for this session.

    The bucket (``mathreel-test-<hex>``) is emptied and deleted at the end. ``s3_settings.client()`` gives a boto3
    client for checks from the test side.
    """
    from tests.support import s3 as s3_support

    endpoint = service_endpoints.s3_endpoint_url
    settings = s3_support.S3TestSettings(
        endpoint_url=endpoint,
        access_key_id=S3_ACCESS_KEY_ID,
        secret_access_key=S3_SECRET_ACCESS_KEY,
        region=S3_REGION,
        bucket=unique_name("mathreel-test-"),
    )
    s3_support.create_bucket(settings)
    yield settings
    s3_support.delete_bucket(settings)


@pytest.fixture(scope="session")
def jwks_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JwksServer]:
    """A JWKS served over real HTTP on a free localhost port, standing in for Clerk's.

    ``jwks_server.url`` is the JWKS address; ``jwks_server.key`` is the ``mathreel_shared.auth.DevSigningKey`` that
    signs (``jwks_server.key.mint("user_123")`` makes a token with issuer ``mathreel-dev``); ``rotate()`` switches to
    a new key; ``unavailable = True`` answers 503; ``request_count`` counts fetches. The server is shared by the
    session: a test that rotates or breaks it should build its own ``tests.support.jwks.JwksServer`` instead.
    """
    from tests.support.jwks import JwksServer

    with JwksServer(tmp_path_factory.mktemp("jwks")) as server:
        yield server


@pytest.fixture(scope="session")
def distributed_settings(
    tmp_path_factory: pytest.TempPathFactory,
    pg_database_url: str,
    amqp_url: str,
    broker_namespace: str,
    redis_url: str,
    s3_settings: S3TestSettings,
    jwks_server: JwksServer,
) -> Settings:
    """``Settings`` in distributed mode wired to all of the above; local folders under a session temp dir.

    ``.env`` files are ignored, and every value that points at a service is passed explicitly, so ``MATHREEL_*``
    variables in the developer's shell cannot redirect the tests.
    """
    from pydantic import SecretStr

    from mathreel_shared.settings import Mode, Settings

    work = tmp_path_factory.mktemp("distributed")
    return Settings(
        _env_file=None,
        environment="test",
        mode=Mode.DISTRIBUTED,
        database_url=pg_database_url,
        amqp_url=amqp_url,
        broker_namespace=broker_namespace,
        redis_url=redis_url,
        s3_endpoint_url=s3_settings.endpoint_url,
        s3_public_endpoint_url=None,
        s3_bucket=s3_settings.bucket,
        s3_region=s3_settings.region,
        s3_access_key_id=s3_settings.access_key_id,
        s3_secret_access_key=SecretStr(s3_settings.secret_access_key),
        jwks_url=jwks_server.url,
        jwt_issuer="mathreel-dev",
        authorized_parties=[],
        media_dir=work / "media",
        work_dir=work / "work",
        dev_signing_key_path=work / "dev-signing-key.pem",
        # The webhook tests' receiver listens on 127.0.0.1.
        webhook_allow_private_networks=True,
    )
