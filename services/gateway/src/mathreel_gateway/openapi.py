"""The gateway's OpenAPI document, built in process (no server, no services): ``python -m mathreel_gateway.openapi``
prints it. The TypeScript client's types are generated from it (``make client-types``)."""

from __future__ import annotations

import json
import sys
from typing import Any

from mathreel_gateway.app import create_app
from mathreel_shared.settings import Settings


def openapi_document() -> dict[str, Any]:
    """The document of an app built with the default settings, so it does not depend on the local environment."""
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    return create_app(settings).openapi()


def main() -> None:
    json.dump(openapi_document(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
