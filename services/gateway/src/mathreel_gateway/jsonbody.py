"""Strict JSON request bodies: everything that is not plain, standard JSON is a 422, never a 400 or a 500.

Python's ``json.loads`` accepts ``NaN`` and ``Infinity`` (not JSON; they later break the JSON error response),
escaped lone surrogates (text that UTF-8 cannot encode, so it can be neither stored nor echoed back), and fails with
``UnicodeDecodeError`` or ``RecursionError`` on invalid UTF-8 or deep nesting, which FastAPI answers with a bare 400.
All of them are reported as FastAPI's usual ``json_invalid`` validation error.

FastAPI reads and parses a JSON body before it resolves any dependency, so a malformed body would be answered 422
before the token was looked at (and without counting the request against the rate limit). ``StrictJsonRequest``
therefore does not raise: it keeps the decoding error in the scope and hands FastAPI a value no body model accepts,
so the dependencies (authentication first) run, and only then does the body's validation fail; the app's handler
of validation errors reports the kept ``json_invalid`` error in place of the model's (``json_error_of``).
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


# Where ``StrictJsonRequest`` keeps a body's decoding error for the validation handler.
JSON_ERROR_SCOPE_KEY = "mathreel.json_error"


class _InvalidJson:
    """The body FastAPI validates when the request's JSON could not be decoded: no model accepts it."""


def json_error_of(request: Request) -> dict[str, Any] | None:
    """The ``json_invalid`` validation error of ``request``'s body, if its JSON could not be decoded."""
    error: dict[str, Any] | None = request.scope.get(JSON_ERROR_SCOPE_KEY)
    return error


class StrictJsonRequest(Request):
    """A request whose ``json()`` is ``parse_strict_json``, and which defers its decoding errors (see above)."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            try:
                self._json = parse_strict_json(await self.body())
            except json.JSONDecodeError as exc:
                self.scope[JSON_ERROR_SCOPE_KEY] = {
                    "type": "json_invalid",
                    "loc": ("body", exc.pos),
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": exc.msg},
                }
                self._json = _InvalidJson()
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
