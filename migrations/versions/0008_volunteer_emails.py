"""volunteer emails: a training renewal date and a way to turn reminder emails off

* ``volunteer_profiles.training_expires_on`` (optional): the day the volunteer's training
  needs renewing; once past, the volunteer fails the ``checks`` gate like an expired DBS
  check. Empty means the training does not expire.
* ``volunteer_profiles.email_reminders`` (default on): the daily reminder email
  (``flask emails reminders``); a volunteer turns it off on My availability.

The reminders need no ledger of their own: each is queued with a dedupe key
(volunteer and day) whose unique Message-ID in the outbox holds "at most one a day".

Revision ID: 0008_volunteer_emails
Revises: 0007_search
"""

from alembic import op
import sqlalchemy as sa


revision = "0008_volunteer_emails"
down_revision = "0007_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("volunteer_profiles") as batch:
        batch.add_column(sa.Column("training_expires_on", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column(
                "email_reminders", sa.Boolean(), nullable=False, server_default=sa.text("true")
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("volunteer_profiles") as batch:
        batch.drop_column("email_reminders")
        batch.drop_column("training_expires_on")
