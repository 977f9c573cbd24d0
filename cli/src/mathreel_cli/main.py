"""``mathreel``: generate, revise and render videos, run the standalone server, mint development tokens, migrate the
database."""

from __future__ import annotations

import asyncio
import contextlib
import json
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
    _report_saved(output, result)


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
    return await _submit_and_wait("/videos/generate", body, output, server, api_token, user, timeout)


async def _submit_and_wait(
    path: str,
    body: dict[str, object],
    output: Path,
    server: str | None,
    api_token: str | None,
    user: str,
    timeout: float,
) -> dict[str, Any]:
    """POST ``body`` to ``path`` of the gateway at ``server`` (or of an in-process one), then follow the job."""
    if server:
        if not api_token:
            raise GenerationError("--token (or MATHREEL_TOKEN) is required with --server")
        async with _api_client(server.rstrip("/"), api_token) as client:
            return await _wait_and_download(client, await _submit(client, path, body), output, timeout)
    async with _in_process_server(user) as (base_url, minted), _api_client(base_url, minted) as client:
        return await _wait_and_download(client, await _submit(client, path, body), output, timeout)


@contextlib.asynccontextmanager
async def _api_client(base_url: str, api_token: str) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {api_token}"}
    async with httpx.AsyncClient(base_url=f"{base_url}/api/v1", headers=headers, timeout=60) as client:
        yield client


async def _submit(client: httpx.AsyncClient, path: str, body: dict[str, object]) -> str:
    response = await client.post(path, json=body)
    if response.status_code != 201:
        raise GenerationError(f"submission refused ({response.status_code}): {_refusal(response)}")
    job_id: str = response.json()["job_id"]
    console.print(f"job {job_id} queued")
    return job_id


def _refusal(response: httpx.Response) -> str:
    """The reason of a refused request: a storyboard's problems one per line, with their paths."""
    try:
        detail = response.json().get("detail")
    except ValueError:
        return response.text
    if isinstance(detail, list):
        return "\n".join(
            f"  {item.get('path') or '.'.join(map(str, item.get('loc', [])))}: {item.get('msg')}"
            for item in detail
            if isinstance(item, dict)
        )
    return str(detail)


async def _wait_and_download(client: httpx.AsyncClient, job_id: str, output: Path, timeout: float) -> dict[str, Any]:
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
            progress.update(bar, completed=status["progress"]["percentage"], stage=status["progress"]["current_stage"])
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
    result: dict[str, Any] = {**metadata, "job_id": job_id}
    return result


def _report_saved(output: Path, result: dict[str, Any]) -> None:
    size = result["dimensions"]
    console.print(
        f"[green]Saved {output}[/]  {result['duration']:.1f} s, {size['width']}x{size['height']}, "
        f"{result['file_size'] / 1e6:.1f} MB  (job {result['job_id']})"
    )


def _read_storyboard(path: Path) -> dict[str, object]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        console.print(f"[red]cannot read a storyboard from {path}: {exc}")
        raise typer.Exit(2) from exc
    if not isinstance(document, dict):
        console.print(f"[red]{path} is not a storyboard: a JSON object is expected")
        raise typer.Exit(2)
    return document


ServerOption = Annotated[
    str | None,
    typer.Option(envvar="MATHREEL_SERVER", help="A running gateway's base URL; default: start one in-process"),
]
TokenOption = Annotated[str | None, typer.Option("--token", envvar="MATHREEL_TOKEN", help="Bearer token for --server")]
UserOption = Annotated[str, typer.Option(help="User id for the in-process server's token")]


