"""Strict JSON request bodies: everything that is not plain, standard JSON is a 422, never a 400 or a 500.

Python's ``json.loads`` accepts ``NaN`` and ``Infinity`` (not JSON; they later break the JSON error response),
escaped lone surrogates (text that UTF-8 cannot encode, so it can be neither stored nor echoed back), and fails with
``UnicodeDecodeError`` or ``RecursionError`` on invalid UTF-8 or deep nesting, which FastAPI answers with a bare 400.
Raising ``json.JSONDecodeError`` for all of them lets FastAPI report the usual ``json_invalid`` validation error.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def parse_strict_json(body: bytes) -> Any:
    """Parse ``body`` as standard JSON in UTF-8; raise ``json.JSONDecodeError`` for anything else."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise json.JSONDecodeError("body is not valid UTF-8", body.decode("utf-8", "replace"), exc.start) from exc
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:
        raise json.JSONDecodeError(str(exc), text, 0) from exc
    except RecursionError as exc:
        raise json.JSONDecodeError("nested too deeply", text, 0) from exc
    try:
        # Escapes such as "\ud800" decode to lone surrogates; re-encoding finds them anywhere in the document.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise json.JSONDecodeError("unpaired surrogate escape", text, 0) from exc
    return value


class StrictJsonRequest(Request):
    """A request whose ``json()`` is ``parse_strict_json``."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = parse_strict_json(await self.body())
        return self._json


class StrictJsonRoute(APIRoute):
    """A route that parses its JSON body strictly (``APIRouter(route_class=StrictJsonRoute)``)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler  # no body to parse: no request to wrap

        async def strict_handler(request: Request) -> Response:
            return await handler(StrictJsonRequest(request.scope, request.receive))

        return strict_handler
