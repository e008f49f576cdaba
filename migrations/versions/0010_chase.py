"""chase: areas get a duty phone, users a safeguarding-lead mark, flags a ledger of chase steps

``areas.duty_phone``: shown to a volunteer who has just raised an urgent concern.
``users.safeguarding_lead``: an admin marks staff who are chased about unacknowledged urgent
flags. ``flag_chases``: one row per (flag, step) taken, unique, so each step of the chase
happens at most once per flag whatever runs it.

Revision ID: 0010_chase
Revises: 0009_password_reset
"""

from alembic import op
import sqlalchemy as sa


revision = "0010_chase"
down_revision = "0009_password_reset"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duty_phone", sa.String(length=40), nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "safeguarding_lead", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    op.create_table(
        "flag_chases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("step IN ('leads', 'admins')", name=op.f("ck_flag_chases_step")),
        sa.ForeignKeyConstraint(
            ["flag_id"],
            ["escalation_flags.id"],
            name=op.f("fk_flag_chases_flag_id_escalation_flags"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag_chases")),
        sa.UniqueConstraint("flag_id", "step", name=op.f("uq_flag_chases_flag_id_step")),
    )


def downgrade():
    op.drop_table("flag_chases")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("safeguarding_lead")
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_column("duty_phone")
