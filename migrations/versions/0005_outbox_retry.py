"""outbox: claim tokens, unknown outcomes, a retry deadline

``claim_token`` lets a sender write an outcome only on the claim it holds;
``unknown_outcomes`` counts attempts that may have been delivered (the Emails page says so);
``give_up_at`` ends a day of retries (None on older rows: created_at + 1 day).

Revision ID: 0005_outbox_retry
Revises: 0004_escalation
"""

from alembic import op
import sqlalchemy as sa


revision = "0005_outbox_retry"
down_revision = "0004_escalation"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claim_token", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("unknown_outcomes", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("give_up_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_column("give_up_at")
        batch_op.drop_column("unknown_outcomes")
        batch_op.drop_column("claim_token")
