"""``mathreel-script``: the script worker process."""

from __future__ import annotations

import asyncio

from mathreel_script.worker import register
from mathreel_shared.runtime import ServiceRuntime, run_service


async def _setup(runtime: ServiceRuntime) -> None:
    await register(runtime)


def main() -> None:
    asyncio.run(run_service("script", _setup))


if __name__ == "__main__":
    main()
