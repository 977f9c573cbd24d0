"""The artifact cache's index: one row per cached narration or scene clip, or per claim on one being produced.

``key`` is the content address (a SHA-256 that includes the user id, so a user's entries serve only that user);
``state`` is ``pending`` while one worker produces the entry (``claimed_until`` bounds the claim) and ``ready``
once its object is stored. Eviction walks ``(state, last_used_at)`` oldest first.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cache_entry",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("object_key", sa.Text(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_cache_entry_state_used", "cache_entry", ["state", "last_used_at"])
    op.create_index("ix_cache_entry_user_used", "cache_entry", ["user_id", "last_used_at"])


def downgrade() -> None:
    op.drop_index("ix_cache_entry_user_used", table_name="cache_entry")
    op.drop_index("ix_cache_entry_state_used", table_name="cache_entry")
    op.drop_table("cache_entry")
