"""Schema migrations (Alembic). The orchestrator owns the schema; ``mathreel-migrate`` applies it."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from mathreel_shared.settings import get_settings

_HERE = Path(__file__).resolve().parent


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_HERE / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_sync(database_url: str, revision: str = "head") -> None:
    if database_url.startswith("sqlite"):
        # SQLite files live in a folder that may not exist yet (standalone mode's .mathreel/).
        path = database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url), revision)


async def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database to ``revision``. Runs in a thread: Alembic's env starts its own event loop."""
    await asyncio.to_thread(upgrade_sync, database_url, revision)


def main() -> None:
    url = get_settings().database_url
    upgrade_sync(url, sys.argv[1] if len(sys.argv) > 1 else "head")
    print("database is at the latest schema")  # noqa: T201 - CLI output


if __name__ == "__main__":
    main()
