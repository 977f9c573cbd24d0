"""Route templates as metric labels."""

from __future__ import annotations

from uuid import uuid4

from starlette.routing import Route

from mathreel_gateway.metrics import UNMATCHED_ROUTE, route_template


def _route() -> Route:
    return Route("/x", endpoint=lambda request: None)


def test_path_parameters_become_their_names() -> None:
    job_id = str(uuid4())
    scope = {"route": _route(), "path": f"/api/v1/videos/jobs/{job_id}/status", "path_params": {"job_id": job_id}}
    assert route_template(scope) == "/api/v1/videos/jobs/{job_id}/status"


def test_a_media_token_never_reaches_the_label() -> None:
    token = "ZXhwaXJlcw.c2lnbmF0dXJl"
    scope = {"route": _route(), "path": f"/api/v1/media/{token}", "path_params": {"token": token}}
    assert route_template(scope) == "/api/v1/media/{token}"


def test_unmatched_paths_share_one_label() -> None:
    assert route_template({"path": "/wp-admin/setup.php"}) == UNMATCHED_ROUTE
