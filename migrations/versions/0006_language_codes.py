"""languages: the names stored by the old forms become ISO 639-1 codes

Until now the self-referral, referral and parent forms stored what was typed, lower-cased
("english", "polish"), while volunteer profiles and the import stored codes ("en", "pl"),
so such a parent shared no language with anyone. This turns every stored word of
``parents.languages`` and ``volunteer_profiles.languages`` (JSON arrays) that names a
language (by its English name or another name ``app.languages`` knows, any case) into its
code, keeping the order and dropping repeats ("english", "en" becomes "en").

A changed volunteer profile's ``updated_at`` moves to the time of the upgrade, so a running
process's cache of the volunteer pool (``app/matching/pool_cache.py``) sees the change.

A word that is no language we know is **left as it was**: it still shows on the parent's
page, and the parent's edit form asks for it to be corrected when next saved.

Downgrade changes nothing: which codes were once typed as names is not recorded.

Revision ID: 0006_language_codes
Revises: 0005_outbox_retry
"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

from app.languages import language_code


revision = "0006_language_codes"
down_revision = "0005_outbox_retry"
branch_labels = None
depends_on = None

TABLES = ("parents", "volunteer_profiles")


def as_codes(stored):
    """A stored list with every language name as its code; other words kept; no repeats."""
    out = []
    for item in stored or []:
        value = item
        if isinstance(item, str):
            value = language_code(item) or item
        if value not in out:
            out.append(value)
    return out


def upgrade():
    conn = op.get_bind()
    stamp = datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC, as UTCDateTime does
    for name in TABLES:
        table = sa.table(
            name,
            sa.column("id", sa.Integer),
            sa.column("languages", sa.JSON),
            sa.column("updated_at", sa.DateTime),
        )
        changes = [
            {"row_id": row_id, "codes": as_codes(stored)}
            for row_id, stored in conn.execute(sa.select(table.c.id, table.c.languages))
            if isinstance(stored, list) and as_codes(stored) != stored
        ]
        if not changes:
            continue
        values = {"languages": sa.bindparam("codes", type_=sa.JSON)}
        if name == "volunteer_profiles":
            values["updated_at"] = stamp
        conn.execute(
            table.update().where(table.c.id == sa.bindparam("row_id")).values(**values), changes
        )


def downgrade():
    pass
