"""parents: erased_at and consent_withdrawn_on (a parent's data-protection rights)

``erased_at``: when the parent's details were anonymised (``app.privacy.erasure``), NULL if
never. ``consent_withdrawn_on``: the day she withdrew consent (``app.privacy.consent``).

Revision ID: 0013_privacy
Revises: 0012_equality
"""

from alembic import op
import sqlalchemy as sa


revision = "0013_privacy"
down_revision = "0012_equality"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("parents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("consent_withdrawn_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("parents", schema=None) as batch_op:
        batch_op.drop_column("consent_withdrawn_on")
        batch_op.drop_column("erased_at")
