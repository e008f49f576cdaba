"""background_jobs: spreadsheet imports and exports run by the scheduler, not the request

Revision ID: 0015_background_jobs
Revises: 0014_two_factor
"""

from alembic import op
import sqlalchemy as sa


revision = "0015_background_jobs"
down_revision = "0014_two_factor"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "background_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("phase", sa.String(length=20), nullable=True),
        sa.Column("rows_checked", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_written", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=True),
        sa.Column("input_files", sa.JSON(), nullable=False),
        sa.Column("output_file", sa.String(length=100), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.CheckConstraint("kind IN ('import', 'export')", name=op.f("ck_background_jobs_kind")),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')",
            name=op.f("ck_background_jobs_status"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_background_jobs_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_background_jobs")),
    )
    with op.batch_alter_table("background_jobs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_background_jobs_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(
            "ix_background_jobs_status_created", ["status", "created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("background_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_background_jobs_status_created")
        batch_op.drop_index(batch_op.f("ix_background_jobs_created_by_id"))
    op.drop_table("background_jobs")
