"""Route templates as metric labels, read from the routes the gateway's own app matches."""

from __future__ import annotations

from uuid import uuid4

from starlette.types import Message, Scope

from mathreel_gateway.app import create_app
from mathreel_gateway.metrics import UNMATCHED_ROUTE, route_template
from mathreel_shared.settings import Settings


async def _routed(path: str, method: str = "GET") -> Scope:
    """The scope as the app's routing leaves it for ``path``: the matched route and its path parameters.

    A request goes through the whole app (no lifespan, so a matched route answers 500 for want of resources): the
    routers FastAPI includes are nodes of their own, and only a request shows which route they match.
    """
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
        "state": {},
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(_message: Message) -> None:
        return None

    await create_app(Settings(_env_file=None))(scope, receive, send)  # type: ignore[call-arg]
    return scope


async def test_path_parameters_become_their_names() -> None:
    scope = await _routed(f"/api/v1/videos/jobs/{uuid4()}/status")
    assert route_template(scope) == "/api/v1/videos/jobs/{job_id}/status"


async def test_a_media_token_never_reaches_the_label() -> None:
    token = "ZXhwaXJlcw.c2lnbmF0dXJl"
    assert route_template(await _routed(f"/api/v1/media/{token}")) == "/api/v1/media/{token}"


async def test_a_parameter_equal_to_a_literal_segment_keeps_the_template() -> None:
    assert route_template(await _routed("/api/v1/media/media")) == "/api/v1/media/{token}"


async def test_unmatched_paths_share_one_label() -> None:
    assert route_template(await _routed("/wp-admin/setup.php")) == UNMATCHED_ROUTE
