"""``mathreel plan``: the storyboard a job would render, printed as JSON, without rendering anything."""

from __future__ import annotations

import asyncio
import sys
from typing import Annotated

import typer

from mathreel_scenelang.storyboard import Storyboard
from mathreel_shared.domain import Quality
from mathreel_shared.messages import JobConfiguration
from mathreel_shared.settings import Settings

# The exit status when there is no lesson for the topic (topic_not_supported).
NOT_SUPPORTED_EXIT = 3


async def _plan(configuration: JobConfiguration) -> Storyboard:
    from mathreel_orchestrator.migrate import upgrade
    from mathreel_script.worker import build_author, compute_runner
    from mathreel_shared.db import create_engine

    settings = Settings()
    if settings.database_url.startswith("sqlite"):
        await upgrade(settings.database_url)  # the knowledge base behind --use-rag lives in the standalone database
    engine = create_engine(settings.database_url, pool_size=2)
    # The same limits as the script worker: planning runs in a child process with a time and memory limit.
    compute = compute_runner(settings)
    author, provider = build_author(engine, compute=compute)
    try:
        return (await author.write(configuration)).storyboard
    finally:
        await compute.close()
        if provider is not None:
            await provider.aclose()
        await engine.dispose()


def plan(
    topic: Annotated[str, typer.Argument(help="What the lesson is about")],
    context: Annotated[str, typer.Option(help="What to cover, numbers to use, formulas")] = "",
    use_rag: Annotated[bool, typer.Option("--use-rag", help="Ground it in the knowledge base")] = False,
    use_context_learning: Annotated[
        bool, typer.Option("--use-context-learning", help="Follow the structure of a worked exemplar")
    ] = False,
) -> None:
    """Print the storyboard a job would render (JSON on stdout), without rendering it.

    Exits with 3, the reason on stderr, when there is no lesson for the topic (topic_not_supported).
    """
    from mathreel_script.errors import TopicNotSupported

    configuration = JobConfiguration(
        topic=topic,
        context=context,
        quality=Quality.LOW,
        use_rag=use_rag,
        use_context_learning=use_context_learning,
    )
    try:
        storyboard = asyncio.run(_plan(configuration))
    except TopicNotSupported as refused:
        sys.stderr.write(f"{refused.code}: {refused.message}\n")
        raise typer.Exit(NOT_SUPPORTED_EXIT) from None
    sys.stdout.write(storyboard.model_dump_json(indent=2) + "\n")
