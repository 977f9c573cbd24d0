"""Revisions and the per-job resource report.

``job.revision_of``: the job a revision was made from (its storyboard edited), null for other jobs. Indexed, without
a foreign key: deleting an original must not touch the revisions made from it.

``stage_run`` gains what the workers measured for the stage, summed over its scenes: ``cpu_seconds`` (the worker
process and its Manim/FFmpeg children), ``bytes_stored`` (artifacts written to object storage), ``cache_hits`` and
``cache_misses``. Null where no worker reported a figure.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job") as batch:
        batch.add_column(sa.Column("revision_of", sa.Uuid(), nullable=True))
        batch.create_index("ix_job_revision_of", ["revision_of"])
    with op.batch_alter_table("stage_run") as batch:
        batch.add_column(sa.Column("cpu_seconds", sa.Float(), nullable=True))
        batch.add_column(sa.Column("bytes_stored", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("cache_hits", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("cache_misses", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stage_run") as batch:
        for column in ("cache_misses", "cache_hits", "bytes_stored", "cpu_seconds"):
            batch.drop_column(column)
    with op.batch_alter_table("job") as batch:
        batch.drop_index("ix_job_revision_of")
        batch.drop_column("revision_of")
