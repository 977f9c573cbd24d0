"""The knowledge base in the database: add, list, remove documents and search their chunks.

One interface over two dialects (the tables come from the orchestrator's migration 0002): PostgreSQL full-text
search (a generated ``tsvector``, ``websearch_to_tsquery``, ``ts_rank_cd``) in distributed mode, SQLite FTS5 with
``bm25`` in standalone mode. A query's words are OR-ed, so a topic phrased unlike the notes still finds them, and the
rank decides. With an embeddings provider, the full-text top 50 are re-ranked by a mix of rank and cosine similarity.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from mathreel_script.knowledge.documents import DocumentText, chunk_document, read_document
from mathreel_script.knowledge.passage import Passage
from mathreel_script.llm.provider import EmbeddingProvider

log = logging.getLogger(__name__)

STARTER_ORIGIN = "starter"
OPERATOR_ORIGIN = "operator"
RERANK_POOL = 50
# Weight of the embedding similarity against the full-text rank, when embeddings are configured.
EMBEDDING_WEIGHT = 0.5
MAX_QUERY_WORDS = 40
# Single letters and digits ("x", "2" in "x^2") match nearly every note: they add noise, not signal.
_QUERY_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]+|\d{2,}")

_metadata = sa.MetaData()
kb_document = sa.Table(
    "kb_document",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("slug", sa.String(120)),
    sa.Column("title", sa.Text),
    sa.Column("origin", sa.String(16)),
    sa.Column("source_name", sa.Text),
    sa.Column("content_hash", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True)),
)
kb_chunk = sa.Table(
    "kb_chunk",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer),
    sa.Column("chunk_index", sa.Integer),
    sa.Column("heading", sa.Text),
    sa.Column("content", sa.Text),
    sa.Column("embedding", sa.JSON),
)


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    slug: str
    title: str
    origin: str
    source_name: str
    chunks: int
    created_at: datetime


@dataclass(frozen=True)
class AddResult:
    document_id: int
    slug: str
    chunks: int
    # False when the same content was already there (nothing changed).
    added: bool


def starter_corpus_paths() -> list[Path]:
    """The Markdown notes shipped with the service."""
    folder = Path(str(resources.files("mathreel_script.knowledge") / "corpus"))
    return sorted(folder.glob("*.md"))


def starter_documents() -> list[DocumentText]:
    """The shipped notes and one document per curriculum entry (what it states, how to see it, what to avoid)."""
    from mathreel_script.curriculum import load_curriculum
    from mathreel_script.curriculum.documents import entry_document

    return [*(read_document(path) for path in starter_corpus_paths()), *map(entry_document, load_curriculum())]


def query_words(text: str) -> list[str]:
    """Search words of ``text``: letters and digits, deduplicated, at most 40."""
    return list(dict.fromkeys(w.lower() for w in _QUERY_WORD.findall(text)))[:MAX_QUERY_WORDS]


def _vector(stored: Any) -> list[float] | None:
    """A stored embedding: raw SQL reads JSON columns back as text on both dialects."""
    if isinstance(stored, str):
        stored = json.loads(stored)
    return [float(x) for x in stored] if isinstance(stored, list) and stored else None


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


class KnowledgeBase:
    """Documents and chunks in the database of ``engine``; see the module docstring."""

    def __init__(self, engine: AsyncEngine, *, embedder: EmbeddingProvider | None = None) -> None:
        self._engine = engine
        self._embedder = embedder
        self._starter_loaded = False
        self._starter_lock = asyncio.Lock()

    @property
    def _postgres(self) -> bool:
        return self._engine.dialect.name == "postgresql"

    # --- documents ---------------------------------------------------------------------------------------------
    async def add_path(self, path: Path, *, origin: str = OPERATOR_ORIGIN) -> AddResult:
        """Read and add one file (Markdown, text or PDF)."""
        document = await asyncio.to_thread(read_document, path)
        return await self.add(document, origin=origin)

    async def add(self, document: DocumentText, *, origin: str = OPERATOR_ORIGIN) -> AddResult:
        """Add ``document``, or replace the one with its slug; the same content twice changes nothing."""
        chunks = chunk_document(document)
        if not chunks:
            raise ValueError(f"{document.source_name}: no text to index")
        vectors: list[list[float]] | None = None
        if self._embedder is not None:
            vectors = await self._embedder.embed([f"{c.heading}\n{c.text}" for c in chunks])
        digest = document.content_hash
        async with self._engine.begin() as connection:
            existing = (
                await connection.execute(
                    sa.select(kb_document.c.id, kb_document.c.content_hash).where(kb_document.c.slug == document.slug)
                )
            ).first()
            if existing is not None and existing.content_hash == digest:
                count = await self._chunk_count(connection, existing.id)
                return AddResult(existing.id, document.slug, count, added=False)
            if existing is not None:
                await self._delete(connection, existing.id)
            document_id = (
                await connection.execute(
                    sa.insert(kb_document)
                    .values(
                        slug=document.slug,
                        title=document.title,
                        origin=origin,
                        source_name=document.source_name[:500],
                        content_hash=digest,
                        created_at=datetime.now(UTC),
                    )
                    .returning(kb_document.c.id)
                )
            ).scalar_one()
            await connection.execute(
                sa.insert(kb_chunk),
                [
                    {
                        "document_id": document_id,
                        "chunk_index": chunk.index,
                        "heading": chunk.heading,
                        "content": chunk.text,
                        "embedding": vectors[chunk.index] if vectors else None,
                    }
                    for chunk in chunks
                ],
            )
        return AddResult(document_id, document.slug, len(chunks), added=True)

    async def list_documents(self) -> list[DocumentInfo]:
        """Every document, by slug, with its chunk count."""
        chunks = (
            sa.select(kb_chunk.c.document_id, sa.func.count().label("chunks"))
            .group_by(kb_chunk.c.document_id)
            .subquery()
        )
        query = (
            sa.select(kb_document, sa.func.coalesce(chunks.c.chunks, 0).label("chunks"))
            .outerjoin(chunks, chunks.c.document_id == kb_document.c.id)
            .order_by(kb_document.c.slug)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [DocumentInfo(r.id, r.slug, r.title, r.origin, r.source_name, int(r.chunks), r.created_at) for r in rows]

    async def remove(self, id_or_slug: str | int) -> bool:
        """Remove a document (by id or slug) and its chunks; ``False`` when there is no such document."""
        column = kb_document.c.id if isinstance(id_or_slug, int) or id_or_slug.isdigit() else kb_document.c.slug
        value: Any = int(id_or_slug) if column is kb_document.c.id else id_or_slug
        async with self._engine.begin() as connection:
            found = (await connection.execute(sa.select(kb_document.c.id).where(column == value))).scalar()
            if found is None:
                return False
            await self._delete(connection, found)
        return True

    async def _delete(self, connection: AsyncConnection, document_id: int) -> None:
        # Chunks first, explicitly: SQLite's FTS triggers fire on these deletes, whatever the cascade settings.
        await connection.execute(sa.delete(kb_chunk).where(kb_chunk.c.document_id == document_id))
        await connection.execute(sa.delete(kb_document).where(kb_document.c.id == document_id))

    async def _chunk_count(self, connection: AsyncConnection, document_id: int) -> int:
        query = sa.select(sa.func.count()).select_from(kb_chunk).where(kb_chunk.c.document_id == document_id)
        return int((await connection.execute(query)).scalar_one())

    async def ensure_starter_corpus(self) -> int:
        """Load the shipped notes that are missing or changed; returns how many were added. Cheap after the first."""
        if self._starter_loaded:
            return 0
        async with self._starter_lock:
            if self._starter_loaded:
                return 0
            async with self._engine.connect() as connection:
                known = {
                    row.slug: row.content_hash
                    for row in await connection.execute(sa.select(kb_document.c.slug, kb_document.c.content_hash))
                }
            added = 0
            for document in await asyncio.to_thread(starter_documents):
                if known.get(document.slug) == document.content_hash:
                    continue
                try:
                    result = await self.add(document, origin=STARTER_ORIGIN)
                except IntegrityError:
                    # Another worker loaded it between our read and our insert: it is there either way.
                    continue
                added += int(result.added)
            if added:
                log.info("knowledge base: loaded %d starter notes", added)
            self._starter_loaded = True
            return added

    # --- search ------------------------------------------------------------------------------------------------
    async def search(self, query: str, *, limit: int = 5, max_per_document: int = 2) -> list[Passage]:
        """The best ``limit`` chunks for ``query``, at most ``max_per_document`` from any one document."""
        words = query_words(query)
        if not words:
            return []
        pool = max(RERANK_POOL, limit * 4)
        async with self._engine.connect() as connection:
            if self._postgres:
                rows = await self._search_postgres(connection, words, pool)
            else:
                rows = await self._search_sqlite(connection, words, pool)
        if not rows:
            return []
        passages = [
            Passage(r["slug"], r["title"], r["chunk_index"], r["heading"], r["content"], float(r["score"]))
            for r in rows
        ]
        vectors = [_vector(r["embedding"]) for r in rows]
        if self._embedder is not None and all(vectors):
            passages = await self._rerank(query, passages, vectors)
        kept: list[Passage] = []
        per_document: dict[str, int] = {}
        for passage in passages:
            if per_document.get(passage.document_slug, 0) < max_per_document:
                per_document[passage.document_slug] = per_document.get(passage.document_slug, 0) + 1
                kept.append(passage)
            if len(kept) == limit:
                break
        return kept

    async def _search_postgres(self, connection: AsyncConnection, words: list[str], pool: int) -> list[dict[str, Any]]:
        # websearch_to_tsquery never raises on user text; " or " between the words makes it a disjunction.
        statement = sa.text(
            "SELECT c.chunk_index, c.heading, c.content, c.embedding, d.slug, d.title, "
            "ts_rank_cd(c.tsv, q, 1) AS score "
            "FROM kb_chunk c JOIN kb_document d ON d.id = c.document_id, "
            "websearch_to_tsquery('english', :query) AS q "
            "WHERE c.tsv @@ q ORDER BY score DESC, c.id LIMIT :pool"
        )
        result = await connection.execute(statement, {"query": " or ".join(words), "pool": pool})
        return [dict(row._mapping) for row in result]

    async def _search_sqlite(self, connection: AsyncConnection, words: list[str], pool: int) -> list[dict[str, Any]]:
        # Each word quoted: FTS5 query syntax (NEAR, column filters, operators) cannot be injected through a topic.
        match = " OR ".join(f'"{word}"' for word in words)
        statement = sa.text(
            "SELECT c.chunk_index, c.heading, c.content, c.embedding, d.slug, d.title, "
            "-bm25(kb_chunk_fts, 2.0, 1.0) AS score "
            "FROM kb_chunk_fts JOIN kb_chunk c ON c.id = kb_chunk_fts.rowid "
            "JOIN kb_document d ON d.id = c.document_id "
            "WHERE kb_chunk_fts MATCH :match ORDER BY score DESC, c.id LIMIT :pool"
        )
        result = await connection.execute(statement, {"match": match, "pool": pool})
        return [dict(row._mapping) for row in result]

    async def _rerank(self, query: str, passages: list[Passage], vectors: list[Any]) -> list[Passage]:
        assert self._embedder is not None
        (query_vector,) = await self._embedder.embed([query])
        top = max(p.score for p in passages) or 1.0
        scored = [
            (EMBEDDING_WEIGHT * _cosine(query_vector, vector) + (1 - EMBEDDING_WEIGHT) * passage.score / top, passage)
            for passage, vector in zip(passages, vectors, strict=True)
        ]
        scored.sort(key=lambda pair: pair[0], reverse=True)
        return [
            Passage(p.document_slug, p.document_title, p.chunk_index, p.heading, p.text, score) for score, p in scored
        ]
