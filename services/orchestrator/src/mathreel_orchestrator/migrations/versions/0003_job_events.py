"""Job events: every change of a job's status body, numbered per job, so SSE clients resume without loss.

``job.event_seq`` is the number of the job's latest event, incremented atomically in the transaction of the change;
``job_event`` keeps the bodies (pruned for finished jobs after the outbox's retention).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("job", sa.Column("event_seq", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "job_event",
        sa.Column("job_id", sa.Uuid(), sa.ForeignKey("job.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_job_event_created", "job_event", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_job_event_created", table_name="job_event")
    op.drop_table("job_event")
    with op.batch_alter_table("job") as batch:
        batch.drop_column("event_seq")
