"""``mathreel``: generate videos, run the standalone server, mint development tokens, migrate the database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from mathreel_cli.dlq import dlq_app
from mathreel_cli.kb import kb_app
from mathreel_cli.plan import plan
from mathreel_shared.auth import DevSigningKey
from mathreel_shared.domain import Priority, Quality
from mathreel_shared.settings import Mode, Settings, get_settings
from mathreel_shared.telemetry import setup_logging

app = typer.Typer(help="Mathreel: narrated, animated math-explainer videos from a topic and a few lines of context.")
console = Console(stderr=True)
app.add_typer(kb_app, name="kb")
app.add_typer(dlq_app, name="dlq")
app.command()(plan)

DEFAULT_CONTEXT = "Explain it step by step, with a formula, a visual example and a short summary."


def _standalone_settings(**overrides: object) -> Settings:
    return Settings(mode=Mode.STANDALONE, **overrides)  # type: ignore[arg-type]


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8000,
) -> None:
    """Run the whole platform in one process (standalone mode): the API at http://HOST:PORT/api/v1."""
    settings = _standalone_settings(host=host, port=port, public_base_url=f"http://{host}:{port}")
    setup_logging(settings.log_level)
    asyncio.run(_serve_forever(settings))


async def _serve_forever(settings: Settings) -> None:
    from mathreel_cli.standalone import standalone_stack
    from mathreel_gateway.main import JsonErrorHttpProtocol

    async with standalone_stack(settings) as stack:
        server = uvicorn.Server(
            uvicorn.Config(
                stack.app,
                host=settings.host,
                port=settings.port,
                log_level="info",
                access_log=False,
                http=JsonErrorHttpProtocol,
            )
        )
        console.print(f"Mathreel standalone at http://{settings.host}:{settings.port}/api/v1  (Ctrl+C to stop)")
        await server.serve()


@app.command()
def token(
    user: Annotated[str, typer.Option("--user", help="User id to put in the token's sub claim")],
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds")] = 3600,
) -> None:
    """Mint a development token signed by the local key whose JWKS the gateway serves."""
    settings = get_settings()
    if not settings.uses_dev_keys:
        console.print("[red]MATHREEL_JWKS_URL is set: tokens come from your identity provider (Clerk), not from here.")
        raise typer.Exit(2)
    key = DevSigningKey.load_or_create(settings.dev_signing_key_path)
    typer.echo(key.mint(user, issuer=settings.jwt_issuer, ttl_seconds=ttl))


@app.command()
def migrate() -> None:
    """Bring the configured database to the latest schema."""
    from mathreel_orchestrator.migrate import upgrade_sync

    upgrade_sync(get_settings().database_url)
    console.print("database is at the latest schema")


@app.command()
def generate(
    topic: Annotated[str, typer.Argument(help="What the video explains, e.g. 'Pythagorean theorem'")],
    context: Annotated[str, typer.Option(help="Details and instructions for the lesson")] = DEFAULT_CONTEXT,
    quality: Annotated[Quality, typer.Option(help="low 480p15, medium 720p30, high 1080p60")] = Quality.MEDIUM,
    priority: Annotated[Priority, typer.Option(help="Queue priority")] = Priority.NORMAL,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to save the MP4")] = Path("mathreel.mp4"),
    server: Annotated[
        str | None,
        typer.Option(envvar="MATHREEL_SERVER", help="A running gateway's base URL; default: start one in-process"),
    ] = None,
    api_token: Annotated[
        str | None, typer.Option("--token", envvar="MATHREEL_TOKEN", help="Bearer token for --server")
    ] = None,
    user: Annotated[str, typer.Option(help="User id for the in-process server's token")] = "local_user",
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds")] = 1800.0,
) -> None:
    """Generate a video through the HTTP API, with a progress bar, and save it."""
    setup_logging("ERROR")
    body: dict[str, object] = {
        "configuration": {"topic": topic, "context": context, "quality": quality.value},
        "priority": priority.value,
    }
    try:
        result = asyncio.run(_generate(body, output, server, api_token, user, timeout))
    except GenerationError as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(1) from exc
    size = result["dimensions"]
    console.print(
        f"[green]Saved {output}[/]  {result['duration']:.1f} s, {size['width']}x{size['height']}, "
        f"{result['file_size'] / 1e6:.1f} MB"
    )


class GenerationError(Exception):
    pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def _in_process_server(user: str) -> AsyncIterator[tuple[str, str]]:
    """Start the standalone stack on a free local port; yield its base URL and a token for ``user``."""
    from mathreel_cli.standalone import serving, standalone_stack

    port = _free_port()
    settings = _standalone_settings(port=port, public_base_url=f"http://127.0.0.1:{port}")
    async with standalone_stack(settings) as stack, serving(stack.app, port) as base_url:
        assert stack.resources.dev_key is not None
        yield base_url, stack.resources.dev_key.mint(user, issuer=settings.jwt_issuer)


async def _generate(
    body: dict[str, object], output: Path, server: str | None, api_token: str | None, user: str, timeout: float
) -> dict[str, Any]:
    if server:
        if not api_token:
            raise GenerationError("--token (or MATHREEL_TOKEN) is required with --server")
        return await _submit_and_wait(server.rstrip("/"), api_token, body, output, timeout)
    async with _in_process_server(user) as (base_url, minted):
        return await _submit_and_wait(base_url, minted, body, output, timeout)


async def _submit_and_wait(
    base_url: str, api_token: str, body: dict[str, object], output: Path, timeout: float
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {api_token}"}
    async with httpx.AsyncClient(base_url=f"{base_url}/api/v1", headers=headers, timeout=60) as client:
        response = await client.post("/videos/generate", json=body)
        if response.status_code != 201:
            raise GenerationError(f"submission refused ({response.status_code}): {response.text}")
        job_id = response.json()["job_id"]
        console.print(f"job {job_id} queued")
        deadline = time.monotonic() + timeout
        with Progress(
            TextColumn("[bold]{task.fields[stage]:<20}"),
            BarColumn(),
            TextColumn("{task.percentage:>5.1f}%"),
            TimeElapsedColumn(),
            console=console,
            transient=not sys.stderr.isatty(),
        ) as progress:
            bar = progress.add_task("job", total=100, stage="queued")
            while True:
                status = (await client.get(f"/videos/jobs/{job_id}/status")).json()
                progress.update(
                    bar, completed=status["progress"]["percentage"], stage=status["progress"]["current_stage"]
                )
                if status["status"] == "completed":
                    break
                if status["status"] in {"failed", "cancelled"}:
                    error = status.get("error") or {}
                    raise GenerationError(f"job {status['status']}: {error.get('message', 'no reason given')}")
                if time.monotonic() > deadline:
                    raise GenerationError(f"gave up after {timeout:.0f} s; job {job_id} is still {status['status']}")
                await asyncio.sleep(0.5)
        video = (await client.get(f"/videos/jobs/{job_id}/video-url")).json()
        output.parent.mkdir(parents=True, exist_ok=True)
        async with httpx.AsyncClient(timeout=120) as plain, plain.stream("GET", video["video_url"]) as stream:
            if stream.status_code != 200:
                raise GenerationError(f"download failed ({stream.status_code})")
            with output.open("wb") as handle:
                async for chunk in stream.aiter_bytes():
                    handle.write(chunk)
        metadata = (await client.get(f"/videos/jobs/{job_id}/metadata")).json()["metadata"]
        result: dict[str, Any] = metadata
        return result


def run() -> None:
    """Console-script entry point."""
    os.environ.setdefault("MATHREEL_MODE", "standalone")
    app()


if __name__ == "__main__":
    run()
