"""A PostgreSQL database of its own for each test session."""

from __future__ import annotations

import asyncpg
from sqlalchemy.engine import make_url

from tests.support.endpoints import service_unavailable


def database_url(admin_url: str, database: str, *, driver: str = "postgresql+asyncpg") -> str:
    """The URL of ``database`` on the server of ``admin_url``, for SQLAlchemy's ``driver``."""
    url = make_url(admin_url).set(drivername=driver, database=database)
    return url.render_as_string(hide_password=False)


async def create_database(admin_url: str, database: str) -> None:
    """Create an empty ``database``; fail the test clearly when the server does not answer."""
    try:
        connection = await asyncpg.connect(admin_url, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        raise service_unavailable("PostgreSQL", admin_url, exc) from None
    try:
        # Identifiers cannot be bound as parameters; names come from unique_name(), never from input.
        await connection.execute(f'CREATE DATABASE "{database}"')
    finally:
        await connection.close()


async def drop_database(admin_url: str, database: str) -> None:
    """Drop ``database``, closing any connection a test left open to it."""
    connection = await asyncpg.connect(admin_url, timeout=5)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await connection.close()
