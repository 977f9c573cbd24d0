"""Route templates as metric labels, read from the routes the gateway's own app matches."""

from __future__ import annotations

from uuid import uuid4

from starlette.routing import Match
from starlette.types import Scope

from mathreel_gateway.app import create_app
from mathreel_gateway.metrics import UNMATCHED_ROUTE, route_template
from mathreel_shared.settings import Settings


def _routed(path: str, method: str = "GET") -> Scope:
    """The scope as the app's router leaves it for ``path``: the matched route and its path parameters."""
    scope: Scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    for route in create_app(Settings(_env_file=None)).routes:  # type: ignore[call-arg]
        match, child_scope = route.matches(scope)
        if match is Match.FULL:
            return scope | child_scope
    return scope


def test_path_parameters_become_their_names() -> None:
    scope = _routed(f"/api/v1/videos/jobs/{uuid4()}/status")
    assert route_template(scope) == "/api/v1/videos/jobs/{job_id}/status"


def test_a_media_token_never_reaches_the_label() -> None:
    token = "ZXhwaXJlcw.c2lnbmF0dXJl"
    assert route_template(_routed(f"/api/v1/media/{token}")) == "/api/v1/media/{token}"


def test_a_parameter_equal_to_a_literal_segment_keeps_the_template() -> None:
    assert route_template(_routed("/api/v1/media/media")) == "/api/v1/media/{token}"


def test_unmatched_paths_share_one_label() -> None:
    assert route_template(_routed("/wp-admin/setup.php")) == UNMATCHED_ROUTE
