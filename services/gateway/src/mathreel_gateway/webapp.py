"""The web app at ``/app`` (built from ``clients/web``), and the development token it uses in standalone mode."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from mathreel_gateway.deps import ResourcesDep, SettingsDep
from mathreel_gateway.errors import NotFound
from mathreel_gateway.middleware import send_json_error
from mathreel_shared.settings import Settings

WEB_APP_PATH = "/app"
DEV_TOKEN_PATH = "/api/v1/dev/token"
DEV_TOKEN_USER = "local_user"
DEV_TOKEN_TTL_SECONDS = 3600
# The repository's build folder: services/gateway/src/mathreel_gateway/webapp.py -> clients/web/dist.
_REPOSITORY_BUILD = Path(__file__).resolve().parents[4] / "clients" / "web" / "dist"

# The pages load their own scripts and styles only; media may come from the object store's presigned URLs, the
# thumbnail and captions are fetched with the token and shown from blob: URLs, live progress comes over WebSocket.
_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "media-src 'self' blob: http: https:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
_NOT_BUILT = (
    "The web app is not built. Install Node.js 20.19 or later and run scripts/bootstrap.sh "
    "(or `npm ci && npm run build` in clients/)."
)


def web_app_dir(settings: Settings) -> Path:
    return settings.web_app_dir or _REPOSITORY_BUILD


class WebApp:
    """Static files of the built app, with a policy that lets its pages run their own scripts. Without a build it
    answers 503 saying how to build it (checked per request, so a build made after start-up is served)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: StaticFiles | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.files is None:
            if not (self.directory / "index.html").is_file():
                await send_json_error(send, 503, _NOT_BUILT)
                return
            self.files = StaticFiles(directory=self.directory, html=True)

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"content-security-policy", _CONTENT_SECURITY_POLICY.encode()),
                ]
            await send(message)

        await self.files(scope, receive, send_with_policy)


class DevToken(BaseModel):
    token: str
    user_id: str
    expires_in: int


dev_router = APIRouter()


# Not in the OpenAPI document: it exists only in standalone mode, and the document is the same in every mode.
@dev_router.post(DEV_TOKEN_PATH, include_in_schema=False)
async def dev_token(resources: ResourcesDep, settings: SettingsDep) -> DevToken:
    """A token for the local user, signed by the development key (standalone mode only; never in production)."""
    if not settings.serves_dev_tokens or resources.dev_key is None:
        raise NotFound("No development tokens in this deployment")
    token = resources.dev_key.mint(DEV_TOKEN_USER, issuer=settings.jwt_issuer, ttl_seconds=DEV_TOKEN_TTL_SECONDS)
    return DevToken(token=token, user_id=DEV_TOKEN_USER, expires_in=DEV_TOKEN_TTL_SECONDS)


def install_web_app(app: FastAPI, settings: Settings) -> None:
    """Mount the web app when the settings serve it, and the development token route in standalone mode."""
    if settings.serves_dev_tokens:
        app.include_router(dev_router)
    if settings.serves_web_app:
        app.mount(WEB_APP_PATH, WebApp(web_app_dir(settings)), name="web-app")
