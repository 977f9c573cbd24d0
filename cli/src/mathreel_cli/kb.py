"""``mathreel kb``: add, list and remove the knowledge-base documents that ``use_rag`` retrieves from.

The database is the one the settings name (``MATHREEL_DATABASE_URL``): the standalone SQLite file by default, the
PostgreSQL of a deployment when set. A standalone database is migrated first; a deployment's is migrated by its
own migration job. With an embeddings model configured (``MATHREEL_LLM_EMBEDDINGS_MODEL``) chunks are embedded too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

from mathreel_script.knowledge.documents import SUPPORTED_SUFFIXES
from mathreel_script.knowledge.store import KnowledgeBase, starter_corpus_paths
from mathreel_script.llm.config import LlmSettings
from mathreel_script.llm.openai_compat import OpenAICompatibleProvider
from mathreel_shared.db import create_engine
from mathreel_shared.settings import Settings

kb_app = typer.Typer(help="The knowledge base behind use_rag: Markdown, text and PDF documents.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)

T = TypeVar("T")


@asynccontextmanager
async def _knowledge_base() -> AsyncIterator[KnowledgeBase]:
    url = Settings().database_url
    if url.startswith("sqlite"):
        from mathreel_orchestrator.migrate import upgrade

        await upgrade(url)
    engine = create_engine(url, pool_size=2)
    llm = LlmSettings()
    provider = OpenAICompatibleProvider(llm) if llm.configured and llm.embeddings_model else None
    try:
        yield KnowledgeBase(engine, embedder=provider)
    finally:
        if provider is not None:
            await provider.aclose()
        await engine.dispose()


def _run(action: Callable[[KnowledgeBase], Awaitable[T]]) -> T:
    async def main() -> T:
        async with _knowledge_base() as knowledge:
            return await action(knowledge)

    return asyncio.run(main())


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES))
        else:
            files.append(path)
    return files


@kb_app.command()
def add(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files (.md, .txt, .pdf) or folders of them")] = None,
    starter: Annotated[bool, typer.Option("--starter", help="Also load the shipped starter notes")] = False,
) -> None:
    """Add documents; the same content twice is one document, a changed file replaces its earlier version."""
    files = _expand(list(paths or []))
    if not files and not starter:
        errors.print("nothing to add: give files or folders, or --starter")
        raise typer.Exit(2)
    missing = [str(p) for p in files if not p.is_file()]
    if missing:
        errors.print(f"not found: {', '.join(missing)}")
        raise typer.Exit(2)

    async def action(knowledge: KnowledgeBase) -> int:
        failures = 0
        queue = [(path, "starter") for path in (starter_corpus_paths() if starter else [])]
        queue += [(path, "operator") for path in files]
        for path, origin in queue:
            try:
                result = await knowledge.add_path(path, origin=origin)
            except ValueError as exc:
                errors.print(f"skipped {path}: {exc}")
                failures += 1
                continue
            state = "added" if result.added else "unchanged"
            console.print(f"{state:9} {result.document_id:>5}  {result.slug}  ({result.chunks} chunks)")
        return failures

    if _run(action):
        raise typer.Exit(1)


@kb_app.command(name="list")
def list_documents() -> None:
    """List the documents: id, slug, origin, chunk count, date added, title."""
    documents = _run(lambda knowledge: knowledge.list_documents())
    # Plain lines rather than a table: they stay whole in narrow terminals and in pipes to grep.
    for d in documents:
        console.print(
            f"{d.id:>5}  {d.slug:<32} {d.origin:<9} {d.chunks:>3} chunks  {d.created_at:%Y-%m-%d}  {d.title}",
            highlight=False,
            soft_wrap=True,
        )
    console.print(f"{len(documents)} documents")


@kb_app.command()
def remove(document: Annotated[str, typer.Argument(help="Document id or slug")]) -> None:
    """Remove a document and its chunks."""
    if not _run(lambda knowledge: knowledge.remove(document)):
        errors.print(f"no document {document!r}")
        raise typer.Exit(1)
    console.print(f"removed {document}")
