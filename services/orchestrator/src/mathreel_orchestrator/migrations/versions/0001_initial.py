"""Initial schema: jobs, per-scene results, stage runs, outbox, inbox, user accounts.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "job",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("quality", sa.String(16), nullable=False),
        sa.Column("use_rag", sa.Boolean(), nullable=False),
        sa.Column("use_context_learning", sa.Boolean(), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("percentage", sa.Float(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("scene_count", sa.Integer(), nullable=True),
        sa.Column("storyboard_key", sa.Text(), nullable=True),
        sa.Column("video_key", sa.Text(), nullable=True),
        sa.Column("thumbnail_key", sa.Text(), nullable=True),
        sa.Column("captions_key", sa.Text(), nullable=True),
        sa.Column("srt_key", sa.Text(), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("fps", sa.Float(), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("video_format", sa.String(16), nullable=True),
        sa.Column("error_code", sa.String(64), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("error_stage", sa.String(32), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        _ts("estimated_completion_at", nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("started_at", nullable=True),
        _ts("stage_started_at", nullable=True),
        _ts("completed_at", nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'processing', 'completed', 'failed', 'cancelled')", name="ck_job_status"
        ),
        sa.CheckConstraint("percentage >= 0 AND percentage <= 100", name="ck_job_percentage"),
    )
    op.create_index("ix_job_user_created", "job", ["user_id", "created_at"])
    op.create_index("ix_job_user_status", "job", ["user_id", "status"])
    op.create_index("ix_job_quality_completed", "job", ["quality", "completed_at"])

    op.create_table(
        "scene_result",
        sa.Column("job_id", sa.Uuid(), sa.ForeignKey("job.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("stage", sa.String(32), primary_key=True),
        sa.Column("scene_index", sa.Integer(), primary_key=True),
        sa.Column("result", sa.JSON(), nullable=False),
        _ts("created_at"),
    )
    op.create_table(
        "stage_run",
        sa.Column("job_id", sa.Uuid(), sa.ForeignKey("job.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("stage", sa.String(32), primary_key=True),
        sa.Column("quality", sa.String(16), nullable=False),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
    )
    op.create_index("ix_stage_run_quality_stage", "stage_run", ["quality", "stage", "finished_at"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("routing_key", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        _ts("created_at"),
        _ts("published_at", nullable=True),
    )
    op.create_index("ix_outbox_unpublished", "outbox", ["published_at", "id"])
    op.create_table(
        "processed_message",
        sa.Column("message_id", sa.Uuid(), primary_key=True),
        _ts("processed_at"),
    )
    op.create_table(
        "user_account",
        sa.Column("user_id", sa.String(128), primary_key=True),
        _ts("created_at"),
    )


def downgrade() -> None:
    for table in ("user_account", "processed_message", "outbox", "stage_run", "scene_result", "job"):
        op.drop_table(table)
