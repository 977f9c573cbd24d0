"""A JWKS served over real HTTP, standing in for Clerk's, with key rotation."""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

from mathreel_shared.auth import DevSigningKey

JWKS_PATH = "/.well-known/jwks.json"


class JwksServer:
    """An HTTP server on a free localhost port, in a background thread, serving the JWKS of a test signing key.

    ``url`` is the JWKS address, ``key`` the ``DevSigningKey`` that currently signs (``key.mint(user_id)`` makes a
    token), ``rotate()`` switches to a new key, ``unavailable = True`` makes the endpoint answer 503, and
    ``request_count`` counts the JWKS fetches. Use it as a context manager, or call ``start()`` and ``stop()``.
    """

    def __init__(self, key_dir: Path) -> None:
        self._key_dir = key_dir
        self._lock = threading.Lock()
        self._generation = 0
        self.key = self._new_key()
        self._served: list[DevSigningKey] = [self.key]
        self.unavailable = False
        self.request_count = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="jwks-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{JWKS_PATH}"

    def _new_key(self) -> DevSigningKey:
        self._generation += 1
        return DevSigningKey.load_or_create(self._key_dir / f"signing-key-{self._generation}.pem")

    def rotate(self, *, keep_previous: bool = False) -> DevSigningKey:
        """Sign with a new key from now on and serve its JWKS (with the previous keys too if ``keep_previous``)."""
        new_key = self._new_key()
        with self._lock:
            self._served = [*self._served, new_key] if keep_previous else [new_key]
            self.key = new_key
        return new_key

    def document(self) -> dict[str, Any]:
        """The JWKS document currently served."""
        with self._lock:
            return {"keys": [jwk for key in self._served for jwk in key.jwks()["keys"]]}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != JWKS_PATH:
                    self._send(HTTPStatus.NOT_FOUND, {"detail": "not found"})
                    return
                with server._lock:
                    server.request_count += 1
                if server.unavailable:
                    self._send(HTTPStatus.SERVICE_UNAVAILABLE, {"detail": "unavailable"})
                    return
                self._send(HTTPStatus.OK, server.document())

            def _send(self, status: HTTPStatus, body: dict[str, Any]) -> None:
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return None  # keep test output quiet

        return Handler

    def start(self) -> JwksServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> JwksServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
