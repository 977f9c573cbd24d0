"""``mathreel-render``: the render worker process."""

from __future__ import annotations

import asyncio

from mathreel_render.worker import register
from mathreel_shared.runtime import run_service


def main() -> None:
    asyncio.run(run_service("render", register))


if __name__ == "__main__":
    main()
