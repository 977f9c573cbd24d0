"""The committed TypeScript types match the gateway's OpenAPI document, the development token route exists only
where it should, and the web app is served from its build."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount, NoMatchFound

from mathreel_gateway.app import create_app
from mathreel_gateway.openapi import openapi_document
from mathreel_gateway.webapp import DEV_TOKEN_PATH, WEB_APP_PATH, WebApp
from mathreel_shared.settings import Mode, Settings

from .npm import ROOT, TYPESCRIPT_CLIENT, install_clients

COMMITTED = TYPESCRIPT_CLIENT / "src" / "schema.ts"


def test_generated_types_match_the_openapi_document(tmp_path: Path) -> None:
    install_clients()
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(openapi_document()))
    regenerated = tmp_path / "schema.ts"
    done = subprocess.run(
        [str(ROOT / "scripts" / "client-types.sh"), str(regenerated), str(document)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert regenerated.read_text() == COMMITTED.read_text(), (
        "clients/typescript/src/schema.ts is out of date with the API: run `make client-types` and commit it"
    )


def _paths(settings: Settings) -> set[str]:
    """Which of the development token route and the web app the app built for ``settings`` has."""
    app = create_app(settings)
    found = set()
    for path, name, params in ((DEV_TOKEN_PATH, "dev_token", {}), (WEB_APP_PATH, "web-app", {"path": "/"})):
        try:
            app.url_path_for(name, **params)
        except NoMatchFound:
            continue
        found.add(path)
    return found


def test_the_development_token_route_exists_only_in_standalone_mode_with_the_development_key() -> None:
    base = {"_env_file": None, "s3_secret_access_key": "a-real-secret-for-tests"}
    standalone = Settings(**base, mode=Mode.STANDALONE)  # type: ignore[arg-type]
    assert DEV_TOKEN_PATH in _paths(standalone)
    assert WEB_APP_PATH in _paths(standalone)

    production = Settings(
        **base,  # type: ignore[arg-type]
        mode=Mode.DISTRIBUTED,
        environment="production",
        jwks_url="https://clerk.example.com/.well-known/jwks.json",
    )
    assert DEV_TOKEN_PATH not in _paths(production)
    assert WEB_APP_PATH not in _paths(production)
    assert WEB_APP_PATH in _paths(production.model_copy(update={"web_app_enabled": True}))
    # A standalone server told to verify an identity provider's tokens hands out none of its own.
    external = Settings(**base, mode=Mode.STANDALONE, jwks_url="https://clerk.example.com/jwks")  # type: ignore[arg-type]
    assert DEV_TOKEN_PATH not in _paths(external)
    development = Settings(**base, mode=Mode.DISTRIBUTED, environment="development")  # type: ignore[arg-type]
    assert DEV_TOKEN_PATH not in _paths(development)
    assert WEB_APP_PATH in _paths(development)


async def test_the_web_app_says_how_to_build_it_until_it_is_built_then_serves_it_with_its_policy(
    tmp_path: Path,
) -> None:
    app = Starlette(routes=[Mount(WEB_APP_PATH, WebApp(tmp_path), name="web-app")])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        missing = await client.get("/app/")
        assert missing.status_code == 503
        assert "scripts/bootstrap.sh" in missing.json()["detail"]

        (tmp_path / "index.html").write_text("<!doctype html><title>Mathreel</title>")
        built = await client.get("/app/")
        assert built.status_code == 200
        assert "<title>Mathreel</title>" in built.text
        assert "script-src 'self'" in built.headers["content-security-policy"]
        assert (await client.get("/app/../pyproject.toml")).status_code == 404
