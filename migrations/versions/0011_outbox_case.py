"""outbox: the case an email is about

``case_id`` (nullable; emptied when the case is deleted) ties an urgent email to its case, so
an urgent email not delivered in time is shown to that case's coordinators on every page.
Emails queued before this revision have none.

Revision ID: 0011_outbox_case
Revises: 0010_chase
"""

from alembic import op
import sqlalchemy as sa


revision = "0011_outbox_case"
down_revision = "0010_chase"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_emails_case_id_cases"),
            "cases",
            ["case_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_outbox_emails_case_id"), ["case_id"], unique=False)


def downgrade():
    with op.batch_alter_table("outbox_emails", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_emails_case_id"))
        batch_op.drop_constraint(batch_op.f("fk_outbox_emails_case_id_cases"), type_="foreignkey")
        batch_op.drop_column("case_id")