@app.command()
def storyboard(
    job_id: Annotated[str, typer.Argument(help="The job whose storyboard to fetch")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to save the JSON")] = Path("storyboard.json"),
    server: ServerOption = None,
    api_token: TokenOption = None,
    user: UserOption = "local_user",
) -> None:
    """Save a job's storyboard (to edit it and send it back with `mathreel revise`)."""
    setup_logging("ERROR")

    async def fetch() -> bytes:
        if server:
            if not api_token:
                raise GenerationError("--token (or MATHREEL_TOKEN) is required with --server")
            async with _api_client(server.rstrip("/"), api_token) as client:
                return await _get_storyboard(client, job_id)
        async with _in_process_server(user) as (base_url, minted), _api_client(base_url, minted) as client:
            return await _get_storyboard(client, job_id)

    try:
        output.write_bytes(asyncio.run(fetch()))
    except GenerationError as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(1) from exc
    console.print(f"[green]Saved {output}")


async def _get_storyboard(client: httpx.AsyncClient, job_id: str) -> bytes:
    response = await client.get(f"/videos/jobs/{job_id}/storyboard")
    if response.status_code != 200:
        raise GenerationError(f"no storyboard ({response.status_code}): {_refusal(response)}")
    return response.content


@app.command()
def revise(
    job_id: Annotated[str, typer.Argument(help="The job to revise (one of yours, with a storyboard)")],
    storyboard_file: Annotated[Path, typer.Argument(help="The edited storyboard (JSON)")],
    quality: Annotated[Quality | None, typer.Option(help="Default: the original job's quality")] = None,
    priority: Annotated[Priority, typer.Option(help="Queue priority")] = Priority.NORMAL,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to save the MP4")] = Path("mathreel.mp4"),
    server: ServerOption = None,
    api_token: TokenOption = None,
    user: UserOption = "local_user",
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds")] = 1800.0,
) -> None:
    """Make a new video from an edited storyboard of a job (`POST /videos/jobs/{id}/revise`) and save it."""
    setup_logging("ERROR")
    body: dict[str, object] = {"storyboard": _read_storyboard(storyboard_file), "priority": priority.value}
    if quality is not None:
        body["quality"] = quality.value
    try:
        result = asyncio.run(
            _submit_and_wait(f"/videos/jobs/{job_id}/revise", body, output, server, api_token, user, timeout)
        )
    except GenerationError as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(1) from exc
    _report_saved(output, result)


@app.command()
def render(
    storyboard_file: Annotated[Path, typer.Argument(help="A storyboard (JSON) to render as it is")],
    quality: Annotated[Quality, typer.Option(help="low 480p15, medium 720p30, high 1080p60")] = Quality.MEDIUM,
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to save the MP4")] = Path("mathreel.mp4"),
    user: UserOption = "local_user",
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds")] = 1800.0,
) -> None:
    """Render a storyboard without planning (standalone): checked, laid out, narrated, animated, saved."""
    setup_logging("ERROR")
    document = _read_storyboard(storyboard_file)
    try:
        result = asyncio.run(_render(document, quality, output, user, timeout))
    except GenerationError as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(1) from exc
    _report_saved(output, result)


async def _render(
    document: dict[str, object], quality: Quality, output: Path, user: str, timeout: float
) -> dict[str, Any]:
    from mathreel_gateway.errors import ActiveJobLimitReached, UnprocessableStoryboard
    from mathreel_gateway.jobs.service import admit_storyboard, check_storyboard

    try:
        checked = check_storyboard(document)
    except UnprocessableStoryboard as exc:
        problems = "\n".join(f"  {problem['path']}: {problem['msg']}" for problem in exc.problems)
        raise GenerationError(f"the storyboard is not valid:\n{problems}") from exc
    # Every service, Manim included: imported only for a storyboard that can be rendered.
    from mathreel_cli.standalone import serving, standalone_stack

    port = _free_port()
    settings = _standalone_settings(port=port, public_base_url=f"http://127.0.0.1:{port}")
    async with standalone_stack(settings) as stack, serving(stack.app, port) as base_url:
        assert stack.resources.dev_key is not None
        try:
            job = await admit_storyboard(
                stack.resources,
                user_id=user,
                storyboard=checked,
                quality=quality,
                max_active_jobs=settings.max_active_jobs_per_user,
            )
        except ActiveJobLimitReached as exc:
            raise GenerationError(exc.detail) from exc
        console.print(f"job {job.id} queued")
        async with _api_client(base_url, stack.resources.dev_key.mint(user, issuer=settings.jwt_issuer)) as client:
            return await _wait_and_download(client, str(job.id), output, timeout)


def run() -> None:
    """Console-script entry point."""
    os.environ.setdefault("MATHREEL_MODE", "standalone")
    app()


if __name__ == "__main__":
    run()
