"""``mathreel-tts``: the tts worker process."""

from __future__ import annotations

import asyncio

from mathreel_shared.runtime import ServiceRuntime, run_service
from mathreel_tts.worker import register


async def _setup(runtime: ServiceRuntime) -> None:
    await register(runtime)


def main() -> None:
    asyncio.run(run_service("tts", _setup))


if __name__ == "__main__":
    main()
