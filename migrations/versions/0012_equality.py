"""parents: equality monitoring fields

Five optional codes (``app.equality``) asked at referral to show funders who the service
reaches: ethnic group (ONS 2021), age band at referral, first-time parent, disability or
long-term condition, interpreter needed. NULL means not recorded.

Revision ID: 0012_equality
Revises: 0011_outbox_case
"""

from alembic import op
import sqlalchemy as sa


revision = "0012_equality"
down_revision = "0011_outbox_case"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("ethnic_group", 40),
    ("age_band", 20),
    ("first_time_parent", 20),
    ("disability", 20),
    ("interpreter_needed", 20),
)


def upgrade():
    with op.batch_alter_table("parents", schema=None) as batch_op:
        for name, length in _COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))


def downgrade():
    with op.batch_alter_table("parents", schema=None) as batch_op:
        for name, _length in reversed(_COLUMNS):
            batch_op.drop_column(name)
