"""``mathreel-webhooks``: the webhooks worker process."""

from __future__ import annotations

import asyncio

from mathreel_shared.runtime import run_service
from mathreel_webhooks.worker import register


def main() -> None:
    asyncio.run(run_service("webhooks", register))


if __name__ == "__main__":
    main()
