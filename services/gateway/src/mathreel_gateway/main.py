"""Entry point of the gateway in distributed mode: ``mathreel-gateway``."""

from __future__ import annotations

import uvicorn

from mathreel_gateway.app import create_app
from mathreel_shared.settings import get_settings
from mathreel_shared.telemetry import instrument_app, setup_logging, setup_tracing

SERVICE_NAME = "mathreel-gateway"


def main() -> None:
    """Serve the gateway on ``settings.host:settings.port`` until SIGTERM (uvicorn drains open requests)."""
    settings = get_settings()
    setup_logging(settings.log_level, service=SERVICE_NAME)
    setup_tracing(SERVICE_NAME)
    app = create_app(settings)
    instrument_app(app)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        proxy_headers=True,
        timeout_graceful_shutdown=20,
        log_config=None,
    )


if __name__ == "__main__":
    main()
