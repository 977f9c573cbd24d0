"""Knowledge base for retrieval (use_rag): documents, their chunks and a full-text index.

PostgreSQL: each chunk has a generated ``tsvector`` (heading weighted A, text B, English configuration) with a GIN
index, queried with ``websearch_to_tsquery`` and ranked with ``ts_rank_cd``. SQLite (standalone): an FTS5 table
over the chunks (Porter stemming), kept in step by triggers, ranked with ``bm25``. The script service's
``KnowledgeBase`` hides the difference behind one interface.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_document",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("slug", sa.String(120), nullable=False, unique=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_kb_document_hash", "kb_document", ["content_hash"])
    op.create_table(
        "kb_chunk",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("kb_document.id", ondelete="CASCADE"), nullable=False),
        sa.Column("chunk_index", sa.Integer(), nullable=False),
        sa.Column("heading", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        # Provider embeddings as a JSON array of floats (pgvector is not available everywhere we run).
        sa.Column("embedding", sa.JSON(), nullable=True),
        sa.UniqueConstraint("document_id", "chunk_index", name="uq_kb_chunk_position"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE kb_chunk ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('english'::regconfig, heading), 'A') || "
            "setweight(to_tsvector('english'::regconfig, content), 'B')) STORED"
        )
        op.execute("CREATE INDEX ix_kb_chunk_tsv ON kb_chunk USING GIN (tsv)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE kb_chunk_fts USING fts5("
            "heading, content, content='kb_chunk', content_rowid='id', tokenize='porter unicode61')"
        )
        op.execute(
            "CREATE TRIGGER kb_chunk_fts_insert AFTER INSERT ON kb_chunk BEGIN "
            "INSERT INTO kb_chunk_fts(rowid, heading, content) VALUES (new.id, new.heading, new.content); END"
        )
        op.execute(
            "CREATE TRIGGER kb_chunk_fts_delete AFTER DELETE ON kb_chunk BEGIN "
            "INSERT INTO kb_chunk_fts(kb_chunk_fts, rowid, heading, content) "
            "VALUES ('delete', old.id, old.heading, old.content); END"
        )
        op.execute(
            "CREATE TRIGGER kb_chunk_fts_update AFTER UPDATE ON kb_chunk BEGIN "
            "INSERT INTO kb_chunk_fts(kb_chunk_fts, rowid, heading, content) "
            "VALUES ('delete', old.id, old.heading, old.content); "
            "INSERT INTO kb_chunk_fts(rowid, heading, content) VALUES (new.id, new.heading, new.content); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("kb_chunk_fts_insert", "kb_chunk_fts_delete", "kb_chunk_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS kb_chunk_fts")
    op.drop_table("kb_chunk")
    op.drop_table("kb_document")
