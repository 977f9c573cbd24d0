"""``mathreel-visuals``: the visuals worker process."""

from __future__ import annotations

import asyncio

from mathreel_shared.runtime import ServiceRuntime, run_service
from mathreel_visuals.worker import register


async def _setup(runtime: ServiceRuntime) -> None:
    await register(runtime)


def main() -> None:
    asyncio.run(run_service("visuals", _setup))


if __name__ == "__main__":
    main()
