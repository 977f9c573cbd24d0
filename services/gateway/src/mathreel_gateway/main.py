"""Entry point of the gateway in distributed mode: ``mathreel-gateway``."""

from __future__ import annotations

import json

import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from mathreel_gateway.app import create_app
from mathreel_shared.settings import Settings, get_settings
from mathreel_shared.telemetry import instrument_app, setup_logging, setup_tracing

SERVICE_NAME = "mathreel-gateway"


class JsonErrorHttpProtocol(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol (httptools), whose answer to a request it cannot parse is JSON like every other
    error of the API, not uvicorn's plain text. The request never reaches the app, so only the server can say it."""

    def send_400_response(self, msg: str) -> None:
        body = json.dumps({"detail": msg}).encode()
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


def server_config(app: FastAPI, settings: Settings) -> uvicorn.Config:
    """How uvicorn serves the gateway: on ``settings.host:settings.port``, draining open requests for 20 s on SIGTERM.

    Logging is ours (``setup_logging``), and so is the access log (``mathreel_gateway.metrics``), which names routes
    by template. uvicorn's own access log would write every raw path, media tokens included, a second time.
    """
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        proxy_headers=True,
        timeout_graceful_shutdown=20,
        log_config=None,
        access_log=False,
        http=JsonErrorHttpProtocol,
    )


def main() -> None:
    """Serve the gateway until SIGTERM."""
    settings = get_settings()
    setup_logging(settings.log_level, service=SERVICE_NAME)
    setup_tracing(SERVICE_NAME)
    app = create_app(settings)
    instrument_app(app)
    uvicorn.Server(server_config(app, settings)).run()


if __name__ == "__main__":
    main()
