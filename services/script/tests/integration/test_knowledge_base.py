"""The knowledge base on real PostgreSQL (tsvector + GIN) and on SQLite (FTS5), through one interface."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from mathreel_orchestrator.migrate import upgrade
from mathreel_script.knowledge.documents import DocumentText
from mathreel_script.knowledge.store import KnowledgeBase, starter_corpus_paths
from mathreel_shared.db import create_engine

_migrated: set[str] = set()


@pytest.fixture(scope="session")
def sqlite_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('kb') / 'kb.db'}"


@pytest.fixture(params=["postgresql", "sqlite"])
async def engine(request: pytest.FixtureRequest) -> AsyncIterator[AsyncEngine]:
    """A migrated database of each dialect (migrated once per session, shared by the tests)."""
    url = request.getfixturevalue("pg_database_url" if request.param == "postgresql" else "sqlite_database_url")
    if url not in _migrated:
        await upgrade(url)
        _migrated.add(url)
    engine = create_engine(url, pool_size=2)
    yield engine
    await engine.dispose()


async def test_the_starter_corpus_loads_once(engine: AsyncEngine) -> None:
    knowledge = KnowledgeBase(engine)
    await knowledge.ensure_starter_corpus()
    before = {d.slug: d.chunks for d in await knowledge.list_documents()}

    # A second process (a new KnowledgeBase) finds every note already there: nothing is added or duplicated.
    again = await KnowledgeBase(engine).ensure_starter_corpus()

    assert again == 0
    assert {p.stem for p in starter_corpus_paths()} <= set(before)
    assert "curriculum-pythagorean-theorem" in before  # every curriculum entry is a document too
    assert before == {d.slug: d.chunks for d in await knowledge.list_documents()}
    assert all(count >= 1 for count in before.values())


# The curriculum entries that teach the subject of a shipped note.
CURRICULUM_TWINS = {
    "chain-rule": ("curriculum-chain-rule-derivatives",),
    "eigenvectors": ("curriculum-eigenvalues-eigenvectors",),
    "circle-area": ("curriculum-area-of-circle",),
    "bayes-theorem": ("curriculum-bayes-theorem",),
    "arithmetic-series": ("curriculum-arithmetic-series",),
}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("chain rule for composite functions", "chain-rule"),
        ("Bayes theorem medical test false positives", "bayes-theorem"),
        ("eigenvalues of a 2x2 matrix", "eigenvectors"),
        ("why is the area of a circle pi r squared", "circle-area"),
        ("Gauss sum of the first 100 numbers", "arithmetic-series"),
    ],
)
async def test_search_finds_the_note_that_answers(engine: AsyncEngine, query: str, expected: str) -> None:
    knowledge = KnowledgeBase(engine)
    await knowledge.ensure_starter_corpus()

    passages = await knowledge.search(query, limit=5, max_per_document=1)

    # The shipped note on the subject, or the curriculum entry that teaches it: both answer the question.
    assert passages[0].document_slug in {expected, *CURRICULUM_TWINS.get(expected, ())}
    assert passages[0].uri.startswith(f"kb://{passages[0].document_slug}#")
    assert len({p.document_slug for p in passages}) == len(passages)
    assert passages[0].score >= passages[-1].score


async def test_search_text_cannot_break_the_query(engine: AsyncEngine) -> None:
    knowledge = KnowledgeBase(engine)
    await knowledge.ensure_starter_corpus()
    for query in ['"unbalanced', "NEAR(a b) OR AND NOT", "heading:chain", "'); DROP TABLE kb_chunk; --", "!!! ???"]:
        await knowledge.search(query)
    assert await knowledge.search("") == []
    assert (await knowledge.search("logarithm laws"))[0].document_slug == "logarithms"


async def test_add_is_idempotent_replace_changes_remove_deletes(engine: AsyncEngine, tmp_path: Path) -> None:
    knowledge = KnowledgeBase(engine)
    note = tmp_path / "Zeta Function Notes.md"
    note.write_text("# Riemann zeta\n\nThe zeta function sums reciprocal powers: zeta(2) equals pi squared over six.\n")

    first = await knowledge.add_path(note)
    second = await knowledge.add_path(note)
    note.write_text("# Riemann zeta\n\nThe Basel problem asks for the sum of reciprocal squares, pi squared over 6.\n")
    changed = await knowledge.add_path(note)

    assert first.added
    assert first.slug == "zeta-function-notes"
    assert not second.added
    assert second.document_id == first.document_id
    assert changed.added
    hits = await knowledge.search("Basel zeta")
    assert hits[0].document_slug == "zeta-function-notes"
    assert "Basel" in hits[0].text
    assert not any("zeta(2)" in hit.text for hit in await knowledge.search("zeta function reciprocal powers"))

    assert await knowledge.remove("zeta-function-notes")
    assert not await knowledge.remove("zeta-function-notes")
    assert all(hit.document_slug != "zeta-function-notes" for hit in await knowledge.search("Basel reciprocal"))
    async with engine.connect() as connection:
        orphans = await connection.execute(
            sa.text(
                "SELECT count(*) FROM kb_chunk c LEFT JOIN kb_document d ON d.id = c.document_id WHERE d.id IS NULL"
            )
        )
        assert orphans.scalar_one() == 0


async def test_remove_by_id(engine: AsyncEngine) -> None:
    knowledge = KnowledgeBase(engine)
    added = await knowledge.add(DocumentText("remove-me", "Remove me", "Some text about tessellations.", "x.txt"))
    assert await knowledge.remove(str(added.document_id))
    assert "remove-me" not in {d.slug for d in await knowledge.list_documents()}


async def test_embeddings_rerank_the_full_text_pool(engine: AsyncEngine, chat_server) -> None:
    from mathreel_script.llm.config import LlmSettings
    from mathreel_script.llm.openai_compat import OpenAICompatibleProvider

    provider = OpenAICompatibleProvider(
        LlmSettings(base_url=chat_server.base_url, api_key="sk-test-key", model="m", embeddings_model="e")
    )
    try:
        knowledge = KnowledgeBase(engine, embedder=provider)
        await knowledge.add(
            DocumentText("tiling-a", "Tilings", "Regular hexagons tile the plane without gaps.", "a.md")
        )
        await knowledge.add(DocumentText("tiling-b", "Tilings", "Squares tile the plane; so do triangles.", "b.md"))
        hits = await knowledge.search("hexagons tile the plane", limit=2)
    finally:
        await knowledge.remove("tiling-a")
        await knowledge.remove("tiling-b")
        await provider.aclose()

    assert hits[0].document_slug == "tiling-a"
    assert any(r.path.endswith("/embeddings") for r in chat_server.received)
