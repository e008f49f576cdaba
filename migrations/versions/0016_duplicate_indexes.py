"""parents: indexes on lower(email) and lower(last_name) for the possible-duplicate lookups

Revision ID: 0016_duplicate_indexes
Revises: 0015_background_jobs
"""

from alembic import op
import sqlalchemy as sa


revision = "0016_duplicate_indexes"
down_revision = "0015_background_jobs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_parents_email_lower", "parents", [sa.text("lower(email)")])
    op.create_index("ix_parents_last_name_lower", "parents", [sa.text("lower(last_name)")])


def downgrade():
    op.drop_index("ix_parents_last_name_lower", table_name="parents")
    op.drop_index("ix_parents_email_lower", table_name="parents")
