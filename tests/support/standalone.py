"""Settings of a standalone deployment (SQLite, media and work folders) kept wholly under one folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mathreel_shared.settings import Mode, Settings


def standalone_settings(work: Path, **overrides: Any) -> Settings:
    """Standalone mode with its database, media, work files and development key under ``work``; ``overrides`` set
    anything else (a port, a rate limit, ...). The environment and ``.env`` are ignored."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="test",
        mode=Mode.STANDALONE,
        database_url=f"sqlite+aiosqlite:///{work}/mathreel.db",
        media_dir=work / "media",
        work_dir=work / "work",
        dev_signing_key_path=work / "dev-key.pem",
        **overrides,
    )
