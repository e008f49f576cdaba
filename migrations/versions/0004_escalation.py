"""escalation: a covering index for the scan (PostgreSQL only)

The scan's correlated subqueries walk ix_checkins_case_status_occurred backwards for each
open case; on PostgreSQL this INCLUDE index answers them with index-only scans. SQLite
has no INCLUDE and is already at the floor without it, so nothing changes there.

Revision ID: 0004_escalation
Revises: 0001_initial
"""
from alembic import op


revision = "0004_escalation"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(
            "ix_checkins_scan_cover",
            "checkins",
            ["case_id", "status", "occurred_at"],
            postgresql_include=["successful", "wellbeing", "bonding", "updated_at"],
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_checkins_scan_cover", table_name="checkins")
